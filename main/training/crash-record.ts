/**
 * When a trainer process dies without reporting its end (killed, out of memory, a native crash),
 * the supervisor writes the end for it: the 'failed' event (crashed: true, with the reason) into
 * the run's events.jsonl and status 'failed' / stopReason 'crashed' into its run.json, so the run
 * list and a reloaded view say what happened.
 */
import { promises as fs } from 'node:fs';
import { resolve } from 'node:path';
import type { FailedEvent } from '../../shared/training/types';
import { EventLog, runDir, runPaths } from './run-folder';
import { readRunState, writeRunState } from './run-files';

export async function recordCrash(project: string, payload: FailedEvent): Promise<void> {
  if (!payload.run) return; // died before it had a run folder
  const dir = runDir(await fs.realpath(resolve(project)), payload.run);
  const log = new EventLog(runPaths(dir).events);
  await log.append({ type: 'failed', payload });
  const read = await readRunState(dir, null);
  if (read) await writeRunState(dir, { ...read.state, status: 'failed', phase: 'done', finishedAt: new Date().toISOString(), stopReason: 'crashed', error: payload.error });
}
