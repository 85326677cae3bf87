/**
 * Training API: start / pause / resume / cancel a detector training run of an opened project,
 * list and read runs (config + metrics rows + env), delete a run. `project` is the project root
 * as returned when it was opened; `run` is a run folder name under .detecta/runs/.
 * Events stream from the trainer process (throttled progress, a few per second).
 */
import { z } from 'zod';
import { method } from './contract';
import {
  trainConfigSchema, type EpochEvent, type EpochMetrics, type FailedEvent, type FinishedEvent, type LogEvent, type ProgressEvent,
  type RunConfigFile, type RunEnv, type TrainerEvent,
} from '../training/types';
import type { EvalReport } from '../training/eval-report';

const project = z.string().min(1).max(4096);
const run = z.string().min(1).max(200).regex(/^[A-Za-z0-9._-]+$/, 'run names use letters, digits, . _ - only');

export type RunStatus = 'running' | 'paused' | 'completed' | 'cancelled' | 'failed' | 'unknown';

export interface RunSummary {
  name: string;
  status: RunStatus;
  /** True while this app's trainer process runs it. */
  active: boolean;
  createdAt: string | null;
  preset: string | null;
  epochs: number | null;
  epochsDone: number;
  backend: string | null;
  /** Best validation mAP50 / mAP50-95 over the epochs so far. */
  mAP50: number | null;
  'mAP50-95': number | null;
  resumable: boolean;
  /** Training seconds over all attempts (each resumed part restarts metrics.csv's time). */
  durationSeconds: number | null;
}

export interface RunDetail extends RunSummary {
  dir: string;
  config: RunConfigFile | null;
  env: RunEnv | null;
  metrics: EpochMetrics[];
}

/** Anchors k-means would give the project's train boxes for this input size (what a run starts from). */
export interface AnchorsResult {
  /** (w, h) in grid cells, sorted by area. */
  anchors: [number, number][];
  /** (w, h) in input pixels. */
  anchorsPx: [number, number][];
  /** Mean IoU of each box with its best anchor. */
  meanIoU: number;
  boxes: number;
  split: 'train' | 'all';
  grid: number;
  inputSize: number;
}

/** eval.json of a run plus where each gallery image lives (absolute paths, for projectFileUrl). */
export interface RunReport extends Omit<EvalReport, 'f1'> {
  /** Null in eval.json files written before F1 curves were part of the report. */
  f1: EvalReport['f1'] | null;
  run: string;
  imagePaths: Record<string, string>;
}

/** One line of events.jsonl: a trainer event with its time stamp and its line number. */
export type StoredTrainerEvent = TrainerEvent & { t: string; line: number };

export interface ExportResult {
  dir: string;
  /** Files written into `dir` (model.json, weight shards, detecta-model.json). */
  files: string[];
}

/** detecta-model.json written beside an exported model.json. */
export interface ExportedModelInfo {
  format: 'detecta-model';
  version: 1;
  task: 'detect' | 'classify';
  run: string;
  weights: 'best' | 'last';
  classes: string[];
  inputSize: number | null;
  /** (w, h) in grid cells of grid = inputSize / 32 (detectors). */
  anchors: [number, number][] | null;
  resizeMode: string | null;
  thresholds: { confidence: number; iou: number; bestF1Confidence: number | null };
  exportedAt: string;
}

const eventTypes = z.enum(['progress', 'epoch', 'log', 'env', 'finished', 'failed']);

export const trainMethods = {
  /** Starts a new run (config) or resumes one (`resume`: a run name; `epochs` may raise its total). */
  'train.start': method<{ run: string | null; started: true }>()(
    z.object({ project, config: trainConfigSchema.partial().optional(), name: run.optional(), resume: run.optional(), epochs: z.number().int().min(1).max(10_000).optional() }).strict(),
  ),
  'train.pause': method<{ paused: true }>()(z.object({ project }).strict()),
  'train.resume': method<{ paused: false }>()(z.object({ project }).strict()),
  /** Stops at the next batch boundary; the run stays resumable from its last saved epoch. */
  'train.cancel': method<{ cancelling: true }>()(z.object({ project }).strict()),
  'train.list': method<RunSummary[]>()(z.object({ project }).strict()),
  'train.get': method<RunDetail>()(z.object({ project, run }).strict()),
  'train.delete': method<{ deleted: true }>()(z.object({ project, run }).strict()),
  /** k-means anchors of the project's train boxes for an input size (no training needed). */
  'train.anchors': method<AnchorsResult>()(
    z.object({
      project,
      k: z.number().int().min(1).max(9).default(5),
      inputSize: z.number().int().min(32).max(1024).refine((v) => v % 32 === 0, 'inputSize must be a multiple of 32'),
    }).strict(),
  ),
  /** The evaluation report (eval.json) of a run's best weights. */
  'train.report': method<RunReport>()(z.object({ project, run }).strict()),
  /** Events of a run from events.jsonl (line ≥ since, optionally only some types), oldest first. */
  'train.events': method<{ events: StoredTrainerEvent[]; next: number; skipped: number }>()(
    z.object({ project, run, types: z.array(eventTypes).min(1).optional(), since: z.number().int().min(0).default(0), limit: z.number().int().min(1).max(200_000).default(50_000) }).strict(),
  ),
  /** Copies a run's weights (tfjs LayersModel folder) and a detecta-model.json into `dir`. */
  'train.export': method<ExportResult>()(
    z.object({ project, run, weights: z.enum(['best', 'last']).default('best'), dir: z.string().min(1).max(4096) }).strict(),
  ),
  /** Opens a run's folder in the system file manager (of the machine the app runs on). */
  'train.openFolder': method<{ opened: boolean; path: string; reason?: string }>()(z.object({ project, run }).strict()),
};

export interface TrainEvents {
  'train.progress': ProgressEvent & { project: string };
  'train.epoch': EpochEvent & { project: string };
  'train.log': LogEvent & { project: string };
  'train.finished': FinishedEvent & { project: string };
  'train.failed': FailedEvent & { project: string };
}
