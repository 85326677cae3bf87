/**
 * Box-crop source: a synthetic detection project (main/sample/write-sample-project.ts: bricks,
 * balls and cones of random colours) becomes a classifier dataset of its labeled boxes (class =
 * box class, padded), crops of one photo staying in one split; the seed's Fashion-MNIST
 * architecture learns the shapes well above chance.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeSampleProject } from '../../main/sample/write-sample-project';
import { loadClassifierDataset } from '../../main/training/classifier/dataset';
import { runClassifierTraining } from '../../main/training/classifier/classify-task';
import { runPaths } from '../../main/training/run-folder';
import type { ClassifierEvalReport, ClassifierRunConfigFile } from '../../shared/training/classifier';

test('box crops of a detection project: one sample per box, padded, grouped by photo, learnable', { timeout: 240_000 }, async () => {
  const root = await mkdtemp(join(tmpdir(), 'detecta-cls-crops-'));
  try {
    const dir = join(root, 'project');
    const sample = await writeSampleProject(dir, { images: 40, seed: 11, width: 96, height: 96, minObjects: 1, maxObjects: 3, minSize: 0.3, maxSize: 0.5 });
    const tight = await loadClassifierDataset({ kind: 'crops', project: dir, padding: 0, minSize: 4, difficult: false }, { preset: 'fashion-mnist-cnn', colorMode: 'auto', inputShape: [16, 16, 3] });
    assert.equal(tight.samples.length, sample.boxes, 'one crop per labeled box');
    assert.deepEqual([...tight.classes].sort(), ['ball', 'brick', 'cone']);
    assert.match(tight.samples[0]!.id, /^bricks_0001\.jpg#0$/);
    assert.equal(tight.samples[0]!.path, join(dir, 'bricks_0001.jpg'));
    const padded = await loadClassifierDataset({ kind: 'crops', project: dir, padding: 0.5, minSize: 4, difficult: false }, { preset: 'fashion-mnist-cnn', colorMode: 'auto', inputShape: [16, 16, 3] });
    assert.notDeepEqual(padded.samples[0]!.pixels, tight.samples[0]!.pixels, 'padding changes the crop');

    const finished = await runClassifierTraining({
      task: 'classify', project: dir, name: 'crops',
      config: { source: { kind: 'crops', project: dir, padding: 0.1 }, preset: 'fashion-mnist-cnn', epochs: 15, batchSize: 16, backend: 'wasm', seed: 2, flip: true },
    }, { emit: () => {} });
    assert.equal(finished.status, 'completed');
    const paths = runPaths(finished.runDir);
    assert.equal(finished.runDir, join(dir, '.detecta', 'runs', 'crops'));
    const cfg = JSON.parse(await readFile(paths.config, 'utf8')) as ClassifierRunConfigFile;
    assert.equal(cfg.colorMode, 'rgb');
    const photoOf = (id: string) => id.split('#')[0];
    const trainPhotos = new Set(cfg.split.train.map(photoOf));
    assert.ok([...cfg.split.val, ...cfg.split.test].every((id) => !trainPhotos.has(photoOf(id))), 'no photo has crops in train and in val/test');
    const report = JSON.parse(await readFile(paths.evalJson, 'utf8')) as ClassifierEvalReport;
    assert.ok(report.images >= 8);
    assert.ok(report.accuracy >= 0.6, `test accuracy ${report.accuracy} (chance ≈ 0.33)`);
    for (const p of report.mostConfused) for (const e of p.examples) assert.match(e.path ?? '', /bricks_\d+\.jpg$/);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});
