import { test } from 'node:test';
import assert from 'node:assert/strict';
import { boxSizeInGridUnits, kmeansAnchors, type BoxSize } from '../../shared/ml/detector';
import { createRng } from '../../shared/ml/random';

const clusters: [number, number][] = [[1, 1.5], [4, 2.5], [8, 9]];

function sampleBoxes(seed: number, perCluster: number): BoxSize[] {
  const rng = createRng(seed);
  const out: BoxSize[] = [];
  for (const [w, h] of clusters) {
    for (let i = 0; i < perCluster; i++) out.push({ w: w * (1 + 0.1 * rng.normal()), h: h * (1 + 0.1 * rng.normal()) });
  }
  return out;
}

test('k-means with 1 − IoU recovers three known box-size clusters', () => {
  const sizes = sampleBoxes(1, 200);
  const r = kmeansAnchors(sizes, 3, { seed: 42 });
  assert.equal(r.anchors.length, 3);
  r.anchors.forEach(([w, h], i) => {
    assert.ok(Math.abs(w - clusters[i][0]) / clusters[i][0] < 0.05, `anchor ${i} w ${w}`);
    assert.ok(Math.abs(h - clusters[i][1]) / clusters[i][1] < 0.05, `anchor ${i} h ${h}`);
  });
  assert.ok(r.avgIou > 0.8 && r.avgIou <= 1, `avgIou ${r.avgIou}`);
  // Every box lands in the cluster it was drawn from (sorted by area = cluster order).
  for (let i = 0; i < sizes.length; i++) assert.equal(r.assignments[i], Math.floor(i / 200));
});

test('k-means is deterministic for a seed and avgIou rises with k', () => {
  const sizes = sampleBoxes(2, 100);
  assert.deepEqual(kmeansAnchors(sizes, 3, { seed: 5 }).anchors, kmeansAnchors(sizes, 3, { seed: 5 }).anchors);
  const ious = [1, 2, 3, 5].map((k) => kmeansAnchors(sizes, k, { seed: 5 }).avgIou);
  for (let i = 1; i < ious.length; i++) assert.ok(ious[i] > ious[i - 1], `avgIou ${ious}`);
});

test('k-means reports its average IoU exactly', () => {
  const sizes = [{ w: 1, h: 1 }, { w: 2, h: 2 }];
  const r = kmeansAnchors(sizes, 1, { seed: 0 });
  // Mean centroid 1.5×1.5: IoU with 1×1 = 1/2.25, with 2×2 = 2.25/4.
  assert.deepEqual(r.anchors, [[1.5, 1.5]]);
  assert.ok(Math.abs(r.avgIou - (1 / 2.25 + 2.25 / 4) / 2) < 1e-12);
});

test('k-means rejects bad input clearly', () => {
  assert.throws(() => kmeansAnchors([{ w: 1, h: 1 }], 2), /at least k=2/);
  assert.throws(() => kmeansAnchors([{ w: 1, h: 0 }, { w: 1, h: 1 }], 1), /not positive/);
  assert.throws(() => kmeansAnchors([{ w: 1, h: 1 }, { w: 1, h: 1 }], 2), /fewer than 2 distinct/);
});

test('boxSizeInGridUnits converts pixels of the original through the transform', () => {
  // 832×416 photo letterboxed into 416: scale 0.5; a 64×128 px box = 32×64 input px = 1×2 cells of 32 px.
  assert.deepEqual(boxSizeInGridUnits({ x1: 10, y1: 10, x2: 74, y2: 138 }, { scaleX: 0.5, scaleY: 0.5, offsetX: 0, offsetY: 104 }, 416, 13), { w: 1, h: 2 });
});
