/** The review queue's matching and ranking (shared/dataset/review.ts) on hand-made cases. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  applyEdit, calibrateConfidence, findingKey, strength, fixEdit, labelNextOrder, rankFindings, rankImages, reviewImage,
  type ReviewDetection, type ReviewLabel, type ReviewRect,
} from '../../shared/dataset/review';

const box = (x: number, y: number, w: number, h: number): ReviewRect => ({ xmin: x, ymin: y, xmax: x + w, ymax: y + h });
const lab = (key: string, label: string, r: ReviewRect): ReviewLabel => ({ key, label, ...r });
const det = (label: string, score: number, r: ReviewRect): ReviewDetection => ({ label, score, ...r });

test('labels the model agrees with give no finding', () => {
  const f = reviewImage('a.jpg', [lab('b1', 'cat', box(10, 10, 100, 100)), lab('b2', 'dog', box(200, 10, 80, 80))],
    [det('cat', 0.9, box(12, 11, 98, 100)), det('dog', 0.7, box(201, 12, 80, 78)), det('cat', 0.2, box(400, 400, 30, 30))]);
  assert.deepEqual(f, []);
});

test('missing: a confident detection without a label; a low one is not', () => {
  const f = reviewImage('a.jpg', [lab('b1', 'cat', box(10, 10, 100, 100))],
    [det('cat', 0.9, box(10, 10, 100, 100)), det('cat', 0.8, box(300, 300, 50, 50)), det('cat', 0.2, box(500, 10, 50, 50))]);
  assert.equal(f.length, 1);
  assert.equal(f[0].kind, 'missing');
  assert.equal(f[0].boxId, null);
  assert.deepEqual(f[0].suggestion, { label: 'cat', score: 0.8, ...box(300, 300, 50, 50) });
  assert.equal(f[0].score, 0.8);
});

test('loose: a box shifted by 30 % of its width (IoU 0.54) is loose, the detection its fix; a tight one is not', () => {
  const truth = box(100, 100, 100, 60);
  const shifted = box(130, 100, 100, 60);
  const f = reviewImage('a.jpg', [lab('b1', 'cat', shifted), lab('b2', 'cat', box(300, 300, 50, 50))],
    [det('cat', 0.9, truth), det('cat', 0.9, box(302, 301, 50, 50))]);
  assert.equal(f.length, 1);
  assert.equal(f[0].kind, 'loose');
  assert.equal(f[0].boxId, 'b1');
  assert.ok(Math.abs(f[0].iou! - 0.538) < 0.001, String(f[0].iou));
  assert.ok(f[0].score > 0.7 && f[0].score < 0.9, String(f[0].score));
  assert.deepEqual(fixEdit(f[0], 'accept'), { type: 'setRect', id: 'b1', box: truth });
});

test('loose: the label is judged against the confident detection of its object, not a weak one that happens to overlap it better', () => {
  const truth = box(100, 100, 100, 60);
  const shifted = box(130, 100, 100, 60);
  // a weak, stray detection lies right on the shifted label (IoU 0.9): it must not explain the label away
  const f = reviewImage('a.jpg', [lab('b1', 'cat', shifted)], [det('cat', 0.9, truth), det('cat', 0.1, box(132, 102, 96, 58))]);
  assert.equal(f.length, 1);
  assert.equal(f[0].kind, 'loose');
  assert.deepEqual(f[0].suggestion, { label: 'cat', score: 0.9, ...truth });
});

test('wrong class: a confident detection of another class beats the label\'s own class there', () => {
  const r = box(50, 50, 100, 100);
  const f = reviewImage('a.jpg', [lab('b1', 'dog', r)], [det('cat', 0.85, r), det('dog', 0.2, r)]);
  assert.equal(f.length, 1);
  assert.equal(f[0].kind, 'wrong-class');
  assert.equal(f[0].score, 0.65);
  assert.deepEqual(fixEdit(f[0], 'accept'), { type: 'relabel', id: 'b1', label: 'cat' });
  // the label's own class scores higher: no finding
  assert.deepEqual(reviewImage('a.jpg', [lab('b1', 'dog', r)], [det('cat', 0.6, r), det('dog', 0.8, r)]), []);
  // a cat and a dog overlapping, each labeled and detected: no finding
  const r2 = box(60, 55, 100, 100);
  assert.deepEqual(reviewImage('a.jpg', [lab('b1', 'dog', r), lab('b2', 'cat', r2)], [det('cat', 0.9, r2), det('dog', 0.7, r)]), []);
});

test('spurious: a label with nothing confident on it, weighted below a missing box of the same strength', () => {
  const f = reviewImage('a.jpg', [lab('b1', 'cat', box(10, 10, 50, 50)), lab('b2', 'cat', box(200, 200, 50, 50))],
    [det('cat', 0.2, box(200, 200, 50, 50)), det('cat', 0.95, box(400, 10, 60, 60))]);
  const spur = f.filter((x) => x.kind === 'spurious');
  assert.deepEqual(spur.map((x) => [x.boxId, x.score]), [['b1', 0.4], ['b2', 0.24]]);
  assert.equal(f[0].kind, 'missing');
  assert.deepEqual(fixEdit(spur[0], 'accept'), { type: 'delete', id: 'b1' });
});

test('duplicate: two same-class labels with IoU ≥ 0.7; the one the model supports less goes', () => {
  const a = box(100, 100, 100, 100);
  const b = box(104, 102, 100, 100);
  const f = reviewImage('a.jpg', [lab('b1', 'cat', a), lab('b2', 'cat', b)], [det('cat', 0.9, b)]);
  assert.equal(f.length, 1, JSON.stringify(f));
  assert.equal(f[0].kind, 'duplicate');
  assert.equal(f[0].boxId, 'b1');
  assert.equal(f[0].twinId, 'b2');
  assert.ok(f[0].score >= 0.7);
  // two classes on one object are not duplicates
  assert.ok(!reviewImage('a.jpg', [lab('b1', 'cat', a), lab('b2', 'dog', b)], []).some((x) => x.kind === 'duplicate'));
});

test('drafts are not labels', () => {
  const f = reviewImage('a.jpg', [{ ...lab('b1', 'cat', box(10, 10, 50, 50)), draft: true }], [det('cat', 0.9, box(10, 10, 50, 50))]);
  assert.deepEqual(f.map((x) => x.kind), ['missing']);
});

test('ranking: findings by score across images, dismissed ones left out; images by summed score', () => {
  const f = [
    ...reviewImage('img2.jpg', [], [det('cat', 0.6, box(0, 0, 10, 10)), det('cat', 0.6, box(50, 50, 10, 10))]),
    ...reviewImage('img10.jpg', [], [det('cat', 0.9, box(0, 0, 10, 10))]),
  ];
  assert.deepEqual(rankFindings(f).map((x) => [x.imageId, x.score]), [['img10.jpg', 0.9], ['img2.jpg', 0.6], ['img2.jpg', 0.6]]);
  assert.deepEqual(rankImages(f).map((x) => [x.imageId, x.score, x.worst]), [['img2.jpg', 1.2, 0.6], ['img10.jpg', 0.9, 0.9]]);
  const dismissed = new Set([findingKey(f.find((x) => x.imageId === 'img10.jpg')!)]);
  assert.deepEqual(rankFindings(f, dismissed).map((x) => x.imageId), ['img2.jpg', 'img2.jpg']);
  // a retrained model's box a few pixels off keeps the dismissal
  const again = reviewImage('img10.jpg', [], [det('cat', 0.8, box(2, 1, 10, 11))]);
  assert.deepEqual(rankFindings(again, dismissed), []);
});

test('fix edits apply to boxes by id; a gone box gives null', () => {
  type B = ReviewRect & { key?: string; label: string; difficult: boolean };
  const boxes: B[] = [{ key: 'b1', label: 'cat', difficult: true, ...box(0, 0, 10, 10) }];
  const mk = (r: ReviewRect, label: string): B => ({ ...r, label, difficult: false });
  assert.deepEqual(applyEdit(boxes, { type: 'relabel', id: 'b1', label: 'dog' }, mk), [{ key: 'b1', label: 'dog', difficult: true, ...box(0, 0, 10, 10) }]);
  assert.deepEqual(applyEdit(boxes, { type: 'setRect', id: 'b1', box: box(1, 2, 3, 4) }, mk), [{ key: 'b1', label: 'cat', difficult: true, ...box(1, 2, 3, 4) }]);
  assert.deepEqual(applyEdit(boxes, { type: 'delete', id: 'b1' }, mk), []);
  assert.equal(applyEdit(boxes, { type: 'delete', id: 'b9' }, mk), null);
  assert.equal(applyEdit(boxes, { type: 'add', box: box(5, 5, 5, 5), label: 'cat' }, mk)!.length, 2);
});

test('label next: the most uncertain unlabeled image first', () => {
  const order = labelNextOrder([
    { imageId: 'sure.jpg', detections: [{ score: 0.98 }, { score: 0.97 }] },
    { imageId: 'unsure.jpg', detections: [{ score: 0.5 }, { score: 0.45 }] },
    { imageId: 'empty.jpg', detections: [{ score: 0.01 }] },
  ]);
  assert.deepEqual(order.map((x) => x.imageId), ['unsure.jpg', 'sure.jpg', 'empty.jpg']);
  assert.equal(order[2].detections, 0);
});

test('bad options are refused with the option named', () => {
  assert.throws(() => reviewImage('a.jpg', [], [], { confidence: 2 }), /confidence/);
  assert.throws(() => reviewImage('a.jpg', [], [], { matchIou: 0.8 }), /matchIou/);
});

test('strength: 0.5 at the confidence threshold, 0 and 1 at the ends, monotone', () => {
  assert.equal(strength(0.3, 0.3), 0.5);
  assert.equal(strength(1, 0.3), 1);
  assert.equal(strength(0, 0.3), 0);
  assert.ok(strength(0.2, 0.3) < strength(0.35, 0.3) && strength(0.35, 0.3) < strength(0.6, 0.3));
  assert.equal(strength(0.7, 0.5), 0.7);
});

test('calibrateConfidence: the score where detections agree best with the labels', () => {
  // a model that scores its true boxes 0.3-0.4 and its false ones 0.1-0.2: the threshold lands at 0.3
  const images = Array.from({ length: 10 }, (_, i) => ({
    labels: [lab(`b${i}`, 'cat', box(0, 0, 50, 50))],
    detections: [det('cat', 0.3 + i * 0.01, box(1, 1, 50, 50)), det('cat', 0.1 + i * 0.01, box(100, 100, 20, 20))],
  }));
  assert.equal(calibrateConfidence(images), 0.3);
  const f = reviewImage('x.jpg', [], [det('cat', 0.35, box(100, 100, 20, 20))], { confidence: calibrateConfidence(images) });
  assert.deepEqual(f.map((x) => x.kind), ['missing']);
  assert.equal(calibrateConfidence([]), 0.5);
  assert.equal(calibrateConfidence([{ labels: [], detections: [det('cat', 0.9, box(0, 0, 5, 5))] }]), 0.5);
});
