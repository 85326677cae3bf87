/**
 * Non-maximum suppression, pure TS on Float32Arrays (usable in the renderer without tensors), and
 * a per-class wrapper on detections. Semantics match tf.image.nonMaxSuppression: boxes are visited
 * by descending score (ties: lower index first) and a box is suppressed when its IoU with an
 * already kept box is strictly greater than `iouThreshold`.
 */
import * as tf from '@tensorflow/tfjs';
import type { Detection } from './box';

export interface NmsOptions {
  /** Suppress boxes overlapping a kept box with IoU > this (default 0.45). */
  iouThreshold?: number;
  /** Keep at most this many boxes (default unlimited). */
  maxOutput?: number;
  /** Ignore boxes scoring below this (default: none ignored). */
  scoreThreshold?: number;
}

/**
 * Greedy NMS. `boxes` holds n corner boxes as x1,y1,x2,y2 (any consistent unit); `scores` n
 * scores. Returns kept indices by descending score.
 */
export function nonMaxSuppression(boxes: Float32Array, scores: Float32Array, options: NmsOptions = {}): Int32Array {
  const n = scores.length;
  if (boxes.length !== n * 4) throw new Error(`nonMaxSuppression: expected ${n * 4} box values for ${n} scores, got ${boxes.length}`);
  const iouThreshold = options.iouThreshold ?? 0.45;
  const maxOutput = options.maxOutput ?? Infinity;
  const scoreThreshold = options.scoreThreshold ?? -Infinity;
  const order: number[] = [];
  for (let i = 0; i < n; i++) if (scores[i] >= scoreThreshold) order.push(i);
  order.sort((a, b) => scores[b] - scores[a] || a - b);
  const kept: number[] = [];
  const areas = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    areas[i] = Math.max(0, boxes[i * 4 + 2] - boxes[i * 4]) * Math.max(0, boxes[i * 4 + 3] - boxes[i * 4 + 1]);
  }
  for (const i of order) {
    if (kept.length >= maxOutput) break;
    const ax1 = boxes[i * 4], ay1 = boxes[i * 4 + 1], ax2 = boxes[i * 4 + 2], ay2 = boxes[i * 4 + 3];
    let keep = true;
    for (const j of kept) {
      const iw = Math.min(ax2, boxes[j * 4 + 2]) - Math.max(ax1, boxes[j * 4]);
      if (iw <= 0) continue;
      const ih = Math.min(ay2, boxes[j * 4 + 3]) - Math.max(ay1, boxes[j * 4 + 1]);
      if (ih <= 0) continue;
      const inter = iw * ih;
      const union = areas[i] + areas[j] - inter;
      if (union > 0 && inter / union > iouThreshold) {
        keep = false;
        break;
      }
    }
    if (keep) kept.push(i);
  }
  return Int32Array.from(kept);
}

/** Packs detections into the Float32Array layout of nonMaxSuppression. */
export function packDetections(dets: readonly Detection[]): { boxes: Float32Array; scores: Float32Array } {
  const boxes = new Float32Array(dets.length * 4);
  const scores = new Float32Array(dets.length);
  dets.forEach((d, i) => {
    boxes.set([d.x1, d.y1, d.x2, d.y2], i * 4);
    scores[i] = d.score;
  });
  return { boxes, scores };
}

/**
 * Per-class NMS: suppression only between boxes of the same class; `maxOutput` applies to
 * the merged result, which is sorted by descending score.
 */
export function nmsPerClass(dets: readonly Detection[], options: NmsOptions = {}): Detection[] {
  const byClass = new Map<number, Detection[]>();
  for (const d of dets) {
    const list = byClass.get(d.classId);
    if (list) list.push(d);
    else byClass.set(d.classId, [d]);
  }
  const kept: Detection[] = [];
  for (const list of byClass.values()) {
    const { boxes, scores } = packDetections(list);
    for (const i of nonMaxSuppression(boxes, scores, { ...options, maxOutput: undefined })) kept.push(list[i]);
  }
  kept.sort((a, b) => b.score - a.score);
  return options.maxOutput !== undefined ? kept.slice(0, options.maxOutput) : kept;
}

/**
 * The same greedy NMS through tf.image.nonMaxSuppressionAsync (backend kernels; useful when the
 * boxes are already a tensor on the GPU). Same input layout as nonMaxSuppression.
 */
export async function nonMaxSuppressionTf(boxes: Float32Array, scores: Float32Array, options: NmsOptions = {}): Promise<Int32Array> {
  const n = scores.length;
  if (boxes.length !== n * 4) throw new Error(`nonMaxSuppressionTf: expected ${n * 4} box values for ${n} scores, got ${boxes.length}`);
  if (n === 0) return new Int32Array(0);
  // tf.image uses [y1, x1, y2, x2]; IoU does not depend on the axis order but keep it faithful.
  const yx = new Float32Array(n * 4);
  for (let i = 0; i < n; i++) yx.set([boxes[i * 4 + 1], boxes[i * 4], boxes[i * 4 + 3], boxes[i * 4 + 2]], i * 4);
  const boxT = tf.tensor2d(yx, [n, 4]);
  const scoreT = tf.tensor1d(scores);
  try {
    const idx = await tf.image.nonMaxSuppressionAsync(boxT, scoreT, Math.min(options.maxOutput ?? n, n), options.iouThreshold ?? 0.45, options.scoreThreshold ?? Number.NEGATIVE_INFINITY);
    const out = Int32Array.from(await idx.data());
    idx.dispose();
    return out;
  } finally {
    boxT.dispose();
    scoreT.dispose();
  }
}
