/**
 * Intersection over union, in the two pixel conventions used by the reference tools.
 *
 * - `'inclusive'` (VOC devkit, Cartucho, Padilla; used by the `voc` and `voc07` protocols): corners are
 *   inclusive pixel indices, so width = x2 − x1 + 1 and the intersection width is
 *   min(x2) − max(x1) + 1. A box with x1 = x2 is one pixel wide. This "+1" changes results on small
 *   boxes.
 * - `'continuous'` (pycocotools; used by the `coco` protocol): width = x2 − x1, no +1.
 *
 * Boxes that do not overlap give 0, and so do two empty boxes (never NaN).
 */
import type { BoxCorners } from './types';

export type PixelConvention = 'inclusive' | 'continuous';

export function iou(a: BoxCorners, b: BoxCorners, convention: PixelConvention): number {
  const one = convention === 'inclusive' ? 1 : 0;
  const iw = Math.min(a.x2, b.x2) - Math.max(a.x1, b.x1) + one;
  if (iw <= 0) return 0;
  const ih = Math.min(a.y2, b.y2) - Math.max(a.y1, b.y1) + one;
  if (ih <= 0) return 0;
  const inter = iw * ih;
  const union = (a.x2 - a.x1 + one) * (a.y2 - a.y1 + one) + (b.x2 - b.x1 + one) * (b.y2 - b.y1 + one) - inter;
  return union > 0 ? inter / union : 0;
}

/** Area in the given convention. */
export function boxArea(b: BoxCorners, convention: PixelConvention): number {
  const one = convention === 'inclusive' ? 1 : 0;
  return (b.x2 - b.x1 + one) * (b.y2 - b.y1 + one);
}
