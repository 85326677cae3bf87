/**
 * What Detect writes and what a folder scan must skip: per-frame CSV/JSON of a detector and of a
 * classifier, the per-image results CSV, and the result-image names (NAME_detected / NAME_classified).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { detectionsCsv, detectionsJson, frameEntry, imagesCsv } from '../../renderer/views/detect/engine/detections-file';
import { isResultImage, RESULT_SUFFIX, webcamResultName } from '../../shared/dataset/result-files';
import { photoNames } from '../../main/dataset/folder-scan';

const labels = ['red', 'green', 'blue'];
const box = { x1: 1.234, y1: 2, x2: 30.5, y2: 40, score: 0.876543, classId: 2 };

test('detector frames: a row per box, an empty row for a frame without boxes', () => {
  const frames = [frameEntry(0, 0.0625, { task: 'detect', dets: [box] }, labels), frameEntry(1, 0.1875, { task: 'detect', dets: [] }, labels)];
  assert.equal(detectionsCsv('detect', frames), 'frame,time,label,class_id,score,x1,y1,x2,y2\n0,0.0625,blue,2,0.8765,1.23,2,30.5,40\n1,0.1875,,,,,,,\n');
  const doc = JSON.parse(detectionsJson({ source: 'a.webm', model: 'm', task: 'detect', width: 64, height: 48, fps: 16 }, frames)) as { frameCount: number; frames: { detections: unknown[] }[] };
  assert.equal(doc.frameCount, 2);
  assert.deepEqual(doc.frames[0]!.detections, [{ label: 'blue', classId: 2, score: 0.8765, x1: 1.23, y1: 2, x2: 30.5, y2: 40 }]);
});

test('classifier frames: a row per ranked class, rank 1 first', () => {
  const top = [{ className: 'green', classId: 1, score: 0.7 }, { className: 'red, dark', classId: 0, score: 0.2 }];
  const csv = detectionsCsv('classify', [frameEntry(3, 0.5, { task: 'classify', top }, labels)]);
  assert.equal(csv, 'frame,time,rank,label,class_id,score\n3,0.5,1,green,1,0.7\n3,0.5,2,"red, dark",0,0.2\n');
});

test('per-image results CSV for both kinds of model', () => {
  assert.equal(imagesCsv('classify', [{ image: '/p/a.png', prediction: { task: 'classify', top: [{ className: 'red', classId: 0, score: 0.99 }] } }], labels), 'image,rank,label,class_id,score\n/p/a.png,1,red,0,0.99\n');
  assert.equal(imagesCsv('detect', [{ image: 'b.jpg', prediction: { task: 'detect', dets: [box] } }, { image: 'c.jpg', prediction: { task: 'detect', dets: [] } }], labels),
    'image,label,class_id,score,x1,y1,x2,y2\nb.jpg,blue,2,0.8765,1.23,2,30.5,40\nc.jpg,,,,,,,\n');
});

test('result images are recognised only beside their source; webcam results always', () => {
  assert.deepEqual(RESULT_SUFFIX, { detect: '_detected', classify: '_classified' });
  const stems = new Set(['cat', 'cat_detected']);
  assert.equal(isResultImage('cat_detected.jpg', stems), true);
  assert.equal(isResultImage('cat_classified.png', stems), true);
  assert.equal(isResultImage('dog_detected.jpg', stems), false, 'no dog.* beside it: a photo with an odd name');
  assert.equal(isResultImage('cat.jpg', stems), false);
  assert.equal(isResultImage('webcam-20261123-101010_detected.jpg', new Set()), true);
  assert.equal(isResultImage('webcam-holiday_detected.jpg', new Set()), false);
  const saved = webcamResultName('classify', new Date('2026-11-23T10:10:10Z'));
  assert.equal(saved, 'webcam-20261123-101010_classified.jpg');
  assert.equal(isResultImage(saved, new Set()), true, 'the webcam saves under a name the scan skips');
  assert.deepEqual(photoNames(['cat.jpg', 'cat_detected.jpg', 'notes.txt', 'dog_detected.JPG', 'cat_classified.webp', 'x.xml']), ['cat.jpg', 'dog_detected.JPG']);
});
