/**
 * The trainer's batches: per epoch a seeded shuffle of the train set repeated `trainTimes` times
 * (the seed's train_times); augmentation (shared/ml/augment) with a per-batch RNG, so epoch e is
 * the same whether or not the run was resumed. When the config has mosaic on, a batch image is
 * (with probability mosaic.p) a mosaic of its sample and 3 random train samples, possibly mixed up
 * with a second mosaic, before the per-image ops.
 *
 * One builder (batchSteps, a generator) asks for each sample's model-input image as it goes;
 * makeBatch answers from float images at hand, makeFittedBatch builds them from the kept uint8
 * images or decodes them again (the image cache's images not kept in memory): the same RNG draws
 * in the same order, so the same batch.
 */
import type { LabeledBox } from '../../shared/ml/detector/box';
import type { FloatRgbImage } from '../../shared/ml/preprocess';
import { augmentScene, mixup, mixupRatio, randomMosaic, type AugmentConfig, type AugmentScene } from '../../shared/ml/augment';
import { createRng, type Rng } from '../../shared/ml/random';
import { decodeAgain, fitPixels, type FittedImage } from './fitted-image';

export interface Batch {
  images: FloatRgbImage[];
  boxes: LabeledBox[][];
}

/** A train sample with its model-input image (what makeBatch reads). */
export interface BatchSource { image: FloatRgbImage; boxes: LabeledBox[] }

/** Fisher–Yates shuffle with the given RNG (in place). */
export function shuffle<T>(items: T[], rng: Rng): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [items[i], items[j]] = [items[j], items[i]];
  }
  return items;
}

/** Number of batches per epoch (last partial batch kept). */
export function batchesPerEpoch(trainCount: number, trainTimes: number, batchSize: number): number {
  return Math.ceil((trainCount * trainTimes) / batchSize);
}

/** The epoch's sample order: the train set repeated trainTimes times, shuffled by (seed, epoch). */
export function epochOrder(trainCount: number, trainTimes: number, seed: number, epoch: number): number[] {
  const order = Array.from({ length: trainCount * trainTimes }, (_, i) => i % trainCount);
  return shuffle(order, createRng((seed * 7919 + epoch * 104_729) >>> 0));
}

export interface MakeBatchOptions {
  /**
   * false: no mosaic (and so no mixup) in this batch even when the config has it on, for the
   * last epochs of a run (YOLOv8's close_mosaic). Default true.
   */
  mosaic?: boolean;
}

/** The batch's arguments besides the samples. */
export interface BatchArgs {
  order: number[];
  index: number;
  batchSize: number;
  augment: AugmentConfig | null;
  seed: number;
  epoch: number;
  options?: MakeBatchOptions;
}

/** Yields the index of each train sample whose image it needs next and gets that image back. */
type Steps<T> = Generator<number, T, FloatRgbImage>;

/** A mosaic of train[first] and 3 random train samples, in random quadrants. */
function* mosaicOf(train: readonly { boxes: LabeledBox[] }[], first: number, augment: AugmentConfig, rng: Rng): Steps<AugmentScene> {
  const picks = shuffle([first, rng.int(train.length), rng.int(train.length), rng.int(train.length)], rng);
  const m = augment.mosaic;
  const scenes: AugmentScene[] = [];
  for (const i of picks) scenes.push({ image: yield i, boxes: train[i]!.boxes });
  return randomMosaic(scenes, { minScale: m.minScale, maxScale: m.maxScale, padValue: m.padValue, boxKeep: m.boxKeep }, rng);
}

/**
 * Builds batch `index` of an epoch; augmentation uses an RNG seeded by (seed, epoch, batch), so a
 * batch is the same for the same arguments. With augment.mosaic on (and options.mosaic not
 * false) each image is, with probability mosaic.p, a mosaic (see mosaicOf), and such a mosaic is,
 * with probability mixup.p, blended with a second mosaic of 4 random samples; then augmentScene's
 * per-image ops. With mosaic off the RNG draws are exactly those of earlier versions.
 */
function* batchSteps(train: readonly { boxes: LabeledBox[] }[], a: BatchArgs): Steps<Batch> {
  const { augment, options = {} } = a;
  const ids = a.order.slice(a.index * a.batchSize, (a.index + 1) * a.batchSize);
  const rng = createRng((a.seed * 31 + a.epoch * 1_000_003 + a.index * 7_777) >>> 0);
  const images: FloatRgbImage[] = [];
  const boxes: LabeledBox[][] = [];
  const useMosaic = augment !== null && augment.enabled && augment.mosaic.enabled && options.mosaic !== false;
  for (const i of ids) {
    const s = train[i]!;
    if (augment) {
      let scene: AugmentScene;
      if (useMosaic && rng.next() < augment.mosaic.p) {
        scene = yield* mosaicOf(train, i, augment, rng);
        if (augment.mixup.enabled && rng.next() < augment.mixup.p) {
          scene = mixup(scene, yield* mosaicOf(train, rng.int(train.length), augment, rng), mixupRatio(rng));
        }
      } else scene = { image: yield i, boxes: s.boxes };
      const out = augmentScene(scene.image, scene.boxes, augment, rng);
      images.push(out.image);
      boxes.push(out.boxes);
    } else {
      images.push(yield i);
      boxes.push(s.boxes);
    }
  }
  return { images, boxes };
}

/** Batch `index` of an epoch from samples with their images at hand (see batchSteps). */
export function makeBatch(
  train: readonly BatchSource[],
  order: number[],
  index: number,
  batchSize: number,
  augment: AugmentConfig | null,
  seed: number,
  epoch: number,
  options: MakeBatchOptions = {},
): Batch {
  const steps = batchSteps(train, { order, index, batchSize, augment, seed, epoch, options });
  let step = steps.next();
  while (!step.done) step = steps.next(train[step.value]!.image);
  return step.value;
}

/** What a train sample kept as a fitted image (./fitted-image) gives a batch. */
export interface FittedSource { image: FittedImage; boxes: LabeledBox[] }

/**
 * The same batch from samples kept as fitted images: each model input is built when the builder
 * asks for it, from the sample's kept pixels or from its file decoded again (once per batch:
 * `decoded` counts those). Only the uint8 pixels are held for the batch, never its float inputs.
 */
export async function makeFittedBatch(train: readonly FittedSource[], args: BatchArgs): Promise<{ batch: Batch; decoded: number }> {
  const steps = batchSteps(train, args);
  const pixels = new Map<number, Uint8Array>();
  let step = steps.next();
  while (!step.done) {
    const image = train[step.value]!.image;
    let data = image.data ?? pixels.get(step.value);
    if (!data) {
      data = await decodeAgain(image);
      pixels.set(step.value, data);
    }
    step = steps.next(fitPixels(image, data));
  }
  return { batch: step.value, decoded: pixels.size };
}
