/**
 * 4-image mosaic (YOLOv5 / YOLOX style) of scenes that are already model-input sized (all the
 * same width×height, letterboxed, boxes in input pixels). A centre (cx, cy) is drawn in
 * [0.25, 0.75]·size and rounded to whole pixels; it splits the output into four quadrants. Scene
 * k (top-left, top-right, bottom-left, bottom-right) is scaled by its own factor f_k (aspect kept)
 * and placed with the corner that faces the centre on the centre, so the part of it nearest the
 * centre fills its quadrant; the rest of the quadrant (when the scaled scene is smaller) is pad.
 *
 * Boxes are mapped exactly like the pixels, x' = x·f_k + ox_k, y' = y·f_k + oy_k, then clipped to
 * the quadrant (not just the output) and kept or dropped by a BoxKeepRule (clipBoxes). Pixels use
 * the same bilinear, pixel-centre convention as scaleCrop, so a box edge at x lands on x'.
 * The output has the scenes' size.
 */
import type { LabeledBox } from '../detector/box';
import type { FloatRgbImage, RgbImage } from '../preprocess';
import { assertRgbImage } from '../preprocess';
import type { Rng } from '../random';
import type { BoxKeepRule } from './geometric';
import { clipBoxes, DEFAULT_BOX_KEEP_RULE } from './geometric';

/** An image with its boxes (pixels of that image). */
export interface AugmentScene {
  image: RgbImage;
  boxes: readonly LabeledBox[];
}

/** YOLOv5's grey for mosaic and letterbox padding. */
export const MOSAIC_PAD_VALUE = 114;

export interface MosaicParams {
  /** Where the quadrants meet, output pixels (rounded to whole pixels). */
  centerX: number;
  centerY: number;
  /** Scale factor of each scene: top-left, top-right, bottom-left, bottom-right (> 0). */
  scales: readonly [number, number, number, number];
  /** Grey level of uncovered areas (default 114). */
  padValue?: number;
}

export interface MosaicRange {
  minScale: number;
  maxScale: number;
}

/** Draws centre (x then y, uniform in [0.25, 0.75]·side, rounded) then the four scales (uniform in [minScale, maxScale]). */
export function randomMosaicParams(rng: Rng, width: number, height: number, range: MosaicRange, padValue: number = MOSAIC_PAD_VALUE): MosaicParams {
  const centerX = Math.round(rng.uniform(0.25 * width, 0.75 * width));
  const centerY = Math.round(rng.uniform(0.25 * height, 0.75 * height));
  const s = (): number => rng.uniform(range.minScale, range.maxScale);
  const scales = [s(), s(), s(), s()] as const;
  return { centerX, centerY, scales, padValue };
}

/** The mosaic of 4 equally sized scenes with the given layout. Inputs are not modified. */
export function mosaic(scenes: readonly AugmentScene[], params: MosaicParams, rule: BoxKeepRule = DEFAULT_BOX_KEEP_RULE): { image: FloatRgbImage; boxes: LabeledBox[] } {
  if (scenes.length !== 4) throw new Error(`mosaic: needs 4 scenes, got ${scenes.length}`);
  const { width: w, height: h } = scenes[0].image;
  for (const s of scenes) {
    assertRgbImage(s.image, 'mosaic');
    if (s.image.width !== w || s.image.height !== h) throw new Error(`mosaic: scenes must share one size, got ${w}x${h} and ${s.image.width}x${s.image.height}`);
  }
  for (const f of params.scales) if (!(f > 0 && Number.isFinite(f))) throw new Error(`mosaic: scales must be > 0, got ${params.scales.join(', ')}`);
  const cx = Math.min(w, Math.max(0, Math.round(params.centerX)));
  const cy = Math.min(h, Math.max(0, Math.round(params.centerY)));
  const pad = params.padValue ?? MOSAIC_PAD_VALUE;
  const out = new Float32Array(w * h * 3);
  const boxes: LabeledBox[] = [];
  for (let k = 0; k < 4; k++) {
    const f = params.scales[k];
    const right = k === 1 || k === 3;
    const bottom = k >= 2;
    // Quadrant [rx0, rx1) × [ry0, ry1) and where the scaled scene's top-left corner lands.
    const rx0 = right ? cx : 0, rx1 = right ? w : cx;
    const ry0 = bottom ? cy : 0, ry1 = bottom ? h : cy;
    const ox = right ? cx : cx - f * w;
    const oy = bottom ? cy : cy - f * h;
    if (rx1 <= rx0 || ry1 <= ry0) continue;
    paste(out, w, scenes[k].image, f, ox, oy, rx0, rx1, ry0, ry1, pad);
    const moved = scenes[k].boxes.map((b) => ({
      ...b,
      x1: b.x1 * f + ox - rx0,
      y1: b.y1 * f + oy - ry0,
      x2: b.x2 * f + ox - rx0,
      y2: b.y2 * f + oy - ry0,
    }));
    for (const b of clipBoxes(moved, rx1 - rx0, ry1 - ry0, rule)) boxes.push({ ...b, x1: b.x1 + rx0, y1: b.y1 + ry0, x2: b.x2 + rx0, y2: b.y2 + ry0 });
  }
  return { image: { width: w, height: h, data: out }, boxes };
}

/** A random mosaic: randomMosaicParams then mosaic. */
export function randomMosaic(
  scenes: readonly AugmentScene[],
  options: MosaicRange & { padValue?: number; boxKeep?: BoxKeepRule },
  rng: Rng,
): { image: FloatRgbImage; boxes: LabeledBox[] } {
  if (scenes.length !== 4) throw new Error(`mosaic: needs 4 scenes, got ${scenes.length}`);
  const { width, height } = scenes[0].image;
  return mosaic(scenes, randomMosaicParams(rng, width, height, options, options.padValue ?? MOSAIC_PAD_VALUE), options.boxKeep ?? DEFAULT_BOX_KEEP_RULE);
}

/** Samples `image` scaled by f with its top-left at (ox, oy) into out's region (bilinear, pad outside the image). */
function paste(out: Float32Array, outW: number, image: RgbImage, f: number, ox: number, oy: number, rx0: number, rx1: number, ry0: number, ry1: number, pad: number): void {
  const { width: w, height: h, data } = image;
  for (let y = ry0; y < ry1; y++) {
    const sy = (y + 0.5 - oy) / f - 0.5;
    const rowOutside = sy < -0.5 || sy > h - 0.5;
    const fy = Math.min(Math.max(sy, 0), h - 1);
    const y0 = Math.floor(fy);
    const y1 = Math.min(y0 + 1, h - 1);
    const ay = fy - y0;
    for (let x = rx0; x < rx1; x++) {
      const d = (y * outW + x) * 3;
      const sx = (x + 0.5 - ox) / f - 0.5;
      if (rowOutside || sx < -0.5 || sx > w - 0.5) {
        out[d] = out[d + 1] = out[d + 2] = pad;
        continue;
      }
      const fx = Math.min(Math.max(sx, 0), w - 1);
      const x0 = Math.floor(fx);
      const x1 = Math.min(x0 + 1, w - 1);
      const ax = fx - x0;
      const a = (y0 * w + x0) * 3, b = (y0 * w + x1) * 3, c = (y1 * w + x0) * 3, e = (y1 * w + x1) * 3;
      for (let ch = 0; ch < 3; ch++) {
        const top = data[a + ch] * (1 - ax) + data[b + ch] * ax;
        const bot = data[c + ch] * (1 - ax) + data[e + ch] * ax;
        out[d + ch] = top * (1 - ay) + bot * ay;
      }
    }
  }
}
