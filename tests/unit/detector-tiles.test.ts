import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mergeTileDetections, tileGrid, tilePasses, type TileRect } from '../../shared/ml/detector/tiles';
import type { Detection } from '../../shared/ml/detector/box';

const rect = (x: number, y: number, width: number, height: number): TileRect => ({ x, y, width, height });
const det = (x1: number, y1: number, x2: number, y2: number, score: number, classId = 0): Detection => ({ x1, y1, x2, y2, score, classId });

test('tile grid: overlapping tiles, the last column and row end at the image edge', () => {
  // 1000 wide, tile 400, overlap 0.2 → step 320: starts 0, 320, then 600 (ends at 1000)
  assert.deepEqual(tileGrid(1000, 400, { tileSize: 400, overlap: 0.2 }), [rect(0, 0, 400, 400), rect(320, 0, 400, 400), rect(600, 0, 400, 400)]);
  const g = tileGrid(1000, 700, { tileSize: 400, overlap: 0.25 });
  assert.deepEqual([...new Set(g.map((t) => t.x))], [0, 300, 600]);
  assert.deepEqual([...new Set(g.map((t) => t.y))], [0, 300]);
  assert.equal(g.length, 6);
  // every pixel is covered
  for (const [px, py] of [[0, 0], [999, 699], [399, 350], [650, 10]]) assert.ok(g.some((t) => px >= t.x && px < t.x + t.width && py >= t.y && py < t.y + t.height), `${px},${py}`);
  // no overlap: tiles touch
  assert.deepEqual(tileGrid(800, 400, { tileSize: 400, overlap: 0 }).map((t) => t.x), [0, 400]);
});

test('tile grid: an image smaller than a tile is one tile of its own size; bad options are refused', () => {
  assert.deepEqual(tileGrid(300, 200, { tileSize: 416 }), [rect(0, 0, 300, 200)]);
  assert.deepEqual(tileGrid(1000, 200, { tileSize: 416, overlap: 0 }).map((t) => [t.x, t.width, t.height]), [[0, 416, 200], [416, 416, 200], [584, 416, 200]]);
  assert.throws(() => tileGrid(100, 100, { tileSize: 8 }), /tile size must be an integer of at least 16/);
  assert.throws(() => tileGrid(100, 100, { tileSize: 64, overlap: 0.95 }), /tile overlap must be a fraction in \[0, 0\.9\], got 0\.95/);
  assert.throws(() => tileGrid(0, 100, { tileSize: 64 }), /image size must be positive/);
});

test('tile passes: the tiles, then the whole image (unless turned off); one tile alone is the whole image', () => {
  const p = tilePasses(1000, 400, { tileSize: 400, overlap: 0.2 });
  assert.equal(p.length, 4);
  assert.deepEqual(p.at(-1), rect(0, 0, 1000, 400));
  assert.equal(tilePasses(1000, 400, { tileSize: 400, overlap: 0.2, fullImage: false }).length, 3);
  assert.deepEqual(tilePasses(300, 300, { tileSize: 400 }), [rect(0, 0, 300, 300)]);
});

test('merge: tile boxes are moved to image pixels; the same object seen by two overlapping tiles is kept once', () => {
  const a = rect(0, 0, 400, 400);
  const b = rect(320, 0, 400, 400);
  // an object at image x 340..380, y 100..140 lies in both tiles, whole in each
  const merged = mergeTileDetections([
    { tile: a, detections: [det(340, 100, 380, 140, 0.8)] },
    { tile: b, detections: [det(21, 101, 61, 141, 0.9)] },
  ], { width: 720, height: 400 });
  assert.deepEqual(merged, [det(341, 101, 381, 141, 0.9)]);
});

test('merge: a box cut at an inner tile border gives way to the whole box from the neighbouring tile', () => {
  const a = rect(0, 0, 400, 400);
  const b = rect(320, 0, 400, 400);
  // an object at image x 330..420: tile a sees only 330..400 (cut by its right border) with a higher score
  const merged = mergeTileDetections([
    { tile: a, detections: [det(330, 50, 400, 150, 0.95)] },
    { tile: b, detections: [det(10, 50, 100, 150, 0.7)] }, // image 330..420, whole
  ], { width: 720, height: 400 });
  assert.deepEqual(merged, [det(330, 50, 420, 150, 0.7)], 'the whole box wins though it scores lower (NMS alone would keep the cut one)');
  // a cut box with nobody covering it stays (the object may only be visible in that tile)
  const alone = mergeTileDetections([{ tile: a, detections: [det(360, 50, 400, 150, 0.6)] }, { tile: b, detections: [] }], { width: 720, height: 400 });
  assert.deepEqual(alone, [det(360, 50, 400, 150, 0.6)]);
});

test('merge: boxes at the image edge are not "cut"; classes do not suppress each other; the full-image pass merges in', () => {
  const a = rect(0, 0, 400, 400);
  const b = rect(320, 0, 400, 400);
  const full = rect(0, 0, 720, 400);
  const merged = mergeTileDetections([
    { tile: a, detections: [det(0, 0, 30, 30, 0.5), det(100, 100, 150, 150, 0.9, 0)] },
    { tile: b, detections: [det(370, 370, 400, 400, 0.5)] }, // ends at the image's right/bottom edge → image 690..720, 370..400
    { tile: full, detections: [det(101, 101, 151, 151, 0.8, 1), det(102, 100, 150, 150, 0.7, 0), det(200, 0, 700, 390, 0.6, 2)] },
  ], { width: 720, height: 400 });
  assert.deepEqual(merged, [
    det(100, 100, 150, 150, 0.9, 0),
    det(101, 101, 151, 151, 0.8, 1),
    det(200, 0, 700, 390, 0.6, 2),
    det(0, 0, 30, 30, 0.5),
    det(690, 370, 720, 400, 0.5),
  ]);
});

test('merge: boxes are clipped to the image, empty ones dropped, maxDetections honoured', () => {
  const merged = mergeTileDetections([{ tile: rect(600, 0, 400, 400), detections: [det(390, 10, 420, 40, 0.9), det(500, 10, 520, 40, 0.8)] }], { width: 1000, height: 400 });
  assert.deepEqual(merged, [det(990, 10, 1000, 40, 0.9)]);
  const many = Array.from({ length: 10 }, (_, i) => det(i * 20, 0, i * 20 + 10, 10, 0.5 + i / 100));
  assert.equal(mergeTileDetections([{ tile: rect(0, 0, 400, 400), detections: many }], { width: 400, height: 400 }, { maxDetections: 3 }).length, 3);
});
