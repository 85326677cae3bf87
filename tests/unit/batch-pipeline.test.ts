// The trainer's batch pipeline (issue 19): batches built in worker threads, prefetched ahead of the
// step, are exactly the batches the trainer thread builds itself (same seed → same images and
// boxes), also when a time budget changes the mosaic switch mid-epoch or a batch is skipped.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { BatchPipeline, chooseBatchWorkers, BATCH_WORKERS_ENV, type BatchSample } from '../../main/training/batch-pipeline';
import { batchesPerEpoch, decodeFitted, epochOrder, makeBatch, type Batch } from '../../main/training/data';
import { MODERN_AUGMENT_CONFIG } from '../../shared/ml/augment';
import { fitToInput } from '../../shared/ml/preprocess';

const RACCOON = fileURLToPath(new URL('../../../shared/datasets/detection-voc/raccoon/images/', import.meta.url));
const SIZE = 96;

async function samples(n: number): Promise<BatchSample[]> {
  const out: BatchSample[] = [];
  for (let i = 1; i <= n; i++) {
    const d = await decodeFitted(`${RACCOON}raccoon-${i}.jpg`, SIZE);
    const fitted = fitToInput({ width: d.width, height: d.height, data: d.data }, SIZE, { mode: 'letterbox' });
    // a box around the middle of the picture, in input pixels (the pipeline only moves boxes around)
    out.push({ image: fitted.image, boxes: [{ classId: i % 2, x1: SIZE * 0.25, y1: SIZE * 0.3, x2: SIZE * 0.7, y2: SIZE * 0.8 }] });
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

test('batches from 2 worker threads with prefetch equal the trainer thread\'s makeBatch, mosaic and mixup on', async () => {
  const train = await samples(7);
  const augment = { ...MODERN_AUGMENT_CONFIG, mosaic: { ...MODERN_AUGMENT_CONFIG.mosaic, p: 0.7 }, mixup: { ...MODERN_AUGMENT_CONFIG.mixup, enabled: true, p: 0.5 } };
  const options = { augment, seed: 11, trainTimes: 2, batchSize: 3 };
  const batches = batchesPerEpoch(train.length, options.trainTimes, options.batchSize);
  const pipeline = BatchPipeline.start(train, { ...options, workers: 2, prefetch: 2, batchesPerEpoch: batches });
  try {
    assert.equal(pipeline.workerCount, 2);
    assert.equal(pipeline.cacheBytes, 7 * SIZE * SIZE * 3 * 4, 'the image cache is the decoded images at training size');
    let mosaicBatches = 0;
    for (const epoch of [1, 2]) {
      const order = epochOrder(train.length, options.trainTimes, options.seed, epoch);
      for (let b = 0; b < batches; b++) {
        // epoch 2: the mosaic switch flips off from batch 2 on (a re-planned close-mosaic), and batch 1 is skipped
        if (epoch === 2 && b === 1) continue;
        const mosaic = !(epoch === 2 && b >= 2);
        const got = await pipeline.batch(epoch, b, mosaic);
        const want = makeBatch(train, order, b, options.batchSize, augment, options.seed, epoch, { mosaic });
        assertSameBatch(got, want, `epoch ${epoch} batch ${b}`);
        if (mosaic) mosaicBatches++;
      }
    }
    assert.ok(mosaicBatches >= 5);
    // the cache is untouched by augmentation (workers read it shared)
    const fresh = await samples(7);
    train.forEach((s, i) => assert.deepEqual(Array.from(s.image.data.subarray(0, 50)), Array.from(fresh[i]!.image.data.subarray(0, 50))));
  } finally {
    await pipeline.close();
  }
  await assert.rejects(pipeline.batch(1, 0, true), /closed/);
});

test('no augmentation: worker batches are copies of the cached images, equal to them', async () => {
  const train = await samples(4);
  const pipeline = BatchPipeline.start(train, { augment: null, seed: 1, trainTimes: 1, batchSize: 2, workers: 1, batchesPerEpoch: 2 });
  try {
    const order = epochOrder(4, 1, 1, 1);
    for (let b = 0; b < 2; b++) assertSameBatch(await pipeline.batch(1, b, true), makeBatch(train, order, b, 2, null, 1, 1), `batch ${b}`);
  } finally {
    await pipeline.close();
  }
});

test('batch worker count: DETECTA_BATCH_WORKERS when set (0: the trainer thread), a bad value refused', () => {
  assert.equal(chooseBatchWorkers({ [BATCH_WORKERS_ENV]: '0' }), 0);
  assert.equal(chooseBatchWorkers({ [BATCH_WORKERS_ENV]: '3' }), 3);
  assert.ok(chooseBatchWorkers({}) >= 1);
  assert.throws(() => chooseBatchWorkers({ [BATCH_WORKERS_ENV]: 'many' }), /DETECTA_BATCH_WORKERS must be a whole number/);
});
