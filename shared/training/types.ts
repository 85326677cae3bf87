/**
 * Training run types shared by the trainer process, the supervisor, the API and the UI: the run
 * config (zod schema, stored as config.json), the event payloads the trainer streams, the
 * metrics row (one per epoch, metrics.csv) and env.json. Pure TypeScript, no Node, no DOM.
 *
 * Metric names are exact: mAP50 (VOC all-point AP at IoU .5), mAP50-95 (COCO 101-point AP over
 * IoU .50:.05:.95), precision, recall, F1 (at the confidence threshold `evalConfidence`).
 */
import { z } from 'zod';

export const BACKEND_NAMES = ['tensorflow-gpu', 'webgpu', 'tensorflow', 'wasm', 'cpu'] as const;
export type TrainBackendName = (typeof BACKEND_NAMES)[number];
export const backendChoiceSchema = z.enum(['auto', ...BACKEND_NAMES]);
export type BackendChoice = z.infer<typeof backendChoiceSchema>;

export const presetSchema = z.enum(['tiny', 'darknet19', 'mobilenet', 'mobilenet-fpn', 'nanodet-m']);

/**
 * A default that the full schema fills in but `.partial()` (the API's train.start) leaves out:
 * the trainer then still tells a value the user gave from one nobody gave, which the time budget
 * (`minutes`) plans. Typed as a ZodDefault (input optional, output the value's type).
 */
function plannedDefault<T extends z.ZodType>(schema: T, value: z.output<T>): z.ZodDefault<T> {
  return z.preprocess((v) => (v === undefined ? value : v), schema) as unknown as z.ZodDefault<T>;
}

/**
 * What a run is trained with. Everything a reproduction needs: together with the project's
 * images and `seed`, the same config gives the same split, order and augmentation.
 */
export const trainConfigSchema = z.object({
  preset: presetSchema.default('nanodet-m'),
  /** Model input side in pixels (multiple of 32); default: 416 on a GPU backend, 224 otherwise. */
  inputSize: z.number().int().min(32).max(1024).refine((v) => v % 32 === 0, 'inputSize must be a multiple of 32').optional(),
  epochs: z.number().int().min(1).max(10_000).default(50),
  /**
   * Time budget in minutes (shared/training/time-budget.ts): overrides epochs (and input size /
   * batch / freezeEpochs unless given explicitly); the trainer re-plans the epochs from the speed
   * it measures so that training and validation end on the budget. config.json keeps it with the
   * planned values.
   */
  minutes: z.number().positive().max(10_000).optional(),
  batchSize: plannedDefault(z.number().int().min(1).max(512), 8),
  learningRate: plannedDefault(z.number().positive().max(1), 1e-3),
  /** Repeat the train set this many times per epoch (the seed notebook's train_times). */
  trainTimes: z.number().int().min(1).max(100).default(1),
  seed: z.number().int().min(0).max(2 ** 31 - 1).default(1),
  backend: backendChoiceSchema.default('auto'),
  /** Anchors: k-means on the train boxes (default) or the preset's YOLOv2 anchors. */
  anchors: z.union([z.literal('kmeans'), z.literal('preset'), z.array(z.tuple([z.number().positive(), z.number().positive()])).min(1)]).default('kmeans'),
  numAnchors: z.number().int().min(1).max(9).default(5),
  augment: z.boolean().default(true),
  /** Tiny-backbone widths override (6+ positive ints); tests and small machines use small ones. */
  tinyWidths: z.array(z.number().int().positive()).min(5).optional(),
  /** Validation fraction when the project's persisted split has no val images (seeded). */
  valFraction: z.number().min(0.05).max(0.9).default(0.2),
  /** Confidence threshold for precision / recall / F1 and the confusion matrix. */
  evalConfidence: z.number().min(0).max(1).default(0.25),
  /** Max boxes per image in the encoded target (the loss's ignore list). */
  maxBoxes: z.number().int().min(1).max(500).default(50),
  /** Epoch-end validation every N epochs (the last epoch always validates). */
  valEvery: z.number().int().min(1).default(1),
  /** Learning-rate schedule after warm-up: cosine or linear decay to learningRate·finalLrFactor, or constant. */
  lrSchedule: z.enum(['cosine', 'linear', 'constant']).default('cosine'),
  /** Linear warm-up from 0 over this many epochs (fractions allowed; counted in batches). */
  warmupEpochs: z.number().min(0).max(50).default(1),
  finalLrFactor: z.number().min(0).max(1).default(0.05),
  /** Global gradient-norm clipping; null turns it off. */
  clipNorm: z.number().positive().max(1e6).nullable().default(10),
  /** Early stopping: stop after this many validated epochs without a better fitness; 0 = off. */
  patience: z.number().int().min(0).max(10_000).default(0),
  /** mobilenet preset: epochs with the pretrained backbone frozen before fine-tuning it. */
  freezeEpochs: plannedDefault(z.number().int().min(0).max(10_000), 3),
  /** mobilenet preset with freezeEpochs > 0: the schedule's learning rate is multiplied by this once the backbone is unfrozen (fine-tuning wants small steps). */
  finetuneLrFactor: z.number().positive().max(1).default(0.1),
  /** mobilenet preset: the backbone's model.json (local path or http(s) URL); default the model-zoo entry. */
  backbone: z.string().min(1).max(4096).optional(),
  /** mobilenet preset: the layer the backbone is cut at (see MOBILENET_CUT_LAYERS). */
  backboneCut: z.string().min(1).max(100).optional(),
  /** Exponential moving average of the weights, validated and saved as weights/best (default: on for the anchor-free presets nanodet-m and mobilenet-fpn, off for the YOLOv2 presets). */
  ema: z.boolean().optional(),
  /** Mosaic and mixup stop for the last N epochs, so training ends on whole photos (default: 15 % of the epochs, at least 1; only where mosaic is on). */
  closeMosaic: z.number().int().min(0).max(10_000).optional(),
  /** Per-op augmentation overrides merged over the preset's defaults (shared/ml/augment AugmentOverrides shape; nanodet-m and mobilenet-fpn start from FPN_AUGMENT_CONFIG: flip, scale jitter, HSV; mosaic and mixup off unless turned on here). */
  augmentOps: z.record(z.string(), z.record(z.string(), z.union([z.number(), z.boolean()]))).optional(),
});
export type TrainConfigInput = z.input<typeof trainConfigSchema>;
export type TrainConfig = z.output<typeof trainConfigSchema>;

/** env.json: where the run actually ran. */
export interface RunEnv {
  backend: TrainBackendName;
  requested: BackendChoice;
  device: string;
  /** CPU threads the backend's math runs on (wasm: XNNPACK's pool, chosen from the machine); null for backends without a pool of ours; absent in runs from before it was recorded. */
  threads?: number | null;
  versions: Record<string, string>;
  node: string;
  platform: string;
  /** Backends tried before the one used, with why they were skipped. */
  skipped: { backend: TrainBackendName; reason: string }[];
  startedAt: string;
}

export interface LossParts {
  total: number;
  /** Box loss: YOLOv2's coord term, the point head's GIoU term. */
  box: number;
  /** Objectness loss on responsible anchors. */
  obj: number;
  /** No-object (background) loss. */
  noobj: number;
  cls: number;
  /** Distribution focal loss of the box sides (the point head; 0 for YOLOv2, and for runs that folded it into `box`). */
  dfl: number;
}

/** One epoch: the row of metrics.csv and the payload of the epoch event. */
export interface EpochMetrics {
  /** 1-based epoch number. */
  epoch: number;
  /** Seconds since the run (or the resumed part) started. */
  time: number;
  train: LossParts;
  val: LossParts | null;
  precision: number | null;
  recall: number | null;
  F1: number | null;
  mAP50: number | null;
  'mAP50-95': number | null;
  lr: number;
}

export const METRICS_COLUMNS = [
  'epoch', 'time',
  'train/box_loss', 'train/obj_loss', 'train/noobj_loss', 'train/cls_loss', 'train/dfl_loss', 'train/loss',
  'metrics/precision(B)', 'metrics/recall(B)', 'metrics/F1(B)', 'metrics/mAP50(B)', 'metrics/mAP50-95(B)',
  'val/box_loss', 'val/obj_loss', 'val/noobj_loss', 'val/cls_loss', 'val/dfl_loss', 'val/loss',
  'lr/pg0',
] as const;

export interface ProgressEvent {
  task: 'detect';
  run: string;
  epoch: number;
  epochs: number;
  /** 1-based batch within the epoch. */
  batch: number;
  batches: number;
  loss: LossParts;
  imagesPerSecond: number;
  /** Seconds left for the whole run, estimated from the recent speed. */
  etaSeconds: number;
  /** Learning rate of this batch. */
  lr?: number;
}

export interface EpochEvent extends EpochMetrics {
  task: 'detect';
  run: string;
  epochs: number;
  /** This epoch improved the best fitness (weights/best was written). */
  best: boolean;
}

export interface LogEvent {
  run: string;
  level: 'info' | 'warn' | 'error';
  message: string;
  /** Structured numbers a line reports, e.g. the untrained baseline (epoch 0) before training. */
  metrics?: Partial<Omit<EpochMetrics, 'val'>> & { val?: LossParts | null };
}

export interface FinishedEvent {
  task: 'detect';
  run: string;
  /** 'completed': all epochs (or stopped early by patience); 'cancelled': stopped at a batch boundary (weights/last is resumable). */
  status: 'completed' | 'cancelled';
  epochsDone: number;
  /** Early stopping (patience) ended the run before `epochs`. */
  stoppedEarly: boolean;
  /** A run with a time budget: the budget, the seconds it used, and whether the budget (not the plan) ended it mid-epoch. */
  budget?: { minutes: number; secondsUsed: number; endedRun: boolean };
  final: EpochMetrics | null;
  best: EpochMetrics | null;
  runDir: string;
}

export interface FailedEvent {
  run: string;
  error: string;
  /** The trainer process died (crash, killed, out of memory) rather than reporting an error. */
  crashed: boolean;
  exitCode?: number | null;
  signal?: string | null;
}

/** run.json changed (not stored in events.jsonl): the API pushes the run's new list entry. */
export interface StateEvent {
  run: string;
  status: 'running' | 'paused' | 'completed' | 'cancelled' | 'failed';
  phase: 'preparing' | 'training' | 'evaluating' | 'done';
  epoch: number;
}

/** Everything the trainer streams, tagged. events.jsonl holds one of these per line (plus `t`), all but 'state'. */
export type TrainerEvent =
  | { type: 'state'; payload: StateEvent }
  | { type: 'progress'; payload: ProgressEvent }
  | { type: 'epoch'; payload: EpochEvent }
  | { type: 'log'; payload: LogEvent }
  | { type: 'env'; payload: RunEnv & { run: string } }
  | { type: 'finished'; payload: FinishedEvent }
  | { type: 'failed'; payload: FailedEvent };

/** Fitness used for weights/best: Ultralytics' 0.1·mAP50 + 0.9·mAP50-95. */
export function fitnessOf(m: Pick<EpochMetrics, 'mAP50' | 'mAP50-95'>): number {
  return 0.1 * (m.mAP50 ?? 0) + 0.9 * (m['mAP50-95'] ?? 0);
}
