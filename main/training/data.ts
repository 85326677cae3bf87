/**
 * The trainer's data pipeline: the project's sample list (main/dataset/sample-list.ts: handed
 * over by the app after its autosaves are flushed, or read by `detecta train` itself) → decoded,
 * fitted samples → seeded, augmented batches.
 *
 * - Images are decoded with sharp, EXIF orientation applied (`.rotate()`), as the dataset core
 *   does (shared/dataset/exif.ts), so VOC boxes (displayed-image pixels) line up.
 * - Each image is shrunk by sharp to fit the input (aspect kept), then letterboxed/stretched by
 *   shared/ml/preprocess `fitToInput`; samples are kept in memory at input size. `transform`
 *   maps original pixels to input pixels (both steps composed).
 * - Split: the project's persisted split (train / val; test images are left out). When it has no
 *   val image with boxes, a seeded `valFraction` of the train images becomes val.
 * - Loading decodes several images at once (sharp works on libuv's threads); the result is in id
 *   order, as a sequential load's.
 * - Batches: per epoch a seeded shuffle of the train set repeated `trainTimes` times (the seed's
 *   train_times); augmentation (shared/ml/augment) with a per-epoch RNG, so epoch e is the same
 *   whether or not the run was resumed. When the config has mosaic on, a batch image is (with
 *   probability mosaic.p) a mosaic of its sample and 3 random train samples, possibly mixed up
 *   with a second mosaic, before the per-image ops.
 */
import sharp from 'sharp';
import type { LabeledSample, SampleList } from '../dataset/sample-list';
import type { LabeledBox } from '../../shared/ml/detector/box';
import { fitToInput, type FloatRgbImage, type ImageTransform, type ResizeMode } from '../../shared/ml/preprocess';
import { augmentScene, mixup, mixupRatio, randomMosaic, type AugmentConfig, type AugmentScene } from '../../shared/ml/augment';
import { createRng, type Rng } from '../../shared/ml/random';
import type { GroundTruthBox } from '../../shared/metrics';
import { orientedSize } from '../../shared/dataset/exif';
import { errorMessage } from '../../shared/error-message';
import { availableParallelism } from 'node:os';

/** Images decoded at once while loading (sharp runs them on libuv's pool). */
const LOAD_CONCURRENCY_MAX = 4;

export interface Sample {
  imageId: string;
  /** Model input (inputSize², 0..255). */
  image: FloatRgbImage;
  /** Original (oriented) image → input pixels. */
  transform: ImageTransform;
  originalSize: { width: number; height: number };
  /** Non-difficult and difficult boxes in input pixels (training target). */
  boxes: LabeledBox[];
  /** Ground truth in original pixels (metrics), difficult flag kept. */
  groundTruth: GroundTruthBox[];
}

export interface TrainingData {
  classes: string[];
  train: Sample[];
  val: Sample[];
  /** Images skipped (unreadable, undecodable, no class known), with why. */
  skipped: { imageId: string; reason: string }[];
  splitSource: 'project' | 'seeded';
}

export interface LoadOptions {
  inputSize: number;
  resizeMode: ResizeMode;
  seed: number;
  valFraction: number;
  /** Restrict to these image ids (resume/reproduce with the stored split). */
  split?: { train: string[]; val: string[] };
  onProgress?: (done: number, total: number) => void;
}

/** Decodes one image file to RGB, EXIF orientation applied, shrunk to fit `maxSide`. */
export async function decodeFitted(file: string, maxSide: number): Promise<{ data: Uint8Array; width: number; height: number; origWidth: number; origHeight: number }> {
  const meta = await sharp(file).metadata();
  if (!meta.width || !meta.height) throw new Error(`cannot read the size of ${file}`);
  const { width: origWidth, height: origHeight } = orientedSize(meta.width, meta.height, meta.orientation);
  const { data, info } = await sharp(file, { failOn: 'error' })
    .rotate()
    .resize({ width: maxSide, height: maxSide, fit: 'inside', withoutEnlargement: true, kernel: 'linear' })
    .removeAlpha()
    .toColourspace('srgb')
    .raw()
    .toBuffer({ resolveWithObject: true });
  if (info.channels !== 3) throw new Error(`${file}: decoded to ${info.channels} channels, expected 3`);
  return { data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength), width: info.width, height: info.height, origWidth, origHeight };
}

/** Decodes + fits one labeled image. */
export async function loadSample(labeled: LabeledSample, classes: string[], inputSize: number, resizeMode: ResizeMode): Promise<Sample> {
  const { imageId } = labeled;
  const dec = await decodeFitted(labeled.file, inputSize);
  const fitted = fitToInput({ width: dec.width, height: dec.height, data: dec.data }, inputSize, { mode: resizeMode });
  const pre = { x: dec.width / dec.origWidth, y: dec.height / dec.origHeight };
  const t = fitted.transform;
  const transform: ImageTransform = { scaleX: pre.x * t.scaleX, scaleY: pre.y * t.scaleY, offsetX: t.offsetX, offsetY: t.offsetY };
  const boxes: LabeledBox[] = [];
  const groundTruth: GroundTruthBox[] = [];
  for (const b of labeled.boxes) {
    if (b.draft) continue; // a model's suggestion nobody accepted is not ground truth
    const classId = classes.indexOf(b.label);
    if (classId < 0) continue;
    groundTruth.push({ imageId, className: b.label, x1: b.xmin, y1: b.ymin, x2: b.xmax, y2: b.ymax, difficult: b.difficult });
    boxes.push({
      classId,
      x1: b.xmin * transform.scaleX + transform.offsetX,
      y1: b.ymin * transform.scaleY + transform.offsetY,
      x2: b.xmax * transform.scaleX + transform.offsetX,
      y2: b.ymax * transform.scaleY + transform.offsetY,
    });
  }
  return { imageId, image: fitted.image, transform, originalSize: { width: dec.origWidth, height: dec.origHeight }, boxes, groundTruth };
}

/** Fisher–Yates shuffle with the given RNG (in place). */
export function shuffle<T>(items: T[], rng: Rng): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [items[i], items[j]] = [items[j], items[i]];
  }
  return items;
}

/** Loads every labeled image of the sample list into train and val samples. */
export async function loadTrainingData(list: SampleList, options: LoadOptions): Promise<TrainingData> {
  const classes = [...list.classes];
  if (classes.length === 0) throw new Error('the project has no classes (no boxes labeled yet): draw boxes on some images before training');
  const byId = new Map(list.samples.map((s) => [s.imageId, s]));
  const unreadable = new Map(list.skipped.map((s) => [s.imageId, s.reason]));
  const entries = [...list.samples.map((s) => ({ id: s.imageId, split: s.split, boxes: s.boxes.length })), ...list.skipped.map((s) => ({ id: s.imageId, split: s.split, boxes: 0 }))];
  let trainIds: string[];
  let valIds: string[];
  let splitSource: TrainingData['splitSource'] = 'project';
  if (options.split) {
    trainIds = options.split.train;
    valIds = options.split.val;
  } else {
    trainIds = entries.filter((e) => e.split === 'train').map((e) => e.id);
    valIds = entries.filter((e) => e.split === 'val' && e.boxes > 0).map((e) => e.id);
    if (valIds.length === 0) {
      splitSource = 'seeded';
      const all = shuffle(entries.filter((e) => e.split !== 'test').map((e) => e.id).sort(), createRng(options.seed));
      if (all.length < 2) {
        throw new Error(`the project has ${all.length} labeled image(s) outside the test split; training needs at least 2 (images to train on and at least one to validate on): label more images`);
      }
      const nVal = Math.max(1, Math.round(all.length * options.valFraction));
      valIds = all.slice(0, nVal).sort();
      trainIds = all.slice(nVal).sort();
    }
  }
  const skipped: TrainingData['skipped'] = [];
  const total = trainIds.length + valIds.length;
  let done = 0;
  // sharp decodes on libuv's thread pool: several images in flight keep every CPU busy; samples
  // and skips stay in id order, so the result is the one of a sequential load
  const concurrency = Math.max(1, Math.min(LOAD_CONCURRENCY_MAX, availableParallelism()));
  const load = async (ids: string[]): Promise<Sample[]> => {
    const results: ({ sample: Sample } | { skip: string })[] = new Array(ids.length);
    let next = 0;
    const lane = async (): Promise<void> => {
      while (next < ids.length) {
        const i = next++;
        const id = ids[i]!;
        try {
          const labeled = byId.get(id);
          if (!labeled) throw new Error(unreadable.get(id) ?? `no labeled image "${id}" in the project`);
          results[i] = { sample: await loadSample(labeled, classes, options.inputSize, options.resizeMode) };
        } catch (err) {
          results[i] = { skip: errorMessage(err) };
        }
        options.onProgress?.(++done, total);
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, ids.length) }, lane));
    const out: Sample[] = [];
    results.forEach((r, i) => {
      if ('sample' in r) out.push(r.sample);
      else skipped.push({ imageId: ids[i]!, reason: r.skip });
    });
    return out;
  };
  const train = await load(trainIds);
  const val = await load(valIds);
  if (train.length === 0) throw new Error(`no trainable images: ${entries.length} labeled image(s), ${skipped.length} skipped${skipped[0] ? ` (${skipped[0].reason})` : ''}`);
  return { classes, train, val, skipped, splitSource };
}

export interface Batch {
  images: FloatRgbImage[];
  boxes: LabeledBox[][];
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

/** What makeBatch reads of a train sample (the batch workers get only this). */
export type BatchSource = Pick<Sample, 'image' | 'boxes'>;

/** A mosaic of train[first] and 3 random train samples, in random quadrants. */
function mosaicOf(train: readonly BatchSource[], first: number, augment: AugmentConfig, rng: Rng): AugmentScene {
  const picks = shuffle([first, rng.int(train.length), rng.int(train.length), rng.int(train.length)], rng);
  const m = augment.mosaic;
  return randomMosaic(picks.map((i) => train[i]), { minScale: m.minScale, maxScale: m.maxScale, padValue: m.padValue, boxKeep: m.boxKeep }, rng);
}

/**
 * Builds batch `index` of an epoch; augmentation uses an RNG seeded by (seed, epoch, batch), so a
 * batch is the same for the same arguments. With augment.mosaic on (and options.mosaic not
 * false) each image is, with probability mosaic.p, a mosaic (see mosaicOf), and such a mosaic is,
 * with probability mixup.p, blended with a second mosaic of 4 random samples; then augmentScene's
 * per-image ops. With mosaic off the RNG draws are exactly those of earlier versions.
 */
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
  const ids = order.slice(index * batchSize, (index + 1) * batchSize);
  const rng = createRng((seed * 31 + epoch * 1_000_003 + index * 7_777) >>> 0);
  const images: FloatRgbImage[] = [];
  const boxes: LabeledBox[][] = [];
  const useMosaic = augment !== null && augment.enabled && augment.mosaic.enabled && options.mosaic !== false;
  for (const i of ids) {
    const s = train[i];
    if (augment) {
      let scene: AugmentScene = s;
      if (useMosaic && rng.next() < augment.mosaic.p) {
        scene = mosaicOf(train, i, augment, rng);
        if (augment.mixup.enabled && rng.next() < augment.mixup.p) {
          scene = mixup(scene, mosaicOf(train, rng.int(train.length), augment, rng), mixupRatio(rng));
        }
      }
      const a = augmentScene(scene.image, scene.boxes, augment, rng);
      images.push(a.image);
      boxes.push(a.boxes);
    } else {
      images.push(s.image);
      boxes.push(s.boxes);
    }
  }
  return { images, boxes };
}
