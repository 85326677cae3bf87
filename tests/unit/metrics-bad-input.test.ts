// Defined behaviour for bad input, in the core and in the readers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { evaluateCoco, evaluateVoc, MetricsInputError, detectionConfusionMatrix, type Detection, type GroundTruthBox } from '../../shared/metrics';
import { FormatError, readCocoDetections, readTxtDetections, readTxtGroundTruth, readVocGroundTruth, readYoloGroundTruth } from '../../main/metrics';

const g: GroundTruthBox = { imageId: 'a', className: 'cat', x1: 0, y1: 0, x2: 10, y2: 10 };
const d: Detection = { imageId: 'a', className: 'cat', score: 0.9, x1: 0, y1: 0, x2: 10, y2: 10 };
const all = [
  (gts: GroundTruthBox[], dets: Detection[]) => evaluateVoc(gts, dets),
  (gts: GroundTruthBox[], dets: Detection[]) => evaluateCoco(gts, dets),
  (gts: GroundTruthBox[], dets: Detection[]) => detectionConfusionMatrix(gts, dets),
];

test('NaN score is an error naming the detection', () => {
  for (const f of all) {
    assert.throws(() => f([g], [{ ...d, score: NaN }]), (e: unknown) => e instanceof MetricsInputError && /detection #0 \(image "a", class "cat"\): score is NaN/.test(e.message));
  }
  // ±Infinity is ordered and accepted
  assert.equal(evaluateVoc([g], [{ ...d, score: Infinity }]).mAP, 1);
});

test('xmax < xmin (or ymax < ymin) is an error, for detections and ground truth', () => {
  for (const f of all) {
    assert.throws(() => f([g], [{ ...d, x2: -1 }]), /detection #0 .*x2 < x1/);
    assert.throws(() => f([{ ...g, y2: -5 }], [d]), /ground truth #0 .*y2 < y1/);
    assert.throws(() => f([{ ...g, x1: NaN }], [d]), /coordinates must be finite/);
  }
});

test('unknown class: ignored and reported without a class list, an error with one', () => {
  const dog: Detection = { ...d, className: 'dog' };
  const r = evaluateVoc([g], [d, dog, dog]);
  assert.deepEqual(r.classes.map((c) => c.className), ['cat']);
  assert.deepEqual(r.ignoredDetectionClasses, { dog: 2 });
  assert.equal(r.mAP, 1);
  assert.deepEqual(evaluateCoco([g], [d, dog]).ignoredDetectionClasses, { dog: 1 });
  assert.throws(() => evaluateVoc([g], [dog], { classes: ['cat'] }), /detection #0 .*"dog".*unknown class/);
  assert.throws(() => evaluateCoco([g], [dog], { classes: ['cat'] }), /unknown class/);
  // A listed class without ground truth gets AP null and stays out of the mean.
  const listed = evaluateVoc([g], [d], { classes: ['cat', 'dog'] });
  assert.deepEqual(listed.classes.map((c) => c.ap), [1, null]);
  assert.equal(listed.mAP, 1);
});

test('detections on an image without ground truth are false positives', () => {
  const elsewhere: Detection = { ...d, imageId: 'no-gt', score: 0.95 };
  const r = evaluateVoc([g], [elsewhere, d]);
  assert.deepEqual([r.classes[0]!.tp, r.classes[0]!.fp], [1, 1]);
  assert.equal(r.mAP, 0.5);
  assert.ok(evaluateCoco([g], [elsewhere, d]).stats.AP < 0.51);
  // With no ground truth at all there is no class to average: mAP is null, COCO gives -1.
  assert.equal(evaluateVoc([], [d]).mAP, null);
  assert.equal(evaluateCoco([], [d]).stats.AP, -1);
});

test('empty input gives empty results, not NaN', () => {
  const r = evaluateVoc([g], []);
  assert.equal(r.mAP, 0);
  assert.equal(evaluateCoco([g], []).stats.AP, 0);
});

function tmp(): string {
  return mkdtempSync(join(tmpdir(), 'detecta-metrics-'));
}

test('readers: errors name the file and the line', (t) => {
  const dir = tmp();
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const gtDir = join(dir, 'gt');
  const detDir = join(dir, 'det');
  mkdirSync(gtDir);
  mkdirSync(detDir);
  writeFileSync(join(detDir, 'img1.txt'), 'cat 0.9 0 0 10 10\ncat nan 0 0 10 10\n');
  assert.throws(() => readTxtDetections(detDir), (e: unknown) => e instanceof FormatError && e.line === 2 && e.message.endsWith('img1.txt:2: confidence "nan" is not a number'));
  writeFileSync(join(detDir, 'img1.txt'), 'cat 0.9 20 0 10 10\n');
  assert.throws(() => readTxtDetections(detDir), /img1\.txt:1: box has right < left/);
  writeFileSync(join(detDir, 'img1.txt'), 'cat 0.9 0 0 10\n');
  assert.throws(() => readTxtDetections(detDir), /img1\.txt:1: expected "<class> <confidence> <4 numbers>"/);
  writeFileSync(join(gtDir, 'img1.txt'), '\n7 0 0 10 10\n');
  assert.throws(() => readTxtGroundTruth(gtDir, { names: ['a', 'b'] }), /img1\.txt:2: class id 7 is out of range \(the names file has 2 names\)/);
  writeFileSync(join(gtDir, 'img1.txt'), '0 0.5 0.5 0.2\n');
  assert.throws(() => readYoloGroundTruth(gtDir, { imageSize: () => ({ width: 10, height: 10 }) }), /img1\.txt:1: expected "<id> <xc> <yc> <w> <h>"/);
  writeFileSync(join(gtDir, 'img1.txt'), '0 0.5 0.5 0.2 0.2\n');
  assert.throws(() => readYoloGroundTruth(gtDir), /img1\.txt:1: image size of "img1" is unknown/);
  writeFileSync(join(dir, 'res.json'), JSON.stringify([{ image_id: 1, category_id: 1, bbox: [0, 0, 1, 1] }]));
  assert.throws(() => readCocoDetections(join(dir, 'res.json')), /res\.json: \[0\]\.score must be a number/);
  writeFileSync(join(dir, 'res.json'), '[{');
  assert.throws(() => readCocoDetections(join(dir, 'res.json')), /res\.json: invalid JSON/);
  const vocDir = join(dir, 'voc');
  mkdirSync(vocDir);
  writeFileSync(join(vocDir, 'x.xml'), '<annotation><object><name>cat</name><bndbox><xmin>50</xmin><ymin>0</ymin><xmax>10</xmax><ymax>10</ymax></bndbox></object></annotation>');
  assert.throws(() => readVocGroundTruth(vocDir), /x\.xml: object #1 \("cat"\) has xmax < xmin/);
  writeFileSync(join(vocDir, 'x.xml'), '<annotation><object><name>cat</name>');
  assert.throws(() => readVocGroundTruth(vocDir), /x\.xml/);
});
