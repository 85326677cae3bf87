// PR / F1 curves, operating points, detection confusion matrix, classification report.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  bestF1, classificationReport, detectionConfusionMatrix, evaluateVoc, f1Curve, overallPrecisionRecallAt,
  prCurve, precisionRecallAt, type Detection, type GroundTruthBox,
} from '../../shared/metrics';

const box = (x: number) => ({ x1: x, y1: 0, x2: x + 10, y2: 10 });
const gts: GroundTruthBox[] = [
  { imageId: 'a', className: 'cat', ...box(0) },
  { imageId: 'a', className: 'cat', ...box(100) },
  { imageId: 'b', className: 'cat', ...box(0) },
  { imageId: 'b', className: 'cat', ...box(200), difficult: true },
];
// scores 0.9 TP, 0.8 FP, 0.7 TP, 0.6 ignored (difficult), 0.5 TP
const dets: Detection[] = [
  { imageId: 'a', className: 'cat', score: 0.9, ...box(0) },
  { imageId: 'a', className: 'cat', score: 0.8, ...box(50) },
  { imageId: 'a', className: 'cat', score: 0.7, ...box(100) },
  { imageId: 'b', className: 'cat', score: 0.6, ...box(200) },
  { imageId: 'b', className: 'cat', score: 0.5, ...box(0) },
];

test('PR curve: one point per counted detection, ignored ones left out', () => {
  const cls = evaluateVoc(gts, dets).classes[0]!;
  const pr = prCurve(cls);
  assert.deepEqual([...pr.scores], [0.9, 0.8, 0.7, 0.5]);
  assert.deepEqual([...pr.recall], [1 / 3, 1 / 3, 2 / 3, 1]);
  assert.deepEqual([...pr.precision], [1, 0.5, 2 / 3, 3 / 4]);
  assert.deepEqual([...pr.interpolatedPrecision], [1, 3 / 4, 3 / 4, 3 / 4]);
});

test('precision / recall / F1 at a confidence threshold (score >= threshold counts)', () => {
  const cls = evaluateVoc(gts, dets).classes[0]!;
  const at = precisionRecallAt(cls, 0.7);
  assert.deepEqual([at.tp, at.fp, at.fn], [2, 1, 1]);
  assert.equal(at.precision, 2 / 3);
  assert.equal(at.recall, 2 / 3);
  assert.equal(at.f1, 2 / 3);
  const none = precisionRecallAt(cls, 0.95);
  assert.deepEqual([none.tp, none.fp, none.precision, none.recall, none.f1], [0, 0, 0, 0, 0]);
  const allIn = precisionRecallAt(cls, 0);
  assert.deepEqual([allIn.tp, allIn.fp, allIn.fn], [3, 1, 0]);
  assert.equal(overallPrecisionRecallAt(evaluateVoc(gts, dets), 0.7).f1, 2 / 3);
});

test('F1 curve and best-F1 threshold', () => {
  const result = evaluateVoc(gts, dets);
  const curve = f1Curve(result, [0.5, 0.7, 0.85, 0.9, 0.95]);
  // F1: 0.5 → P 3/4 R 1 → 6/7; 0.7 → 2/3; 0.85 → P1 R1/3 → 1/2; 0.9 same; 0.95 → 0
  const want = [6 / 7, 2 / 3, 0.5, 0.5, 0];
  curve.f1.forEach((v, i) => assert.ok(Math.abs(v - want[i]!) < 1e-12, `F1 at ${curve.thresholds[i]}: ${v}`));
  const best = bestF1(curve)!;
  assert.equal(best.threshold, 0.5);
  assert.ok(Math.abs(best.f1 - 6 / 7) < 1e-12);
  // Equal F1 at 0.85 and 0.9: the higher threshold wins.
  assert.equal(bestF1(f1Curve(result, [0.85, 0.9]))!.threshold, 0.9);
  assert.equal(f1Curve(result).thresholds.length, 101);
  assert.equal(bestF1(f1Curve(evaluateVoc([], dets))), null);
});

test('detection confusion matrix: matches, misses, false alarms, class confusions', () => {
  const g: GroundTruthBox[] = [
    { imageId: 'a', className: 'cat', ...box(0) },
    { imageId: 'a', className: 'dog', ...box(100) },
    { imageId: 'a', className: 'dog', ...box(300) },
    { imageId: 'a', className: 'cat', ...box(400), difficult: true },
  ];
  const d: Detection[] = [
    { imageId: 'a', className: 'cat', score: 0.9, ...box(0) }, // cat → cat
    { imageId: 'a', className: 'cat', score: 0.8, ...box(101) }, // dog seen as cat
    { imageId: 'a', className: 'dog', score: 0.7, ...box(200) }, // false alarm
    { imageId: 'a', className: 'dog', score: 0.1, ...box(300) }, // below confidence: dog missed
    { imageId: 'a', className: 'dog', score: 0.9, ...box(400) }, // on a difficult box: counts nowhere
    { imageId: 'b', className: 'cat', score: 0.9, ...box(0) }, // image without ground truth: false alarm
  ];
  const m = detectionConfusionMatrix(g, d, { iouThreshold: 0.5, confidenceThreshold: 0.25 });
  assert.deepEqual(m.labels, ['cat', 'dog', 'background']);
  assert.deepEqual(m.matrix, [
    [1, 0, 0],
    [1, 0, 1],
    [1, 1, 0],
  ]);
  assert.throws(() => detectionConfusionMatrix(g, d, { classes: ['cat'] }), /unknown class "dog"/);
});

test('classification report: accuracy, per-class, macro and weighted averages, confusion', () => {
  const yTrue = [0, 0, 0, 1, 1, 2];
  const yPred = [0, 0, 1, 1, 2, 2];
  const r = classificationReport(yTrue, yPred, ['a', 'b', 'c']);
  assert.equal(r.accuracy, 4 / 6);
  assert.deepEqual(r.confusion.matrix, [[2, 1, 0], [0, 1, 1], [0, 0, 1]]);
  const [a, b, c] = r.perClass;
  assert.deepEqual([a!.precision, a!.recall, a!.support], [1, 2 / 3, 3]);
  assert.deepEqual([b!.precision, b!.recall, b!.f1], [0.5, 0.5, 0.5]);
  assert.deepEqual([c!.precision, c!.recall], [0.5, 1]);
  assert.ok(Math.abs(r.macro.precision - (1 + 0.5 + 0.5) / 3) < 1e-12);
  assert.ok(Math.abs(r.weighted.recall - (3 * (2 / 3) + 2 * 0.5 + 1) / 6) < 1e-12);
  // weighted recall equals accuracy (sklearn identity)
  assert.ok(Math.abs(r.weighted.recall - r.accuracy) < 1e-12);
  // a class never predicted: precision 0, not NaN
  const z = classificationReport([0, 1], [0, 0], ['a', 'b']);
  assert.equal(z.perClass[1]!.precision, 0);
  assert.equal(z.perClass[1]!.f1, 0);
  assert.throws(() => classificationReport([0, 3], [0, 0], ['a', 'b']), /yTrue\[1\] = 3 is not a class index/);
  assert.throws(() => classificationReport([0], [0, 1], ['a', 'b']), /yTrue has 1 labels but yPred has 2/);
});
