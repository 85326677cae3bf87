import { test } from 'node:test';
import assert from 'node:assert/strict';
import { nmsPerClass, nonMaxSuppression, nonMaxSuppressionTf, type Detection } from '../../shared/ml/detector';
import { createRng } from '../../shared/ml/random';

const boxes = Float32Array.from([
  0, 0, 10, 10, // 0: score .9
  1, 1, 11, 11, // 1: IoU with 0 = 81/119 = 0.6807
  20, 20, 30, 30, // 2
  0, 0, 10, 5, // 3: IoU with 0 = 0.5 exactly
]);
const scores = Float32Array.from([0.9, 0.8, 0.7, 0.6]);

test('nms: suppresses overlaps above the threshold, keeps score order', () => {
  assert.deepEqual([...nonMaxSuppression(boxes, scores, { iouThreshold: 0.5 })], [0, 2, 3]);
  assert.deepEqual([...nonMaxSuppression(boxes, scores, { iouThreshold: 0.7 })], [0, 1, 2, 3]);
  assert.deepEqual([...nonMaxSuppression(boxes, scores, { iouThreshold: 0.49 })], [0, 2]);
});

test('nms: maxOutput and scoreThreshold', () => {
  assert.deepEqual([...nonMaxSuppression(boxes, scores, { iouThreshold: 0.7, maxOutput: 2 })], [0, 1]);
  assert.deepEqual([...nonMaxSuppression(boxes, scores, { iouThreshold: 0.7, scoreThreshold: 0.75 })], [0, 1]);
  assert.deepEqual([...nonMaxSuppression(new Float32Array(0), new Float32Array(0))], []);
  assert.throws(() => nonMaxSuppression(boxes, new Float32Array(3)), /expected 12 box values/);
});

test('nms per class: boxes of different classes do not suppress each other', () => {
  const dets: Detection[] = [
    { x1: 0, y1: 0, x2: 10, y2: 10, classId: 0, score: 0.9 },
    { x1: 0, y1: 0, x2: 10, y2: 10, classId: 1, score: 0.95 },
    { x1: 1, y1: 1, x2: 11, y2: 11, classId: 0, score: 0.8 },
    { x1: 1, y1: 1, x2: 11, y2: 11, classId: 1, score: 0.5 },
  ];
  const kept = nmsPerClass(dets, { iouThreshold: 0.5 });
  assert.deepEqual(kept.map((d) => [d.classId, d.score]), [[1, 0.95], [0, 0.9]]);
  assert.equal(nmsPerClass(dets, { iouThreshold: 0.5, maxOutput: 1 }).length, 1);
});

test('nms: pure TS agrees with tf.image.nonMaxSuppression on random boxes', async () => {
  const rng = createRng(7);
  const n = 300;
  const b = new Float32Array(n * 4);
  const s = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const x = rng.uniform(0, 200), y = rng.uniform(0, 200);
    b.set([x, y, x + rng.uniform(5, 60), y + rng.uniform(5, 60)], i * 4);
    s[i] = rng.next();
  }
  for (const iouThreshold of [0.3, 0.5, 0.7]) {
    const ours = nonMaxSuppression(b, s, { iouThreshold, maxOutput: 100 });
    const theirs = await nonMaxSuppressionTf(b, s, { iouThreshold, maxOutput: 100 });
    assert.ok(ours.length > 10);
    assert.deepEqual([...ours], [...theirs]);
  }
});
