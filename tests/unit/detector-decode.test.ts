import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeYoloOutput, postprocessYoloOutput, type GridSpec } from '../../shared/ml/detector';

// 64 px input, 2×2 grid (32 px cells), two anchors, two classes: 2·2·2·7 = 56 values.
const spec: GridSpec = { inputSize: 64, gridSize: 2, anchors: [[1, 1], [2, 0.5]], numClasses: 2 };
const F = 7;
const at = (row: number, col: number, a: number, f: number) => ((row * 2 + col) * 2 + a) * F + f;

function rawWithOneBox(): Float32Array {
  const raw = new Float32Array(56);
  for (let i = 0; i < 8; i++) raw[i * F + 4] = -20; // every objectness ≈ 0
  raw[at(1, 0, 1, 2)] = Math.log(2); // tw: w = 2 · 2 = 4 cells
  raw[at(1, 0, 1, 4)] = Math.log(4); // sigmoid = 0.8
  raw[at(1, 0, 1, 6)] = Math.log(3); // class probs [0.25, 0.75]
  return raw;
}

test('decode: hand-computed box, score and class in input pixels', () => {
  const dets = decodeYoloOutput(rawWithOneBox(), spec, { scoreThreshold: 0.1 });
  assert.equal(dets.length, 1);
  const d = dets[0];
  // cx = (0 + 0.5)·32 = 16, cy = (1 + 0.5)·32 = 48, w = 2·2·32 = 128, h = 0.5·1·32 = 16
  assert.equal(d.classId, 1);
  assert.ok(Math.abs(d.score - 0.6) < 1e-6);
  for (const [k, v] of Object.entries({ x1: -48, y1: 40, x2: 80, y2: 56 })) assert.ok(Math.abs(d[k as 'x1'] - v) < 1e-4, `${k} ${d[k as 'x1']}`);
});

test('decode: multiLabel emits one candidate per class over threshold', () => {
  const dets = decodeYoloOutput(rawWithOneBox(), spec, { scoreThreshold: 0.1, multiLabel: true });
  assert.deepEqual(dets.map((d) => d.classId), [0, 1]);
  assert.ok(Math.abs(dets[0].score - 0.2) < 1e-6);
  assert.equal(decodeYoloOutput(rawWithOneBox(), spec, { scoreThreshold: 0.61 }).length, 0);
});

test('decode: transform back to original pixels, then clip to the image', () => {
  // Original 128×64 letterboxed into 64×64: scale 0.5, offset y 16.
  const transform = { scaleX: 0.5, scaleY: 0.5, offsetX: 0, offsetY: 16 };
  const [d] = decodeYoloOutput(rawWithOneBox(), spec, { scoreThreshold: 0.1, transform });
  assert.ok(Math.abs(d.x1 - -96) < 1e-4 && Math.abs(d.x2 - 160) < 1e-4);
  assert.ok(Math.abs(d.y1 - 48) < 1e-4 && Math.abs(d.y2 - 80) < 1e-4);
  const [c] = decodeYoloOutput(rawWithOneBox(), spec, { scoreThreshold: 0.1, transform, imageSize: { width: 128, height: 64 } });
  assert.deepEqual([c.x1, c.x2, c.y2], [0, 128, 64]);
  assert.ok(Math.abs(c.y1 - 48) < 1e-4);
});

test('decode: rejects output of the wrong size', () => {
  assert.throws(() => decodeYoloOutput(new Float32Array(55), spec), /expected 56 values/);
});

test('postprocess: duplicates of one object collapse to the best one', () => {
  const raw = rawWithOneBox();
  // A nearly identical box (same size, same centre) from anchor 0 of the same cell, lower score.
  raw[at(1, 0, 0, 2)] = Math.log(4); // w = 4 cells
  raw[at(1, 0, 0, 3)] = Math.log(0.5); // h = 0.5 cell
  raw[at(1, 0, 0, 4)] = Math.log(3); // objectness 0.75
  raw[at(1, 0, 0, 6)] = Math.log(3);
  assert.equal(decodeYoloOutput(raw, spec, { scoreThreshold: 0.1 }).length, 2);
  const kept = postprocessYoloOutput(raw, spec, { scoreThreshold: 0.1, iouThreshold: 0.45 });
  assert.equal(kept.length, 1);
  assert.ok(Math.abs(kept[0].score - 0.6) < 1e-6);
});
