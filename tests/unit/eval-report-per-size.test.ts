/**
 * eval.json's AP per object size: buildEvalReport's perSize is evaluateCoco's per-area AP
 * (APsmall / APmedium / APlarge, null for a size without ground truth) with the ground-truth boxes
 * it counted per size; the report's size table marks the weakest size.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildEvalReport } from '../../main/training/evaluate';
import { evaluateCoco, type Detection, type GroundTruthBox } from '../../shared/metrics';
import { perSizeRows } from '../../renderer/views/train/report-data';

const box = (imageId: string, className: string, x: number, y: number, w: number, h: number) => ({ imageId, className, x1: x, y1: y, x2: x + w, y2: y + h });

// Images of 200×200 px. Class a: two small boxes (one found, one missed), one box of area exactly
// 32² (found: small and medium both count it, as in pycocotools) and a difficult small box (not
// counted). Class b: one medium box (found) and a large false positive. No large ground truth.
const groundTruth: GroundTruthBox[] = [
  box('img1', 'a', 10, 10, 20, 20),
  box('img1', 'a', 100, 100, 20, 20),
  box('img2', 'a', 10, 10, 32, 32),
  { ...box('img2', 'a', 150, 150, 10, 10), difficult: true },
  box('img3', 'b', 20, 20, 50, 50),
];
const detections: Detection[] = [
  { ...box('img1', 'a', 10, 10, 20, 20), score: 0.9 },
  { ...box('img2', 'a', 10, 10, 32, 32), score: 0.8 },
  { ...box('img3', 'b', 20, 20, 50, 50), score: 0.95 },
  { ...box('img3', 'b', 40, 40, 120, 120), score: 0.3 },
];
const classes = ['a', 'b'];

test('perSize is evaluateCoco\'s AP per area range; a size without ground truth is null, not 0', () => {
  const report = buildEvalReport(3, classes, groundTruth, detections, 0.25);
  const coco = evaluateCoco(groundTruth, detections, { classes });
  const p = report.perSize;
  assert.ok(p);
  assert.equal(p.small, coco.stats.APsmall);
  assert.equal(p.medium, coco.stats.APmedium);
  assert.equal(coco.stats.APlarge, -1);
  assert.equal(p.large, null);
  // small (class a only): recall 2/3 at precision 1 → 67 of the 101 recall levels, at every IoU
  assert.ok(Math.abs(p.small! - 67 / 101) < 1e-12, String(p.small));
  // medium: the 32² box (a) and the 50² box (b), both found exactly; the large false positive is
  // outside the range and ignored there
  assert.ok(Math.abs(p.medium! - 1) < 1e-12, String(p.medium)); // 1 / (1 + ε), as pycocotools divides
  assert.deepEqual(p.counts, { small: 3, medium: 2, large: 0 });
  assert.equal(report['mAP50-95'], coco.stats.AP);
  // survives the JSON round trip eval.json makes (null stays null)
  assert.deepEqual(JSON.parse(JSON.stringify(report)).perSize, p);
});

test('a box\'s own area field decides its size, as in the evaluator', () => {
  const gts: GroundTruthBox[] = [{ ...box('i', 'a', 0, 0, 20, 20), area: 100 ** 2 }];
  const report = buildEvalReport(1, ['a'], gts, [{ ...box('i', 'a', 0, 0, 20, 20), score: 0.5 }], 0.25);
  const p = report.perSize!;
  assert.deepEqual([p.small, p.medium, p.counts], [null, null, { small: 0, medium: 0, large: 1 }]);
  assert.ok(Math.abs(p.large! - 1) < 1e-12, String(p.large));
});

test('the size table: area words, counts, and the weakest size marked only when the sizes differ', () => {
  const rows = perSizeRows({ small: 0.1, medium: 0.5, large: null, counts: { small: 30, medium: 4, large: 0 } });
  assert.deepEqual(rows.map((r) => [r.size, r.count, r.ap, r.weakest]), [['small', 30, 0.1, true], ['medium', 4, 0.5, false], ['large', 0, null, false]]);
  assert.match(rows[0]!.area, /32×32/);
  assert.deepEqual(perSizeRows({ small: 0.2, medium: 0.2, large: null, counts: { small: 1, medium: 1, large: 0 } }).map((r) => r.weakest), [false, false, false]);
  assert.deepEqual(perSizeRows({ small: 0.2, medium: null, large: null, counts: { small: 1, medium: 0, large: 0 } }).map((r) => r.weakest), [false, false, false]);
});
