/**
 * Training API: start / pause / resume / cancel a detector or classifier training run of an opened project,
 * list and read runs (config + metrics rows + env), delete a run. `project` is the project root
 * as returned when it was opened; `run` is a run folder name under .detecta/runs/.
 * Events stream from the trainer process (throttled progress, a few per second).
 */
import { z } from 'zod';
import { runNameSchema } from '../training/run-name';
import type { RunConfig } from '../training/run-files';
import { method } from './contract';
import {
  backendChoiceSchema, trainConfigSchema, type EpochEvent, type EpochMetrics, type FailedEvent, type FinishedEvent, type LogEvent, type ProgressEvent,
  type RunEnv, type TrainerEvent,
} from '../training/types';
import type { EvalReport, PerSizeAP } from '../training/eval-report';
import {
  classifierConfigSchema, folderSourceSchema, idxSourceSchema, type ClassifierEpochEvent, type ClassifierEpochMetrics, type ClassifierEvalReport, type ClassifierFinishedEvent,
  type ClassifierProgressEvent, type ClassifierTrainerEvent,
} from '../training/classifier';

const project = z.string().min(1).max(4096);
const run = runNameSchema;

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
  /** What the run trains (runs written before classifiers existed are detector runs). */
  task: 'detect' | 'classify';
  /** The input size (pixels), known from the start of the run (null: not yet decided). */
  inputSize: number | null;
  /** The epoch weights/best holds, and its validation mAP50 / mAP50-95 (detector runs): what the report evaluates. */
  bestEpoch: number | null;
  mAP50: number | null;
  'mAP50-95': number | null;
  /** Validation accuracy of the best epoch (classifier runs). */
  accuracy: number | null;
  resumable: boolean;
  /** Training seconds over all attempts (each resumed part restarts metrics.csv's time). */
  durationSeconds: number | null;
  /** Why the run stopped early ('patience', 'cancelled', 'failed', 'crashed'), or null. */
  stopReason: string | null;
  /** The error of a failed run. */
  error: string | null;
  /** Written by an older version (no run.json): read and upgraded on the fly. */
  upgraded: boolean;
  /** Why the run cannot be opened (names the file and the field), or null. */
  problem: string | null;
}

export interface RunDetail extends RunSummary {
  dir: string;
  config: RunConfig | null;
  env: RunEnv | null;
  /** Detector runs' metrics.csv rows (empty for classifier runs). */
  metrics: EpochMetrics[];
  /** Classifier runs' metrics.csv rows (absent for detector runs). */
  classifierMetrics?: ClassifierEpochMetrics[];
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

/** eval.json of a detector run plus where each gallery image lives (absolute paths, for projectFileUrl). */
export interface DetectRunReport extends Omit<EvalReport, 'f1' | 'perSize' | 'gallery'> {
  task: 'detect';
  /** Null in eval.json files written before F1 curves were part of the report. */
  f1: NonNullable<EvalReport['f1']> | null;
  /** Empty for eval.json files written before the gallery. */
  gallery: NonNullable<EvalReport['gallery']>;
  /** AP50-95 per object size; null in eval.json files written before it was part of the report. */
  perSize: PerSizeAP | null;
  run: string;
  imagePaths: Record<string, string>;
}

/**
 * eval.json of a classifier run; `imagePaths` maps the ids of the most-confused examples whose
 * image file lies inside the opened project to that file (others have no thumbnail).
 */
export interface ClassifierRunReport extends ClassifierEvalReport {
  run: string;
  imagePaths: Record<string, string>;
}

export type RunReport = DetectRunReport | ClassifierRunReport;

/** One line of events.jsonl: a trainer event with its time stamp and its line number. */
export type StoredTrainerEvent = (TrainerEvent | ClassifierTrainerEvent) & { t: string; line: number };

export const MODEL_EXPORT_FORMATS = ['tfjs', 'onnx'] as const;
export type ModelExportFormat = (typeof MODEL_EXPORT_FORMATS)[number];

/**
 * The check an ONNX export passes before it is written: the ONNX model (onnxruntime-web, wasm)
 * and the tfjs model run on the run's validation images; raw outputs are compared, and the
 * validation metric (detectors: mAP50, classifiers: accuracy) is computed from each.
 */
export interface ExportVerification {
  /** e.g. "onnxruntime-web 1.31.1 (wasm)". */
  runtime: string;
  /** The tfjs backend the reference outputs came from. */
  tfjsBackend: string;
  split: 'val' | 'test';
  images: number;
  /** Largest |onnx − tfjs| over every output value of every image. */
  maxAbsDiff: number;
  /** The export fails when maxAbsDiff is above this. */
  tolerance: number;
  metric: 'mAP50' | 'accuracy';
  tfjs: number | null;
  onnx: number | null;
  /** The export fails when |onnx − tfjs| of the metric is above this. */
  metricTolerance: number;
}

export interface ExportResult {
  dir: string;
  format: ModelExportFormat;
  /** Files written into `dir`, relative to it (model.json, weight shards, model.onnx, detecta-model.json, README.md, example/…). */
  files: string[];
  /** ONNX exports: the check they passed; null for tfjs exports. */
  verification: ExportVerification | null;
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
  /** The formats in the package (written by exports since the ONNX export; older files lack the fields below). */
  formats?: ModelExportFormat[];
  /** Classifiers: [height, width, channels]. */
  inputShape?: [number, number, number];
  /** What the model takes: a float32 NHWC tensor of 0..255 pixels (it rescales them itself, `normalization` says how). */
  input?: { layout: 'NHWC'; dtype: 'float32'; shape: (number | string)[]; channels: 'RGB' | 'grayscale'; range: [0, 255] };
  normalization?: string;
  /** Detectors: the head ('yolov2' anchors on one stride-32 grid, 'points' anchor-free points at `strides`), and its output layout. */
  head?: { kind: 'yolov2' | 'points'; strides: number[]; regBins: number | null; output: string };
  /** The full detector config as the studio decodes with it (shared/ml/detector/config.ts). */
  detector?: unknown;
  onnx?: { file: string; opset: number; irVersion: number; input: { name: string; shape: (number | string)[] }; output: { name: string; shape: (number | string)[] }; foldedBatchNorms: number; verification: ExportVerification } | null;
}

/**
 * A classifier run's config as train.start takes it: classifierConfigSchema with every field
 * optional but the source; a `crops` source takes the opened project's boxes (its `project` is
 * filled in by the handler).
 */
export const classifierStartSchema = classifierConfigSchema.omit({ source: true, task: true }).partial().extend({
  task: z.literal('classify').optional(),
  source: z.discriminatedUnion('kind', [
    folderSourceSchema.strict(),
    z.object({
      kind: z.literal('crops'),
      padding: z.number().min(0).max(2).optional(),
      minSize: z.number().int().min(1).max(4096).optional(),
      difficult: z.boolean().optional(),
    }).strict(),
    idxSourceSchema.strict(),
  ]),
}).strict();
export type ClassifierStartConfig = z.infer<typeof classifierStartSchema>;

const eventTypes = z.enum(['progress', 'epoch', 'log', 'env', 'finished', 'failed']);

export const trainMethods = {
  /**
   * Starts a new detector run (`config`), a new classifier run (`classifier`) or resumes one
   * (`resume`: a run name of either kind; `epochs` may raise its total).
   */
  'train.start': method<{ run: string | null; started: true }>()(
    z.object({
      project, config: trainConfigSchema.partial().optional(), classifier: classifierStartSchema.optional(),
      name: run.optional(), resume: run.optional(), epochs: z.number().int().min(1).max(10_000).optional(),
      /** With resume: the backend of this part (default: the run's own), e.g. wasm after a GPU failure. */
      backend: backendChoiceSchema.optional(),
    }).strict().refine((p) => p.backend === undefined || p.resume !== undefined, { message: 'backend is for a resumed run; a new run takes it in its config', path: ['backend'] }).refine((p) => !(p.config && p.classifier), { message: 'give either config (detector) or classifier, not both', path: ['classifier'] }),
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
  /**
   * Writes a deployable package of a run's weights into `dir`: the tfjs LayersModel folder, a
   * detecta-model.json and a README; format 'onnx' adds model.onnx (checked against tfjs on the
   * validation images first) and a runnable example.
   */
  'train.export': method<ExportResult>()(
    z.object({ project, run, weights: z.enum(['best', 'last']).default('best'), format: z.enum(MODEL_EXPORT_FORMATS).default('tfjs'), dir: z.string().min(1).max(4096) }).strict(),
  ),
  /** Opens a run's folder in the system file manager (of the machine the app runs on). */
  'train.openFolder': method<{ opened: boolean; path: string; reason?: string }>()(z.object({ project, run }).strict()),
};

/** Run events; progress, epoch and finished payloads carry their `task` from the trainer. */
export interface TrainEvents {
  'train.progress': (ProgressEvent | ClassifierProgressEvent) & { project: string };
  'train.epoch': (EpochEvent | ClassifierEpochEvent) & { project: string };
  'train.log': LogEvent & { project: string };
  'train.finished': (FinishedEvent | ClassifierFinishedEvent) & { project: string };
  'train.failed': FailedEvent & { project: string };
  /** A run's state changed (started, an epoch ended, paused, resumed, finished, failed): its run-list entry, read from run.json. */
  'train.run': RunSummary & { project: string };
}
