// Loss of the point head (shared/ml/detector/point-loss.ts): GIoU, distribution focal loss,
// quality focal loss, gradients through the zero-gradient assignment, target encoding.
// Raw outputs are built by hand in the points.ts layout: per point C class logits, then for each
// side (left, top, right, bottom) R logits of the distance distribution (bins 0 … R − 1 strides).
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import type { LabeledBox } from '../../shared/ml/detector/box';
import { decodePointBoxes, disposePointTargets, encodePointTargets, giou, pointGridTensors, pointLossTerms } from '../../shared/ml/detector/point-loss';
import { pointGrid, pointCount, valuesPerPoint, type PointSpec } from '../../shared/ml/detector/points';

before(async () => {
  await tf.setBackend('cpu');
});

const close = (a: number, b: number, eps = 1e-5, what = '') => assert.ok(Math.abs(a - b) < eps, `${what}: ${a} vs ${b}`);
const LOG0 = -40; // logit of a bin with (numerically) no mass: exp(−40) ≈ 4e−18

type Box = [number, number, number, number];
function iou(a: Box, b: Box): number {
  const iw = Math.max(0, Math.min(a[2], b[2]) - Math.max(a[0], b[0]));
  const ih = Math.max(0, Math.min(a[3], b[3]) - Math.max(a[1], b[1]));
  const inter = iw * ih;
  return inter / ((a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter);
}
/** Side logits whose softmax is `probs` (zeros get LOG0), padded to R bins. */
const logitsOf = (probs: number[], R: number) => Array.from({ length: R }, (_, k) => ((probs[k] ?? 0) > 0 ? Math.log(probs[k]!) : LOG0));
/** The DFL-optimal distribution for a distance of d strides: weight on floor(d) and floor(d) + 1. */
const dflOptimal = (d: number): number[] => { const l = Math.floor(d); const p: number[] = []; p[l] = l + 1 - d; p[l + 1] = d - l; return Array.from(p, (v) => v ?? 0); };
const softmax = (logits: number[]) => { const e = logits.map(Math.exp); const z = e.reduce((a, b) => a + b); return e.map((v) => v / z); };
const entropy = (p: number[]) => -p.reduce((s, v) => (v > 0 ? s + v * Math.log(v) : s), 0);
/** Cross-entropy of distribution `p` with the two-bin DFL target of distance d. */
const dflCe = (p: number[], d: number) => { const t = dflOptimal(d); return -t.reduce((s, w, k) => (w > 0 ? s + w * Math.log(p[k]!) : s), 0); };
const terms = (t: ReturnType<typeof pointLossTerms>) => ({ total: t.total.dataSync()[0]!, cls: t.cls.dataSync()[0]!, box: t.box.dataSync()[0]!, dfl: t.dfl.dataSync()[0]! });
/** A zero-size box: encodePointTargets marks it invalid, so it acts as a padding row. */
const PAD: LabeledBox = { x1: 0, y1: 0, x2: 0, y2: 0, classId: 0 };

test('giou: identical boxes 1, disjoint boxes negative, partial overlap and containment by hand, batched shapes', () => {
  const a = tf.tensor3d([
    [[0, 0, 10, 10], [0, 0, 10, 10], [0, 0, 10, 10]],
    [[0, 0, 4, 2], [0, 0, 10, 10], [3, 7, 11, 9]],
  ]);
  const b = tf.tensor3d([
    [[0, 0, 10, 10], [20, 0, 30, 10], [5, 5, 15, 15]],
    [[1, 0, 5, 2], [2, 2, 4, 4], [3, 7, 11, 9]],
  ]);
  const g = giou(a, b);
  assert.deepEqual(g.shape, [2, 3]);
  const v = g.arraySync() as number[][];
  close(v[0][0], 1, 1e-6, 'identical');
  // disjoint side by side: union 200, hull 30×10 = 300 → 0 − 100/300
  close(v[0][1], -1 / 3, 1e-6, 'disjoint');
  // overlap 5×5: inter 25, union 175, hull 15×15 = 225 → 25/175 − 50/225
  close(v[0][2], 25 / 175 - 50 / 225, 1e-6, 'partial');
  // shifted by 1 along x: inter 6, union 10, hull 10 → 0.6
  close(v[1][0], 0.6, 1e-6, 'shifted');
  // containment: inter 4, union = hull = 100 → 0.04
  close(v[1][1], 0.04, 1e-6, 'contained');
  close(v[1][2], 1, 1e-6, 'identical 2');
  // far apart diagonally: union 2, hull 10×10 = 100 → −0.98
  close((giou(tf.tensor2d([[0, 0, 1, 1]]), tf.tensor2d([[9, 9, 10, 10]])).arraySync() as number[])[0], -0.98, 1e-6, 'far');
});

test('decodePointBoxes: uniform distributions put every side at (R − 1)/2 strides; one-hot bins give exact distances', () => {
  const spec: PointSpec = { inputSize: 64, strides: [16, 32], numClasses: 2, regBins: 4 };
  const N = pointCount(spec);
  const F = valuesPerPoint(spec);
  const raw = new Float32Array(N * F);
  // point 5 (stride 16, centre (24, 24)): left 2 strides, top 0, right 3, bottom 1 (one-hot)
  [2, 0, 3, 1].forEach((bin, side) => { for (let k = 0; k < 4; k++) raw[5 * F + 2 + side * 4 + k] = k === bin ? 0 : LOG0; });
  const { centers, strides } = pointGridTensors(spec);
  const { boxes, logDist } = decodePointBoxes(tf.tensor3d(raw, [1, N, F]), spec, centers, strides);
  assert.deepEqual(boxes.shape, [1, 20, 4]);
  assert.deepEqual(logDist.shape, [1, 20, 4, 4]);
  const bx = boxes.arraySync()[0];
  bx[0].forEach((v, i) => close(v, [8 - 24, 8 - 24, 8 + 24, 8 + 24][i]!, 1e-4, `point 0 coord ${i}`)); // stride 16, 1.5 strides
  bx[16].forEach((v, i) => close(v, [16 - 48, 16 - 48, 16 + 48, 16 + 48][i]!, 1e-4, `point 16 coord ${i}`)); // stride 32
  bx[5].forEach((v, i) => close(v, [24 - 32, 24, 24 + 48, 24 + 16][i]!, 1e-4, `point 5 coord ${i}`));
  close(Math.exp(logDist.arraySync()[0][0][0][2]), 0.25, 1e-6, 'uniform bin probability');
});

// One point (inputSize 32, stride 32, centre (16, 16)), one class, R = 4. Ground truth
// [8, 0, 28, 20]: distances l 8 px = 0.25, t 0.5, r 0.375, b 0.125 strides.
const ONE: PointSpec = { inputSize: 32, strides: [32], numClasses: 1, regBins: 4 };
const ONE_GT: LabeledBox = { x1: 8, y1: 0, x2: 28, y2: 20, classId: 0 };
const ONE_D = [0.25, 0.5, 0.375, 0.125];

function onePoint(sides: number[][]): { raw: tf.Tensor3D; box: Box } {
  const raw = [2, ...sides.flatMap((p) => logitsOf(p, 4))];
  const e = sides.map((p) => p.reduce((s, v, k) => s + v * k, 0) * 32);
  return { raw: tf.tensor3d(raw, [1, 1, 17]), box: [16 - e[0]!, 16 - e[1]!, 16 + e[2]!, 16 + e[3]!] };
}

test('DFL: all mass on the two bins around the true distance with weights (1 − frac, frac) is the minimum; worse distributions cost more', () => {
  const targets = encodePointTargets([[ONE_GT, PAD]], 1);
  const optimal = ONE_D.map(dflOptimal);
  assert.deepEqual(optimal[0], [0.75, 0.25]);
  const perSide = (sides: number[][]) => {
    const { raw, box } = onePoint(sides);
    const v = terms(pointLossTerms(targets, raw, ONE));
    // the single point is the box's only positive: weight q = its IoU, normaliser max(q, 1) = 1.
    // (The assigner normalises align · IoU / (best align + 1e-9), YOLOv8's ε: with IoU^6 tiny, as for
    // the uniform distribution's 96-px box, IoU 0.043, the ε takes ~14 % off q.)
    const u = iou(box, [ONE_GT.x1, ONE_GT.y1, ONE_GT.x2, ONE_GT.y2]);
    const align = Math.sqrt(1 / (1 + Math.exp(-2))) * u ** 6;
    const q = (u * align) / (align + 1e-9);
    const ce = sides.map((p, i) => dflCe(softmax(logitsOf(p, 4)), ONE_D[i]!)).reduce((a, b) => a + b) / 4;
    close(v.dfl, q * ce, 1e-4, `dfl = q · mean side cross-entropy for ${JSON.stringify(sides)} (q ${q}, ce ${ce}, terms ${JSON.stringify(v)})`);
    return { dfl: v.dfl, ce, q, box: v.box };
  };
  const best = perSide(optimal);
  // the optimal distributions' expectation is the true distance: the box is exact, q = 1
  close(best.q, 1, 1e-6, 'optimal box IoU');
  close(best.box, 0, 1e-4, 'box term of the exact box');
  close(best.dfl, optimal.map(entropy).reduce((a, b) => a + b) / 4, 1e-4, 'minimum = mean entropy of the targets');
  const worse = [
    [[0.25, 0.75], ...optimal.slice(1)], // left weights swapped
    [[0.75, 0.2, 0.05], ...optimal.slice(1)], // some mass leaks to bin 2
    [[1], ...optimal.slice(1)], // all mass on the nearer bin
    optimal.map(() => [0.5, 0.5]), // 50/50 on every side
    optimal.map(() => [0.25, 0.25, 0.25, 0.25]), // uniform
  ];
  for (const sides of worse) {
    const w = perSide(sides);
    assert.ok(w.ce > best.ce + 0.01, `${JSON.stringify(sides)}: cross-entropy ${w.ce} not above the optimum ${best.ce}`);
  }
  disposePointTargets(targets);
});

test('DFL at its minimum has zero gradient on the side logits (dfl weight only); a worse distribution does not', () => {
  const targets = encodePointTargets([[ONE_GT, PAD]], 1);
  const gradOf = (sides: number[][]) => {
    const v = tf.variable(onePoint(sides).raw);
    const { grads } = tf.variableGrads(() => pointLossTerms(targets, v, ONE, { cls: 0, box: 0, dfl: 1 }).total, [v]);
    const g = Array.from(grads[v.name]!.dataSync());
    tf.dispose([v, grads[v.name]!]);
    return g;
  };
  const atMin = gradOf(ONE_D.map(dflOptimal));
  assert.ok(atMin.every((x) => Math.abs(x) < 1e-5), `gradient at the optimum: ${atMin.map((x) => x.toExponential(1)).join(' ')}`);
  const off = gradOf([[0.25, 0.75], ...ONE_D.slice(1).map(dflOptimal)]);
  // left side: d/dlogit_k = q · (p_k − t_k) / 4 with p = (0.25, 0.75), t = (0.75, 0.25), q = IoU of that box
  const q = iou([16 - 24, 0, 28, 20], [8, 0, 28, 20]);
  close(off[1], (q * (0.25 - 0.75)) / 4, 1e-4, 'left bin 0');
  close(off[2], (q * (0.75 - 0.25)) / 4, 1e-4, 'left bin 1');
  disposePointTargets(targets);
});

// Two images, inputSize 64, strides 16 and 32 (16 + 4 points), two classes, R = 4.
const TWO: PointSpec = { inputSize: 64, strides: [16, 32], numClasses: 2, regBins: 4 };
const SCENE: LabeledBox[][] = [
  [{ x1: 10, y1: 6, x2: 40, y2: 54, classId: 1 }],
  [{ x1: 34, y1: 34, x2: 62, y2: 62, classId: 0 }, { x1: 2, y1: 36, x2: 30, y2: 60, classId: 1 }],
];

/** Every point inside a box predicts it exactly (DFL-optimal sides) with class logit ±12; the others predict background. */
function perfectOutput(spec: PointSpec, scenes: LabeledBox[][]): { raw: Float32Array; expectedDfl: number } {
  const { centers, strides } = pointGrid(spec);
  const N = strides.length;
  const F = valuesPerPoint(spec);
  const raw = new Float32Array(scenes.length * N * F);
  let entropySum = 0;
  let positives = 0;
  scenes.forEach((boxes, b) => {
    for (let p = 0; p < N; p++) {
      const o = (b * N + p) * F;
      const [cx, cy, s] = [centers[p * 2]!, centers[p * 2 + 1]!, strides[p]!];
      const g = boxes.find((box) => cx > box.x1 && cx < box.x2 && cy > box.y1 && cy < box.y2);
      for (let c = 0; c < spec.numClasses; c++) raw[o + c] = g && g.classId === c ? 12 : -12;
      if (!g) continue;
      const d = [(cx - g.x1) / s, (cy - g.y1) / s, (g.x2 - cx) / s, (g.y2 - cy) / s];
      d.forEach((dist, side) => raw.set(logitsOf(dflOptimal(dist), spec.regBins), o + spec.numClasses + side * spec.regBins));
      entropySum += d.map((x) => entropy(dflOptimal(x))).reduce((a, v) => a + v) / 4;
      positives++;
    }
  });
  return { raw, expectedDfl: entropySum / positives };
}

test('a perfect prediction scores near zero on cls and box, DFL at the targets\' entropy, far below a bad prediction', () => {
  const targets = encodePointTargets(SCENE, 2);
  const N = pointCount(TWO);
  const F = valuesPerPoint(TWO);
  const { raw, expectedDfl } = perfectOutput(TWO, SCENE);
  const perfect = tf.tidy(() => terms(pointLossTerms(targets, tf.tensor3d(raw, [2, N, F]), TWO)));
  assert.ok(perfect.cls < 1e-5, `perfect cls ${perfect.cls}`);
  assert.ok(perfect.box < 1e-4, `perfect box ${perfect.box}`);
  close(perfect.dfl, expectedDfl, 1e-4, 'perfect dfl');
  close(perfect.total, perfect.cls + 2 * perfect.box + 0.25 * perfect.dfl, 1e-6, 'total = 1·cls + 2·box + 0.25·dfl');

  const zeros = tf.tidy(() => terms(pointLossTerms(targets, tf.zeros([2, N, F]), TWO)));
  // wrong classes, right boxes
  const swapped = raw.slice();
  for (let i = 0; i < 2 * N; i++) [swapped[i * F], swapped[i * F + 1]] = [swapped[i * F + 1]!, swapped[i * F]!];
  const wrongClass = tf.tidy(() => terms(pointLossTerms(targets, tf.tensor3d(swapped, [2, N, F]), TWO)));
  // right classes, every box shifted: one bin more on the left and right sides
  const shifted = raw.slice();
  for (let i = 0; i < 2 * N; i++) {
    if (raw[i * F]! < 0 && raw[i * F + 1]! < 0) continue;
    for (const side of [0, 2]) shifted.set(logitsOf([0, 0, 0, 1], 4), i * F + 2 + side * 4);
  }
  const badBoxes = tf.tidy(() => terms(pointLossTerms(targets, tf.tensor3d(shifted, [2, N, F]), TWO)));
  for (const [name, bad] of Object.entries({ zeros, wrongClass, badBoxes })) {
    assert.ok(bad.total > perfect.total + 0.5, `${name}: total ${bad.total} vs perfect ${perfect.total}`);
    for (const v of Object.values(bad)) assert.ok(Number.isFinite(v), `${name}: ${JSON.stringify(bad)}`);
  }
  assert.ok(wrongClass.cls > 1, `wrong classes: cls ${wrongClass.cls}`);
  assert.ok(badBoxes.box > 0.1 && badBoxes.dfl > perfect.dfl + 1, `shifted boxes: ${JSON.stringify(badBoxes)}`);
  disposePointTargets(targets);
});

test('gradients: variableGrads through pointLossTerms works (assignment passes zero gradient) and matches the quality focal loss by hand', () => {
  // image 0 of SCENE alone; all-zero output: scores 0.5, every side 1.5 strides. top-k 1: the box
  // takes only its best point, s16 (24, 24) = index 5 predicting [0, 0, 48, 48] (IoU 0.507, the
  // largest among the points inside); Σ q = that IoU < 1, so the normaliser is 1.
  const targets = encodePointTargets([[...SCENE[0]!, PAD]], 2);
  const N = pointCount(TWO);
  const F = valuesPerPoint(TWO);
  const v = tf.variable(tf.zeros([1, N, F]));
  const { value, grads } = tf.variableGrads(() => pointLossTerms(targets, v, TWO, {}, { topk: 1 }).total, [v]);
  const g = grads[v.name]!.arraySync() as number[][][];
  assert.ok(value.dataSync()[0]! > 0);
  const flat = g.flat(2);
  assert.ok(flat.every(Number.isFinite), 'finite gradients');

  const q = iou([0, 0, 48, 48], [10, 6, 40, 54]);
  close(q, 1260 / 2484, 1e-9, 'IoU by hand');
  // background class logit x = 0, target 0: d/dx softplus(x)·σ(x)² = σ³ + softplus·2σ²(1 − σ) = 0.125 + ln 2 / 4
  const background = 0.125 + Math.log(2) / 4;
  for (let p = 0; p < N; p++) {
    close(g[0][p][0]!, background, 1e-5, `point ${p} class 0`);
    if (p !== 5) close(g[0][p][1]!, background, 1e-5, `point ${p} class 1`);
    // only the positive point's sides receive gradient (box and dfl are weighted by q)
    const sideGrad = g[0][p].slice(2).reduce((s, x) => s + Math.abs(x), 0);
    if (p === 5) assert.ok(sideGrad > 1e-3, `positive point side gradient ${sideGrad}`);
    else assert.equal(sideGrad, 0, `background point ${p} side gradient`);
  }
  // positive point, class 1 (target q): d/dx [(softplus(x) − x·q)·(q − σ)²] at x = 0 = (0.5 − q)·((0.5 − q)² + ln 2 / 2)
  close(g[0][5][1]!, (0.5 - q) * ((0.5 - q) ** 2 + Math.log(2) / 2), 1e-5, 'positive class logit');
  tf.dispose([v, value, grads[v.name]!]);
  disposePointTargets(targets);
});

test('gradients on a model output: a trainable conv in front of pointLossTerms gets non-zero gradients', () => {
  const targets = encodePointTargets(SCENE, 2);
  const N = pointCount(TWO);
  const F = valuesPerPoint(TWO);
  const features = tf.randomNormal([2, N, 3], 0, 1, 'float32', 7);
  const w = tf.variable(tf.randomNormal([3, F], 0, 0.1, 'float32', 8), true, 'point_loss_test_w');
  const { value, grads } = tf.variableGrads(() => pointLossTerms(targets, tf.matMul(features.reshape([2 * N, 3]), w).reshape([2, N, F]), TWO).total, [w]);
  const gw = Array.from(grads[w.name]!.dataSync());
  assert.ok(Number.isFinite(value.dataSync()[0]!));
  assert.ok(gw.every(Number.isFinite));
  assert.ok(gw.reduce((s, x) => s + Math.abs(x), 0) > 1e-3, 'non-zero gradient');
  tf.dispose([features, w, value, grads[w.name]!]);
  disposePointTargets(targets);
});

test('the loss keeps no tensors when run inside tidy', () => {
  const targets = encodePointTargets(SCENE, 2);
  const before = tf.memory().numTensors;
  tf.tidy(() => { pointLossTerms(targets, tf.zeros([2, pointCount(TWO), valuesPerPoint(TWO)]), TWO).total.dataSync(); });
  assert.equal(tf.memory().numTensors, before);
  disposePointTargets(targets);
});

test('encodePointTargets pads to the most boxes in the batch; marks padding and degenerate boxes invalid; caps at maxBoxes', () => {
  const a: LabeledBox = { x1: 1, y1: 2, x2: 11, y2: 12, classId: 2 };
  const b: LabeledBox = { x1: 5, y1: 6, x2: 7, y2: 9, classId: 0 };
  const c: LabeledBox = { x1: 20, y1: 20, x2: 30, y2: 40, classId: 1 };
  const flat: LabeledBox = { x1: 4, y1: 4, x2: 4, y2: 10, classId: 1 };
  const t = encodePointTargets([[a], [b, c, flat], []], 3);
  assert.deepEqual(t.boxes.shape, [3, 3, 4]);
  assert.deepEqual(t.classes.shape, [3, 3, 3]);
  assert.deepEqual(t.valid.shape, [3, 3]);
  assert.deepEqual(t.boxes.arraySync(), [
    [[1, 2, 11, 12], [0, 0, 0, 0], [0, 0, 0, 0]],
    [[5, 6, 7, 9], [20, 20, 30, 40], [4, 4, 4, 10]],
    [[0, 0, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0]],
  ]);
  assert.deepEqual(t.classes.arraySync(), [
    [[0, 0, 1], [0, 0, 0], [0, 0, 0]],
    [[1, 0, 0], [0, 1, 0], [0, 1, 0]],
    [[0, 0, 0], [0, 0, 0], [0, 0, 0]],
  ]);
  assert.deepEqual(t.valid.arraySync(), [[1, 0, 0], [1, 1, 0], [0, 0, 0]]);
  disposePointTargets(t);

  const capped = encodePointTargets([[a, b, c], [c]], 3, 2);
  assert.deepEqual(capped.boxes.shape, [2, 2, 4]);
  assert.deepEqual(capped.boxes.arraySync()[0], [[1, 2, 11, 12], [5, 6, 7, 9]]);
  assert.deepEqual(capped.valid.arraySync(), [[1, 1], [1, 0]]);
  disposePointTargets(capped);

  // at least 2 rows (the assignment's tf.oneHot needs a depth ≥ 2)
  const empty = encodePointTargets([[], []], 2);
  assert.deepEqual(empty.boxes.shape, [2, 2, 4]);
  assert.deepEqual(empty.valid.arraySync(), [[0, 0], [0, 0]]);
  disposePointTargets(empty);
  const single = encodePointTargets([[c], []], 2);
  assert.deepEqual(single.boxes.arraySync(), [[[20, 20, 30, 40], [0, 0, 0, 0]], [[0, 0, 0, 0], [0, 0, 0, 0]]]);
  assert.deepEqual(single.valid.arraySync(), [[1, 0], [0, 0]]);
  disposePointTargets(single);
});

test('encodePointTargets rejects a class outside 0 … C − 1 with a clear error', () => {
  const before = tf.memory().numTensors;
  assert.throws(() => encodePointTargets([[{ x1: 0, y1: 0, x2: 5, y2: 5, classId: 2 }]], 2), /^Error: encodePointTargets: class 2 outside 0\.\.1$/);
  assert.throws(() => encodePointTargets([[], [{ x1: 0, y1: 0, x2: 5, y2: 5, classId: -1 }]], 3), /class -1 outside 0\.\.2/);
  assert.throws(() => encodePointTargets([[{ x1: 0, y1: 0, x2: 5, y2: 5, classId: Number.NaN }]], 3), /class NaN outside 0\.\.2/);
  assert.equal(tf.memory().numTensors, before, 'no tensors left behind');
});

// A batch where no image has two boxes: encodePointTargets still pads to 2 rows (the assignment
// calls tf.oneHot with depth M, which tfjs refuses below 2).
test('pointLossTerms on a batch with at most one box per image, and on a batch without boxes', () => {
  const targets = encodePointTargets([[ONE_GT]], 1);
  assert.deepEqual(targets.boxes.shape, [1, 2, 4]);
  const { raw } = onePoint(ONE_D.map(dflOptimal));
  const single = tf.tidy(() => terms(pointLossTerms(targets, raw, ONE)));
  const padded = encodePointTargets([[ONE_GT, PAD]], 1);
  const withPad = tf.tidy(() => terms(pointLossTerms(padded, raw, ONE)));
  for (const k of ['total', 'cls', 'box', 'dfl'] as const) close(single[k], withPad[k], 1e-6, k);
  close(single.box, 0, 1e-4, 'exact box');
  // no boxes: only the class term, every point background: softplus(2)·σ(2)² (normaliser 1)
  const none = encodePointTargets([[]], 1);
  const bg = tf.tidy(() => terms(pointLossTerms(none, raw, ONE)));
  assert.equal(bg.box, 0);
  assert.equal(bg.dfl, 0);
  const sig = 1 / (1 + Math.exp(-2));
  close(bg.cls, Math.log1p(Math.exp(2)) * sig ** 2, 1e-5, 'background cls');
  tf.dispose([raw]);
  [targets, padded, none].forEach(disposePointTargets);
});

test('encodePointTargets keeps at most maxBoxes boxes per image, also for maxBoxes = 1', () => {
  const a: LabeledBox = { x1: 1, y1: 2, x2: 11, y2: 12, classId: 0 };
  const b: LabeledBox = { x1: 5, y1: 6, x2: 7, y2: 9, classId: 1 };
  const t = encodePointTargets([[a, b]], 2, 1);
  try {
    assert.deepEqual(t.valid.arraySync(), [[1, 0]], 'the second box is beyond maxBoxes = 1');
  } finally {
    disposePointTargets(t);
  }
});
