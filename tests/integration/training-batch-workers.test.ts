/**
 * The trainer's batch workers change nothing but speed (issue 19): a run whose batches are built
 * (mosaic, mixup, HSV, flip) in 2 worker threads ends with the same weights and losses as the
 * same run building them on the trainer thread (DETECTA_BATCH_WORKERS=0), and logs its image cache.
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
import type { TrainConfigInput } from '../../shared/training/types';

const CONFIG: TrainConfigInput = {
  preset: 'tiny', inputSize: 64, epochs: 2, batchSize: 4, learningRate: 3e-3, backend: 'wasm', tinyWidths: [8, 8, 16, 16, 16, 16], numAnchors: 2, seed: 5,
  augmentOps: { mosaic: { enabled: true, p: 0.8 }, mixup: { enabled: true, p: 0.5 }, hsv: { enabled: true } },
};

test('batches built in 2 worker threads train the same weights as batches built on the trainer thread', { timeout: 180_000 }, async () => {
  const root = await mkdtemp(join(tmpdir(), 'detecta-batch-workers-'));
  const before = process.env[BATCH_WORKERS_ENV];
  try {
    const dir = join(root, 'p');
    await writeSampleProject(dir, { images: 12, seed: 3, width: 64, height: 64, classes: ['ball', 'cone'], minObjects: 1, maxObjects: 2, minSize: 0.2, maxSize: 0.5 });
    const logs: Record<string, string[]> = { inline: [], workers: [] };
    for (const [name, workers] of [['inline', '0'], ['workers', '2']] as const) {
      process.env[BATCH_WORKERS_ENV] = workers;
      await runTraining({ project: dir, config: CONFIG, name }, { emit: (e) => { if (e.type === 'log') logs[name]!.push(e.payload.message); } });
    }
    const cache = (name: string) => logs[name]!.find((m) => m.startsWith('image cache: '));
    assert.match(cache('inline') ?? '', /^image cache: 12 images decoded at 64 px, \d+ MB in memory; batches built by the trainer thread, no worker thread/);
    assert.match(cache('workers') ?? '', /batches built by 2 worker thread\(s\)/);
    const paths = (n: string) => runPaths(join(dir, '.detecta', 'runs', n));
    const weights = (n: string) => readFileSync(join(paths(n).last, 'weights.bin'));
    assert.ok(weights('inline').equals(weights('workers')), 'same weights/last with and without batch workers');
    const losses = async (n: string) => (await readMetricsCsv(paths(n).metrics)).map((m) => m.train.total);
    assert.deepEqual(await losses('workers'), await losses('inline'));
  } finally {
    if (before === undefined) delete process.env[BATCH_WORKERS_ENV]; else process.env[BATCH_WORKERS_ENV] = before;
    await rm(root, { recursive: true, force: true });
  }
});
