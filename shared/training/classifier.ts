/**
 * CNN image classifier runs: the config (zod schema, stored in config.json as `train`), the
 * epoch metrics (one row of metrics.csv), the events the trainer streams for a classifier run and
 * eval.json. Pure TypeScript, no Node, no DOM.
 *
 * Metric names are exact: accuracy (top-1, fraction of images whose highest-scoring class is the
 * true one), precision, recall, F1 (per class; macro = unweighted mean, weighted = support-weighted).
 */
import { z } from 'zod';
import { backendChoiceSchema, type FailedEvent, type LogEvent, type RunEnv, type StateEvent } from './types';

export const CLASSIFIER_PRESET_NAMES = ['fashion-mnist-cnn', 'sports-cnn', 'deep-cnn', 'mobilenet-embeddings'] as const;
export const classifierPresetSchema = z.enum(CLASSIFIER_PRESET_NAMES);
export type ClassifierPresetChoice = z.infer<typeof classifierPresetSchema>;

/** A folder with one sub-folder per class (the sub-folder name is the class). */
export const folderSourceSchema = z.object({ kind: z.literal('folder'), dir: z.string().min(1).max(4096) });

/** Crops of a detection project's labeled boxes; the class is the box's class. */
export const cropsSourceSchema = z.object({
  kind: z.literal('crops'),
  project: z.string().min(1).max(4096),
  /** Context kept around each box, as a fraction of the box side (0.1 = 10 % on every side). */
  padding: z.number().min(0).max(2).default(0.1),
  /** Boxes smaller than this many pixels on either side are left out. */
  minSize: z.number().int().min(1).max(4096).default(4),
  /** Include boxes marked difficult (default false). */
  difficult: z.boolean().default(false),
});

/**
 * IDX files (MNIST / Fashion-MNIST layout): train-images-idx3-ubyte[.gz] + train-labels-idx1-ubyte[.gz]
 * and t10k-*; t10k is the test set. `classNames` names the label values (default: Fashion-MNIST's
 * names when the folder is called fashion-mnist, else the digits).
 */
export const idxSourceSchema = z.object({
  kind: z.literal('idx'),
  dir: z.string().min(1).max(4096),
  /** Use only the first N train images / test images (benchmarks, tests). */
  trainLimit: z.number().int().min(1).optional(),
  testLimit: z.number().int().min(1).optional(),
  classNames: z.array(z.string().min(1)).min(2).optional(),
});

/** Where the labeled images come from. */
export const classifierSourceSchema = z.discriminatedUnion('kind', [folderSourceSchema, cropsSourceSchema, idxSourceSchema]);
export type ClassifierSource = z.output<typeof classifierSourceSchema>;

export const colorModeSchema = z.enum(['auto', 'grayscale', 'rgb']);
export type ColorMode = 'grayscale' | 'rgb';

export const classifierConfigSchema = z.object({
  task: z.literal('classify').default('classify'),
  source: classifierSourceSchema,
  preset: classifierPresetSchema.default('fashion-mnist-cnn'),
  /** [height, width, channels]; default chosen from the data (see chooseInputShape). */
  inputShape: z.tuple([z.number().int().min(8).max(1024), z.number().int().min(8).max(1024), z.union([z.literal(1), z.literal(3)])]).optional(),
  /** grayscale or rgb; auto: grayscale when every image is, else rgb (mobilenet-embeddings: rgb). */
  colorMode: colorModeSchema.default('auto'),
  epochs: z.number().int().min(1).max(10_000).default(10),
  batchSize: z.number().int().min(1).max(1024).default(32),
  /** Default: the preset's (Adam 0.001, sports Adagrad 0.01, embeddings head Adam 0.001). */
  optimizer: z.enum(['adam', 'adagrad']).optional(),
  learningRate: z.number().positive().max(10).optional(),
  seed: z.number().int().min(0).max(2 ** 31 - 1).default(1),
  backend: backendChoiceSchema.default('auto'),
  /** Fractions of each class held out for validation and test (seeded, stratified). IDX: test = t10k. */
  valFraction: z.number().min(0).max(0.5).default(0.15),
  testFraction: z.number().min(0).max(0.5).default(0.15),
  /** Class imbalance: loss weights ∝ 1/count, or oversampling smaller classes to the largest's count. */
  balance: z.enum(['none', 'weights', 'oversample']).default('none'),
  /** Early stopping: stop after this many epochs without a better validation accuracy; 0 = off. */
  patience: z.number().int().min(0).max(10_000).default(0),
  /** Dropout layers on (the presets' rates) or off. */
  dropout: z.boolean().default(true),
  /** Random horizontal flips while training (photos; off for IDX digits/clothes by default). */
  flip: z.boolean().default(false),
  /** mobilenet-embeddings: the backbone, a local tfjs model folder / model.json or a model-zoo URL (default: the zoo's MobileNet, from the mirror when one is set). */
  backbone: z.string().min(1).max(4096).optional(),
  /** Where downloaded backbones are cached (default: the one model cache of detector and classifier runs). */
  modelCacheDir: z.string().min(1).max(4096).optional(),
  /** Examples kept per most-confused pair in eval.json. */
  confusedExamples: z.number().int().min(0).max(100).default(5),
});
export type ClassifierConfigInput = z.input<typeof classifierConfigSchema>;
export type ClassifierConfig = z.output<typeof classifierConfigSchema>;

/** config.json of a classifier run (the active-model API reads task, classes, inputSize). */
export interface ClassifierRunConfigFile {
  version: 1;
  task: 'classify';
  name: string;
  /** The folder whose .detecta/runs/ holds the run. */
  project: string;
  createdAt: string;
  train: ClassifierConfig;
  classes: string[];
  /** The longer side of inputShape (square models: the side). */
  inputSize: number;
  /** [height, width, channels]. */
  inputShape: [number, number, number];
  colorMode: ColorMode;
  /** Sample ids per split (persisted so a resume or reproduction uses the same images). */
  split: { train: string[]; val: string[]; test: string[] };
  /** Images per class per split, at the start of the run. */
  balance: { className: string; train: number; val: number; test: number }[];
}

export interface LossAccuracy {
  loss: number;
  accuracy: number;
}

/** One epoch of a classifier run: the row of its metrics.csv. */
export interface ClassifierEpochMetrics {
  epoch: number;
  /** Seconds since the run (or the resumed part) started. */
  time: number;
  train: LossAccuracy;
  val: LossAccuracy | null;
  lr: number;
}

export const CLASSIFIER_METRICS_COLUMNS = ['epoch', 'time', 'train/loss', 'train/accuracy', 'val/loss', 'val/accuracy', 'lr/pg0'] as const;

export interface ClassifierEpochEvent extends ClassifierEpochMetrics {
  task: 'classify';
  run: string;
  epochs: number;
  /** This epoch improved the best validation accuracy (weights/best was written). */
  best: boolean;
}

export interface ClassifierProgressEvent {
  task: 'classify';
  run: string;
  epoch: number;
  epochs: number;
  batch: number;
  batches: number;
  /** Running means over the epoch so far. */
  loss: number;
  accuracy: number;
  imagesPerSecond: number;
  etaSeconds: number;
}

export interface ClassifierFinishedEvent {
  task: 'classify';
  run: string;
  status: 'completed' | 'cancelled';
  epochsDone: number;
  /** Early stopping ended the run before `epochs`. */
  stoppedEarly: boolean;
  final: ClassifierEpochMetrics | null;
  best: ClassifierEpochMetrics | null;
  /** Test-set accuracy of weights/best (null without test images). */
  testAccuracy: number | null;
  runDir: string;
}

/** Everything a classifier run streams (same event names as detector runs). */
export type ClassifierTrainerEvent =
  | { type: 'state'; payload: StateEvent }
  | { type: 'progress'; payload: ClassifierProgressEvent }
  | { type: 'epoch'; payload: ClassifierEpochEvent }
  | { type: 'log'; payload: LogEvent }
  | { type: 'env'; payload: RunEnv & { run: string } }
  | { type: 'finished'; payload: ClassifierFinishedEvent }
  | { type: 'failed'; payload: FailedEvent };

export const classScoresJsonSchema = z.object({ className: z.string(), precision: z.number(), recall: z.number(), F1: z.number(), support: z.number().int().min(0) });
export type ClassScoresJson = z.infer<typeof classScoresJsonSchema>;

export const confusedPairSchema = z.object({
  trueClass: z.string(),
  predictedClass: z.string(),
  count: z.number().int().min(0),
  /**
   * Examples: sample id, for files the image path (crops: the source image), and the pixels the
   * model saw as a PNG in the run folder (examples/NNN.png; absent in reports written before it).
   */
  examples: z.array(z.object({ id: z.string(), path: z.string().nullable(), score: z.number(), thumbnail: z.string().optional() })),
});
export type ConfusedPair = z.infer<typeof confusedPairSchema>;

const averagedSchema = z.object({ precision: z.number(), recall: z.number(), F1: z.number() });
/** eval.json of a classifier run: weights/best on the test split. */
export const classifierEvalReportSchema = z.object({
  task: z.literal('classify'),
  split: z.enum(['test', 'val']),
  epoch: z.number().int().min(0),
  images: z.number().int().min(0),
  accuracy: z.number(),
  perClass: z.array(classScoresJsonSchema),
  macro: averagedSchema,
  weighted: averagedSchema,
  confusion: z.object({ labels: z.array(z.string()), matrix: z.array(z.array(z.number())) }),
  mostConfused: z.array(confusedPairSchema),
});
export type ClassifierEvalReport = z.infer<typeof classifierEvalReportSchema>;
