/**
 * Geometric augmentations that move boxes with the pixels. Boxes are corner boxes in pixels of
 * the image they come with (x1,y1 top-left, x2,y2 bottom-right, continuous coordinates: pixel
 * (i, j) covers [i, i+1) × [j, j+1)).
 */
import type { LabeledBox } from '../detector/box';
import type { FloatRgbImage, RgbImage } from '../preprocess';
import { outputImage } from './photometric';

/** Mirror left–right: x → width − x for pixels and boxes. Writes a new image, or `into` (which may be the image's own data). */
export function horizontalFlip(image: FloatRgbImage, boxes: readonly LabeledBox[], into?: Float32Array): { image: FloatRgbImage; boxes: LabeledBox[] } {
  const { width: w, height: h, data } = image;
  const out = outputImage(image, into);
  const dst = out.data;
  // pixel pairs (x, w−1−x) swapped, so `into` may be the image's own data
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w - 1 - x; x++) {
      const a = (y * w + x) * 3;
      const b = (y * w + (w - 1 - x)) * 3;
      const r = data[a]!, g = data[a + 1]!, bl = data[a + 2]!;
      dst[a] = data[b]!;
      dst[a + 1] = data[b + 1]!;
      dst[a + 2] = data[b + 2]!;
      dst[b] = r;
      dst[b + 1] = g;
      dst[b + 2] = bl;
    }
    if (w % 2 === 1 && dst !== data) {
      const m = (y * w + (w - 1) / 2) * 3;
      dst[m] = data[m]!;
      dst[m + 1] = data[m + 1]!;
      dst[m + 2] = data[m + 2]!;
    }
  }
  return { image: out, boxes: boxes.map((b) => ({ ...b, x1: w - b.x2, x2: w - b.x1 })) };
}

export interface BoxKeepRule {
  /** Drop a box whose part inside the image is less than this fraction of its area (default 0.25). */
  minVisibleFraction: number;
  /** Drop a box narrower or shorter than this many pixels after clipping (default 2). */
  minSidePx: number;
}

export const DEFAULT_BOX_KEEP_RULE: BoxKeepRule = { minVisibleFraction: 0.25, minSidePx: 2 };

/** Clips boxes to width×height and drops the ones mostly cut away or too small. */
export function clipBoxes(boxes: readonly LabeledBox[], width: number, height: number, rule: BoxKeepRule = DEFAULT_BOX_KEEP_RULE): LabeledBox[] {
  const out: LabeledBox[] = [];
  for (const b of boxes) {
    const area = (b.x2 - b.x1) * (b.y2 - b.y1);
    const c = { ...b, x1: Math.max(0, b.x1), y1: Math.max(0, b.y1), x2: Math.min(width, b.x2), y2: Math.min(height, b.y2) };
    const cw = c.x2 - c.x1;
    const ch = c.y2 - c.y1;
    if (cw < rule.minSidePx || ch < rule.minSidePx) continue;
    if (area <= 0 || (cw * ch) / area < rule.minVisibleFraction) continue;
    out.push(c);
  }
  return out;
}

export interface ScaleCropParams {
  /** Horizontal and vertical scale factors (> 1 zooms in and crops, < 1 zooms out and pads). */
  scaleX: number;
  scaleY: number;
  /** Where the scaled image's top-left corner lands in the output, pixels. */
  offsetX: number;
  offsetY: number;
  /** Grey level of padded areas (default 127.5). */
  padValue?: number;
}

/**
 * Scales the image about its top-left corner, places it at (offsetX, offsetY) on an output of the
 * same size (bilinear sampling, pad outside), and maps boxes by x' = x·scaleX + offsetX,
 * y' = y·scaleY + offsetY, then clips and drops them by `rule`. Reads uint8 or float pixels, writes a
 * new float image.
 */
export function scaleCrop(image: RgbImage, boxes: readonly LabeledBox[], p: ScaleCropParams, rule: BoxKeepRule = DEFAULT_BOX_KEEP_RULE): { image: FloatRgbImage; boxes: LabeledBox[] } {
  const { width: w, height: h, data } = image;
  if (!(p.scaleX > 0 && p.scaleY > 0)) throw new Error(`scaleCrop: scales must be > 0, got ${p.scaleX}, ${p.scaleY}`);
  const pad = p.padValue ?? 127.5;
  const out = new Float32Array(data.length);
  for (let y = 0; y < h; y++) {
    // Source coordinate of the output pixel centre, in pixel-centre units.
    const sy = (y + 0.5 - p.offsetY) / p.scaleY - 0.5;
    for (let x = 0; x < w; x++) {
      const sx = (x + 0.5 - p.offsetX) / p.scaleX - 0.5;
      const d = (y * w + x) * 3;
      if (sx < -0.5 || sy < -0.5 || sx > w - 0.5 || sy > h - 0.5) {
        out[d] = out[d + 1] = out[d + 2] = pad;
        continue;
      }
      const fx = Math.min(Math.max(sx, 0), w - 1);
      const fy = Math.min(Math.max(sy, 0), h - 1);
      const x0 = Math.floor(fx), y0 = Math.floor(fy);
      const x1 = Math.min(x0 + 1, w - 1), y1 = Math.min(y0 + 1, h - 1);
      const ax = fx - x0, ay = fy - y0;
      for (let c = 0; c < 3; c++) {
        const top = data[(y0 * w + x0) * 3 + c] * (1 - ax) + data[(y0 * w + x1) * 3 + c] * ax;
        const bottom = data[(y1 * w + x0) * 3 + c] * (1 - ax) + data[(y1 * w + x1) * 3 + c] * ax;
        out[d + c] = top * (1 - ay) + bottom * ay;
      }
    }
  }
  const moved = boxes.map((b) => ({
    ...b,
    x1: b.x1 * p.scaleX + p.offsetX,
    y1: b.y1 * p.scaleY + p.offsetY,
    x2: b.x2 * p.scaleX + p.offsetX,
    y2: b.y2 * p.scaleY + p.offsetY,
  }));
  return { image: { width: w, height: h, data: out }, boxes: clipBoxes(moved, w, h, rule) };
}
