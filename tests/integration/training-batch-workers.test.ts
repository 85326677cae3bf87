/**
 * The trainer's batch workers and its image cache change nothing but speed and memory (issue 19):
 * a run whose batches are built (mosaic, mixup, HSV, flip) in 2 worker threads ends with the same
 * weights and losses as the same run building them on the trainer thread (DETECTA_BATCH_WORKERS=0),
 * and so does a run that keeps no decoded image in memory (DETECTA_IMAGE_CACHE_MB=0: every image
 * decoded from its file when needed); each logs its image cache and, without it, the decodes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeSampleProject } from '../../main/sample/write-sample-project';
import { runTraining } from '../../main/training/detect-task';
import { runPaths } from '../../main/training/run-folder';
import { readMetricsCsv } from '../../main/training/metrics-csv';
import { BATCH_WORKERS_ENV } from '../../main/training/batch-pipeline';
import { IMAGE_CACHE_ENV } from '../../main/training/image-cache';
import type { TrainConfigInput } from '../../shared/training/types';

const CONFIG: TrainConfigInput = {
  preset: 'tiny', inputSize: 64, epochs: 2, batchSize: 4, learningRate: 3e-3, backend: 'wasm', tinyWidths: [8, 8, 16, 16, 16, 16], numAnchors: 2, seed: 5,
  augmentOps: { mosaic: { enabled: true, p: 0.8 }, mixup: { enabled: true, p: 0.5 }, hsv: { enabled: true } },
};

const setEnv = (name: string, value: string | undefined): void => {
  if (value === undefined) delete process.env[name]; else process.env[name] = value;
};

test('batches built in 2 worker threads, or from images decoded again with no image cache, train the same weights as batches built on the trainer thread', { timeout: 240_000 }, async () => {
  const root = await mkdtemp(join(tmpdir(), 'detecta-batch-workers-'));
  const before = { workers: process.env[BATCH_WORKERS_ENV], cache: process.env[IMAGE_CACHE_ENV] };
  try {
    const dir = join(root, 'p');
    await writeSampleProject(dir, { images: 12, seed: 3, width: 64, height: 64, classes: ['ball', 'cone'], minObjects: 1, maxObjects: 2, minSize: 0.2, maxSize: 0.5 });
    const logs: Record<string, string[]> = { inline: [], workers: [], uncached: [] };
    for (const [name, workers, cacheMb] of [['inline', '0', undefined], ['workers', '2', undefined], ['uncached', '2', '0']] as const) {
      setEnv(BATCH_WORKERS_ENV, workers);
      setEnv(IMAGE_CACHE_ENV, cacheMb);
      await runTraining({ project: dir, config: CONFIG, name }, { emit: (e) => { if (e.type === 'log') logs[name]!.push(e.payload.message); } });
    }
    const cache = (name: string) => logs[name]!.filter((m) => m.startsWith('image cache: '));
    // 64×64 pictures at 64 px: 12 images of 64·64·3 bytes
    assert.match(cache('inline')[0] ?? '', /^image cache: 12 of 12 images \(9\/9 train, 3\/3 val\) kept decoded at 64 px, 0\.1 MB of the \d+ MB budget \(¼ of the machine's \d+ MB.*\); every image stays in memory; batches built by the trainer thread, no worker thread/);
    assert.match(cache('workers')[0] ?? '', /batches built by 2 worker thread\(s\)/);
    assert.equal(cache('workers').length, 1, 'nothing decoded per epoch with every image cached');
    assert.match(cache('uncached')[0] ?? '', /^image cache: 0 of 12 images \(0\/9 train, 0\/3 val\) kept decoded at 64 px, 0\.0 MB of the 0\.0 MB budget \(DETECTA_IMAGE_CACHE_MB\); 12 decoded from their files each time they are needed/);
    // each epoch decodes at least its 9 train images (more with mosaics) and the 3 val images
    const perEpoch = cache('uncached').slice(1).map((m) => /^image cache: epoch (\d+) decoded (\d+) train image\(s\) from their files for its batches, (\d+) val image\(s\) for validation$/.exec(m));
    assert.deepEqual(perEpoch.map((m) => Number(m?.[1])), [1, 2]);
    for (const m of perEpoch) { assert.ok(Number(m![2]) >= 9, m![0]); assert.equal(Number(m![3]), 3); }
    const paths = (n: string) => runPaths(join(dir, '.detecta', 'runs', n));
    const weights = (n: string) => readFileSync(join(paths(n).last, 'weights.bin'));
    assert.ok(weights('inline').equals(weights('workers')), 'same weights/last with and without batch workers');
    assert.ok(weights('inline').equals(weights('uncached')), 'same weights/last with and without the image cache');
    const metrics = async (n: string) => (await readMetricsCsv(paths(n).metrics)).map((m) => ({ train: m.train.total, val: m.val, mAP50: m.mAP50 }));
    assert.deepEqual(await metrics('workers'), await metrics('inline'));
    assert.deepEqual(await metrics('uncached'), await metrics('inline'), 'same losses and validation without the cache');
  } finally {
    setEnv(BATCH_WORKERS_ENV, before.workers);
    setEnv(IMAGE_CACHE_ENV, before.cache);
    await rm(root, { recursive: true, force: true });
  }
});
