/**
 * Anchor boxes by k-means on box shapes with the YOLOv2 distance d = 1 − IoU, where the IoU is
 * taken with both boxes centred at the origin (only width and height matter). Seeded k-means++
 * initialisation; centroids are cluster means (as in darknet's gen_anchors). Sizes and anchors
 * are in grid units (box side / input side × grid size).
 */
import type { Anchor } from './box';
import { centredIou } from './box';
import type { Rng } from '../random';
import { createRng } from '../random';
import type { ImageTransform } from '../preprocess';

export interface BoxSize {
  w: number;
  h: number;
}

export interface KMeansAnchorsOptions {
  seed?: number;
  maxIterations?: number;
  /** Independent k-means++ restarts; the one with the highest average IoU wins (default 3). */
  restarts?: number;
}

export interface KMeansAnchorsResult {
  /** k anchors sorted by area, grid units. */
  anchors: Anchor[];
  /** Mean over boxes of the IoU with their best anchor (the number YOLOv2 reports). */
  avgIou: number;
  /** For each input box, the index (into the sorted anchors) of its cluster. */
  assignments: Int32Array;
  iterations: number;
}

/**
 * Box sizes in grid units for a given input: a box of the original image scaled by the
 * preprocessing transform, divided by the cell side (inputSize / gridSize).
 */
export function boxSizeInGridUnits(box: { x1: number; y1: number; x2: number; y2: number }, transform: ImageTransform, inputSize: number, gridSize: number): BoxSize {
  const cell = inputSize / gridSize;
  return { w: ((box.x2 - box.x1) * transform.scaleX) / cell, h: ((box.y2 - box.y1) * transform.scaleY) / cell };
}

function nearest(size: BoxSize, centroids: readonly BoxSize[]): { index: number; iou: number } {
  let index = 0;
  let iou = -1;
  centroids.forEach((c, i) => {
    const v = centredIou(size.w, size.h, c.w, c.h);
    if (v > iou) {
      iou = v;
      index = i;
    }
  });
  return { index, iou };
}

function kmeansPlusPlus(sizes: readonly BoxSize[], k: number, rng: Rng): BoxSize[] {
  const centroids: BoxSize[] = [{ ...sizes[rng.int(sizes.length)] }];
  const d = new Float64Array(sizes.length);
  while (centroids.length < k) {
    let total = 0;
    sizes.forEach((s, i) => {
      const dist = 1 - nearest(s, centroids).iou;
      d[i] = dist * dist;
      total += d[i];
    });
    if (total === 0) throw new Error(`kmeansAnchors: fewer than ${k} distinct box shapes`);
    let r = rng.next() * total;
    let pick = sizes.length - 1;
    for (let i = 0; i < sizes.length; i++) {
      r -= d[i];
      if (r < 0) {
        pick = i;
        break;
      }
    }
    centroids.push({ ...sizes[pick] });
  }
  return centroids;
}

function runKMeans(sizes: readonly BoxSize[], k: number, rng: Rng, maxIterations: number): { centroids: BoxSize[]; assign: Int32Array; avgIou: number; iterations: number } {
  let centroids = kmeansPlusPlus(sizes, k, rng);
  const assign = new Int32Array(sizes.length).fill(-1);
  let iterations = 0;
  for (; iterations < maxIterations; iterations++) {
    let changed = false;
    sizes.forEach((s, i) => {
      const { index } = nearest(s, centroids);
      if (assign[i] !== index) {
        assign[i] = index;
        changed = true;
      }
    });
    if (!changed && iterations > 0) break;
    const sums = Array.from({ length: k }, () => ({ w: 0, h: 0, n: 0 }));
    sizes.forEach((s, i) => {
      const acc = sums[assign[i]];
      acc.w += s.w;
      acc.h += s.h;
      acc.n++;
    });
    centroids = sums.map((acc) => {
      if (acc.n > 0) return { w: acc.w / acc.n, h: acc.h / acc.n };
      // Empty cluster: restart it on the box worst served by the other centroids.
      let worst = 0;
      let worstIou = Infinity;
      sizes.forEach((s, i) => {
        const v = nearest(s, centroids).iou;
        if (v < worstIou) {
          worstIou = v;
          worst = i;
        }
      });
      return { ...sizes[worst] };
    });
  }
  let total = 0;
  sizes.forEach((s, i) => {
    const { index, iou } = nearest(s, centroids);
    assign[i] = index;
    total += iou;
  });
  return { centroids, assign, avgIou: total / sizes.length, iterations };
}

export function kmeansAnchors(sizes: readonly BoxSize[], k: number, options: KMeansAnchorsOptions = {}): KMeansAnchorsResult {
  if (!Number.isInteger(k) || k < 1) throw new Error(`kmeansAnchors: k must be a positive integer, got ${k}`);
  const valid = sizes.filter((s) => Number.isFinite(s.w) && Number.isFinite(s.h) && s.w > 0 && s.h > 0);
  if (valid.length !== sizes.length) throw new Error(`kmeansAnchors: ${sizes.length - valid.length} box sizes are not positive finite numbers`);
  if (sizes.length < k) throw new Error(`kmeansAnchors: need at least k=${k} boxes, got ${sizes.length}`);
  const rng = createRng(options.seed ?? 0);
  const restarts = options.restarts ?? 3;
  let best: ReturnType<typeof runKMeans> | undefined;
  for (let r = 0; r < restarts; r++) {
    const run = runKMeans(sizes, k, rng, options.maxIterations ?? 300);
    if (!best || run.avgIou > best.avgIou) best = run;
  }
  const result = best!;
  const order = result.centroids.map((_, i) => i).sort((a, b) => result.centroids[a].w * result.centroids[a].h - result.centroids[b].w * result.centroids[b].h);
  const rank = new Int32Array(k);
  order.forEach((old, newIndex) => (rank[old] = newIndex));
  return {
    anchors: order.map((i) => [result.centroids[i].w, result.centroids[i].h] as const),
    avgIou: result.avgIou,
    assignments: result.assign.map((a) => rank[a]),
    iterations: result.iterations,
  };
}
