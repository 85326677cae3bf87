/**
 * Box types and IoU helpers for the detector.
 *
 * Pixel boxes are corner boxes x1,y1 (top-left) → x2,y2 (bottom-right) in continuous pixel
 * coordinates of a named image (the original photo unless a name says "input").
 * Grid boxes are centre boxes cx,cy,w,h in grid-cell units (one unit = inputSize / gridSize
 * input pixels), the unit of anchors and of the encoded training target.
 */
import type { PixelBox } from '../preprocess';

export type { PixelBox };

/** A ground-truth box with its class index (index into the project's class list). */
export interface LabeledBox extends PixelBox {
  classId: number;
}

/** A detection: a pixel box, class index and score in [0, 1] (objectness × class probability). */
export interface Detection extends LabeledBox {
  score: number;
}

/** Anchor width and height in grid units. */
export type Anchor = readonly [number, number];

export function boxArea(b: PixelBox): number {
  return Math.max(0, b.x2 - b.x1) * Math.max(0, b.y2 - b.y1);
}

/** IoU of two corner boxes; 0 when either is empty. */
export function boxIou(a: PixelBox, b: PixelBox): number {
  const iw = Math.min(a.x2, b.x2) - Math.max(a.x1, b.x1);
  const ih = Math.min(a.y2, b.y2) - Math.max(a.y1, b.y1);
  if (iw <= 0 || ih <= 0) return 0;
  const inter = iw * ih;
  const union = boxArea(a) + boxArea(b) - inter;
  return union > 0 ? inter / union : 0;
}

/** IoU of two boxes of sizes (w1,h1) and (w2,h2) sharing one centre: the anchor-matching IoU. */
export function centredIou(w1: number, h1: number, w2: number, h2: number): number {
  const inter = Math.min(w1, w2) * Math.min(h1, h2);
  const union = w1 * h1 + w2 * h2 - inter;
  return union > 0 ? inter / union : 0;
}
