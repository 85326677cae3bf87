import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { encodeBatchTargets, yoloLoss, yoloLossTerms, type GridSpec, type LabeledBox } from '../../shared/ml/detector';

const close = (a: number, b: number, eps = 1e-5) => assert.ok(Math.abs(a - b) < eps, `${a} vs ${b}`);
const values = (t: ReturnType<typeof yoloLossTerms>) => Object.fromEntries(Object.entries(t).map(([k, v]) => [k, v.dataSync()[0]]));

// One 32 px cell, one anchor of 1×1 cell, one class; the box is 16×16 px at the centre = 0.5×0.5 cells.
const one: GridSpec = { inputSize: 32, gridSize: 1, anchors: [[1, 1]], numClasses: 1 };
const centreBox: LabeledBox[] = [{ x1: 8, y1: 8, x2: 24, y2: 24, classId: 0 }];

test('loss: hand-computed terms for an all-zero prediction', () => {
  const y = encodeBatchTargets([centreBox], one, 4);
  const pred = tf.zeros([1, 1, 1, 6]); // p_xy = 0.5 (exact), p_wh = 1, p_o = 0.5
  const v = values(yoloLossTerms(y, pred, one));
  // coord: (0 − log 0.5)² · 2 = 0.960906, box scale 2 − 0.25 = 1.75
  close(v.coord, 1.75 * 2 * Math.log(0.5) ** 2);
  // objectness (rescore): IoU(1×1, 0.5×0.5) = 0.25 → 5 · (0.5 − 0.25)²
  close(v.objectness, 5 * 0.25 ** 2);
  close(v.noObject, 0);
  close(v.class, 0); // one class: log-softmax is 0
  close(v.prior, 0);
  close(v.total, v.coord + v.objectness);
  // Without rescore the objectness target is 1.
  close(values(yoloLossTerms(y, pred, one, { rescore: false })).objectness, 5 * 0.25);
});

test('loss: the ignore threshold spares background predictions that overlap a true box', () => {
  const spec: GridSpec = { inputSize: 32, gridSize: 1, anchors: [[1, 1], [1.05, 1.05]], numClasses: 1 };
  const y = encodeBatchTargets([[{ x1: 0, y1: 0, x2: 32, y2: 32, classId: 0 }]], spec, 2); // 1×1 cells → anchor 0
  const pred = tf.zeros([1, 1, 1, 12]);
  // Anchor 1 predicts a 1.05×1.05 box at the centre: IoU with the truth 1/1.1025 = 0.907.
  close(values(yoloLossTerms(y, pred, spec)).noObject, 0);
  close(values(yoloLossTerms(y, pred, spec, { ignoreThreshold: 0.95 })).noObject, 0.25); // 1 · 0.5²
  close(values(yoloLossTerms(y, pred, spec, { ignoreThreshold: 0.95, lambdaNoObj: 0.5 })).noObject, 0.125);
});

test('loss: class term is softmax cross-entropy at responsible anchors only', () => {
  const spec: GridSpec = { inputSize: 64, gridSize: 2, anchors: [[1, 1]], numClasses: 3 };
  const y = encodeBatchTargets([[{ x1: 0, y1: 0, x2: 32, y2: 32, classId: 2 }]], spec, 1);
  const raw = new Float32Array(4 * 8);
  raw.set([1, 2, 3], 5); // cell (0,0): logits → CE = −log softmax[2]
  raw.set([9, 0, 0], 8 + 5); // other cells' class logits do not matter
  const expected = -Math.log(Math.exp(3) / (Math.exp(1) + Math.exp(2) + Math.exp(3)));
  close(values(yoloLossTerms(y, tf.tensor4d(raw, [1, 2, 2, 8]), spec, { lambdaClass: 2 })).class, 2 * expected);
});

/** Perfect logits for the target: the loss must be ~0. */
test('loss: ~0 for a perfect prediction, averaged per image', () => {
  const spec: GridSpec = { inputSize: 64, gridSize: 2, anchors: [[0.5, 0.5], [1.5, 1.5]], numClasses: 2 };
  const y = encodeBatchTargets([[{ x1: 8, y1: 40, x2: 24, y2: 56, classId: 1 }]], spec, 2);
  const t = y.target.dataSync();
  const raw = new Float32Array(2 * 2 * 2 * 7);
  for (let i = 0; i < 8; i++) {
    const o = i * 7;
    if (t[o + 4] === 0) { raw[o + 4] = -15; continue; }
    const row = Math.floor(i / 4), col = Math.floor(i / 2) % 2, a = i % 2;
    const logit = (p: number) => Math.log(p / (1 - p));
    raw.set([logit(t[o] - col), logit(t[o + 1] - row), Math.log(t[o + 2] / spec.anchors[a][0]), Math.log(t[o + 3] / spec.anchors[a][1]), 15, -15, 15], o);
  }
  const single = yoloLoss(y, tf.tensor4d(raw, [1, 2, 2, 14]), spec).dataSync()[0];
  assert.ok(single < 1e-5, `loss ${single}`);
  // A batch of two images with the same total error per image gives the same (per-image) loss.
  const pred0 = tf.zeros([1, 2, 2, 14]);
  const l1 = yoloLoss(y, pred0, spec).dataSync()[0];
  const y2 = encodeBatchTargets([[{ x1: 8, y1: 40, x2: 24, y2: 56, classId: 1 }], [{ x1: 8, y1: 40, x2: 24, y2: 56, classId: 1 }]], spec, 2);
  close(yoloLoss(y2, tf.zeros([2, 2, 2, 14]), spec).dataSync()[0], l1);
});

test('loss: gradients are finite; rescore and ignore masks carry no gradient into box logits', () => {
  const y = encodeBatchTargets([centreBox], one, 4);
  const pred = tf.tensor4d([[[[0.3, -0.2, 0.1, 0.4, 0.2, 0.7]]]]);
  const gObj = tf.grad((p: tf.Tensor) => yoloLossTerms(y, p, one).objectness)(pred).dataSync();
  assert.ok(gObj.every(Number.isFinite));
  assert.deepEqual([...gObj.slice(0, 4)], [0, 0, 0, 0], 'objectness term must not move the box through its IoU target');
  assert.ok(gObj[4] !== 0);
  const gTotal = tf.grad((p: tf.Tensor) => yoloLoss(y, p, one))(pred).dataSync();
  assert.ok(gTotal.slice(0, 5).every((v) => Number.isFinite(v) && v !== 0));
  // Huge wh logits stay finite.
  const wild = tf.tensor4d([[[[0, 0, 80, 80, 0, 0]]]]);
  assert.ok(Number.isFinite(yoloLoss(y, wild, one).dataSync()[0]));
});

test('loss: rejects mismatched shapes', () => {
  const y = encodeBatchTargets([centreBox], one, 4);
  assert.throws(() => yoloLoss(y, tf.zeros([1, 1, 1, 7]), one), /does not match/);
});

test('loss: zero rows padding the true boxes change nothing (batches keep only the rows they need)', () => {
  const spec: GridSpec = { inputSize: 64, gridSize: 4, anchors: [[1, 1], [2, 1]], numClasses: 2 };
  const boxes: LabeledBox[][] = [
    [{ x1: 2, y1: 3, x2: 30, y2: 20, classId: 1 }, { x1: 40, y1: 36, x2: 60, y2: 62, classId: 0 }, { x1: 10, y1: 40, x2: 22, y2: 50, classId: 1 }],
    [{ x1: 20, y1: 20, x2: 44, y2: 44, classId: 0 }],
  ];
  const y = encodeBatchTargets(boxes, spec, 50);
  assert.equal(y.trueBoxes.shape[1], 4);
  const padded = { target: y.target, trueBoxes: tf.pad(y.trueBoxes, [[0, 0], [0, 46], [0, 0]]) as tf.Tensor3D };
  const pred = tf.randomNormal([2, 4, 4, 2 * 7], 0, 1.5, 'float32', 7);
  const trimmed = values(yoloLossTerms(y, pred, spec));
  const full = values(yoloLossTerms(padded, pred, spec));
  assert.ok(trimmed.noObject! > 0, 'some predictions count as background');
  assert.deepEqual(trimmed, full);
  tf.dispose([y.target, y.trueBoxes, padded.trueBoxes, pred]);
});
