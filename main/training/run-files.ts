/**
 * The one reader (and writer) of each typed run file: config.json, run.json, env.json. Every
 * problem names the file and the field (RunFileError). Runs written before run.json existed are
 * upgraded on read: their state is rebuilt from state/optimizer.json, config.json and events.jsonl.
 */
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import {
  legacyBookkeepingSchema, parseRunFile, runConfigSchema, runEnvSchema, runStateSchema, RunFileError,
  type RunConfig, type RunState,
} from '../../shared/training/run-files';
import type { EpochMetrics, RunEnv } from '../../shared/training/types';
import { classifierEvalReportSchema, type ClassifierEpochMetrics, type ClassifierEvalReport } from '../../shared/training/classifier';
import { evalReportSchema, type EvalReport } from '../../shared/training/eval-report';
import { errorMessage } from '../../shared/error-message';
import { runDir, runPaths, runsRoot, writeJson } from './run-folder';
import { readClassifierMetricsCsv, readMetricsCsv } from './metrics-csv';

async function readText(file: string): Promise<string | null> {
  try {
    return await fs.readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new RunFileError(file, [`cannot read (${(err as Error).message})`]);
  }
}

/** config.json of the run in `dir` (null when the run has none yet). */
export async function readRunConfig(dir: string): Promise<RunConfig | null> {
  const file = runPaths(dir).config;
  const text = await readText(file);
  return text === null ? null : parseRunFile(runConfigSchema, text, file);
}

export async function readRunEnv(dir: string): Promise<RunEnv | null> {
  const file = runPaths(dir).env;
  const text = await readText(file);
  return text === null ? null : parseRunFile(runEnvSchema, text, file);
}

/**
 * eval.json of the run in `dir` (null when not written yet): the detector report or the
 * classifier report (`task: 'classify'`), checked against their schemas. Bad JSON or a report
 * that does not fit throws naming the file and what is wrong.
 */
export async function readEvalJson(dir: string): Promise<EvalReport | ClassifierEvalReport | null> {
  const file = runPaths(dir).evalJson;
  const text = await readText(file);
  if (text === null) return null;
  const schemaOf = (raw: unknown) => (typeof raw === 'object' && raw !== null && (raw as { task?: unknown }).task === 'classify' ? classifierEvalReportSchema : evalReportSchema);
  return parseRunFile<typeof classifierEvalReportSchema | typeof evalReportSchema>(schemaOf, text, file);
}

export async function writeRunState(dir: string, state: RunState): Promise<void> {
  await writeJson(runPaths(dir).runJson, state);
}

/** The terminal status events.jsonl of an old run ends with (they had no run.json). */
async function legacyStatus(dir: string): Promise<RunState['status']> {
  const text = (await readText(runPaths(dir).events)) ?? '';
  let status: RunState['status'] = 'failed'; // no end in the log: the trainer died
  for (const line of text.split('\n')) {
    if (line.includes('"type":"failed"')) status = 'failed';
    else if (line.includes('"type":"finished"')) status = line.includes('"status":"cancelled"') ? 'cancelled' : 'completed';
  }
  return status;
}

/**
 * run.json of the run in `dir`; for a run written before run.json existed (config.json given),
 * the state rebuilt from state/optimizer.json (`upgraded: true`). Null: no state at all.
 */
export async function readRunState(dir: string, config: RunConfig | null): Promise<{ state: RunState; upgraded: boolean } | null> {
  const paths = runPaths(dir);
  const text = await readText(paths.runJson);
  if (text !== null) return { state: parseRunFile(runStateSchema, text, paths.runJson), upgraded: false };
  if (!config) return null;
  const legacyFile = join(paths.state, 'optimizer.json');
  const legacyText = await readText(legacyFile);
  const legacy = legacyText === null ? null : parseRunFile(legacyBookkeepingSchema, legacyText, legacyFile);
  const env = await readRunEnv(dir);
  const epoch = legacy?.epoch ?? 0;
  const task = config.task;
  const fitness = legacy ? (task === 'detect' ? legacy.bestFitness : legacy.bestScore) ?? null : null;
  const raw = {
    version: 2, task, name: config.name, status: await legacyStatus(dir), phase: 'done', epoch, epochs: config.train.epochs,
    sinceBest: legacy?.sinceBest ?? 0, preset: config.train.preset,
    inputSize: task === 'detect' ? config.detector.inputSize : config.inputSize, backend: env?.backend ?? null,
    startedAt: config.createdAt, finishedAt: null, stopReason: null, error: null,
    best: legacy?.best && fitness !== null ? { epoch: (legacy.best as { epoch: number }).epoch, fitness, loss: legacy.bestLoss ?? null, metrics: legacy.best } : null,
    last: legacy?.last ?? null,
  };
  return { state: parseRunFile(runStateSchema, JSON.stringify(raw), `${legacyFile} (upgraded to run.json)`), upgraded: true };
}

export interface RunInfo {
  name: string;
  dir: string;
  config: RunConfig | null;
  /** run.json (for runs written before it existed: rebuilt from their files, `upgraded`). */
  state: RunState | null;
  upgraded: boolean;
  env: RunEnv | null;
  /** Detector runs' metrics.csv rows (empty for classifier runs). */
  metrics: EpochMetrics[];
  /** Classifier runs: their metrics.csv rows; absent for detector runs. */
  classifierMetrics?: ClassifierEpochMetrics[];
  status: RunState['status'] | 'unknown';
  hasLast: boolean;
  hasBest: boolean;
  /** Why the run cannot be used (a file that cannot be read, with the file and the field); null: fine. */
  problem: string | null;
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

/**
 * Reads a run folder through the typed readers. A file that cannot be read does not throw: the
 * run comes back with `problem` naming the file and the field, so one bad run never hides the others.
 */
/**
 * A run's files. `lean`: metrics.csv is read only when run.json lacks what the run list needs
 * from it (`seconds`, kept since round 2), so listing many runs reads one small file per run.
 */
export async function readRun(projectRoot: string, name: string, options: { lean?: boolean } = {}): Promise<RunInfo> {
  const dir = runDir(projectRoot, name);
  if (!(await exists(dir))) throw Object.assign(new Error(`no run "${name}" in ${projectRoot}`), { code: 'ENOENT' });
  const p = runPaths(dir);
  const info: RunInfo = {
    name, dir, config: null, state: null, upgraded: false, env: null, metrics: [], status: 'unknown',
    hasLast: await exists(join(p.last, 'model.json')), hasBest: await exists(join(p.best, 'model.json')), problem: null,
  };
  try {
    info.config = await readRunConfig(dir);
    const read = await readRunState(dir, info.config);
    info.state = read?.state ?? null;
    info.upgraded = read?.upgraded ?? false;
    info.status = info.state?.status ?? 'unknown';
    info.env = await readRunEnv(dir);
    const needMetrics = !options.lean || info.state?.seconds === undefined;
    if (needMetrics && (info.config?.task ?? info.state?.task) === 'classify') info.classifierMetrics = (await readIfExists(p.metrics, readClassifierMetricsCsv)) ?? [];
    else if (needMetrics) info.metrics = (await readIfExists(p.metrics, readMetricsCsv)) ?? [];
  } catch (err) {
    info.problem = errorMessage(err);
  }
  if (!info.problem && !info.config && info.state?.phase !== 'preparing') info.problem = `${p.config} is missing`;
  return info;
}

export async function listRuns(projectRoot: string): Promise<RunInfo[]> {
  const names = await fs.readdir(runsRoot(projectRoot), { withFileTypes: true }).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return [];
    throw err;
  });
  const runs = await Promise.all(names.filter((d) => d.isDirectory() && !d.name.startsWith('.')).map((d) => readRun(projectRoot, d.name, { lean: true })));
  const started = (r: RunInfo): string => r.state?.startedAt ?? r.config?.createdAt ?? '';
  return runs.sort((a, b) => started(a).localeCompare(started(b)));
}
