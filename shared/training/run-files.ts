/**
 * The typed files of a run folder (.detecta/runs/<name>/), one zod schema each: config.json (a
 * union on `task`), run.json (the run's state), env.json and the optimizer-state manifest
 * (state/optimizer.json). `parseRunFile` is the one way to turn a file's text into a value: every
 * problem names the file and the field. Pure TypeScript, no Node, no DOM.
 *
 * Runs written before run.json existed keep their bookkeeping in state/optimizer.json
 * (`legacyBookkeepingSchema`); readers upgrade them (main/training/run-files.ts).
 */
import { z } from 'zod';
import { validateDetectorConfig, type DetectorConfig } from '../ml/detector/config';
import { BACKEND_NAMES, backendChoiceSchema, trainConfigSchema, type EpochMetrics } from './types';
import { classifierConfigSchema, type ClassifierEpochMetrics } from './classifier';

export const RUN_TASKS = ['detect', 'classify'] as const;
export type RunTask = (typeof RUN_TASKS)[number];

const detectorFieldSchema = z.custom<DetectorConfig>((v) => typeof v === 'object' && v !== null, 'must be an object').superRefine((v, ctx) => {
  try {
    validateDetectorConfig(v);
  } catch (err) {
    ctx.addIssue({ code: 'custom', message: err instanceof Error ? err.message : String(err) });
  }
});

const common = {
  version: z.literal(1),
  name: z.string().min(1),
  project: z.string().min(1),
  createdAt: z.string().min(1),
  classes: z.array(z.string()).min(1),
};

export const detectRunConfigSchema = z.object({
  ...common,
  task: z.literal('detect'),
  train: trainConfigSchema,
  /** Resolved detector config (anchors, input size...), as stored in the model metadata. */
  detector: detectorFieldSchema,
  split: z.object({ train: z.array(z.string()), val: z.array(z.string()) }),
});

export const classifyRunConfigSchema = z.object({
  ...common,
  task: z.literal('classify'),
  train: classifierConfigSchema,
  /** The longer side of inputShape. */
  inputSize: z.number().int().positive(),
  /** [height, width, channels]. */
  inputShape: z.tuple([z.number().int().positive(), z.number().int().positive(), z.union([z.literal(1), z.literal(3)])]),
  colorMode: z.enum(['grayscale', 'rgb']),
  split: z.object({ train: z.array(z.string()), val: z.array(z.string()), test: z.array(z.string()) }),
  balance: z.array(z.object({ className: z.string(), train: z.number(), val: z.number(), test: z.number() })),
});

/** config.json: detector runs written before classifiers existed have no `task` (read as 'detect'). */
export const runConfigSchema = z.preprocess(
  (v) => (v && typeof v === 'object' && !('task' in v) ? { ...v, task: 'detect' } : v),
  z.discriminatedUnion('task', [detectRunConfigSchema, classifyRunConfigSchema]),
);
export type DetectRunConfig = z.output<typeof detectRunConfigSchema>;
export type ClassifyRunConfig = z.output<typeof classifyRunConfigSchema>;
export type RunConfig = DetectRunConfig | ClassifyRunConfig;

export const runEnvSchema = z.object({
  backend: z.enum(BACKEND_NAMES),
  requested: backendChoiceSchema,
  device: z.string(),
  threads: z.number().int().min(1).nullable().optional(),
  versions: z.record(z.string(), z.string()),
  node: z.string(),
  platform: z.string(),
  skipped: z.array(z.object({ backend: z.enum(BACKEND_NAMES), reason: z.string() })),
  startedAt: z.string(),
});

const num = z.number().nullable();
/** `dfl` is absent in runs from before it had its own column (the point head added it to `box`). */
const lossPartsSchema = z.object({ total: z.number(), box: z.number(), obj: z.number(), noobj: z.number(), cls: z.number(), dfl: z.number().default(0) });
/** One detector epoch (the epoch event, a metrics.csv row). */
export const detectEpochSchema = z.object({
  epoch: z.number().int().min(1), time: z.number(), train: lossPartsSchema, val: lossPartsSchema.nullable(),
  precision: num, recall: num, F1: num, mAP50: num, 'mAP50-95': num, lr: z.number(),
}) satisfies z.ZodType<EpochMetrics>;
const lossAccuracySchema = z.object({ loss: z.number(), accuracy: z.number() });
/** One classifier epoch. */
export const classifyEpochSchema = z.object({
  epoch: z.number().int().min(1), time: z.number(), train: lossAccuracySchema, val: lossAccuracySchema.nullable(), lr: z.number(),
}) satisfies z.ZodType<ClassifierEpochMetrics>;

export const RUN_STATUSES = ['running', 'paused', 'completed', 'cancelled', 'failed'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];
/** Where a run is: setting up (backend, data, model), training epochs, the final evaluation, or done. */
export const RUN_PHASES = ['preparing', 'training', 'evaluating', 'done'] as const;
export type RunPhase = (typeof RUN_PHASES)[number];
/** Why a run stopped before its last epoch (null: it did not, or it has not stopped). */
export const STOP_REASONS = ['patience', 'cancelled', 'failed', 'crashed'] as const;

/** The best epoch so far: its fitness (weights/best), its loss (tie-break) and its metrics. */
const bestOf = <M extends z.ZodType>(metrics: M) => z.object({ epoch: z.number().int().min(1), fitness: z.number(), loss: z.number().nullable(), metrics }).nullable();

const runStateCommon = {
  version: z.literal(2),
  name: z.string().min(1),
  status: z.enum(RUN_STATUSES),
  phase: z.enum(RUN_PHASES),
  /** Last completed epoch (0: none yet). */
  epoch: z.number().int().min(0),
  /** The run's total epochs (config's epochs, or the new total after --more / --epochs). */
  epochs: z.number().int().min(1),
  /** Validated epochs since the best one (patience counts these). */
  sinceBest: z.number().int().min(0),
  /** Preset and input size, known before the first epoch (the run header shows them). */
  preset: z.string(),
  inputSize: z.number().int().positive().nullable(),
  backend: z.enum(BACKEND_NAMES).nullable(),
  startedAt: z.string(),
  finishedAt: z.string().nullable(),
  /** Seconds spent in training epochs, over every part of the run (a resume adds to it); absent in runs from before it was kept. */
  seconds: z.number().min(0).optional(),
  stopReason: z.enum(STOP_REASONS).nullable(),
  /** The error of a failed run. */
  error: z.string().nullable(),
};

export const detectRunStateSchema = z.object({
  ...runStateCommon, task: z.literal('detect'), best: bestOf(detectEpochSchema), last: detectEpochSchema.nullable(),
});
export const classifyRunStateSchema = z.object({
  ...runStateCommon, task: z.literal('classify'), best: bestOf(classifyEpochSchema), last: classifyEpochSchema.nullable(),
});
/** run.json: the run's state, rewritten (atomically) at every change. */
export const runStateSchema = z.discriminatedUnion('task', [detectRunStateSchema, classifyRunStateSchema]);
export type RunState = z.output<typeof runStateSchema>;
export type DetectRunState = z.output<typeof detectRunStateSchema>;
export type ClassifyRunState = z.output<typeof classifyRunStateSchema>;

/** state/optimizer.json: which optimizer's slots optimizer.bin holds, for which epoch and phase. */
export const optimizerManifestSchema = z.object({
  className: z.string().min(1),
  specs: z.array(z.object({ name: z.string(), shape: z.array(z.number().int().min(0)), dtype: z.enum(['float32', 'int32', 'bool', 'string', 'complex64']) }).loose()),
  epoch: z.number().int().min(0),
  /** mobilenet detector: 'frozen' (head only) or 'full'; the state applies only in the same phase. */
  phase: z.enum(['frozen', 'full']).default('full'),
}).loose();
export type OptimizerManifest = z.output<typeof optimizerManifestSchema>;

/** What runs before run.json kept beside the optimizer slots (detector and classifier flavours). */
export const legacyBookkeepingSchema = z.object({
  epoch: z.number().int().min(0),
  sinceBest: z.number().int().min(0).default(0),
  bestFitness: z.number().nullable().optional(),
  bestScore: z.number().nullable().optional(),
  bestLoss: z.number().nullable().optional(),
  best: z.unknown().optional(),
  last: z.unknown().optional(),
});

export class RunFileError extends Error {
  constructor(readonly file: string, readonly problems: string[]) {
    super(`${file}: ${problems.join('; ')}`);
    this.name = 'RunFileError';
  }
}

/** Parses a run file's text against its schema (or the schema chosen from the parsed value): bad JSON or a bad field throws RunFileError naming the file and each field. */
export function parseRunFile<S extends z.ZodType>(schema: S | ((raw: unknown) => S), text: string, file: string): z.output<S> {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new RunFileError(file, [`not valid JSON (${err instanceof Error ? err.message : String(err)})`]);
  }
  const parsed = (typeof schema === 'function' ? schema(raw) : schema).safeParse(raw);
  if (!parsed.success) throw new RunFileError(file, parsed.error.issues.map((i) => `${i.path.join('.') || '(file)'}: ${i.message}`));
  return parsed.data;
}
