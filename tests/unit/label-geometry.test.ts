import { test } from 'node:test';
import assert from 'node:assert/strict';
import { clampRect, dragRect, fitView, nudge, toImage, withRect, zoomAt } from '../../renderer/store/label/geometry';

const img = { width: 400, height: 300 };
const box = { label: 'a', xmin: 10, ymin: 20, xmax: 60, ymax: 50, difficult: false, truncated: false };

test('dragRect normalises any drag direction and clamps into the image', () => {
  assert.deepEqual(dragRect(100, 100, 50, 20, img), { x: 50, y: 20, width: 50, height: 80 });
  assert.deepEqual(dragRect(390, 290, 500, -10, img), { x: 390, y: 0, width: 10, height: 290 });
});

test('dragRect with square grows the short side in the drag direction', () => {
  assert.deepEqual(dragRect(100, 100, 140, 110, img, true), { x: 100, y: 100, width: 40, height: 40 });
  assert.deepEqual(dragRect(100, 100, 90, 40, img, true), { x: 40, y: 40, width: 60, height: 60 });
});

test('moves keep the size and stay inside; nudges clamp at the edge', () => {
  assert.deepEqual(withRect(box, { x: 380, y: -5, width: 50, height: 30 }, img), { ...box, xmin: 350, ymin: 0, xmax: 400, ymax: 30 });
  assert.deepEqual(nudge(box, -10, 0, img), { ...box, xmin: 0, xmax: 50 });
  assert.deepEqual(nudge(box, -10, 0, img), nudge(nudge(box, -10, 0, img), -10, 0, img));
  assert.deepEqual(nudge(box, 1, 10, null), { ...box, xmin: 11, xmax: 61, ymin: 30, ymax: 60 });
});

test('clampRect keeps a resize inside without moving the other edges', () => {
  assert.deepEqual(clampRect({ x: -20, y: 10, width: 60, height: 400 }, img), { x: 0, y: 10, width: 40, height: 290 });
});

test('fitView centres the whole image or the full width', () => {
  const v = fitView({ width: 4000, height: 3000 }, { width: 832, height: 632 }, 'window', 16);
  assert.equal(v.scale, 0.2);
  assert.deepEqual([v.x, v.y], [16, 16]);
  const w = fitView({ width: 1000, height: 2000 }, { width: 532, height: 300 }, 'width', 16);
  assert.equal(w.scale, 0.5);
  assert.equal(w.y, 16);
});

test('zoomAt keeps the image point under the cursor fixed', () => {
  const v = { scale: 0.5, x: 30, y: 40 };
  const at = { x: 200, y: 150 };
  const before = toImage(v, at);
  const z = zoomAt(v, at, 2.5);
  assert.equal(z.scale, 1.25);
  const after = toImage(z, at);
  assert.ok(Math.abs(after.x - before.x) < 1e-9 && Math.abs(after.y - before.y) < 1e-9);
  assert.equal(zoomAt(v, at, 1e9).scale, 40);
});

test('keepInView: wheel pans and zooms never lose the image off the canvas', async () => {
  const { keepInView } = await import('../../renderer/store/label/geometry');
  const image = { width: 400, height: 300 };
  const vp = { width: 800, height: 600 };
  const far = keepInView({ scale: 1, x: -5000, y: 9000 }, image, vp);
  assert.equal(far.x, 200 - 400, 'half of the image stays on the left edge');
  assert.equal(far.y, 600 - 150, 'half of it stays at the bottom');
  const big = keepInView({ scale: 10, x: 100, y: -1e6 }, image, vp);
  assert.equal(big.x, 100, 'a position that keeps it in view is left alone');
  assert.equal(big.y, 300 - 3000, 'half of the viewport stays covered');
  const ok = { scale: 1, x: 20, y: 30 };
  assert.deepEqual(keepInView(ok, image, vp), ok);
});

test('minUsefulScale: a quarter of fit-window, at most 100%', async () => {
  const { minUsefulScale, fitView } = await import('../../renderer/store/label/geometry');
  const vp = { width: 800, height: 600 };
  const big = { width: 4000, height: 3000 };
  assert.equal(minUsefulScale(big, vp), fitView(big, vp, 'window').scale / 4);
  assert.equal(minUsefulScale({ width: 10, height: 10 }, vp), 1);
});
