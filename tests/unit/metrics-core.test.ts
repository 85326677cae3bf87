// IoU conventions, AP interpolations, VOC matching rules and COCO details on hand-made cases.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  allPointAP, compareImageIds, ELEVEN_RECALL_LEVELS, elevenPointAP, evaluateCoco, evaluateVoc, iou,
  COCO_IOU_THRESHOLDS, COCO_RECALL_LEVELS, type Detection, type GroundTruthBox,
} from '../../shared/metrics';

/** pycocotools divides by tp + fp + eps, so a perfect score is 1 − 2.2e-16. */
const near = (actual: number, want: number, msg?: string) => assert.ok(Math.abs(actual - want) < 1e-12, msg ?? `got ${actual}, expected ${want}`);
const gt = (imageId: string, x1: number, y1: number, x2: number, y2: number, extra: Partial<GroundTruthBox> = {}): GroundTruthBox =>
  ({ imageId, className: 'a', x1, y1, x2, y2, ...extra });
const det = (imageId: string, score: number, x1: number, y1: number, x2: number, y2: number, className = 'a'): Detection =>
  ({ imageId, className, score, x1, y1, x2, y2 });

test('iou: inclusive (+1) versus continuous pixel convention', () => {
  const a = { x1: 0, y1: 0, x2: 9, y2: 9 };
  const b = { x1: 5, y1: 0, x2: 14, y2: 9 };
  // inclusive: 10x10 boxes, intersection 5x10 → 50 / 150
  assert.equal(iou(a, b, 'inclusive'), 50 / 150);
  // continuous: 9x9 boxes, intersection 4x9 → 36 / 126
  assert.equal(iou(a, b, 'continuous'), 36 / 126);
  // touching edges: one shared pixel column with +1, nothing without
  const c = { x1: 9, y1: 0, x2: 18, y2: 9 };
  assert.equal(iou(a, c, 'inclusive'), 10 / 190);
  assert.equal(iou(a, c, 'continuous'), 0);
  // degenerate boxes never give NaN
  const p = { x1: 3, y1: 3, x2: 3, y2: 3 };
  assert.equal(iou(p, p, 'continuous'), 0);
  assert.equal(iou(p, p, 'inclusive'), 1);
});

test('allPointAP integrates the right-max envelope; elevenPointAP samples it', () => {
  // TP, FP, TP with 2 GT: rec [.5,.5,1], prec [1,.5,2/3]
  const rec = [0.5, 0.5, 1];
  const prec = [1, 0.5, 2 / 3];
  assert.equal(allPointAP(rec, prec), 0.5 * 1 + 0.5 * (2 / 3));
  assert.equal(elevenPointAP(rec, prec), (6 * 1 + 5 * (2 / 3)) / 11);
  assert.equal(allPointAP([], []), 0);
  assert.equal(elevenPointAP([], []), 0);
});

test('11-point recall levels are i·0.1 as numpy computes them (0.30000000000000004, not 0.3)', () => {
  assert.equal(ELEVEN_RECALL_LEVELS[3], 3 * 0.1);
  assert.notEqual(ELEVEN_RECALL_LEVELS[3], 0.3);
  assert.equal(ELEVEN_RECALL_LEVELS[10], 1);
  // A recall of exactly 0.3 (3/10) therefore does not reach the 0.3 level.
  assert.equal(elevenPointAP([0.3], [1]), 3 / 11);
});

test('COCO thresholds and recall levels follow numpy linspace', () => {
  assert.equal(COCO_IOU_THRESHOLDS.length, 10);
  assert.equal(COCO_IOU_THRESHOLDS[0], 0.5);
  assert.equal(COCO_IOU_THRESHOLDS[9], 0.95);
  assert.equal(COCO_IOU_THRESHOLDS[1], 0.5 + (0.95 - 0.5) / 9);
  assert.equal(COCO_RECALL_LEVELS.length, 101);
  assert.equal(COCO_RECALL_LEVELS[7], 7 * 0.01);
  assert.equal(COCO_RECALL_LEVELS[100], 1);
});

test('VOC matching: duplicate is a FP, difficult match is ignored, IoU >= t counts', () => {
  const gts = [gt('i', 0, 0, 9, 9), gt('i', 50, 50, 59, 59, { difficult: true })];
  const dets = [det('i', 0.9, 0, 0, 9, 9), det('i', 0.8, 0, 0, 9, 9), det('i', 0.7, 50, 50, 59, 59)];
  const r = evaluateVoc(gts, dets).classes[0]!;
  assert.equal(r.numGroundTruth, 1, 'difficult boxes do not count in recall');
  assert.deepEqual([r.tp, r.fp, r.ignored], [1, 1, 1]);
  assert.equal(r.ap, 1);
  // IoU exactly at the threshold is a match (>=): inclusive IoU 50/150 = 1/3
  const half = evaluateVoc([gt('i', 0, 0, 9, 9)], [det('i', 1, 5, 0, 14, 9)], { iouThreshold: 50 / 150 });
  assert.equal(half.classes[0]!.tp, 1);
});

test('VOC matching takes the best-IoU box even when it is already matched (then FP)', () => {
  const gts = [gt('i', 0, 0, 9, 9), gt('i', 6, 0, 15, 9)];
  // Second detection overlaps box 1 best (already taken) and box 2 enough: still a FP (reference rule).
  const dets = [det('i', 0.9, 0, 0, 9, 9), det('i', 0.8, 1, 0, 10, 9)];
  const r = evaluateVoc(gts, dets, { iouThreshold: 0.3 }).classes[0]!;
  assert.deepEqual([r.tp, r.fp], [1, 1]);
});

test('VOC: equal scores keep input order (stable sort)', () => {
  const gts = [gt('a', 0, 0, 9, 9)];
  const hit = det('a', 0.5, 0, 0, 9, 9);
  const miss = det('b', 0.5, 0, 0, 9, 9);
  assert.deepEqual([...evaluateVoc(gts, [hit, miss]).classes[0]!.isTp], [1, 0]);
  assert.deepEqual([...evaluateVoc(gts, [miss, hit]).classes[0]!.isTp], [0, 1]);
  assert.equal(evaluateVoc(gts, [hit, miss]).mAP, 1);
  assert.equal(evaluateVoc(gts, [miss, hit]).mAP, 0.5);
});

test('COCO: ties across images follow ascending image id unless an image order is given', () => {
  const gts = [gt('2', 0, 0, 10, 10)];
  const dets = [det('2', 0.5, 0, 0, 10, 10), det('10', 0.5, 0, 0, 10, 10)];
  // numeric order: image 2 (TP) before image 10 (FP) → AP 1
  assert.equal(compareImageIds('2', '10') < 0, true);
  near(evaluateCoco(gts, dets).stats.AP, 1);
  // FP first, then TP: precision 1/2 at every recall level
  near(evaluateCoco(gts, dets, { imageOrder: ['10', '2'] }).stats.AP, 0.5);
});

test('COCO: crowd boxes absorb any number of detections; area ranges split by the GT area', () => {
  const gts = [gt('1', 0, 0, 10, 10), gt('1', 100, 100, 300, 300, { iscrowd: true })];
  const dets = [det('1', 0.9, 0, 0, 10, 10), det('1', 0.8, 100, 100, 200, 200), det('1', 0.7, 200, 200, 300, 300)];
  const r = evaluateCoco(gts, dets);
  near(r.stats.AP, 1, 'detections on the crowd region are ignored, not FP');
  near(r.stats.APsmall, 1);
  assert.equal(r.stats.APmedium, -1);
  assert.equal(r.stats.APlarge, -1, 'crowd boxes do not count as ground truth of the large range');
  assert.equal(r.classes[0]!.numGroundTruth, 1);
  // The `area` field, not the box, decides the range.
  const big = evaluateCoco([gt('1', 0, 0, 10, 10, { area: 100 * 100 })], [det('1', 0.9, 0, 0, 10, 10)]);
  near(big.stats.APlarge, 1);
  assert.equal(big.stats.APsmall, -1);
});

test('COCO: only the top maxDets detections per image count for AR1/AR10', () => {
  const gts = [gt('1', 0, 0, 10, 10), gt('1', 20, 0, 30, 10)];
  const dets = [det('1', 0.9, 0, 0, 10, 10), det('1', 0.8, 20, 0, 30, 10)];
  const s = evaluateCoco(gts, dets).stats;
  assert.equal(s.AR1, 0.5);
  assert.equal(s.AR10, 1);
  near(s.AP, 1);
});

test('COCO AP50 equals the 101-point interpolation of the VOC matching on a simple case', () => {
  const gts = [gt('1', 0, 0, 10, 10), gt('1', 20, 0, 30, 10)];
  const dets = [det('1', 0.9, 0, 0, 10, 10), det('1', 0.8, 50, 50, 60, 60), det('1', 0.7, 20, 0, 30, 10)];
  // precision envelope: 1 up to recall .5, 2/3 up to 1 → 51 levels at 1, 50 levels at 2/3
  const want = (51 * 1 + 50 * (2 / 3)) / 101;
  assert.ok(Math.abs(evaluateCoco(gts, dets).stats.AP50 - want) < 1e-12);
});
