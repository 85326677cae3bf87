/**
 * The seed's Fashion-MNIST CNN (preset fashion-mnist-cnn) on a 2,000-image subset of the real
 * IDX files (../shared/datasets/classification/fashion-mnist) on the wasm backend: 3 epochs, then
 * weights/best on 1,000 images of the official t10k test set must score accuracy > 0.7 (chance
 * 0.1). Also checks the run folder a classifier run writes.
 */
import sharp from 'sharp';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { runClassifierTraining } from '../../main/training/classifier/classify-task';
import { runPaths } from '../../main/training/run-folder';
import { loadModelFromFolder } from '../../main/training/weights-io';
import { readClassifierMetadata } from '../../shared/ml/classifier/metadata';
import type { ClassifierEvalReport, ClassifierRunConfigFile, ClassifierTrainerEvent } from '../../shared/training/classifier';

const FASHION = resolve(import.meta.dirname, '../../../shared/datasets/classification/fashion-mnist');

test('fashion-mnist-cnn on 2,000 Fashion-MNIST images: test accuracy > 0.7', { timeout: 300_000 }, async () => {
  const home = await mkdtemp(join(tmpdir(), 'detecta-cls-fm-'));
  try {
    const events: ClassifierTrainerEvent[] = [];
    const finished = await runClassifierTraining({
      task: 'classify', project: home, name: 'fm',
      config: { source: { kind: 'idx', dir: FASHION, trainLimit: 2000, testLimit: 1000 }, preset: 'fashion-mnist-cnn', epochs: 3, batchSize: 32, valFraction: 0.1, backend: 'wasm', seed: 1 },
    }, { emit: (e) => events.push(e) });
    assert.equal(finished.status, 'completed');
    assert.ok(finished.testAccuracy !== null && finished.testAccuracy > 0.7, `test accuracy ${finished.testAccuracy}`);
    const epochs = events.flatMap((e) => (e.type === 'epoch' ? [e.payload] : []));
    assert.equal(epochs.length, 3);
    assert.ok(epochs[2]!.train.loss < epochs[0]!.train.loss, 'train loss falls');

    const paths = runPaths(finished.runDir);
    const cfg = JSON.parse(await readFile(paths.config, 'utf8')) as ClassifierRunConfigFile;
    assert.equal(cfg.task, 'classify');
    assert.deepEqual(cfg.inputShape, [28, 28, 1]);
    assert.equal(cfg.classes[9], 'Ankle boot');
    assert.equal(cfg.split.test.length, 1000);
    assert.ok(cfg.split.test.every((id) => id.startsWith('t10k/')), 'IDX test = t10k');
    assert.equal(cfg.split.train.length + cfg.split.val.length, 2000);
    const report = JSON.parse(await readFile(paths.evalJson, 'utf8')) as ClassifierEvalReport;
    assert.equal(report.accuracy, finished.testAccuracy);
    assert.equal(report.perClass.length, 10);
    assert.ok(report.mostConfused.length > 0 && report.mostConfused[0]!.count >= report.mostConfused.at(-1)!.count);
    assert.ok(report.mostConfused[0]!.examples[0]!.id.startsWith('t10k/'));
    // IDX examples have no file of their own: their pixels are written as PNGs in the run folder
    const thumb = await sharp(report.mostConfused[0]!.examples[0]!.thumbnail!).metadata();
    assert.deepEqual([thumb.format, thumb.width, thumb.height, thumb.channels], ['png', 28, 28, 1]);
    const env = JSON.parse(await readFile(paths.env, 'utf8')) as { backend: string };
    assert.equal(env.backend, 'wasm');
    const model = await loadModelFromFolder(paths.best);
    assert.deepEqual(readClassifierMetadata(model).inputShape, [28, 28, 1]);
    model.dispose();
  } finally {
    await rm(home, { recursive: true, force: true });
  }
});
