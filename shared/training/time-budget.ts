/**
 * The time-budget recipe (`detecta train --minutes N`, the Train view's "Time budget (min)"):
 * chooses input size, batch size, epochs and frozen epochs from the dataset and the speed of the
 * machine so that training plus per-epoch validation ends on the budget. Pure TypeScript, no
 * Node, no DOM: the trainer (main/training/detect-task.ts) plans with it before training, from a
 * conservative speed guess, and re-plans its epochs from the speed it measures in the first
 * batches (`replanEpochs`), again and again as the run goes.
 *
 * Rules (one line of why each):
 * - Input size: the smallest of 224 / 256 / 320 / 416 px at which the median box's shorter side
 *   (medianBoxSideFraction × input) covers TARGET_OBJECT_PX = 32 px — a stride-32 head sees an
 *   object well from about one grid cell on, and every larger input costs time quadratically.
 *   Capped at 320 px on CPU / wasm (416 on a GPU backend): on CPU a larger input rarely pays for
 *   the epochs it costs. Never above the photos' own median longer side (rounded up to a multiple
 *   of 32, at least 64): a larger input adds pixels, not detail. When the first estimate gives
 *   fewer than MIN_COMFORT_EPOCHS epochs, the size steps down the ladder (not below 224 unless
 *   the photos are smaller): several epochs at a smaller input beat one or two at a larger one.
 * - Batch size: 8 below SMALL_DATASET = 100 train images, else 16 (never more than the images
 *   of an epoch) — a small set needs more optimizer steps per epoch; with enough images a larger
 *   batch is faster per image and its gradients are less noisy.
 * - Frozen epochs (pretrained backbones: the mobilenet presets): FREEZE_FRACTION = 12 % of the
 *   epochs, at least 1 and, with 2 epochs or more, at most epochs − 1 — the new head settles
 *   before gradients reach the pretrained weights, and the fine-tuning still gets most of the
 *   time. Presets trained from scratch (tiny, darknet19) have none.
 * - Epochs: the most that fit the budget left (time already used subtracted), counting each
 *   epoch's training (frozen epochs at their own, lower cost), its validation (every valEvery
 *   epochs and always after the last) and its fixed cost (saving weights and state); at least 1.
 * - Speed: measured seconds per image when given (scaled by (input / measured input)² when the
 *   sizes differ), else a conservative guess per preset at 224 px (SPEED_GUESS, CPU; a GPU
 *   backend GPU_SPEEDUP times faster), scaled by (input / 224)²; a frozen epoch costs a third of
 *   a full one (0.6 with mobilenet-fpn's heavier neck and heads: FROZEN_COST), a validated image
 *   half a trained one, until measured. The guess is on the slow
 *   side, so the first plan errs towards fewer epochs and the re-plan adds them.
 * Explicit values (`explicit`) win over every rule; the plan then works around them.
 */

export const INPUT_LADDER = [224, 256, 320, 416] as const;
export const TARGET_OBJECT_PX = 32;
export const CPU_MAX_INPUT = 320;
export const GPU_MAX_INPUT = 416;
export const MIN_COMFORT_EPOCHS = 8;
export const SMALL_DATASET = 100;
export const FREEZE_FRACTION = 0.12;
export const MAX_EPOCHS = 10_000;
/**
 * Conservative CPU (wasm) seconds per trained image at 224 px, whole model, by preset. nanodet-m:
 * 3× mobilenet-fpn's, as measured on raccoon at 320 px (0.6 vs 1.8 img/s, wasm, 2 shared cores).
 */
export const SPEED_GUESS: Record<string, number> = { tiny: 0.15, darknet19: 1.5, mobilenet: 0.4, 'mobilenet-fpn': 0.6, 'nanodet-m': 1.8 };
export const GPU_SPEEDUP = 8;
/**
 * What a frozen epoch costs against a full one, by preset, until measured: about a third with
 * the YOLOv2 head (the backbone is most of the work), more with mobilenet-fpn's neck and heads.
 */
export const FROZEN_COST: Record<string, number> = { mobilenet: 1 / 3, 'mobilenet-fpn': 0.6, 'nanodet-m': 0.6 };
export const frozenCostOf = (preset: string): number => FROZEN_COST[preset] ?? 1 / 3;
/** Presets whose backbone starts pretrained and is frozen first. */
export const PRETRAINED_PRESETS = ['mobilenet', 'mobilenet-fpn', 'nanodet-m'] as const;

export const isPretrainedPreset = (preset: string): boolean => (PRETRAINED_PRESETS as readonly string[]).includes(preset);

/** What a run measured (or a guess): seconds per image and per epoch. */
export interface SpeedModel {
  /** Training, whole model (fine-tuning). */
  secondsPerImage: number;
  /** Training with the backbone frozen (head only). */
  frozenSecondsPerImage: number;
  /** Validation (forward pass, decoding, metrics). */
  valSecondsPerImage: number;
  /** Per epoch whatever its size: saving weights/last, the optimizer state, metrics. */
  epochOverheadSeconds: number;
}

export interface MeasuredSpeed {
  /** Input size and batch size the speed was measured at. */
  inputSize: number;
  batchSize: number;
  /** Training seconds per image, whole model. */
  secondsPerImage: number;
  /** Training seconds per image with the backbone frozen (default: secondsPerImage × frozenCostOf(preset)). */
  frozenSecondsPerImage?: number;
  /** Validation seconds per image (default: half of secondsPerImage). */
  valSecondsPerImage?: number;
  /** Fixed seconds per epoch (default: the guess). */
  epochOverheadSeconds?: number;
}

export interface TimeBudgetInput {
  minutes: number;
  /** Train images (before trainTimes) and validation images. */
  trainImages: number;
  valImages: number;
  /** Median over the train boxes of min(w, h) / max(imageW, imageH); null: no boxes known. */
  medianBoxSideFraction: number | null;
  /** A GPU backend (tensorflow-gpu, webgpu). */
  accelerated: boolean;
  measured?: MeasuredSpeed;
  /** Model preset (default 'tiny'): the speed guess and whether epochs are frozen. */
  preset?: string;
  /** Passes over the train set per epoch (default 1). */
  trainTimes?: number;
  /** Validation every N epochs (default 1; the last epoch always validates). */
  valEvery?: number;
  /** Median longer side of the photos in pixels; null / absent: unknown (no cap). */
  medianImageSide?: number | null;
  /** Budget seconds already spent (setting up, a resumed run's earlier part). */
  secondsUsed?: number;
  /** Values the user gave: they win over the rules. */
  explicit?: { inputSize?: number | undefined; batchSize?: number | undefined; freezeEpochs?: number | undefined };
}

export interface TimeBudgetPlan {
  inputSize: number;
  batchSize: number;
  epochs: number;
  freezeEpochs: number;
  /** One line per choice, in this order: input size, batch size, frozen epochs, epochs; what was chosen and why. */
  reason: string[];
  /** The speed the plan assumed. */
  speed: SpeedModel;
  /** Seconds the planned epochs take by that speed (≤ the budget left unless 1 epoch is already too long). */
  estimatedSeconds: number;
}

/** The guessed (conservative) speed of a preset at an input size. */
export function guessSpeed(preset: string, inputSize: number, accelerated: boolean): SpeedModel {
  const base = (SPEED_GUESS[preset] ?? SPEED_GUESS['darknet19']!) / (accelerated ? GPU_SPEEDUP : 1);
  const full = base * (inputSize / 224) ** 2;
  return { secondsPerImage: full, frozenSecondsPerImage: full * frozenCostOf(preset), valSecondsPerImage: full / 2, epochOverheadSeconds: accelerated ? 0.15 : 0.3 };
}

function speedAt(m: MeasuredSpeed, inputSize: number, fallback: SpeedModel, preset: string): SpeedModel {
  const k = (inputSize / m.inputSize) ** 2;
  const full = m.secondsPerImage * k;
  return {
    secondsPerImage: full,
    frozenSecondsPerImage: (m.frozenSecondsPerImage ?? m.secondsPerImage * frozenCostOf(preset)) * k,
    valSecondsPerImage: (m.valSecondsPerImage ?? m.secondsPerImage / 2) * k,
    epochOverheadSeconds: m.epochOverheadSeconds ?? fallback.epochOverheadSeconds,
  };
}

/** Frozen epochs for a run of `epochs` (pretrained backbones). */
/**
 * The learning rate for a planned batch size when the user gave none: the linear scaling rule
 * (Goyal et al.), lr × batch / the batch the default rate belongs to. Measured on mobilenet-fpn at
 * batch 16: 0.002 beat the default 0.001 on raccoon (mAP50 0.79 vs 0.75) and on bccd (0.59 vs 0.51
 * at epoch 11–12).
 */
export function scaledLearningRate(baseLr: number, baseBatch: number, batch: number): number {
  if (!(baseLr > 0) || !(baseBatch > 0) || !(batch > 0)) throw new Error(`scaledLearningRate: rate and batches must be positive (got ${baseLr}, ${baseBatch}, ${batch})`);
  return (baseLr * batch) / baseBatch;
}

export function freezeEpochsFor(epochs: number): number {
  if (epochs <= 1) return 1;
  return Math.min(epochs - 1, Math.max(1, Math.round(epochs * FREEZE_FRACTION)));
}

/** What a run's epochs are made of. */
export interface RunShape {
  /** Train images per epoch (train set × trainTimes). */
  imagesPerEpoch: number;
  valImages: number;
  valEvery: number;
}

/** Seconds epoch `epoch` of a run of `total` epochs costs (trainFraction: the part of its training still to do). */
export function epochSeconds(epoch: number, total: number, freezeEpochs: number, shape: RunShape, speed: SpeedModel, trainFraction = 1): number {
  const perImage = epoch <= freezeEpochs ? speed.frozenSecondsPerImage : speed.secondsPerImage;
  const validated = shape.valImages > 0 && (epoch % shape.valEvery === 0 || epoch === total);
  return shape.imagesPerEpoch * perImage * trainFraction + (validated ? shape.valImages * speed.valSecondsPerImage : 0) + speed.epochOverheadSeconds;
}

export interface FitInput {
  secondsLeft: number;
  /** The epoch in progress (1 at the start of a run). */
  epoch: number;
  /** The part of `epoch`'s training still to do (1: it has not started). */
  trainFraction: number;
  shape: RunShape;
  speed: SpeedModel;
  /** Frozen epochs: a number (fixed), or 'plan' (freezeEpochsFor the total, never below `epoch` while it is frozen). */
  freezeEpochs: number | 'plan';
  /** Never plan more than this (default MAX_EPOCHS). */
  maxEpochs?: number;
}

export interface FitResult {
  epochs: number;
  freezeEpochs: number;
  /** Seconds from now to the end of `epochs` by the speed model. */
  seconds: number;
  /** Whether even `epochs` = `epoch` (finishing the current one) is over the time left. */
  over: boolean;
}

/**
 * The largest total of epochs whose rest (the current epoch's remaining part and the epochs
 * after it) fits in `secondsLeft`; at least the current epoch. Costs grow with the total, so
 * the search stops at the first total that does not fit.
 */
export function fitEpochs(f: FitInput): FitResult {
  const max = Math.max(f.epoch, Math.min(f.maxEpochs ?? MAX_EPOCHS, MAX_EPOCHS));
  const freezeOf = (total: number): number => (f.freezeEpochs === 'plan' ? Math.max(f.epoch, freezeEpochsFor(total)) : f.freezeEpochs);
  const costOf = (total: number): number => {
    const freeze = freezeOf(total);
    let s = epochSeconds(f.epoch, total, freeze, f.shape, f.speed, f.trainFraction);
    for (let e = f.epoch + 1; e <= total; e++) s += epochSeconds(e, total, freeze, f.shape, f.speed);
    return s;
  };
  const first = costOf(f.epoch);
  if (first > f.secondsLeft) return { epochs: f.epoch, freezeEpochs: freezeOf(f.epoch), seconds: first, over: true };
  // costOf is O(total): grow the total by doubling steps, then bisect (costs grow with the total)
  let lo = f.epoch;
  let hi: number | null = null;
  for (let step = 1; lo < max; step *= 2) {
    const next = Math.min(max, lo + step);
    if (costOf(next) > f.secondsLeft) { hi = next; break; }
    lo = next;
  }
  while (hi !== null && hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (costOf(mid) <= f.secondsLeft) lo = mid; else hi = mid;
  }
  return { epochs: lo, freezeEpochs: freezeOf(lo), seconds: costOf(lo), over: false };
}

const roundUp32 = (n: number): number => Math.ceil(n / 32) * 32;
const fmtS = (s: number): string => (s >= 100 ? s.toFixed(0) : s >= 10 ? s.toFixed(1) : s.toFixed(2));

/** The plan of a run with a time budget (see the module comment for the rules). */
export function planTimeBudget(input: TimeBudgetInput): TimeBudgetPlan {
  const preset = input.preset ?? 'tiny';
  const pretrained = isPretrainedPreset(preset);
  const trainTimes = Math.max(1, input.trainTimes ?? 1);
  const valEvery = Math.max(1, input.valEvery ?? 1);
  const trainImages = Math.max(0, input.trainImages);
  const imagesPerEpoch = Math.max(1, trainImages * trainTimes);
  const shape: RunShape = { imagesPerEpoch, valImages: Math.max(0, input.valImages), valEvery };
  const secondsLeft = Math.max(0, input.minutes * 60 - (input.secondsUsed ?? 0));
  const explicit = input.explicit ?? {};
  // reasons in a fixed order: input, batch, frozen epochs, epochs
  const why = { input: '', batch: '', freeze: '', epochs: '' };

  // batch size
  let batchSize: number;
  if (explicit.batchSize !== undefined) {
    batchSize = explicit.batchSize;
    why.batch = `batch ${batchSize}: given`;
  } else {
    const rule = trainImages < SMALL_DATASET ? 8 : 16;
    batchSize = Math.max(1, Math.min(rule, imagesPerEpoch));
    why.batch = `batch ${batchSize}: ${trainImages} train images (${trainImages < SMALL_DATASET ? `under ${SMALL_DATASET}: small batches give more steps an epoch` : `${SMALL_DATASET} or more: 16 a step is faster per image`})`;
  }

  const speedFor = (size: number): { speed: SpeedModel; source: string } => {
    const guess = guessSpeed(preset, size, input.accelerated);
    return input.measured
      ? { speed: speedAt(input.measured, size, guess, preset), source: `measured ${fmtS(1 / input.measured.secondsPerImage)} img/s at ${input.measured.inputSize} px` }
      : { speed: guess, source: `a conservative guess for ${preset} on ${input.accelerated ? 'a GPU' : 'CPU'}, until measured` };
  };
  const fitFor = (size: number): FitResult => fitEpochs({
    secondsLeft, epoch: 1, trainFraction: 1, shape, speed: speedFor(size).speed,
    freezeEpochs: !pretrained ? 0 : explicit.freezeEpochs !== undefined ? explicit.freezeEpochs : 'plan',
  });

  // input size
  let inputSize: number;
  if (explicit.inputSize !== undefined) {
    inputSize = explicit.inputSize;
    why.input = `input ${inputSize} px: given`;
  } else {
    const cap = input.accelerated ? GPU_MAX_INPUT : CPU_MAX_INPUT;
    const imageCap = input.medianImageSide ? Math.max(64, roundUp32(input.medianImageSide)) : Infinity;
    const f = input.medianBoxSideFraction;
    const wanted = f && f > 0 ? INPUT_LADDER.find((s) => f * s >= TARGET_OBJECT_PX) ?? INPUT_LADDER[INPUT_LADDER.length - 1] : INPUT_LADDER[0];
    inputSize = Math.min(wanted, cap, imageCap);
    const parts = [f && f > 0 ? `median box side ${(f * 100).toFixed(1)} % of the image, about ${Math.round(f * inputSize)} px at ${inputSize}; objects want ${TARGET_OBJECT_PX} px or more` : 'no box sizes known'];
    if (wanted > cap && inputSize === cap) parts.push(`capped at ${cap} px on ${input.accelerated ? 'a GPU' : 'CPU'}`);
    if (imageCap < Math.min(wanted, cap)) parts.push(`the photos are about ${input.medianImageSide} px`);
    // several epochs at a smaller input beat one or two at a larger one
    const floor = Math.min(INPUT_LADDER[0], imageCap);
    const start = inputSize;
    while (fitFor(inputSize).epochs < MIN_COMFORT_EPOCHS) {
      const smaller = [...INPUT_LADDER].reverse().find((s) => s < inputSize && s >= floor);
      if (smaller === undefined) break;
      inputSize = smaller;
    }
    if (inputSize < start) parts.push(`stepped down from ${start} px so that more epochs fit`);
    why.input = `input ${inputSize} px: ${parts.join('; ')}`;
  }

  const { speed, source } = speedFor(inputSize);
  const fit = fitFor(inputSize);
  const epochs = Math.max(1, fit.epochs);
  const freezeEpochs = pretrained ? fit.freezeEpochs : explicit.freezeEpochs ?? 0;
  if (!pretrained) why.freeze = `no frozen epochs: ${preset} trains from scratch`;
  else if (explicit.freezeEpochs !== undefined) why.freeze = `${freezeEpochs} frozen epochs: given`;
  else why.freeze = `${freezeEpochs} frozen epoch${freezeEpochs === 1 ? '' : 's'}: about ${Math.round(FREEZE_FRACTION * 100)} % of the epochs, so the new head settles before the pretrained backbone is fine-tuned`;
  const full = epochSeconds(Math.max(freezeEpochs + 1, 1), epochs, freezeEpochs, shape, speed);
  why.epochs = `${epochs} epoch${epochs === 1 ? '' : 's'}: ${fmtS(secondsLeft)} s left, about ${fmtS(full)} s an epoch ` +
    `(training ${fmtS(imagesPerEpoch * speed.secondsPerImage)} s + validation ${fmtS(shape.valImages * speed.valSecondsPerImage)} s + saving ${fmtS(speed.epochOverheadSeconds)} s) by ${source}` +
    (fit.over ? '; even one epoch is over the budget' : '');
  return { inputSize, batchSize, epochs, freezeEpochs, reason: [why.input, why.batch, why.freeze, why.epochs], speed, estimatedSeconds: fit.seconds };
}

export interface ReplanInput {
  secondsLeft: number;
  /** The epoch in progress and the batches of it already trained. */
  epoch: number;
  batchesDone: number;
  batchesPerEpoch: number;
  shape: RunShape;
  speed: SpeedModel;
  /** Current plan. */
  epochs: number;
  freezeEpochs: number;
  /** The frozen epochs may still change (a pretrained backbone, not given, no full epoch started). */
  planFreeze: boolean;
  /**
   * Dead band (a fraction of the costs, default 0.05): the plan grows only when the longer one
   * still fits at costs this much higher, and shrinks only when it is over even at costs this
   * much lower, so measurement noise does not flip it back and forth. What it may overshoot is
   * a fraction of the time left, which goes to nothing as the run ends.
   */
  margin?: number;
}

const scaled = (s: SpeedModel, k: number): SpeedModel => ({
  secondsPerImage: s.secondsPerImage * k, frozenSecondsPerImage: s.frozenSecondsPerImage * k, valSecondsPerImage: s.valSecondsPerImage * k, epochOverheadSeconds: s.epochOverheadSeconds * k,
});

/**
 * The run's new total of epochs (and frozen epochs) from the time left, mid-run, with a dead
 * band against noise (`margin`); never below the epoch in progress.
 */
export function replanEpochs(r: ReplanInput): { epochs: number; freezeEpochs: number; seconds: number } {
  const base = {
    secondsLeft: r.secondsLeft, epoch: r.epoch, trainFraction: Math.max(0, (r.batchesPerEpoch - r.batchesDone) / Math.max(1, r.batchesPerEpoch)), shape: r.shape,
    freezeEpochs: r.planFreeze ? ('plan' as const) : r.freezeEpochs,
  };
  const m = r.margin ?? 0.05;
  const keep = Math.max(r.epoch, r.epochs);
  const slow = fitEpochs({ ...base, speed: scaled(r.speed, 1 + m) });
  if (slow.epochs > keep) return slow;
  const fast = fitEpochs({ ...base, speed: scaled(r.speed, 1 - m) });
  if (fast.epochs < keep) return fast;
  const fit = fitEpochs({ ...base, speed: r.speed });
  return { epochs: keep, freezeEpochs: r.planFreeze ? Math.max(r.epoch, freezeEpochsFor(keep)) : r.freezeEpochs, seconds: fit.seconds };
}
