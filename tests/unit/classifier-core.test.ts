/** Classifier building blocks: the seeded stratified split, oversampling, class weights, IDX parsing, top-k, the eval report. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { balancedClassWeights, epochSampleOrder, splitCounts, stratifiedSplit } from '../../shared/ml/classifier/split';
import { parseIdxImages, parseIdxLabels } from '../../main/training/classifier/idx';
import { classifyImages, topKFromProbabilities, toModelInput } from '../../shared/ml/classifier/predict';
import { buildClassifierEval } from '../../shared/ml/classifier/report';
import { buildClassifierPreset } from '../../shared/ml/classifier/presets';
import { chooseInputShape, loadClassifierDataset } from '../../main/training/classifier/dataset';
import { resolve } from 'node:path';

test('stratified split: seeded, per class, groups kept together, one-image classes train only', () => {
  const items = [
    ...Array.from({ length: 20 }, (_, i) => ({ id: `a/${i}`, label: 0 })),
    ...Array.from({ length: 10 }, (_, i) => ({ id: `b/${i}`, label: 1 })),
    { id: 'c/only', label: 2 },
    ...Array.from({ length: 6 }, (_, i) => ({ id: `photo${Math.floor(i / 2)}#${i % 2}`, label: 3, group: `photo${Math.floor(i / 2)}` })),
  ];
  const s = stratifiedSplit(items, { seed: 4, valFraction: 0.2, testFraction: 0.2 });
  assert.deepEqual(stratifiedSplit(items, { seed: 4, valFraction: 0.2, testFraction: 0.2 }), s, 'same seed, same split');
  assert.notDeepEqual(stratifiedSplit(items, { seed: 5, valFraction: 0.2, testFraction: 0.2 }), s);
  assert.equal(s.train.length + s.val.length + s.test.length, items.length);
  assert.equal(s.val.filter((id) => id.startsWith('a/')).length, 4);
  assert.equal(s.test.filter((id) => id.startsWith('b/')).length, 2);
  assert.ok(s.train.includes('c/only'));
  for (const part of [s.train, s.val, s.test]) {
    const photos = part.filter((id) => id.startsWith('photo')).map((id) => id.split('#')[0]);
    for (const p of photos) assert.equal(photos.filter((q) => q === p).length, 2, `both crops of ${p} in one split`);
  }
  assert.deepEqual(splitCounts(2, 0.2, 0.2), { val: 1, test: 0 });
  assert.deepEqual(splitCounts(3, 0.1, 0.1), { val: 1, test: 1 });
  assert.deepEqual(splitCounts(1, 0.5, 0.5), { val: 0, test: 0 });
});

test('oversampling repeats smaller classes up to the largest; balanced weights', () => {
  const labels = [0, 0, 0, 0, 0, 0, 1, 1, 2];
  const order = epochSampleOrder(labels, 3, 1, 1, true);
  const count = (c: number) => order.filter((i) => labels[i] === c).length;
  assert.deepEqual([count(0), count(1), count(2)], [6, 6, 6]);
  assert.deepEqual(epochSampleOrder(labels, 3, 1, 2, false).sort(), [0, 1, 2, 3, 4, 5, 6, 7, 8]);
  assert.notDeepEqual(epochSampleOrder(labels, 3, 1, 1, false), epochSampleOrder(labels, 3, 1, 2, false));
  const w = balancedClassWeights(labels, 4);
  assert.deepEqual(w.map((x) => Number(x.toFixed(3))), [0.5, 1.5, 3, 0]);
});

test('IDX parsing: images and labels, clear errors for wrong magic and truncation', () => {
  const img = new Uint8Array(16 + 2 * 4);
  new DataView(img.buffer).setUint32(0, 0x803);
  new DataView(img.buffer).setUint32(4, 2);
  new DataView(img.buffer).setUint32(8, 2);
  new DataView(img.buffer).setUint32(12, 2);
  img.set([1, 2, 3, 4, 5, 6, 7, 8], 16);
  const parsed = parseIdxImages(img, 'x');
  assert.deepEqual([parsed.count, parsed.rows, parsed.cols, [...parsed.data]], [2, 2, 2, [1, 2, 3, 4, 5, 6, 7, 8]]);
  assert.throws(() => parseIdxImages(img.subarray(0, 20), 'x'), /truncated/);
  assert.throws(() => parseIdxLabels(img, 'x'), /not an IDX label file/);
  const lab = new Uint8Array([0, 0, 8, 1, 0, 0, 0, 2, 3, 4]);
  assert.deepEqual([...parseIdxLabels(lab, 'y')], [3, 4]);
});

test('input shape from the data: preset side, not above the images, their aspect', () => {
  assert.deepEqual(chooseInputShape('fashion-mnist-cnn', [{ width: 24, height: 24 }], 3), [24, 24, 3]);
  assert.deepEqual(chooseInputShape('fashion-mnist-cnn', [{ width: 400, height: 300 }, { width: 800, height: 600 }], 1), [21, 28, 1]);
  assert.deepEqual(chooseInputShape('deep-cnn', [{ width: 300, height: 600 }], 3), [64, 32, 3]);
  assert.deepEqual(chooseInputShape('mobilenet-embeddings', [{ width: 30, height: 30 }], 3), [224, 224, 3]);
});

test('top-k and prediction preprocessing (resize, gray ↔ rgb)', async () => {
  await tf.setBackend('cpu');
  const top = topKFromProbabilities([0.1, 0.7, 0.2, 0.5, 0.25, 0.25], 3, ['a', 'b', 'c'], 2);
  assert.deepEqual(top.map((r) => r.map((s) => s.className)), [['b', 'c'], ['a', 'b']]);
  const rgb = tf.fill([10, 20, 3], 100) as tf.Tensor3D;
  const g = toModelInput(rgb, [5, 4, 1]);
  assert.deepEqual(g.shape, [5, 4, 1]);
  assert.ok(Math.abs(g.dataSync()[0]! - 100) < 1e-3);
  const model = buildClassifierPreset('fashion-mnist-cnn', { numClasses: 3, inputShape: [8, 8, 1], compile: false, seed: 1, rescale: 1 / 255 });
  const res = await classifyImages(model, { task: 'classify', classes: ['a', 'b', 'c'], inputShape: [8, 8, 1], preset: 'fashion-mnist-cnn' }, [rgb, tf.zeros([8, 8, 1]) as tf.Tensor3D], { topK: 3 });
  assert.equal(res.length, 2);
  for (const r of res) assert.ok(Math.abs(r.reduce((s, x) => s + x.score, 0) - 1) < 1e-4);
  tf.dispose([rgb, g]);
  model.dispose();
});

test('eval report: per-class scores, confusion matrix, most-confused pairs with the most confident examples', () => {
  const samples = [
    { id: '1', path: '/a1.png', label: 0, predicted: 0, score: 0.9 },
    { id: '2', path: '/a2.png', label: 0, predicted: 1, score: 0.6 },
    { id: '3', path: '/a3.png', label: 0, predicted: 1, score: 0.8 },
    { id: '4', path: '/b1.png', label: 1, predicted: 1, score: 0.7 },
    { id: '5', path: '/c1.png', label: 2, predicted: 0, score: 0.5 },
  ];
  const r = buildClassifierEval(samples, ['cat', 'dog', 'fox'], { epoch: 4, split: 'test' });
  assert.equal(r.accuracy, 2 / 5);
  assert.deepEqual(r.confusion.matrix, [[1, 2, 0], [0, 1, 0], [1, 0, 0]]);
  assert.deepEqual(r.mostConfused.map((p) => [p.trueClass, p.predictedClass, p.count]), [['cat', 'dog', 2], ['fox', 'cat', 1]]);
  assert.deepEqual(r.mostConfused[0]!.examples.map((e) => e.id), ['3', '2']);
  const dog = r.perClass[1]!;
  assert.equal(dog.precision, 1 / 3);
  assert.equal(dog.recall, 1);
  assert.equal(dog.F1, 0.5);
  assert.equal(r.macro.precision, (0.5 + 1 / 3 + 0) / 3);
});

test('IDX folder with only t10k files (the MNIST test split): all of it is split seeded, digits as class names', async () => {
  const dir = resolve(import.meta.dirname, '../../../shared/datasets/classification/mnist-test');
  const d = await loadClassifierDataset({ kind: 'idx', dir, testLimit: 200 }, { preset: 'fashion-mnist-cnn', colorMode: 'auto' });
  assert.equal(d.samples.length, 200);
  assert.equal(d.fixedTest, null);
  assert.deepEqual(d.classes, ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
  assert.deepEqual(d.inputShape, [28, 28, 1]);
  assert.match(d.warnings.join('\n'), /only t10k files: they are split into train, validation and test/);
  assert.equal(d.samples[0]!.pixels.length, 784);
});
