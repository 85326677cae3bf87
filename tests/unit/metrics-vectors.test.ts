// Reproduces every number of ../shared/datasets/map-test-vectors/expected.json through the library
// and the format readers, each under the protocol that produced it (see EXPECTED.md).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { evaluateCoco, evaluateVoc, type Detection, type GroundTruthBox } from '../../shared/metrics';
import { loadEvaluationInput, readNames, readTxtDetections, readTxtGroundTruth, type TxtBoxFormat } from '../../main/metrics';

const VECTORS = fileURLToPath(new URL('../../../shared/datasets/map-test-vectors/', import.meta.url));
const expected = JSON.parse(readFileSync(`${VECTORS}expected.json`, 'utf8')).sets;
const TOL = 1e-4;

function close(actual: number | null, want: number, label: string): void {
  assert.ok(actual !== null && Math.abs(actual - want) <= TOL, `${label}: got ${actual}, expected ${want}`);
}

interface PadillaResult {
  iou_threshold: number;
  ap_every_point: number;
  ap_11_point: number;
  tp: number;
  fp: number;
  without_plus1: { ap_every_point: number; ap_11_point: number };
}

function checkPadilla(label: string, gts: GroundTruthBox[], dets: Detection[], results: PadillaResult[]): void {
  for (const r of results) {
    const t = r.iou_threshold;
    const all = evaluateVoc(gts, dets, { iouThreshold: t });
    close(all.mAP, r.ap_every_point, `${label} every-point @${t}`);
    assert.equal(all.classes[0]!.tp, r.tp, `${label} TP @${t}`);
    assert.equal(all.classes[0]!.fp, r.fp, `${label} FP @${t}`);
    close(evaluateVoc(gts, dets, { iouThreshold: t, method: '11-point' }).mAP, r.ap_11_point, `${label} 11-point @${t}`);
    close(evaluateVoc(gts, dets, { iouThreshold: t, pixelConvention: 'continuous' }).mAP, r.without_plus1.ap_every_point, `${label} every-point without +1 @${t}`);
    close(evaluateVoc(gts, dets, { iouThreshold: t, method: '11-point', pixelConvention: 'continuous' }).mAP, r.without_plus1.ap_11_point, `${label} 11-point without +1 @${t}`);
  }
}

const padillaSets: [string, string, string, TxtBoxFormat][] = [
  ['padilla-odm-2018', 'padilla-odm-2018/groundtruths', 'padilla-odm-2018/detections', 'xywh'],
  ['padilla-odm-2018', 'padilla-odm-2018/groundtruths_rel', 'padilla-odm-2018/detections_rel', 'rel'],
  ['padilla-review-2021/test_case_1', 'padilla-review-2021/test_case_1/gts', 'padilla-review-2021/test_case_1/dets', 'xywh'],
];
for (const [set, gtDir, detDir, box] of padillaSets) {
  test(`${gtDir} + ${detDir} (${box}): AP at every IoU threshold, both interpolations, with and without +1`, () => {
    const opts = { box, imageSize: () => ({ width: 200, height: 200 }) };
    const gts = readTxtGroundTruth(VECTORS + gtDir, opts).boxes;
    const dets = readTxtDetections(VECTORS + detDir, opts).detections;
    const exp = expected[set];
    assert.equal(gts.length, exp.num_gt);
    assert.equal(dets.length, exp.num_det);
    assert.deepEqual([...new Set(gts.map((g) => g.className))], [exp.class]);
    checkPadilla(set, gts, dets, exp.results);
  });
}

test('padilla 2018: breaking the score ties the other way gives the documented wrong numbers', () => {
  const opts = { box: 'xywh' as const };
  const gts = readTxtGroundTruth(`${VECTORS}padilla-odm-2018/groundtruths`, opts).boxes;
  const dets = readTxtDetections(`${VECTORS}padilla-odm-2018/detections`, opts).detections;
  // Reversed reading order: ties now resolve Y before R, T before N, Q before K.
  const reversed = [...dets].reverse();
  const r = evaluateVoc(gts, reversed, { iouThreshold: 0.3 });
  assert.ok(Math.abs(r.mAP! - 0.2235) < 5e-5, `got ${r.mAP}`);
  assert.ok(Math.abs(evaluateVoc(gts, reversed, { iouThreshold: 0.3, method: '11-point' }).mAP! - 0.2381) < 5e-5);
});

const toy = `${VECTORS}padilla-review-2021/toyexample/`;
const toyDetections: [string, TxtBoxFormat | undefined][] = [
  ['dets_classid_abs_xywh', 'xywh'],
  ['dets_classid_abs_xyx2y2', 'xyxy'],
  ['dets_classid_rel_xcycwh', 'rel'],
  ['dets_classname_abs_xywh', 'xywh'],
  ['dets_classname_abs_xyx2y2', 'xyxy'],
  ['dets_classname_rel_xcycwh', 'rel'],
  ['dets_coco_format/coco_dets.json', undefined],
];
for (const [dir, box] of toyDetections) {
  test(`toy example, VOC XML ground truth + ${dir}: AP at 0.5 and 0.75`, async () => {
    const input = await loadEvaluationInput(`${toy}gts_vocpascal_format`, toy + dir, { box, names: readNames(`${toy}voc.names`) });
    const exp = expected['padilla-review-2021/toyexample'];
    assert.equal(input.gt.boxes.length, exp.num_gt);
    assert.equal(input.det.detections.length, exp.num_det);
    assert.equal(input.gt.images.length, 10, 'the XML file without objects still counts as an image');
    for (const r of exp.voc) {
      const all = evaluateVoc(input.gt.boxes, input.det.detections, { iouThreshold: r.iou_threshold });
      close(all.mAP, r.ap_every_point, `every-point @${r.iou_threshold}`);
      assert.equal(all.classes[0]!.tp, r.tp);
      assert.equal(all.classes[0]!.fp, r.fp);
      close(evaluateVoc(input.gt.boxes, input.det.detections, { iouThreshold: r.iou_threshold, method: '11-point' }).mAP, r.ap_11_point, `11-point @${r.iou_threshold}`);
      // Same with or without +1 here (large boxes).
      close(evaluateVoc(input.gt.boxes, input.det.detections, { iouThreshold: r.iou_threshold, pixelConvention: 'continuous' }).mAP, r.ap_every_point, 'without +1');
    }
    for (const [key, pct] of Object.entries(exp.upstream_documented_percent as Record<string, Record<string, number>>)) {
      const t = Number(key.replace('iou', ''));
      const ap = evaluateVoc(input.gt.boxes, input.det.detections, { iouThreshold: t }).mAP!;
      const ap11 = evaluateVoc(input.gt.boxes, input.det.detections, { iouThreshold: t, method: '11-point' }).mAP!;
      assert.equal((ap * 100).toFixed(2), pct.ap_every_point!.toFixed(2));
      assert.equal((ap11 * 100).toFixed(2), pct.ap_11_point!.toFixed(2));
    }
  });
}

test('toy example, COCO ground truth + COCO detections: the twelve COCO numbers', async () => {
  const input = await loadEvaluationInput(`${toy}gts_coco_format/toy_example_coco.JSON`, `${toy}dets_coco_format/coco_dets.json`);
  const r = evaluateCoco(input.gt.boxes, input.det.detections, { imageOrder: input.gt.imageOrder });
  const want = expected['padilla-review-2021/toyexample'].coco_computed_here as Record<string, number>;
  assert.equal(Object.keys(want).length, 12);
  for (const [k, v] of Object.entries(want)) close(r.stats[k as keyof typeof r.stats], v, `COCO ${k}`);
});

test('cartucho sample: mAP50 (all-point, +1), per-class AP, 11-point and without +1', async () => {
  const input = await loadEvaluationInput(`${VECTORS}cartucho-mAP/ground-truth`, `${VECTORS}cartucho-mAP/detection-results`);
  const exp = expected['cartucho-mAP'];
  assert.equal(input.gt.boxes.length, exp.num_gt);
  assert.equal(input.det.detections.length, exp.num_det);
  const r = evaluateVoc(input.gt.boxes, input.det.detections, { iouThreshold: 0.5 });
  assert.equal(r.classes.length, exp.num_gt_classes);
  close(r.mAP, exp.mAP_every_point, 'mAP');
  assert.equal((r.mAP! * 100).toFixed(2), exp.reference_main_py_mAP_percent.toFixed(2));
  const perClass = exp.per_class_ap_every_point as Record<string, number>;
  assert.deepEqual(r.classes.map((c) => c.className), Object.keys(perClass).sort());
  for (const c of r.classes) close(c.ap, perClass[c.className]!, c.className);
  assert.equal(Object.keys(r.ignoredDetectionClasses).length, 8, 'eight detected classes never occur in the ground truth');
  close(evaluateVoc(input.gt.boxes, input.det.detections, { method: '11-point' }).mAP, exp.mAP_11_point_computed_here, '11-point mAP');
  close(evaluateVoc(input.gt.boxes, input.det.detections, { pixelConvention: 'continuous' }).mAP, 0.3102968511, 'mAP without +1 (EXPECTED.md)');
});
