import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { boxIou, encodeImageTargets, encodeBatchTargets, postprocessYoloOutput, rankAnchors, type GridSpec, type LabeledBox } from '../../shared/ml/detector';

// 64 px input, 2×2 grid of 32 px cells, anchors 0.5 and 1.5 cells, three classes: F = 8.
const spec: GridSpec = { inputSize: 64, gridSize: 2, anchors: [[0.5, 0.5], [1.5, 1.5]], numClasses: 3 };
const F = 8;
const at = (row: number, col: number, a: number, f: number) => ((row * 2 + col) * 2 + a) * F + f;

test('rankAnchors orders anchors by centred IoU with the box shape', () => {
  assert.deepEqual(rankAnchors(0.5, 0.5, spec.anchors), [0, 1]);
  assert.deepEqual(rankAnchors(1.4, 1.2, spec.anchors), [1, 0]);
});

test('encode: box goes to the cell of its centre and the best anchor, grid units', () => {
  const enc = encodeImageTargets([{ x1: 8, y1: 40, x2: 24, y2: 56, classId: 2 }], spec, 4);
  assert.equal(enc.assigned, 1);
  assert.equal(enc.dropped, 0);
  assert.deepEqual([...enc.target.slice(at(1, 0, 0, 0), at(1, 0, 0, 0) + F)], [0.5, 1.5, 0.5, 0.5, 1, 0, 0, 1]);
  const nonZero = [...enc.target].filter((v) => v !== 0).length;
  assert.equal(nonZero, 6, 'nothing else is written');
  assert.deepEqual([...enc.trueBoxes], [0.5, 1.5, 0.5, 0.5, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
});

test('encode: a taken anchor falls back to the next best, then the box is dropped', () => {
  const box: LabeledBox = { x1: 8, y1: 8, x2: 24, y2: 24, classId: 0 };
  const enc = encodeImageTargets([box, { ...box, classId: 1 }, { ...box, classId: 2 }], spec, 2);
  assert.equal(enc.assigned, 2);
  assert.equal(enc.dropped, 1);
  assert.equal(enc.target[at(0, 0, 0, 4)], 1);
  assert.equal(enc.target[at(0, 0, 0, 5)], 1);
  assert.equal(enc.target[at(0, 0, 1, 4)], 1);
  assert.equal(enc.target[at(0, 0, 1, 6)], 1);
});

test('encode: clips to the input, drops degenerate boxes and unknown classes', () => {
  const enc = encodeImageTargets([
    { x1: -32, y1: 0, x2: 32, y2: 64, classId: 0 }, // clipped to 0..32 → centre (0.5, 1) cells, 1×2 cells
    { x1: 10, y1: 10, x2: 10, y2: 20, classId: 0 },
    { x1: 0, y1: 0, x2: 20, y2: 20, classId: 3 },
  ], spec, 4);
  assert.equal(enc.assigned, 1);
  assert.equal(enc.dropped, 2);
  assert.deepEqual([...enc.target.slice(at(1, 0, 1, 0), at(1, 0, 1, 0) + 5)], [0.5, 1, 1, 2, 1]);
});

/** The raw logits a perfect model would output for this target. */
function idealRaw(target: Float32Array, s: GridSpec): Float32Array {
  const raw = new Float32Array(target.length);
  const A = s.anchors.length, Fs = 5 + s.numClasses;
  const logit = (p: number) => Math.log(p / (1 - p));
  for (let row = 0; row < s.gridSize; row++) for (let col = 0; col < s.gridSize; col++) for (let a = 0; a < A; a++) {
    const o = ((row * s.gridSize + col) * A + a) * Fs;
    if (target[o + 4] === 0) { raw[o + 4] = -12; continue; }
    raw[o] = logit(target[o] - col);
    raw[o + 1] = logit(target[o + 1] - row);
    raw[o + 2] = Math.log(target[o + 2] / s.anchors[a][0]);
    raw[o + 3] = Math.log(target[o + 3] / s.anchors[a][1]);
    raw[o + 4] = 12;
    for (let c = 0; c < s.numClasses; c++) raw[o + 5 + c] = target[o + 5 + c] ? 12 : -12;
  }
  return raw;
}

test('encode → ideal logits → decode + NMS recovers every box and class', () => {
  const big: GridSpec = { inputSize: 416, gridSize: 13, anchors: [[1.08, 1.19], [3.42, 4.41], [6.63, 11.38], [9.42, 5.11], [16.62, 10.52]], numClasses: 4 };
  const boxes: LabeledBox[] = [
    { x1: 30, y1: 40, x2: 90, y2: 120, classId: 0 },
    { x1: 200, y1: 210, x2: 390, y2: 300, classId: 3 },
    { x1: 100.5, y1: 300.25, x2: 130.75, y2: 410, classId: 1 },
    { x1: 5, y1: 5, x2: 411, y2: 411, classId: 2 },
  ];
  const enc = encodeImageTargets(boxes, big, 10);
  assert.equal(enc.assigned, 4);
  const dets = postprocessYoloOutput(idealRaw(enc.target, big), big, { scoreThreshold: 0.5 });
  assert.equal(dets.length, 4);
  for (const b of boxes) {
    const match = dets.find((d) => d.classId === b.classId);
    assert.ok(match, `class ${b.classId} found`);
    for (const k of ['x1', 'y1', 'x2', 'y2'] as const) assert.ok(Math.abs(match[k] - b[k]) < 1e-3, `${k}: ${match[k]} vs ${b[k]}`);
    assert.ok(boxIou(match, b) > 0.9999);
  }
});

test('encodeBatchTargets stacks images into [B, g, g, A, 5+C] and [B, M, 4]', () => {
  const t = encodeBatchTargets([[{ x1: 8, y1: 40, x2: 24, y2: 56, classId: 2 }], []], spec, 3);
  assert.deepEqual(t.target.shape, [2, 2, 2, 2, 8]);
  assert.deepEqual(t.trueBoxes.shape, [2, 1, 4], 'one row: the fullest image has one box');
  const data = t.target.dataSync();
  assert.equal(data[at(1, 0, 0, 4)], 1);
  assert.equal(Array.from(data.slice(64)).reduce((a, b) => a + b, 0), 0);
  t.target.dispose();
  t.trueBoxes.dispose();
});

test('encodeBatchTargets keeps as many box rows as the fullest image needs, a power of two, at most maxBoxes', () => {
  // one box per cell along the diagonal of a 16×16 grid: every box gets an anchor
  const diagonal: GridSpec = { inputSize: 128, gridSize: 16, anchors: [[1, 1]], numClasses: 1 };
  const box = (i: number): LabeledBox => ({ x1: 8 * i, y1: 8 * i, x2: 8 * i + 8, y2: 8 * i + 8, classId: 0 });
  const rowsFor = (counts: number[], maxBoxes: number): number => {
    const t = encodeBatchTargets(counts.map((n) => Array.from({ length: n }, (_, i) => box(i))), diagonal, maxBoxes);
    const rows = t.trueBoxes.shape[1];
    if (counts.some((n) => n > 0)) {
      // every listed box is kept, in order, and the padding is zero
      const data = t.trueBoxes.arraySync();
      counts.forEach((n, img) => data[img]!.forEach((row, r) => assert.equal(row.some((v) => v !== 0), r < Math.min(n, maxBoxes), `image ${img} row ${r}`)));
    }
    tf.dispose([t.target, t.trueBoxes]);
    return rows;
  };
  assert.equal(rowsFor([0, 0], 50), 1);
  assert.equal(rowsFor([3, 1], 50), 4);
  assert.equal(rowsFor([5, 0], 50), 8);
  assert.equal(rowsFor([5, 2], 6), 6);
  assert.equal(rowsFor([9], 3), 3);
});
