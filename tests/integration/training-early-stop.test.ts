/**
 * Early stopping: with patience P the run ends after P validated epochs without a better fitness
 * (0.1·mAP50 + 0.9·mAP50-95), finishes as 'completed' and says in the log that it stopped early;
 * weights/best holds the best epoch. Per-epoch learning rates follow the warm-up + cosine schedule.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeSampleProject } from '../../main/sample/write-sample-project';
import { runTraining } from '../../main/training/detect-task';
import { runPaths } from '../../main/training/run-folder';
import { readMetricsCsv } from '../../main/training/metrics-csv';
import { fitnessOf, type TrainerEvent } from '../../shared/training/types';

test('patience stops a run that no longer improves; lr follows the schedule', { timeout: 180_000 }, async () => {
  const root = await mkdtemp(join(tmpdir(), 'detecta-early-'));
  try {
    const dir = join(root, 'p');
    await writeSampleProject(dir, { images: 10, seed: 12, width: 64, height: 64, classes: ['ball'], minObjects: 1, maxObjects: 1, minSize: 0.3, maxSize: 0.6 });
    const events: TrainerEvent[] = [];
    const done = await runTraining({
      project: dir, name: 'es',
      config: { preset: 'tiny', inputSize: 64, epochs: 40, batchSize: 4, learningRate: 3e-3, backend: 'wasm', tinyWidths: [8, 8, 16, 16, 16, 16], numAnchors: 2, seed: 5, patience: 2, warmupEpochs: 2 },
    }, { emit: (e) => events.push(e) });
    assert.equal(done.status, 'completed');
    assert.ok(done.epochsDone < 40, `stopped at epoch ${done.epochsDone}`);
    const line = events.find((e) => e.type === 'log' && /^stopped early after epoch \d+: no better fitness for 2 validated epoch\(s\) \(patience 2\); best epoch \d+$/.test(e.payload.message));
    assert.ok(line, 'a log line says the run stopped early');
    const rows = await readMetricsCsv(runPaths(join(dir, '.detecta', 'runs', 'es')).metrics);
    assert.equal(rows.length, done.epochsDone);
    const fitness = rows.map(fitnessOf);
    const bestEpoch = done.best!.epoch;
    assert.equal(bestEpoch, done.epochsDone - 2, 'the last two epochs did not beat the best');
    assert.ok(fitness.slice(bestEpoch).every((f) => f <= fitness[bestEpoch - 1]));
    const evalJson = JSON.parse(await readFile(runPaths(join(dir, '.detecta', 'runs', 'es')).evalJson, 'utf8'));
    assert.equal(evalJson.epoch, bestEpoch, 'eval.json describes the best epoch');
    // Warm-up spans the first 2 epochs (counted in batches), then cosine decay: the epoch's last rate rises, then falls.
    const lrs = rows.map((r) => r.lr);
    assert.ok(lrs[0] < lrs[1] && lrs[1] <= 3e-3 + 1e-9, `warm-up: ${lrs.slice(0, 3).join(', ')}`);
    assert.ok(lrs.slice(2).every((v, i, a) => i === 0 || v < a[i - 1]), `cosine decay after warm-up: ${lrs.join(', ')}`);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});
