import { test } from 'node:test';
import assert from 'node:assert/strict';
import { boundsOfPoints, labelStudioToRelative, parseCvatPoints, rotatedRectPoints } from '../../shared/dataset/convert';
import { ProjectNameIndex } from '../../shared/dataset/name-match';

const near = (a: number[], b: number[]) => a.every((v, i) => Math.abs(v - b[i]!) < 1e-9);

test('rotated rectangles: CVAT turns around the centre, Label Studio around the top-left corner (clockwise, y down)', () => {
  // 20x10 box centred on (50, 50), 90° → 10x20
  const c = boundsOfPoints(rotatedRectPoints(40, 45, 20, 10, 90, [50, 50]));
  assert.ok(near([c.xmin, c.ymin, c.xmax, c.ymax], [45, 40, 55, 60]), JSON.stringify(c));
  // 45°: a 10x10 square's bounds grow to its diagonal
  const d = boundsOfPoints(rotatedRectPoints(0, 0, 10, 10, 45, [5, 5]));
  assert.ok(Math.abs(d.xmax - d.xmin - Math.SQRT2 * 10) < 1e-9);
  // Label Studio 90° on a 200x100 image: (x=50%, y=50%, 10%x20% = 20x20 px) → x 80..100 px, y 50..70 px
  const l = labelStudioToRelative({ x: 50, y: 50, width: 10, height: 20, rotation: 90 }, 200, 100);
  assert.ok(near([l.xmin * 200, l.ymin * 100, l.xmax * 200, l.ymax * 100], [80, 50, 100, 70]), JSON.stringify(l));
  assert.deepEqual(labelStudioToRelative({ x: 10, y: 20, width: 30, height: 40 }, 1, 1), { xmin: 0.1, ymin: 0.2, xmax: 0.4, ymax: 0.6 });
});

test('CVAT points strings', () => {
  assert.deepEqual(parseCvatPoints('1.5,2;3,4.25;'), [[1.5, 2], [3, 4.25]]);
  assert.equal(parseCvatPoints('1,2,3;4,5'), null);
  assert.equal(parseCvatPoints('a,b'), null);
  assert.equal(parseCvatPoints(''), null);
});

test('labels-only name matching: exact, case-insensitive, stems, narrowed by path, ambiguous never guessed', () => {
  const idx = new ProjectNameIndex(['images/a.jpg', 'photos/train/b.jpg', 'photos/val/b.jpg', 'images/C.JPG', 'images/d.png', 'images/d.jpg']);
  assert.deepEqual(idx.match('a.jpg'), { id: 'images/a.jpg' });
  assert.deepEqual(idx.match('data/obj_train_data/a.jpg'), { id: 'images/a.jpg' });
  assert.deepEqual(idx.match('c.jpg'), { id: 'images/C.JPG' });
  assert.deepEqual(idx.match('b.jpg'), { why: 'ambiguous', candidates: ['photos/train/b.jpg', 'photos/val/b.jpg'] });
  assert.deepEqual(idx.match('train/b.jpg'), { id: 'photos/train/b.jpg' });
  assert.deepEqual(idx.match('a', true), { id: 'images/a.jpg' });
  assert.deepEqual(idx.match('d', true), { why: 'ambiguous', candidates: ['images/d.png', 'images/d.jpg'] });
  assert.deepEqual(idx.match('train/b', true), { id: 'photos/train/b.jpg' });
  assert.deepEqual(idx.match('zzz.jpg'), { why: 'none' });
});
