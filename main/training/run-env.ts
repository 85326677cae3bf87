/**
 * The first step of every run (detector or classifier): pick the backend from the ladder, write
 * env.json (backend, device, CPU threads of the math, versions, what was skipped and why) and return both for the 'env'
 * event and the first log line.
 */
import type { BackendChoice, RunEnv } from '../../shared/training/types';
import { selectBackend, type BackendSelection } from './backend';
import { writeJson } from './run-folder';

export async function selectRunBackend(requested: BackendChoice, envFile: string, warn: (message: string) => void): Promise<{ sel: BackendSelection; env: RunEnv }> {
  const sel = await selectBackend(requested, warn);
  const env: RunEnv = {
    backend: sel.backend, requested, device: sel.device, threads: sel.threads, versions: sel.versions,
    node: process.version, platform: `${process.platform}-${process.arch}`, skipped: sel.skipped, startedAt: new Date().toISOString(),
  };
  await writeJson(envFile, env);
  return { sel, env };
}
