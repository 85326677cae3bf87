import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  naturalSort, assignSplit, DEFAULT_SPLIT, cornersToYolo, yoloToCorners, parseYoloLine, formatYoloLine,
  cornersToCoco, cocoToCorners, cornersToCreateMl, createMlToCorners, appendClasses, renameClass,
  classNameProblem, matchesFilter, imageFilterProblem, orientedSize, computeStats, type ImageEntry, type SplitConfig,
} from '../../shared/dataset';
import { parseYamlNames } from '../../main/dataset/exchange';
import { annotationTarget, locateAnnotations } from '../../main/dataset/annotation-locator';

test('natural sort: numbers by value, case-insensitive, total order', () => {
  assert.deepEqual(naturalSort(['img10.jpg', 'img2.jpg', 'Img1.jpg', 'img1.jpg', 'a/img3.jpg']), ['a/img3.jpg', 'Img1.jpg', 'img1.jpg', 'img2.jpg', 'img10.jpg']);
});

test('seeded split: deterministic, close to the ratios, adding images moves none', () => {
  const cfg: SplitConfig = { ...DEFAULT_SPLIT, seed: 7, train: 0.7, val: 0.2, test: 0.1, overrides: {} };
  const ids = Array.from({ length: 5000 }, (_, i) => `img${i}.jpg`);
  const first = ids.map((id) => assignSplit(cfg, id));
  assert.deepEqual(ids.map((id) => assignSplit(cfg, id)), first);
  const count = (s: string) => first.filter((x) => x === s).length / ids.length;
  assert.ok(Math.abs(count('train') - 0.7) < 0.03 && Math.abs(count('val') - 0.2) < 0.03 && Math.abs(count('test') - 0.1) < 0.03);
  // other seed → different assignment
  assert.notDeepEqual(ids.map((id) => assignSplit({ ...cfg, seed: 8 }, id)), first);
  // overrides win
  assert.equal(assignSplit({ ...cfg, overrides: { 'img0.jpg': 'test' } }, 'img0.jpg'), 'test');
});

test('YOLO math round trip and line format', () => {
  const b = { xmin: 81, ymin: 88, xmax: 522, ymax: 408 };
  const y = cornersToYolo(b, 650, 417);
  const line = formatYoloLine(3, y);
  assert.match(line, /^3 0\.\d{6} 0\.\d{6} 0\.\d{6} 0\.\d{6}$/);
  const back = yoloToCorners(parseYoloLine(line)!.box, 650, 417);
  for (const k of ['xmin', 'ymin', 'xmax', 'ymax'] as const) assert.ok(Math.abs(back[k] - b[k]) < 0.01, k);
  // clamped into [0, 1]
  const out = cornersToYolo({ xmin: -10, ymin: -10, xmax: 700, ymax: 500 }, 650, 417);
  assert.deepEqual(out, { cx: 0.5, cy: 0.5, w: 1, h: 1 });
  assert.equal(parseYoloLine('  # comment'), null);
  assert.equal(parseYoloLine(''), null);
  assert.throws(() => parseYoloLine('0 0.5 0.5'), /not a YOLO line/);
  assert.throws(() => parseYoloLine('-1 0.5 0.5 0.1 0.1'), /bad class id/);
  assert.deepEqual(parseYoloLine('1 0.1 0.2 0.3 0.2 0.3 0.6'), { classId: 1, box: { cx: 0.2, cy: 0.4, w: 0.19999999999999998, h: 0.39999999999999997 } });
});

test('COCO and CreateML math', () => {
  const b = { xmin: 10, ymin: 20, xmax: 50, ymax: 80 };
  assert.deepEqual(cornersToCoco(b), [10, 20, 40, 60]);
  assert.deepEqual(cocoToCorners([10, 20, 40, 60]), b);
  assert.deepEqual(cornersToCreateMl(b), { x: 30, y: 50, width: 40, height: 60 });
  assert.deepEqual(createMlToCorners({ x: 30, y: 50, width: 40, height: 60 }), b);
});

test('class list: append-only, rename in place, name checks', () => {
  assert.deepEqual(appendClasses(['a', 'b'], ['c', 'a', 'd']), ['a', 'b', 'c', 'd']);
  assert.deepEqual(renameClass(['a', 'b', 'c'], 'b', 'x'), ['a', 'x', 'c']);
  assert.throws(() => renameClass(['a', 'b'], 'a', 'b'), /already exists/);
  assert.throws(() => renameClass(['a'], 'z', 'y'), /no class/);
  assert.equal(classNameProblem('a<b>&"c"'), null);
  assert.match(classNameProblem('')!, /empty/);
  assert.match(classNameProblem('a\tb')!, /control/);
  assert.match(classNameProblem(' a')!, /spaces/);
});

test('filters', () => {
  const e: ImageEntry = { id: 'a.jpg', name: 'a.jpg', annotation: 'a.xml', status: 'labeled', verified: false, boxes: 2, classes: ['cat'], difficult: true, split: 'val' };
  assert.ok(matchesFilter(e, 'labeled') && matchesFilter(e, 'unverified') && matchesFilter(e, 'class:cat') && matchesFilter(e, 'difficult') && matchesFilter(e, 'split:val'));
  assert.ok(!matchesFilter(e, 'verified') && !matchesFilter(e, 'class:dog') && !matchesFilter(e, 'empty') && !matchesFilter(e, 'unlabeled'));
  assert.equal(imageFilterProblem('class:x'), null);
  assert.match(imageFilterProblem('bogus')!, /unknown filter/);
});

test('EXIF rule: orientations 5-8 swap width and height', () => {
  assert.deepEqual(orientedSize(640, 480, 6), { width: 480, height: 640 });
  assert.deepEqual(orientedSize(640, 480, 3), { width: 640, height: 480 });
  assert.deepEqual(orientedSize(640, 480), { width: 640, height: 480 });
});

test('stats: per class, size buckets, zero-size and outside boxes', () => {
  const summary = {} as never;
  const s = computeStats(summary, {
    classes: ['a', 'b'],
    images: [
      { size: { width: 100, height: 100 }, boxes: [{ label: 'a', xmin: 0, ymin: 0, xmax: 10, ymax: 10, difficult: false }, { label: 'c', xmin: 0, ymin: 0, xmax: 200, ymax: 50, difficult: true }] },
      { size: null, boxes: [{ label: 'a', xmin: 5, ymin: 5, xmax: 5, ymax: 9, difficult: false }] },
    ],
  });
  assert.equal(s.boxes, 3);
  assert.deepEqual(s.classes.map((c) => [c.name, c.id, c.boxes, c.images, c.difficult]), [['a', 0, 2, 2, 0], ['b', 1, 0, 0, 0], ['c', -1, 1, 1, 1]]);
  assert.equal(s.zeroSizeBoxes, 1);
  assert.equal(s.outsideBoxes, 1);
  assert.deepEqual(s.cocoSizes, { small: 1, medium: 0, large: 1 }); // 200x50 = 10000 px² > 96²
  assert.equal(s.boxSize.reduce((n, b) => n + b.count, 0), 2);
});

test('data.yaml names: map, list and inline forms', () => {
  assert.deepEqual(parseYamlNames('path: x\nnames:\n  0: "a b"\n  1: cat\nnc: 2\n'), ['a b', 'cat']);
  assert.deepEqual(parseYamlNames('names:\n  - dog\n  - \'it\'\'s\'\n'), ['dog', "it's"]);
  assert.deepEqual(parseYamlNames('nc: 2\nnames: [a, "b"]\n'), ['a', 'b']);
  assert.equal(parseYamlNames('nc: 1\n'), null);
});

test('annotation locator: beside, LabelImg flat folder, VOC mirror, duplicate stems', () => {
  assert.equal(annotationTarget('photos/a.jpg', null), 'photos/a.xml');
  assert.equal(annotationTarget('images/a.jpg', 'annotations'), 'annotations/a.xml');
  assert.equal(annotationTarget('JPEGImages/sub/a.jpg', 'Annotations'), 'Annotations/sub/a.xml');
  const loc = locateAnnotations(['a/x.jpg', 'b/x.jpg', 'y.jpg', 'z.jpg', 'z.png'], new Set(['Ann/x.xml', 'y.xml', 'Ann/z.xml']), 'Ann');
  assert.equal(loc.get('a/x.jpg')!.exists, false);
  assert.match(loc.get('a/x.jpg')!.conflict!, /could belong to any of the 2 images/);
  assert.equal(loc.get('a/x.jpg')!.path, 'Ann/a/x.xml');
  assert.deepEqual(loc.get('y.jpg'), { path: 'y.xml', exists: true });
  assert.match(loc.get('z.png')!.conflict!, /share the annotation file Ann\/z\.xml/);
});
