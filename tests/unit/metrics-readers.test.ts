// Format readers on small files written to a temporary folder.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  inferDetectionFormat, inferGroundTruthFormat, loadEvaluationInput, readCocoDetections, readCocoGroundTruth,
  readTxtDetections, readTxtGroundTruth, readYoloDetections, readYoloGroundTruth, roundHalfEven,
} from '../../main/metrics';

function folder(t: { after: (fn: () => void) => void }, files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'detecta-metrics-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

test('txt: difficult flag, class names with spaces, files in name order, empty files', (t) => {
  const dir = folder(t, {
    'b.txt': 'potted plant 1 2 3 4 difficult\n',
    'a.txt': 'cat 0 0 10 10\r\n\r\ncat 5 5 6 6\n',
    'c.txt': '',
  });
  const gt = readTxtGroundTruth(dir);
  assert.deepEqual(gt.images, ['a', 'b', 'c']);
  assert.deepEqual(gt.boxes.map((b) => [b.imageId, b.className, b.x1, b.y2, b.difficult ?? false]), [
    ['a', 'cat', 0, 10, false], ['a', 'cat', 5, 6, false], ['b', 'potted plant', 1, 4, true],
  ]);
});

test('txt detections: xywh and rel layouts, confidences like .88', (t) => {
  const dir = folder(t, { 'x.txt': 'person .88 5 67 31 48\n' });
  const [d] = readTxtDetections(dir, { box: 'xywh' }).detections;
  assert.deepEqual([d!.score, d!.x1, d!.y1, d!.x2, d!.y2], [0.88, 5, 67, 36, 115]);
  const rel = folder(t, { 'x.txt': 'person .88 0.10250000000000001 0.455 0.155 0.24\n' });
  const [r] = readTxtDetections(rel, { box: 'rel', imageSize: () => ({ width: 200, height: 200 }) }).detections;
  assert.deepEqual([r!.x1, r!.y1, r!.x2, r!.y2], [5, 67, 36, 115]);
});

test('roundHalfEven rounds like Python 3', () => {
  assert.deepEqual([0.5, 1.5, 2.5, -0.5, -1.5, 2.4, 2.6].map(roundHalfEven), [0, 2, 2, -0, -2, 2, 3]);
});

test('YOLO: relative boxes to pixels, classes.txt names, confidence last', (t) => {
  const dir = folder(t, {
    'gt/classes.txt': 'cat\ndog\n',
    'gt/im1.txt': '1 0.5 0.5 0.5 0.25\n',
    'det/im1.txt': '1 0.5 0.5 0.5 0.25 0.75\n',
  });
  const size = () => ({ width: 200, height: 100 });
  const gt = readYoloGroundTruth(join(dir, 'gt'), { imageSize: size });
  assert.deepEqual(gt.images, ['im1'], 'classes.txt is not a label file');
  assert.deepEqual(gt.boxes, [{ imageId: 'im1', className: 'dog', x1: 50, y1: 37.5, x2: 150, y2: 62.5 }]);
  const det = readYoloDetections(join(dir, 'det'), { imageSize: size, names: ['cat', 'dog'] });
  assert.equal(det.detections[0]!.score, 0.75);
  assert.equal(det.detections[0]!.className, 'dog');
  // Without names the id is the class.
  assert.equal(readYoloDetections(join(dir, 'det'), { imageSize: size }).detections[0]!.className, '1');
});

test('COCO: ground truth tables, crowd and area, results list and object forms', (t) => {
  const gtJson = {
    images: [{ id: 7, file_name: 'dir/b.jpg', width: 10, height: 10 }, { id: 3, file_name: 'a.jpg', width: 20, height: 20 }],
    annotations: [
      { id: 1, image_id: 7, category_id: 5, bbox: [1, 2, 3, 4], area: 99, iscrowd: 1 },
      { id: 2, image_id: 3, category_id: 5, bbox: [0, 0, 5, 5], area: 25, iscrowd: 0 },
    ],
    categories: [{ id: 5, name: 'cat' }],
  };
  const dir = folder(t, {
    'gt.json': JSON.stringify(gtJson),
    'res.json': JSON.stringify([{ image_id: 7, category_id: 5, bbox: [1, 2, 3, 4], score: 0.5 }, { image_id: 99, category_id: 6, bbox: [0, 0, 1, 1], score: 0.1 }]),
  });
  const gt = readCocoGroundTruth(join(dir, 'gt.json'));
  assert.deepEqual(gt.imageOrder, ['a', 'b'], 'ascending image id; keys are file stems');
  assert.deepEqual(gt.boxes[0], { imageId: 'b', className: 'cat', x1: 1, y1: 2, x2: 4, y2: 6, area: 99, iscrowd: true });
  assert.equal(gt.boxes[1]!.iscrowd, undefined);
  assert.deepEqual(gt.imageSizes.get('a'), { width: 20, height: 20 });
  const res = readCocoDetections(join(dir, 'res.json'), gt);
  assert.deepEqual(res.detections.map((d) => [d.imageId, d.className]), [['b', 'cat'], ['99', '6']]);
});

test('format inference and the orphan-detection warning', async (t) => {
  const dir = folder(t, {
    'voc/a.xml': '<annotation><size><width>100</width><height>50</height></size><object><name>cat</name><difficult>1</difficult><bndbox><xmin>1</xmin><ymin>2</ymin><xmax>30</xmax><ymax>40</ymax></bndbox></object></annotation>',
    'det/a.txt': 'cat 0.5 0.5 0.5 0.2 0.2\n',
    'det/zzz.txt': 'cat 0.5 0.5 0.5 0.2 0.2\n',
  });
  assert.equal(inferGroundTruthFormat(join(dir, 'voc')), 'voc');
  assert.equal(inferGroundTruthFormat(join(dir, 'det')), 'txt');
  assert.equal(inferDetectionFormat(join(dir, 'det')), 'txt');
  const input = await loadEvaluationInput(join(dir, 'voc'), join(dir, 'det'), { box: 'rel', imageSize: { width: 100, height: 50 } });
  assert.equal(input.gtFormat, 'voc');
  assert.deepEqual(input.gt.boxes, [{ imageId: 'a', className: 'cat', x1: 1, y1: 2, x2: 30, y2: 40, difficult: true }]);
  assert.deepEqual(input.gt.imageSizes.get('a'), { width: 100, height: 50 });
  assert.equal(input.det.detections[0]!.x2, 60);
  assert.match(input.warnings[0]!, /1 detections on 1 images without ground truth \(zzz\) count as false positives/);
  // Sizes for relative boxes come from the VOC <size> when no size is given.
  // Sizes for relative boxes come from the VOC <size> when no size is given; an image without
  // one is an error naming the file and line.
  await assert.rejects(loadEvaluationInput(join(dir, 'voc'), join(dir, 'det'), { box: 'rel' }), /zzz\.txt:1: relative box but the image size is unknown/);
  rmSync(join(dir, 'det', 'zzz.txt'));
  const fromGt = await loadEvaluationInput(join(dir, 'voc'), join(dir, 'det'), { box: 'rel' });
  assert.equal(fromGt.det.detections[0]!.y2, 30); // (0.5 − 0.1)·50 = 20, + 0.2·50
  assert.deepEqual(fromGt.warnings, []);
});
