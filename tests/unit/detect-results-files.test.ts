/**
 * What Detect and `detecta predict` write (the one detections file format) and what a folder scan
 * must skip: per-frame CSV/JSON of a detector and of a classifier, the per-image results, files
 * from before the format was versioned, and the result-image names (NAME_detected / NAME_classified).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { videoDetectionsFile, videoFrameResult, imagesDetectionsFile } from '../../renderer/detect/detections-file';
import { detectionsFileCsv, detectionsFileJson, parseDetectionsFile } from '../../shared/results/detections-file';
import { isResultImage, RESULT_SUFFIX, webcamResultName } from '../../shared/dataset/result-files';
import { photoNames } from '../../main/dataset/folder-scan';

const labels = ['red', 'green', 'blue'];
const box = { x1: 1.234, y1: 2, x2: 30.5, y2: 40, score: 0.876543, classId: 2 };
const meta = { source: 'a.webm', model: 'm', width: 64, height: 48, fps: 16 };

test('detector frames: a row per box, an empty row for a frame without boxes; the JSON reads back', () => {
  const frames = [videoFrameResult(0, 0.0625, { task: 'detect', dets: [box] }, labels), videoFrameResult(1, 0.1875, { task: 'detect', dets: [] }, labels)];
  const file = videoDetectionsFile({ ...meta, task: 'detect' }, labels, frames);
  assert.equal(detectionsFileCsv(file), 'frame,time,label,class_id,score,x1,y1,x2,y2\n0,0.0625,blue,2,0.8765,1.23,2,30.5,40\n1,0.1875,,,,,,,\n');
  const text = detectionsFileJson(file);
  const doc = JSON.parse(text) as { format: string; frameCount: number; frames: { detections: unknown[] }[] };
  assert.equal(doc.format, 'detecta-detections');
  assert.equal(doc.frameCount, 2);
  assert.deepEqual(doc.frames[0]!.detections, [{ label: 'blue', classId: 2, score: 0.8765, x1: 1.23, y1: 2, x2: 30.5, y2: 40 }]);
  assert.deepEqual(parseDetectionsFile(text, 'a_detections.json'), file);
});

test('classifier frames: a row per ranked class, rank 1 first, quoted by the CSV writer', () => {
  const top = [{ className: 'green', classId: 1, score: 0.7 }, { className: 'red, dark', classId: 0, score: 0.2 }];
  const file = videoDetectionsFile({ ...meta, task: 'classify' }, ['red, dark', 'green'], [videoFrameResult(3, 0.5, { task: 'classify', top }, ['red, dark', 'green'])]);
  assert.equal(detectionsFileCsv(file), 'frame,time,rank,label,class_id,score\n3,0.5,1,green,1,0.7\n3,0.5,2,"red, dark",0,0.2\n');
});

test('per-image results for both kinds of model', () => {
  const classified = imagesDetectionsFile('m', 'classify', labels, [{ image: '/p/a.png', width: 10, height: 10, prediction: { task: 'classify', top: [{ className: 'red', classId: 0, score: 0.99 }] } }]);
  assert.equal(detectionsFileCsv(classified), 'image,rank,label,class_id,score\n/p/a.png,1,red,0,0.99\n');
  const detected = imagesDetectionsFile('m', 'detect', labels, [{ image: 'b.jpg', width: 64, height: 48, prediction: { task: 'detect', dets: [box] } }, { image: 'c.jpg', width: 64, height: 48, prediction: { task: 'detect', dets: [] } }]);
  assert.equal(detectionsFileCsv(detected), 'image,label,class_id,score,x1,y1,x2,y2\nb.jpg,blue,2,0.8765,1.23,2,30.5,40\nc.jpg,,,,,,,\n');
  assert.deepEqual(parseDetectionsFile(detectionsFileJson(detected), 'detections.json'), detected);
});

test('files from before the format had a version still read: round 1 predict (file, className) and Detect-view videos', () => {
  const predict = JSON.stringify({ model: '/r/weights/best', classes: ['ball'], confidence: 0.25, iou: 0.45, images: [{ file: '/x/a.jpg', output: '/o/a_detected.jpg', width: 64, height: 48, detections: [{ className: 'ball', classId: 0, score: 0.9, x1: 1, y1: 2, x2: 3, y2: 4 }] }] });
  const a = parseDetectionsFile(predict, 'detections.json');
  assert.equal(a.kind, 'images');
  assert.deepEqual(a.kind === 'images' && a.images[0], { image: '/x/a.jpg', output: '/o/a_detected.jpg', width: 64, height: 48, detections: [{ label: 'ball', classId: 0, score: 0.9, x1: 1, y1: 2, x2: 3, y2: 4 }] });
  const video = JSON.stringify({ source: 'v.webm', model: 'm', task: 'detect', width: 64, height: 48, fps: 16, frameCount: 1, frames: [{ frame: 0, time: 0.03, detections: [] }] });
  const v = parseDetectionsFile(video, 'v_detections.json');
  assert.equal(v.kind === 'video' && v.frames.length, 1);
});

test('a file that is not a detections file says what is wrong and where', () => {
  assert.throws(() => parseDetectionsFile('{"images": [', 'd.json'), /d\.json is not JSON/);
  assert.throws(() => parseDetectionsFile(JSON.stringify({ format: 'detecta-detections', version: 1, kind: 'images', task: 'detect', model: 'm', classes: [], images: [{ image: 'a.jpg', width: 4, height: 4, detections: [{ label: 'x', classId: 0, score: 2, x1: 0, y1: 0, x2: 1, y2: 1 }] }] }), 'd.json'),
    /d\.json is not a detections file: images\.0\.detections\.0\.score/);
  assert.throws(() => parseDetectionsFile(JSON.stringify({ format: 'detecta-detections', version: 2, kind: 'images', model: 'm', classes: [], images: [] }), 'd.json'), /version/);
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
