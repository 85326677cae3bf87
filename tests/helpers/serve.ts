/**
 * Starts the real web host entry (`node dist/main/serve.js`, as `npm run serve` does) on a free
 * port with a throw-away settings folder, and returns its printed URL. Needs `npm run build` first.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
export const sharedDatasets = fileURLToPath(new URL('../../../shared/datasets/', import.meta.url));

export interface ServedApp {
  url: string;
  origin: string;
  token: string;
  dataDir: string;
  /** The host's model cache (a fresh folder inside dataDir, so tests never share downloads). */
  modelCacheDir: string;
  output: () => string;
  stop(): Promise<void>;
}

export async function serveApp(env: Record<string, string> = {}): Promise<ServedApp> {
  const entry = join(repoRoot, 'dist/main/serve.js');
  if (!existsSync(entry)) throw new Error('dist/main/serve.js is missing: run `npm run build` before the e2e tests');
  const dataDir = mkdtempSync(join(tmpdir(), 'detecta-data-'));
  const modelCacheDir = join(dataDir, 'models');
  const child: ChildProcess = spawn(process.execPath, [entry, '--port', '0', '--data-dir', dataDir, '--model-cache', modelCacheDir], {
    cwd: repoRoot,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => { out += d.toString(); });
  child.stderr?.on('data', (d: Buffer) => { out += d.toString(); });
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`web host did not print its URL in 20 s:\n${out}`)), 20_000);
    const check = (): void => {
      const m = /running at (http:\/\/\S+)/.exec(out);
      if (m?.[1]) { clearTimeout(timer); resolve(m[1]); }
    };
    child.stdout?.on('data', check);
    child.on('exit', (code) => { clearTimeout(timer); reject(new Error(`web host exited with ${code}:\n${out}`)); });
  });
  const parsed = new URL(url);
  return {
    url,
    origin: parsed.origin,
    token: parsed.searchParams.get('token') ?? '',
    dataDir,
    modelCacheDir,
    output: () => out,
    stop: async () => {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** A throw-away HOME folder with the web host started on it (e2e tests); `close` stops both. */
export interface E2eHost {
  work: string;
  app: ServedApp;
  close(): Promise<void>;
}

export async function startE2eHost(prefix: string, prepare?: (work: string) => Promise<Record<string, string> | void>): Promise<E2eHost> {
  const work = mkdtempSync(join(tmpdir(), prefix));
  const env = (await prepare?.(work)) ?? {};
  const app = await serveApp({ HOME: work, ...env });
  return { work, app, close: async () => { await app.stop(); rmSync(work, { recursive: true, force: true }); } };
}

/** A sample project written by the CLI (`detecta sample`), as a user would make one. */
export function cliSampleProject(dir: string, args: string[]): void {
  const made = spawnSync(process.execPath, ['dist/cli/detecta.js', 'sample', '--out', dir, ...args], { cwd: repoRoot, encoding: 'utf8' });
  if (made.status !== 0) throw new Error(`detecta sample failed (${made.status}): ${made.stderr}`);
}
