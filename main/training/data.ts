/**
 * The trainer's data: the project's sample list (main/dataset/sample-list.ts: handed over by the
 * app after its autosaves are flushed, or read by `detecta train` itself) → decoded, fitted
 * samples; their batches are ./batches.
 *
 * - Images are decoded with sharp (./fitted-image decodeFitted: EXIF orientation applied, shrunk
 *   to fit the input, aspect kept) and kept as uint8 RGB; the model input is that image
 *   letterboxed/stretched by shared/ml/preprocess `fitToInput`, built when it is needed.
 *   `transform` maps original pixels to input pixels (both steps composed).
 * - With `cache` (./image-cache) only the images within its budget keep their pixels; the others
 *   keep their file and size and are decoded again when needed.
 * - Split: the project's persisted split (train / val; test images are left out). When it has no
 *   val image with boxes, a seeded `valFraction` of the train images becomes val.
 * - Loading decodes several images at once (sharp works on libuv's threads); the result is in id
 *   order, as a sequential load's.
 */
import type { LabeledSample, SampleList } from '../dataset/sample-list';
import type { LabeledBox } from '../../shared/ml/detector/box';
import type { ImageTransform, ResizeMode } from '../../shared/ml/preprocess';
import { fitRect } from '../../shared/ml/adapters/geometry';
import { createRng } from '../../shared/ml/random';
import type { GroundTruthBox } from '../../shared/metrics';
import { errorMessage } from '../../shared/error-message';
import { availableParallelism } from 'node:os';
import { decodeFitted, type FittedImage } from './fitted-image';
import type { ImageCache } from './image-cache';
import { shuffle } from './batches';

// moved to ./fitted-image and ./batches; still exported here for the modules that import them from data
export { decodeFitted } from './fitted-image';
export { shuffle, batchesPerEpoch, epochOrder, makeBatch, type Batch, type BatchSource, type MakeBatchOptions } from './batches';

/** Images decoded at once while loading (sharp runs them on libuv's pool). */
const LOAD_CONCURRENCY_MAX = 4;

export interface Sample {
  imageId: string;
  /** The decoded image at training size (./fitted-image: inputImage gives the model input). */
  image: FittedImage;
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
  /** Keeps the pixels of the images within its budget (default: every image keeps them). */
  cache?: ImageCache;
}

/** Decodes + fits one labeled image. */
export async function loadSample(labeled: LabeledSample, classes: string[], inputSize: number, resizeMode: ResizeMode): Promise<Sample> {
  const { imageId } = labeled;
  const dec = await decodeFitted(labeled.file, inputSize);
  // fitToInput's transform (fitRect); the model input itself is built from the kept bytes when it is needed (fitted-image.ts)
  const t = fitRect(dec.width, dec.height, inputSize, resizeMode).transform;
  const pre = { x: dec.width / dec.origWidth, y: dec.height / dec.origHeight };
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
  const image: FittedImage = { file: labeled.file, inputSize, resizeMode, width: dec.width, height: dec.height, data: dec.data };
  return { imageId, image, transform, originalSize: { width: dec.origWidth, height: dec.origHeight }, boxes, groundTruth };
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
  // positions in the cache's order: the train images, then the val images
  const load = async (ids: string[], first: number): Promise<Sample[]> => {
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
        const r = results[i]!;
        options.cache?.settle(first + i, 'sample' in r ? r.sample.image : null);
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
  const train = await load(trainIds, 0);
  const val = await load(valIds, trainIds.length);
  if (train.length === 0) throw new Error(`no trainable images: ${entries.length} labeled image(s), ${skipped.length} skipped${skipped[0] ? ` (${skipped[0].reason})` : ''}`);
  return { classes, train, val, skipped, splitSource };
}
