/**
 * WeightEma: the YOLOv5 recurrence ema ← d·ema + (1 − d)·w with d = decay·(1 − exp(−n/tau)) over
 * every float weight (trainable, frozen, BatchNorm moving statistics), the swap for validation
 * and saving (restored even when the callback throws), resume state, and no tensor leaks.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { DEFAULT_EMA_DECAY, DEFAULT_EMA_TAU, WeightEma } from '../../shared/ml/train/ema';

/** Dense (frozen) → Dense → BatchNorm: trainable, frozen and non-trainable (moving stats) weights. */
function smallModel(): tf.LayersModel {
  const input = tf.input({ shape: [3] });
  const frozen = tf.layers.dense({ units: 4, trainable: false }).apply(input) as tf.SymbolicTensor;
  const dense = tf.layers.dense({ units: 2 }).apply(frozen) as tf.SymbolicTensor;
  const bn = tf.layers.batchNormalization().apply(dense) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: bn });
}

const values = (ts: readonly tf.Tensor[]): number[][] => ts.map((t) => Array.from(t.dataSync()));
const modelValues = (m: tf.LayersModel): number[][] => values(m.weights.map((w) => w.read()));

function assertClose(a: number[][], b: number[][], tol: number, what: string): void {
  assert.equal(a.length, b.length, what);
  a.forEach((row, i) => row.forEach((v, j) => assert.ok(Math.abs(v - b[i][j]) <= tol, `${what}: [${i}][${j}] ${v} vs ${b[i][j]}`)));
}

/** Sets every weight to f(weight index, element index, step). */
function setWeights(m: tf.LayersModel, step: number): number[][] {
  const vals = m.weights.map((w, i) => Array.from({ length: w.shape.reduce((s: number, d) => s * (d ?? 1), 1) }, (_, j) => Math.sin(1 + i * 7 + j * 3 + step * 0.9) * (1 + step)));
  m.weights.forEach((w, i) => {
    const t = tf.tensor(vals[i], w.shape as number[]);
    w.write(t);
    t.dispose(); // the variable keeps the data
  });
  return vals;
}

test('constant weights: after N updates the EMA equals them; every float weight is tracked', async () => {
  await tf.setBackend('cpu');
  const model = smallModel();
  const ema = new WeightEma(model);
  assert.equal(ema.decay, DEFAULT_EMA_DECAY);
  assert.equal(ema.tau, DEFAULT_EMA_TAU);
  assert.equal(ema.size, model.weights.length, 'kernel/bias ×2 and BN gamma/beta/moving mean/moving variance');
  assert.ok(model.weights.some((w) => !w.trainable));
  const w = modelValues(model);
  for (let i = 0; i < 30; i++) ema.update();
  assert.equal(ema.updates, 30);
  const state = ema.toTensors();
  assertClose(values(state), w, 1e-6, 'ema = w');
  tf.dispose(state);
  ema.dispose();
  model.dispose();
});

test('changing weights: the EMA follows the hand-computed recurrence (trainable, frozen, BN stats)', async () => {
  await tf.setBackend('cpu');
  const model = smallModel();
  const decay = 0.9, tau = 3;
  let expected = modelValues(model);
  const ema = new WeightEma(model, { decay, tau });
  for (let n = 1; n <= 12; n++) {
    const w = setWeights(model, n);
    ema.update();
    const d = decay * (1 - Math.exp(-n / tau));
    assert.equal(ema.decayAt(n), d);
    expected = expected.map((row, i) => row.map((e, j) => d * e + (1 - d) * w[i][j]));
  }
  const got = ema.toTensors();
  assertClose(values(got), expected, 1e-5, 'recurrence');
  tf.dispose(got);
  ema.dispose();
  model.dispose();
});

test('works with optimizer updates (variables reassigned by the optimizer)', async () => {
  await tf.setBackend('cpu');
  const model = smallModel();
  const ema = new WeightEma(model, { decay: 0.5, tau: 1e-9 }); // d = 0.5 from the first update
  const opt = tf.train.sgd(0.1);
  const x = tf.tensor2d([[1, 2, 3], [0.5, -1, 2]]);
  let expected = modelValues(model);
  for (let step = 0; step < 3; step++) {
    opt.minimize(() => tf.sum(tf.square(model.apply(x, { training: true }) as tf.Tensor)) as tf.Scalar);
    ema.update();
    const w = modelValues(model);
    expected = expected.map((row, i) => row.map((e, j) => 0.5 * e + 0.5 * w[i][j]));
  }
  const got = ema.toTensors();
  assertClose(values(got), expected, 1e-5, 'ema after sgd');
  assert.notDeepEqual(values(got), modelValues(model));
  tf.dispose([got, x]);
  opt.dispose();
  ema.dispose();
  model.dispose();
});

test('withEmaWeights swaps the EMA in and the training weights back, also when fn throws', async () => {
  await tf.setBackend('cpu');
  const model = smallModel();
  const ema = new WeightEma(model, { decay: 0.9, tau: 2 });
  for (let n = 1; n <= 5; n++) { setWeights(model, n); ema.update(); }
  const training = modelValues(model);
  const emaVals = values(ema.toTensors());
  assert.notDeepEqual(emaVals, training);
  const x = tf.tensor2d([[1, 2, 3]]);
  const out = await ema.withEmaWeights(async () => {
    assertClose(modelValues(model), emaVals, 0, 'inside: EMA weights');
    assert.throws(() => ema.update(), /inside withEmaWeights/);
    await assert.rejects(ema.withEmaWeights(async () => 1), /already inside/);
    return 42;
  });
  assert.equal(out, 42);
  assertClose(modelValues(model), training, 0, 'restored after return');
  await assert.rejects(ema.withEmaWeights(async () => {
    await new Promise((r) => setTimeout(r, 1));
    throw new Error('validation failed');
  }), /validation failed/);
  assertClose(modelValues(model), training, 0, 'restored after throw');
  assertClose(values(ema.toTensors()), emaVals, 0, 'EMA unchanged by the swap');
  // Training goes on after a swap: the next update still folds in the training weights.
  ema.update();
  tf.dispose(x);
  ema.dispose();
  model.dispose();
});

test('no tensor leak across update, withEmaWeights, toTensors; dispose frees the EMA', async () => {
  await tf.setBackend('cpu');
  const model = smallModel();
  const ema = new WeightEma(model);
  ema.update();
  const before = tf.memory().numTensors;
  for (let i = 0; i < 25; i++) { setWeights(model, i); ema.update(); }
  await ema.withEmaWeights(async () => undefined);
  await ema.withEmaWeights(async () => { throw new Error('x'); }).catch(() => undefined);
  tf.dispose(ema.toTensors());
  assert.equal(tf.memory().numTensors, before);
  ema.dispose();
  assert.equal(tf.memory().numTensors, before - model.weights.length);
  assert.throws(() => ema.update(), /disposed/);
  model.dispose();
});

test('resume: loadTensors + update count continue the same average', async () => {
  await tf.setBackend('cpu');
  const model = smallModel();
  const a = new WeightEma(model, { decay: 0.95, tau: 4 });
  for (let n = 1; n <= 6; n++) { setWeights(model, n); a.update(); }
  const saved = a.toTensors();
  const b = new WeightEma(model, { decay: 0.95, tau: 4 });
  b.loadTensors(saved, a.updates);
  tf.dispose(saved); // b keeps its own reference
  assert.equal(b.updates, 6);
  for (let n = 7; n <= 9; n++) { setWeights(model, n); a.update(); b.update(); }
  assertClose(values(b.toTensors()), values(a.toTensors()), 0, 'same EMA');
  assert.throws(() => b.loadTensors([], 1), /expected \d+ tensors/);
  const wrong = a.toTensors();
  wrong[0].dispose();
  wrong[0] = tf.zeros([1]);
  assert.throws(() => b.loadTensors(wrong, 1), /tensor 0 is float32\[1\]/);
  tf.dispose(wrong);
  assert.throws(() => new WeightEma(model, { decay: 1 }), /decay/);
  a.dispose();
  b.dispose();
  model.dispose();
});
