// The trainer's batch pipeline (issue 19): batches built in worker threads, prefetched ahead of the
// step, are exactly the batches the trainer thread builds itself (same seed → same images and
// boxes), also when a time budget changes the mosaic switch mid-epoch or a batch is skipped; and
// the image cache (uint8 images at training size, within a memory budget; the rest decoded again
// from their files) gives bit for bit the batches of float images fitted once at load time.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BatchPipeline, chooseBatchWorkers, BATCH_WORKERS_ENV } from '../../main/training/batch-pipeline';
import { batchesPerEpoch, decodeFitted, epochOrder, loadTrainingData, makeBatch, type Batch, type BatchSource, type Sample } from '../../main/training/data';
import { inputImages } from '../../main/training/fitted-image';
import { ImageCache } from '../../main/training/image-cache';
import type { SampleList } from '../../main/dataset/sample-list';
import { vocToBoxes } from '../../main/dataset/voc-boxes';
import { MODERN_AUGMENT_CONFIG } from '../../shared/ml/augment';
import { fitToInput } from '../../shared/ml/preprocess';
import { parseVocXml } from '../../shared/voc';

const RACCOON = fileURLToPath(new URL('../../../shared/datasets/detection-voc/raccoon/', import.meta.url));
const SIZE = 96;
const AUGMENT = { ...MODERN_AUGMENT_CONFIG, mosaic: { ...MODERN_AUGMENT_CONFIG.mosaic, p: 0.7 }, mixup: { ...MODERN_AUGMENT_CONFIG.mixup, enabled: true, p: 0.5 } };

/** raccoon-1..n with their VOC boxes: the first `train` in the train split, the rest val. */
function raccoonList(n: number, train: number, imagesDir = join(RACCOON, 'images')): SampleList {
  const samples = Array.from({ length: n }, (_, k) => {
    const name = `raccoon-${k + 1}`;
    const ann = parseVocXml(readFileSync(join(RACCOON, 'annotations', `${name}.xml`), 'utf8'));
    return { imageId: `${name}.jpg`, file: join(imagesDir, `${name}.jpg`), split: k < train ? 'train' as const : 'val' as const, size: null, boxes: vocToBoxes(ann) };
  });
  return { root: RACCOON, classes: ['raccoon'], samples, skipped: [] };
}

const load = (list: SampleList, cache: ImageCache) => loadTrainingData(list, { inputSize: SIZE, resizeMode: 'letterbox', seed: 1, valFraction: 0.2, cache });

/** The samples as the trainer held them before the cache: float model inputs fitted once at load time (and the transform that fit gave). */
async function fittedAtLoad(samples: readonly Sample[]): Promise<BatchSource[]> {
  const out: BatchSource[] = [];
  for (const s of samples) {
    const d = await decodeFitted(s.image.file, SIZE);
    const fitted = fitToInput({ width: d.width, height: d.height, data: d.data }, SIZE, { mode: 'letterbox' });
    const t = fitted.transform;
    assert.deepEqual(s.transform, { scaleX: (d.width / d.origWidth) * t.scaleX, scaleY: (d.height / d.origHeight) * t.scaleY, offsetX: t.offsetX, offsetY: t.offsetY }, `${s.imageId}: the transform of the fit`);
    out.push({ image: fitted.image, boxes: s.boxes });
  }
  return out;
}

function assertSameBatch(a: Batch, b: Batch, what: string): void {
  assert.equal(a.images.length, b.images.length, `${what}: image count`);
  a.images.forEach((im, i) => {
    assert.equal(im.width, b.images[i]!.width);
    assert.ok(Buffer.from(im.data.buffer, im.data.byteOffset, im.data.byteLength).equals(Buffer.from(b.images[i]!.data.buffer, b.images[i]!.data.byteOffset, b.images[i]!.data.byteLength)), `${what}: image ${i} differs`);
  });
  assert.deepEqual(a.boxes, b.boxes, `${what}: boxes`);
}

test('batches from 2 worker threads with prefetch equal the trainer thread\'s makeBatch on images fitted at load, mosaic and mixup on', async () => {
  const data = await load(raccoonList(8, 7), new ImageCache(Infinity));
  const train = data.train;
  const reference = await fittedAtLoad(train);
  const options = { augment: AUGMENT, seed: 11, trainTimes: 2, batchSize: 3 };
  const batches = batchesPerEpoch(train.length, options.trainTimes, options.batchSize);
  const pipeline = BatchPipeline.start(train, { ...options, workers: 2, prefetch: 2, batchesPerEpoch: batches });
  try {
    assert.equal(pipeline.workerCount, 2);
    assert.equal(pipeline.cachedImages, 7);
    const bytes = train.reduce((n, s) => n + s.image.width * s.image.height * 3, 0);
    assert.equal(pipeline.cacheBytes, bytes, 'the cache holds the decoded uint8 images');
    assert.ok(bytes <= 7 * SIZE * SIZE * 3, 'at most inputSize²×3 bytes an image: a quarter of the float model inputs');
    let mosaicBatches = 0;
    for (const epoch of [1, 2]) {
      const order = epochOrder(train.length, options.trainTimes, options.seed, epoch);
      for (let b = 0; b < batches; b++) {
        // epoch 2: the mosaic switch flips off from batch 2 on (a re-planned close-mosaic), and batch 1 is skipped
        if (epoch === 2 && b === 1) continue;
        const mosaic = !(epoch === 2 && b >= 2);
        const got = await pipeline.batch(epoch, b, mosaic);
        const want = makeBatch(reference, order, b, options.batchSize, AUGMENT, options.seed, epoch, { mosaic });
        assertSameBatch(got, want, `epoch ${epoch} batch ${b}`);
        if (mosaic) mosaicBatches++;
      }
      assert.equal(pipeline.decodedIn(epoch), 0, 'every image is cached: nothing decoded from files');
    }
    assert.ok(mosaicBatches >= 5);
    // the cache is untouched by augmentation (workers read it shared)
    const fresh = await fittedAtLoad(train);
    const again = await inputImages(train.map((_, i) => pipeline.imageOf(i)));
    again.forEach((im, i) => assert.ok(Buffer.from(im.data.buffer).equals(Buffer.from(fresh[i]!.image.data.buffer)), `cached image ${i} unchanged`));
  } finally {
    await pipeline.close();
  }
  await assert.rejects(pipeline.batch(1, 0, true), /closed/);
});

test('the whole cache, a partial budget and none give the same batches, on worker threads and on the trainer thread', async () => {
  const list = raccoonList(8, 6);
  const full = await load(list, new ImageCache(Infinity));
  const reference = await fittedAtLoad(full.train);
  const sizes = full.train.map((s) => s.image.data!.byteLength);
  const budgets = [
    { name: 'full', bytes: Infinity, cached: 6 },
    // room for the first 3 train images and a little more: a budget keeps the first images in load order, and none after the first that does not fit
    { name: 'partial', bytes: sizes[0]! + sizes[1]! + sizes[2]! + 10, cached: 3 },
    { name: 'zero', bytes: 0, cached: 0 },
  ];
  const options = { augment: AUGMENT, seed: 4, trainTimes: 2, batchSize: 4 };
  const batches = batchesPerEpoch(6, options.trainTimes, options.batchSize);
  for (const budget of budgets) {
    const data = await load(list, new ImageCache(budget.bytes));
    assert.deepEqual(data.train.map((s) => s.image.data !== null), [0, 1, 2, 3, 4, 5].map((i) => i < budget.cached), `${budget.name}: the first ${budget.cached} train images keep their pixels`);
    assert.equal(data.val.filter((s) => s.image.data !== null).length, budget.name === 'full' ? 2 : 0, `${budget.name}: val images are cached after the train images`);
    for (const workers of [0, 2]) {
      const pipeline = BatchPipeline.start(data.train, { ...options, workers, batchesPerEpoch: batches });
      try {
        assert.equal(pipeline.cachedImages, budget.cached);
        for (const epoch of [1, 2]) {
          const order = epochOrder(6, options.trainTimes, options.seed, epoch);
          for (let b = 0; b < batches; b++) {
            const mosaic = epoch === 1;
            assertSameBatch(await pipeline.batch(epoch, b, mosaic), makeBatch(reference, order, b, options.batchSize, AUGMENT, options.seed, epoch, { mosaic }), `${budget.name} budget, ${workers} workers, epoch ${epoch} batch ${b}`);
          }
          if (budget.cached === 6) assert.equal(pipeline.decodedIn(epoch), 0);
          else assert.ok(pipeline.decodedIn(epoch) > 0, `${budget.name}: epoch ${epoch} decoded images from their files`);
        }
      } finally {
        await pipeline.close();
      }
    }
    // validation builds the same model inputs from whatever the cache kept
    const val = await inputImages(data.val.map((s) => s.image));
    const valRef = await fittedAtLoad(data.val);
    val.forEach((im, i) => assert.ok(Buffer.from(im.data.buffer).equals(Buffer.from(valRef[i]!.image.data.buffer)), `${budget.name}: val image ${i}`));
  }
});

test('no augmentation: batches are the fitted images; decodedIn counts one decode per uncached sample in a batch', async () => {
  const data = await load(raccoonList(7, 6), new ImageCache(0));
  const reference = await fittedAtLoad(data.train);
  const cached = new Set<number>();
  const options = { augment: null, seed: 2, trainTimes: 2, batchSize: 4 };
  const batches = batchesPerEpoch(6, options.trainTimes, options.batchSize);
  // the first 2 images' pixels in hand, the other 4 decoded again
  for (const i of [0, 1]) { const d = await decodeFitted(data.train[i]!.image.file, SIZE); data.train[i]!.image.data = d.data; cached.add(i); }
  for (const workers of [0, 1]) {
    const pipeline = BatchPipeline.start(data.train, { ...options, workers, batchesPerEpoch: batches });
    try {
      assert.equal(pipeline.cachedImages, 2);
      for (const epoch of [1, 2]) {
        const order = epochOrder(6, options.trainTimes, options.seed, epoch);
        let want = 0;
        for (let b = 0; b < batches; b++) {
          assertSameBatch(await pipeline.batch(epoch, b, true), makeBatch(reference, order, b, 4, null, options.seed, epoch), `${workers} workers, epoch ${epoch} batch ${b}`);
          want += new Set(order.slice(b * 4, (b + 1) * 4).filter((i) => !cached.has(i))).size;
        }
        assert.equal(pipeline.decodedIn(epoch), want, `${workers} workers, epoch ${epoch}`);
      }
    } finally {
      await pipeline.close();
    }
  }
});

test('a train or val image file deleted after the start: the batch and the validation fail naming it', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'detecta-image-cache-'));
  try {
    for (let i = 1; i <= 4; i++) copyFileSync(join(RACCOON, 'images', `raccoon-${i}.jpg`), join(dir, `raccoon-${i}.jpg`));
    const data = await load(raccoonList(4, 3, dir), new ImageCache(0));
    const gone = data.train[1]!.image.file;
    unlinkSync(gone);
    unlinkSync(data.val[0]!.image.file);
    const options = { augment: null, seed: 1, trainTimes: 1, batchSize: 3, batchesPerEpoch: 1 };
    for (const workers of [0, 1]) {
      const pipeline = BatchPipeline.start(data.train, { ...options, workers });
      try {
        await assert.rejects(pipeline.batch(1, 0, true), (err: Error) => {
          assert.ok(err.message.includes(gone), `names the file: ${err.message}`);
          assert.match(err.message, /cannot be decoded now .*moved, deleted or rewritten during training/);
          return true;
        });
      } finally {
        await pipeline.close();
      }
    }
    const valFile = data.val[0]!.image.file;
    await assert.rejects(inputImages(data.val.map((s) => s.image)), (err: Error) => err.message.startsWith(`${valFile}: read at the start of the run`));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('batch worker count: DETECTA_BATCH_WORKERS when set (0: the trainer thread), a bad value refused', () => {
  assert.equal(chooseBatchWorkers({ [BATCH_WORKERS_ENV]: '0' }), 0);
  assert.equal(chooseBatchWorkers({ [BATCH_WORKERS_ENV]: '3' }), 3);
  assert.ok(chooseBatchWorkers({}) >= 1);
  assert.throws(() => chooseBatchWorkers({ [BATCH_WORKERS_ENV]: 'many' }), /DETECTA_BATCH_WORKERS must be a whole number/);
});
