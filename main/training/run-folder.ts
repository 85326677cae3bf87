/**
 * Run folders: PROJECT/.detecta/runs/<name>/ with config.json, env.json, metrics.csv (one row per
 * epoch, METRICS_COLUMNS), events.jsonl (one TrainerEvent per line with a time stamp `t`),
 * weights/last and weights/best (model.json + weights.bin), state/ (optimizer + epoch, for
 * resume) and eval.json. JSON files are written atomically.
 */
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../dataset/atomic-write';
import { METRICS_COLUMNS, type EpochMetrics, type RunConfigFile, type RunEnv, type TrainerEvent } from '../../shared/training/types';
import type { ClassifierEpochMetrics } from '../../shared/training/classifier';
import { readClassifierMetricsCsv } from './classifier/metrics-csv';

export const RUNS_DIR = join('.detecta', 'runs');

export function runsRoot(projectRoot: string): string {
  return join(projectRoot, RUNS_DIR);
}

export function runDir(projectRoot: string, name: string): string {
  if (!/^[A-Za-z0-9._-]+$/.test(name) || name.startsWith('.')) throw new Error(`bad run name "${name}" (letters, digits, . _ - only)`);
  return join(runsRoot(projectRoot), name);
}

export const runPaths = (dir: string) => ({
  config: join(dir, 'config.json'),
  env: join(dir, 'env.json'),
  metrics: join(dir, 'metrics.csv'),
  events: join(dir, 'events.jsonl'),
  evalJson: join(dir, 'eval.json'),
  last: join(dir, 'weights', 'last'),
  best: join(dir, 'weights', 'best'),
  state: join(dir, 'state'),
});

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

export async function readJson<T>(file: string): Promise<T> {
  return JSON.parse(await fs.readFile(file, 'utf8')) as T;
}

const num = (v: number | null | undefined): string => (v === null || v === undefined || !Number.isFinite(v) ? '' : String(Number(v.toPrecision(6))));

export function metricsRowCells(m: EpochMetrics): string[] {
  return [
    String(m.epoch), num(m.time),
    num(m.train.box), num(m.train.obj), num(m.train.noobj), num(m.train.cls), num(m.train.total),
    num(m.precision), num(m.recall), num(m.F1), num(m.mAP50), num(m['mAP50-95']),
    num(m.val?.box), num(m.val?.obj), num(m.val?.noobj), num(m.val?.cls), num(m.val?.total),
    num(m.lr),
  ];
}

/**
 * Appends one epoch row (writing the header first for a new file). On resume, rows of epochs
 * ≥ this one (from an interrupted attempt) are dropped first so each epoch appears once.
 */
export async function appendMetricsRow(file: string, m: EpochMetrics): Promise<void> {
  const rows = await readMetricsCsv(file).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return [] as EpochMetrics[];
    throw err;
  });
  const kept = rows.filter((r) => r.epoch < m.epoch);
  const text = [METRICS_COLUMNS.join(','), ...[...kept, m].map((r) => metricsRowCells(r).join(','))].join('\n') + '\n';
  await writeFileAtomic(file, text);
}

/** Parses metrics.csv back into rows (empty cells → null). */
export async function readMetricsCsv(file: string): Promise<EpochMetrics[]> {
  const text = await fs.readFile(file, 'utf8');
  const [header, ...lines] = text.trim().split('\n');
  const cols = header.split(',');
  return lines.filter((l) => l.trim() !== '').map((line) => {
    const cells = line.split(',');
    const get = (c: string): number | null => {
      const i = cols.indexOf(c);
      const v = i >= 0 ? cells[i] : '';
      return v === '' || v === undefined ? null : Number(v);
    };
    const parts = (p: 'train' | 'val') => ({ box: get(`${p}/box_loss`) ?? NaN, obj: get(`${p}/obj_loss`) ?? NaN, noobj: get(`${p}/noobj_loss`) ?? NaN, cls: get(`${p}/cls_loss`) ?? NaN, total: get(`${p}/loss`) ?? NaN });
    return {
      epoch: get('epoch') ?? 0,
      time: get('time') ?? 0,
      train: parts('train'),
      val: get('val/loss') === null ? null : parts('val'),
      precision: get('metrics/precision(B)'),
      recall: get('metrics/recall(B)'),
      F1: get('metrics/F1(B)'),
      mAP50: get('metrics/mAP50(B)'),
      'mAP50-95': get('metrics/mAP50-95(B)'),
      lr: get('lr/pg0') ?? 0,
    };
  });
}

/** Appends events to events.jsonl (one JSON object per line, with `t` = ISO time). */
export class EventLog {
  private chain: Promise<void> = Promise.resolve();
  constructor(readonly file: string) {}
  append(event: TrainerEvent): Promise<void> {
    const line = JSON.stringify({ t: new Date().toISOString(), ...event }) + '\n';
    this.chain = this.chain.then(() => fs.appendFile(this.file, line));
    return this.chain;
  }
  flush(): Promise<void> {
    return this.chain;
  }
}

export interface RunInfo {
  name: string;
  dir: string;
  config: RunConfigFile | null;
  env: RunEnv | null;
  /** Detector runs' metrics.csv rows (empty for classifier runs). */
  metrics: EpochMetrics[];
  /** Classifier runs (config.json task 'classify'): their metrics.csv rows; absent for detector runs. */
  classifierMetrics?: ClassifierEpochMetrics[];
  /** Last status seen in events.jsonl: running (or interrupted), completed, cancelled, failed. */
  status: 'running' | 'completed' | 'cancelled' | 'failed' | 'unknown';
  hasLast: boolean;
  hasBest: boolean;
}

async function exists(p: string): Promise<boolean> {
  return fs.access(p).then(() => true, () => false);
}

async function readIfExists<T>(file: string, read: (f: string) => Promise<T>): Promise<T | null> {
  try {
    return await read(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}

async function lastStatus(file: string): Promise<RunInfo['status']> {
  const text = await readIfExists(file, (f) => fs.readFile(f, 'utf8'));
  if (text === null) return 'unknown';
  let status: RunInfo['status'] = 'unknown';
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    try {
      const ev = JSON.parse(line) as TrainerEvent;
      if (ev.type === 'finished') status = ev.payload.status;
      else if (ev.type === 'failed') status = 'failed';
      else if (ev.type === 'env') status = 'running';
    } catch {
      status = 'unknown'; // a torn last line (the trainer died mid-write)
    }
  }
  return status;
}

export async function readRun(projectRoot: string, name: string): Promise<RunInfo> {
  const dir = runDir(projectRoot, name);
  if (!(await exists(dir))) throw Object.assign(new Error(`no run "${name}" in ${projectRoot}`), { code: 'ENOENT' });
  const p = runPaths(dir);
  const config = await readIfExists(p.config, readJson<RunConfigFile>);
  const classify = config?.task === 'classify';
  return {
    name,
    dir,
    config,
    env: await readIfExists(p.env, readJson<RunEnv>),
    metrics: classify ? [] : (await readIfExists(p.metrics, readMetricsCsv)) ?? [],
    ...(classify ? { classifierMetrics: (await readIfExists(p.metrics, readClassifierMetricsCsv)) ?? [] } : {}),
    status: await lastStatus(p.events),
    hasLast: await exists(join(p.last, 'model.json')),
    hasBest: await exists(join(p.best, 'model.json')),
  };
}

export async function listRuns(projectRoot: string): Promise<RunInfo[]> {
  const names = await fs.readdir(runsRoot(projectRoot), { withFileTypes: true }).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return [];
    throw err;
  });
  const runs = await Promise.all(names.filter((d) => d.isDirectory() && !d.name.startsWith('.')).map((d) => readRun(projectRoot, d.name)));
  return runs.sort((a, b) => (a.config?.createdAt ?? '').localeCompare(b.config?.createdAt ?? ''));
}

export async function deleteRun(projectRoot: string, name: string): Promise<void> {
  await fs.rm(runDir(projectRoot, name), { recursive: true, force: false });
}
