// Task-aligned assignment of the point head (shared/ml/detector/point-assign.ts) on hand-made
// cases. Grid: inputSize 64, strides 8, 16, 32 → 64 + 16 + 4 points; stride-8 point (row, col) is
// index row·8 + col at ((col + 0.5)·8, (row + 0.5)·8); stride-16 points start at 64, stride-32 at 80.
// Ground truth has M ≥ 2 rows (unused rows are zero padding with valid 0, as encodePointTargets
// writes them); M = 1 is the last test.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { taskAlignedAssign, type AssignOptions } from '../../shared/ml/detector/point-assign';
import { pointGrid } from '../../shared/ml/detector/points';

before(async () => {
  await tf.setBackend('cpu');
});

const SPEC = { inputSize: 64, strides: [8, 16, 32] };
const GRID = pointGrid(SPEC);
const N = GRID.strides.length;
const C = 2;
const s8 = (row: number, col: number) => row * 8 + col;
const s16 = (row: number, col: number) => 64 + row * 4 + col;
const s32 = (row: number, col: number) => 80 + row * 2 + col;

type Box = [number, number, number, number];
interface Gt { box: Box; classId: number; valid?: boolean }
interface Pred { score: number[]; box: Box }

const FAR: Box = [200, 200, 201, 201]; // overlaps nothing in the image

/** Per image: point predictions (default: low scores, a box far away) and ground-truth rows. */
function assign(images: { preds?: Map<number, Pred>; defaultScore?: number; defaultBox?: Box; gts: Gt[] }[], M: number, options: AssignOptions = {}) {
  const B = images.length;
  const scores = new Float32Array(B * N * C);
  const boxes = new Float32Array(B * N * 4);
  const gtBoxes = new Float32Array(B * M * 4);
  const gtClasses = new Float32Array(B * M * C);
  const valid = new Float32Array(B * M);
  images.forEach((img, b) => {
    for (let p = 0; p < N; p++) {
      const pred = img.preds?.get(p) ?? { score: [img.defaultScore ?? 0.01, img.defaultScore ?? 0.01], box: img.defaultBox ?? FAR };
      scores.set(pred.score, (b * N + p) * C);
      boxes.set(pred.box, (b * N + p) * 4);
    }
    img.gts.forEach((g, m) => {
      gtBoxes.set(g.box, (b * M + m) * 4);
      gtClasses[(b * M + m) * C + g.classId] = 1;
      valid[b * M + m] = g.valid === false ? 0 : 1;
    });
  });
  const out = tf.tidy(() => taskAlignedAssign({
    scores: tf.tensor3d(scores, [B, N, C]),
    boxes: tf.tensor3d(boxes, [B, N, 4]),
    gtBoxes: tf.tensor3d(gtBoxes, [B, M, 4]),
    gtClasses: tf.tensor3d(gtClasses, [B, M, C]),
    valid: tf.tensor2d(valid, [B, M]),
    centers: tf.tensor2d(GRID.centers, [N, 2]),
  }, options));
  assert.deepEqual(out.shape, [B, N, C + 5]);
  const v = out.arraySync();
  out.dispose();
  return v.map((rows) => ({
    positives: rows.flatMap((r, p) => (r[C + 4] === 1 ? [p] : [])),
    fg: rows.map((r) => r[C + 4]),
    scores: rows.map((r) => r.slice(0, C)),
    boxes: rows.map((r) => r.slice(C, C + 4)),
  }));
}

const close = (a: number, b: number, eps = 1e-4, what = '') => assert.ok(Math.abs(a - b) < eps, `${what} ${a} vs ${b}`);
const sorted = (a: number[]) => [...a].sort((x, y) => x - y);
/** IoU of two corner boxes. */
function iou(a: Box, b: Box): number {
  const iw = Math.max(0, Math.min(a[2], b[2]) - Math.max(a[0], b[0]));
  const ih = Math.max(0, Math.min(a[3], b[3]) - Math.max(a[1], b[1]));
  const inter = iw * ih;
  return inter / ((a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter);
}

test('grid of the hand-made cases: 64 + 16 + 4 points, centres where the cases expect them', () => {
  assert.equal(N, 84);
  assert.deepEqual([...GRID.centers.slice(s8(1, 2) * 2, s8(1, 2) * 2 + 2)], [20, 12]);
  assert.deepEqual([...GRID.centers.slice(s16(0, 1) * 2, s16(0, 1) * 2 + 2)], [24, 8]);
  assert.deepEqual([...GRID.centers.slice(s32(1, 0) * 2, s32(1, 0) * 2 + 2)], [16, 48]);
  assert.deepEqual([GRID.strides[63], GRID.strides[64], GRID.strides[79], GRID.strides[80]], [8, 16, 16, 32]);
});

test('a point whose centre is outside every box is never positive, even with a perfect prediction and the best score', () => {
  const gt: Box = [0, 0, 20, 20];
  // every point predicts exactly the ground-truth box; points outside it are the most confident
  const preds = new Map<number, Pred>();
  for (let p = 0; p < N; p++) preds.set(p, { score: [0.99, 0.99], box: gt });
  const inside = [s8(0, 0), s8(0, 1), s8(1, 0), s8(1, 1), s16(0, 0), s32(0, 0)]; // centres 4, 12 | 8 | 16
  for (const p of inside) preds.set(p, { score: [0.3, 0.3], box: gt });
  const [r] = assign([{ preds, gts: [{ box: gt, classId: 0 }] }], 2, { topk: 10 });
  assert.deepEqual(sorted(r.positives), sorted(inside));

  // a centre on the border is not inside: box [0, 0, 16, 16] has the stride-32 centre (16, 16) on its corner
  // and the stride-16 centre (8, 8) inside; stride-8 centres 4 and 12 inside
  const edge: Box = [0, 0, 16, 16];
  const all = new Map<number, Pred>();
  for (let p = 0; p < N; p++) all.set(p, { score: [0.9, 0.9], box: edge });
  const [e] = assign([{ preds: all, gts: [{ box: edge, classId: 1 }] }], 2, { topk: 10 });
  assert.deepEqual(sorted(e.positives), [s8(0, 0), s8(0, 1), s8(1, 0), s8(1, 1), s16(0, 0)]);
});

// Box [0, 0, 32, 32], class 1. Five candidate points inside it with hand-set (score, IoU); predicted
// box [0, 0, 32, 32·IoU] lies inside the ground truth, so its IoU is exactly the given value.
// align = score^0.5 · IoU^6:
//   A 0.95, 0.50 → 0.0152   B 0.02, 0.95 → 0.1040   C 0.90, 0.80 → 0.2487
//   D 0.60, 0.75 → 0.1379   E 0.30, 0.85 → 0.2066
// top 3 by align: C, E, D; by score it would be A, C, D; by IoU B, E, C.
const GT: Box = [0, 0, 32, 32];
const CANDIDATES = {
  A: { p: s8(0, 0), score: 0.95, iou: 0.5 },
  B: { p: s8(1, 1), score: 0.02, iou: 0.95 },
  C: { p: s8(2, 2), score: 0.9, iou: 0.8 },
  D: { p: s16(1, 1), score: 0.6, iou: 0.75 },
  E: { p: s32(0, 0), score: 0.3, iou: 0.85 },
};
function candidatePreds(): Map<number, Pred> {
  const preds = new Map<number, Pred>();
  for (const c of Object.values(CANDIDATES)) preds.set(c.p, { score: [0.01, c.score], box: [0, 0, 32, 32 * c.iou] });
  return preds;
}
const alignOf = (c: { score: number; iou: number }, alpha = 0.5, beta = 6) => c.score ** alpha * c.iou ** beta;

test('each box takes its top-k points by align = score^α · IoU^β (not by score or IoU alone)', () => {
  const [r] = assign([{ preds: candidatePreds(), gts: [{ box: GT, classId: 1 }] }], 2, { topk: 3 });
  const { C: c, D: d, E: e } = CANDIDATES;
  assert.deepEqual(sorted(r.positives), sorted([c.p, d.p, e.p]));

  // with α = 1, β = 0 the class score alone decides: A, C, D (the other inside points score 0.01)
  const [byScore] = assign([{ preds: candidatePreds(), gts: [{ box: GT, classId: 1 }] }], 2, { topk: 3, alpha: 1, beta: 0 });
  assert.deepEqual(sorted(byScore.positives), sorted([CANDIDATES.A.p, c.p, d.p]));

  // top-k larger than the points with any overlap: every point with align > 0, and no other
  const [wide] = assign([{ preds: candidatePreds(), gts: [{ box: GT, classId: 1 }] }], 2, { topk: 10 });
  assert.deepEqual(sorted(wide.positives), sorted(Object.values(CANDIDATES).map((x) => x.p)));
});

test('soft class targets: the best point gets the best IoU among the box\'s positives, in the box\'s class column; others scale with align', () => {
  const [r] = assign([{ preds: candidatePreds(), gts: [{ box: GT, classId: 1 }] }], 2, { topk: 3 });
  const { C: c, D: d, E: e } = CANDIDATES;
  // C has the best align (0.2487) but E the best IoU (0.85): C's target is 0.85, not its own 0.80
  const bestAlign = alignOf(c);
  const bestIou = e.iou;
  close(r.scores[c.p][1], bestIou, 1e-4, 'best point');
  close(r.scores[e.p][1], (alignOf(e) / bestAlign) * bestIou, 1e-4, 'E');
  close(r.scores[d.p][1], (alignOf(d) / bestAlign) * bestIou, 1e-4, 'D');
  close(r.scores[e.p][1], 0.7061, 1e-3, 'E by hand');
  close(r.scores[d.p][1], 0.4712, 1e-3, 'D by hand');
  for (let p = 0; p < N; p++) {
    assert.equal(r.scores[p][0], 0, `class 0 column of point ${p}`);
    if (![c.p, d.p, e.p].includes(p)) {
      assert.equal(r.scores[p][1], 0, `negative point ${p} has a class target`);
      assert.deepEqual(r.boxes[p], [0, 0, 0, 0], `negative point ${p} has a box`);
      assert.equal(r.fg[p], 0);
    }
  }
  // the assigned box is the ground-truth box itself, not the prediction
  for (const p of [c.p, d.p, e.p]) assert.deepEqual(r.boxes[p], GT);
});

test('a point inside two boxes goes to the box its predicted box overlaps most (even when the other box aligns better)', () => {
  const g0: Box = [0, 0, 32, 32]; // class 0
  const g1: Box = [8, 8, 40, 40]; // class 1
  const p = s8(2, 2); // centre (20, 20): inside both
  const predBox: Box = [6, 6, 36, 36];
  const iou0 = iou(predBox, g0);
  const iou1 = iou(predBox, g1);
  assert.ok(iou1 > iou0, 'the prediction overlaps box 1 most');
  const score: [number, number] = [0.95, 0.02];
  // box 0 would rank the point higher by align (its class scores 0.95)
  assert.ok(Math.sqrt(score[0]) * iou0 ** 6 > Math.sqrt(score[1]) * iou1 ** 6, 'box 0 aligns better');
  const preds = new Map<number, Pred>([[p, { score, box: predBox }]]);
  // every other point has no overlap, so both boxes claim p (their only point with align > 0)
  const [r] = assign([{ preds, gts: [{ box: g0, classId: 0 }, { box: g1, classId: 1 }] }], 2, { topk: 3 });
  assert.deepEqual(r.positives, [p]);
  assert.deepEqual(r.boxes[p], g1);
  assert.equal(r.scores[p][0], 0, 'no class-0 target');
  close(r.scores[p][1], iou1, 1e-4, 'class-1 target = its IoU (the box\'s only positive)');

  // the same point, now predicting a box that overlaps box 0 most, goes to box 0
  const pred0: Box = [0, 0, 30, 30];
  assert.ok(iou(pred0, g0) > iou(pred0, g1));
  const [r0] = assign([{ preds: new Map([[p, { score: [0.02, 0.95], box: pred0 }]]), gts: [{ box: g0, classId: 0 }, { box: g1, classId: 1 }] }], 2, { topk: 3 });
  assert.deepEqual(r0.positives, [p]);
  assert.deepEqual(r0.boxes[p], g0);
  close(r0.scores[p][0], iou(pred0, g0), 1e-4, 'class-0 target');
  assert.equal(r0.scores[p][1], 0);
});

test('padding rows (valid 0) get no points, even covering the image with perfect predictions; images are independent', () => {
  const whole: Box = [0, 0, 64, 64];
  const real: Box = [32, 32, 64, 64];
  // image 0: one real box at the top left and a padding row; image 1: the real box at the bottom right and a padding row that covers everything
  const img0Box: Box = [0, 0, 32, 32];
  const [r0, r1] = assign([
    { defaultScore: 0.9, defaultBox: whole, gts: [{ box: img0Box, classId: 0 }, { box: whole, classId: 1, valid: false }] },
    { defaultScore: 0.9, defaultBox: whole, gts: [{ box: real, classId: 1 }, { box: whole, classId: 0, valid: false }] },
  ], 2, { topk: 100 });
  const insideOf = (b: Box) => Array.from({ length: N }, (_, p) => p).filter((p) => {
    const x = GRID.centers[p * 2];
    const y = GRID.centers[p * 2 + 1];
    return x > b[0] && y > b[1] && x < b[2] && y < b[3];
  });
  // all predictions are equal, so align is equal for every point inside the real box: with top-k 100 all of them are positive
  assert.deepEqual(r0.positives, insideOf(img0Box));
  assert.deepEqual(r1.positives, insideOf(real));
  assert.equal(r1.positives.length, 16 + 4 + 1);
  for (const p of r0.positives) { assert.deepEqual(r0.boxes[p], img0Box); assert.equal(r0.scores[p][1], 0); assert.ok(r0.scores[p][0] > 0); }
  for (const p of r1.positives) { assert.deepEqual(r1.boxes[p], real); assert.equal(r1.scores[p][0], 0); assert.ok(r1.scores[p][1] > 0); }
  // only padding: nothing at all
  const [none] = assign([{ defaultScore: 0.9, defaultBox: whole, gts: [{ box: whole, classId: 0, valid: false }] }], 2, { topk: 10 });
  assert.deepEqual(none.positives, []);
  assert.ok(none.scores.every((s) => s[0] === 0 && s[1] === 0));
});

// point-assign.ts selects positives with align >= (k-th largest align), so every point tied with
// the k-th value is taken too (YOLOv8 takes the top-k indices: exactly k).
test('tied align values: a box still gets at most top-k positives', () => {
  // every point predicts the ground-truth box with the same score: all 21 points inside
  // [0, 0, 32, 32] have the same align; the box must still take only top-k of them
  const preds = new Map<number, Pred>();
  for (let p = 0; p < N; p++) preds.set(p, { score: [0.5, 0.5], box: GT });
  const [r] = assign([{ preds, gts: [{ box: GT, classId: 0 }] }], 2, { topk: 3 });
  assert.ok(r.positives.length <= 3, `${r.positives.length} positives for top-k 3: ${r.positives.join(', ')}`);
});

// encodePointTargets now pads to at least 2 rows, but taskAlignedAssign itself still builds
// one-hots of depth M with tf.oneHot, which throws for depth < 2 ("Error in oneHot: depth must be
// >=2, but it is 1"), so any other caller with M = 1 gets that opaque error.
test('taskAlignedAssign with M = 1 (one ground-truth row): same assignment as with a padding row', () => {
  const withPadding = assign([{ preds: candidatePreds(), gts: [{ box: GT, classId: 1 }] }], 2, { topk: 3 });
  const single = assign([{ preds: candidatePreds(), gts: [{ box: GT, classId: 1 }] }], 1, { topk: 3 });
  assert.deepEqual(single, withPadding);
  const empty = assign([{ preds: candidatePreds(), gts: [] }], 1, { topk: 3 });
  assert.deepEqual(empty[0].positives, []);
});
