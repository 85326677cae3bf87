/**
 * Run folders: PROJECT/.detecta/runs/<name>/ with config.json, env.json, metrics.csv (one row per
 * epoch, METRICS_COLUMNS), events.jsonl (one TrainerEvent per line with a time stamp `t`),
 * weights/last and weights/best (model.json + weights.bin), state/ (optimizer + epoch, for
 * resume) and eval.json. JSON files are written atomically.
 */
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../dataset/atomic-write';
import { RUN_NAME, RUN_NAME_RULE } from '../../shared/training/run-name';

export const RUNS_DIR = join('.detecta', 'runs');

export function runsRoot(projectRoot: string): string {
  return join(projectRoot, RUNS_DIR);
}

export function runDir(projectRoot: string, name: string): string {
  if (!RUN_NAME.test(name)) throw new Error(`bad run name "${name}" (${RUN_NAME_RULE})`);
  return join(runsRoot(projectRoot), name);
}

export const runPaths = (dir: string) => ({
  config: join(dir, 'config.json'),
  runJson: join(dir, 'run.json'),
  env: join(dir, 'env.json'),
  metrics: join(dir, 'metrics.csv'),
  events: join(dir, 'events.jsonl'),
  evalJson: join(dir, 'eval.json'),
  last: join(dir, 'weights', 'last'),
  best: join(dir, 'weights', 'best'),
  state: join(dir, 'state'),
});
export type RunPaths = ReturnType<typeof runPaths>;

/** A new run name: train, train2, train3... (the first not yet taken). */
export async function nextRunName(projectRoot: string, base = 'train'): Promise<string> {
  const taken = new Set(await fs.readdir(runsRoot(projectRoot)).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return [] as string[];
    throw err;
  }));
  for (let i = 1; ; i++) {
    const name = i === 1 ? base : `${base}${i}`;
    if (!taken.has(name)) return name;
  }
}

export async function writeJson(file: string, value: unknown): Promise<void> {
  await writeFileAtomic(file, JSON.stringify(value, null, 2) + '\n');
}

/** Appends events to events.jsonl (one JSON object per line, with `t` = ISO time). */
export class EventLog {
  private chain: Promise<void> = Promise.resolve();
  constructor(readonly file: string) {}
  append(event: { type: string; payload: object }): Promise<void> {
    const line = JSON.stringify({ t: new Date().toISOString(), ...event }) + '\n';
    this.chain = this.chain.then(() => fs.appendFile(this.file, line));
    return this.chain;
  }
  flush(): Promise<void> {
    return this.chain;
  }
}

export async function deleteRun(projectRoot: string, name: string): Promise<void> {
  await fs.rm(runDir(projectRoot, name), { recursive: true, force: false });
}
