/**
 * A run is reproducible: the same config and seed on the same project and backend give the same
 * initial weights, order, augmentation and therefore the same trained weights and losses; another
 * seed gives other weights. A cancelled and resumed run matches an uninterrupted one.
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
import type { TrainConfigInput } from '../../shared/training/types';

const CONFIG: TrainConfigInput = {
  preset: 'tiny', inputSize: 64, epochs: 2, batchSize: 4, learningRate: 3e-3, backend: 'wasm', tinyWidths: [8, 8, 16, 16, 16, 16], numAnchors: 2, seed: 21,
};

test('same seed, same run; another seed, another run; resume continues exactly', { timeout: 120_000 }, async () => {
  const root = await mkdtemp(join(tmpdir(), 'detecta-repro-'));
  try {
    const dir = join(root, 'p');
    await writeSampleProject(dir, { images: 10, seed: 8, width: 64, height: 64, classes: ['ball'], minObjects: 1, maxObjects: 1, minSize: 0.3, maxSize: 0.6 });
    for (const [name, seed] of [['a', 21], ['b', 21], ['c', 22]] as const) {
      await runTraining({ project: dir, config: { ...CONFIG, seed }, name }, { emit: () => {} });
    }
    const paths = (n: string) => runPaths(join(dir, '.detecta', 'runs', n));
    const weights = (n: string) => readFileSync(join(paths(n).last, 'weights.bin'));
    assert.ok(weights('a').equals(weights('b')), 'same seed → identical weights/last');
    assert.ok(!weights('a').equals(weights('c')), 'another seed → other weights');
    const losses = async (n: string) => (await readMetricsCsv(paths(n).metrics)).map((m) => m.train.total);
    assert.deepEqual(await losses('a'), await losses('b'));

    // Cancel after epoch 1, resume: epoch 2 continues as if never interrupted (weights, optimizer
    // moments and step count, order, augmentation and lr all restored), up to float32 rounding.
    let cancel = false;
    await runTraining({ project: dir, config: CONFIG, name: 'd' }, {
      emit: (e) => { if (e.type === 'epoch') cancel = true; },
      control: { shouldCancel: () => cancel, waitIfPaused: async () => {} },
    });
    assert.deepEqual((await losses('d')).length, 1);
    await runTraining({ project: dir, resume: 'd' }, { emit: () => {} });
    const [straight, resumed] = [await losses('a'), await losses('d')];
    assert.equal(resumed.length, 2);
    assert.equal(resumed[0], straight[0]);
    assert.ok(Math.abs(resumed[1] - straight[1]) < 1e-4 * straight[1], `epoch 2 loss ${straight[1]} straight, ${resumed[1]} resumed`);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});
