/** The classifier setup form's model: typed values → train.start's `classifier`, with per-field messages. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildClassifierConfig, defaultClassifySetup } from '../../renderer/views/train/classify-form';
import { classifyRecord } from '../../renderer/views/train/metric-records';

test('a class folder and the schedule become a classifier config the API accepts', () => {
  const v = { ...defaultClassifySetup(), folder: ' /data/shapes ', inputSize: '32', epochs: '5', batchSize: '8', learningRate: '0.003', optimizer: 'adagrad' as const, balance: 'weights' as const, patience: '2' };
  const { config, errors } = buildClassifierConfig(v, null);
  assert.deepEqual(errors, {});
  assert.deepEqual(config, {
    source: { kind: 'folder', dir: '/data/shapes' }, preset: 'fashion-mnist-cnn', inputShape: [32, 32, 3], epochs: 5, batchSize: 8,
    learningRate: 0.003, optimizer: 'adagrad', balance: 'weights', patience: 2, backend: 'auto',
  });
});

test('box crops take a padding; empty learning rate and input size leave the preset to choose', () => {
  const { config, errors } = buildClassifierConfig({ ...defaultClassifySetup(), sourceKind: 'crops', padding: '0.25' }, null);
  assert.deepEqual(errors, {});
  assert.deepEqual(config?.source, { kind: 'crops', padding: 0.25 });
  assert.equal('learningRate' in (config ?? {}), false);
  assert.equal('inputShape' in (config ?? {}), false);
});

test('IDX files: a folder, an optional train-image limit, grayscale input', () => {
  const { config, errors } = buildClassifierConfig({ ...defaultClassifySetup(), sourceKind: 'idx', idxDir: '/data/fashion-mnist', trainLimit: '2000', inputSize: '28' }, null);
  assert.deepEqual(errors, {});
  assert.deepEqual(config?.source, { kind: 'idx', dir: '/data/fashion-mnist', trainLimit: 2000 });
  assert.deepEqual(config?.inputShape, [28, 28, 1]);
  const all = buildClassifierConfig({ ...defaultClassifySetup(), sourceKind: 'idx', idxDir: '/data/mnist' }, null);
  assert.deepEqual(all.config?.source, { kind: 'idx', dir: '/data/mnist' });
  const missing = buildClassifierConfig({ ...defaultClassifySetup(), sourceKind: 'idx', trainLimit: 'many' }, null);
  assert.equal(missing.config, null);
  assert.ok(missing.errors.idxDir);
  assert.match(missing.errors.trainLimit!, /not a number/);
});

test('bad fields get their own message and no config', () => {
  const r = buildClassifierConfig({ ...defaultClassifySetup(), epochs: '2.5', learningRate: 'fast', padding: '9', sourceKind: 'crops', inputSize: '4', name: 'a b' }, null);
  assert.equal(r.config, null);
  assert.equal(r.errors.epochs, 'must be a whole number');
  assert.match(r.errors.learningRate!, /not a number/);
  assert.ok(r.errors.name);
  const noFolder = buildClassifierConfig(defaultClassifySetup(), null);
  assert.equal(noFolder.config, null);
  assert.ok(noFolder.errors.folder);
  const badRange = buildClassifierConfig({ ...defaultClassifySetup(), sourceKind: 'crops', padding: '9', inputSize: '4' }, null);
  assert.ok(badRange.errors.padding, 'padding above 2 is refused');
  assert.ok(badRange.errors.inputSize, 'an input side under 8 is refused');
  const unavailable = buildClassifierConfig({ ...defaultClassifySetup(), folder: '/x', backend: 'webgpu' as never }, [{ name: 'webgpu', available: false } as never]);
  assert.ok(unavailable.errors.backend);
});

test('a classifier epoch becomes a record keyed by its metrics.csv columns', () => {
  const rec = classifyRecord({ epoch: 3, time: 12, train: { loss: 0.5, accuracy: 0.8 }, val: null, lr: 0.001 });
  assert.deepEqual(rec, { epoch: 3, time: 12, 'train/loss': 0.5, 'train/accuracy': 0.8, 'val/loss': null, 'val/accuracy': null, 'lr/pg0': 0.001 });
});
