/**
 * YOLO-style HSV jitter (YOLOv5/ultralytics `augment_hsv` / RandomHSV): one random gain per
 * image for hue, saturation and value. Hue is shifted by a fraction of the colour circle
 * (wrapping), saturation and value are multiplied by (1 + gain) and clamped. Pixels only: boxes
 * are unaffected. Values are read clamped to 0..255 and the result stays in 0..255.
 */
import type { FloatRgbImage } from '../preprocess';
import type { Rng } from '../random';
import { outputImage } from './photometric';

export interface HsvGains {
  /** Hue shift as a fraction of the colour circle (0.015 = 5.4°); wraps around. */
  hue: number;
  /** Saturation gain: s · (1 + saturation), clamped to [0, 1]. */
  saturation: number;
  /** Value gain: v · (1 + value), clamped to [0, 255]. */
  value: number;
}

/** YOLOv5/v8 limits (hsv_h 0.015, hsv_s 0.7, hsv_v 0.4). */
export const YOLO_HSV_LIMITS: HsvGains = { hue: 0.015, saturation: 0.7, value: 0.4 };

/** Draws each gain uniformly in [−limit, +limit] (hue, then saturation, then value). */
export function randomHsvGains(rng: Rng, limits: HsvGains = YOLO_HSV_LIMITS): HsvGains {
  return {
    hue: rng.uniform(-limits.hue, limits.hue),
    saturation: rng.uniform(-limits.saturation, limits.saturation),
    value: rng.uniform(-limits.value, limits.value),
  };
}

/** Applies the gains to every pixel (RGB → HSV → RGB). Returns a new image, or writes `into` (which may be the image's own data). */
export function hsvJitter(image: FloatRgbImage, gains: HsvGains, into?: Float32Array): FloatRgbImage {
  const src = image.data;
  const result = outputImage(image, into);
  const out = result.data;
  const sGain = 1 + gains.saturation;
  const vGain = 1 + gains.value;
  const dh = gains.hue - Math.floor(gains.hue); // in [0, 1)
  for (let i = 0; i < src.length; i += 3) {
    const r = clamp255(src[i]), g = clamp255(src[i + 1]), b = clamp255(src[i + 2]);
    const max = Math.max(r, g, b);
    const min = Math.min(r, g, b);
    const delta = max - min;
    let h = 0;
    if (delta > 0) {
      if (max === r) h = (g - b) / delta;
      else if (max === g) h = 2 + (b - r) / delta;
      else h = 4 + (r - g) / delta;
      h /= 6;
      if (h < 0) h += 1;
    }
    const s = max > 0 ? delta / max : 0;
    h += dh;
    if (h >= 1) h -= 1;
    const s2 = Math.min(1, Math.max(0, s * sGain));
    const v2 = Math.min(255, Math.max(0, max * vGain));
    // HSV → RGB
    const h6 = h * 6;
    const sector = Math.floor(h6) % 6;
    const f = h6 - Math.floor(h6);
    const p = v2 * (1 - s2);
    const q = v2 * (1 - s2 * f);
    const t = v2 * (1 - s2 * (1 - f));
    let ro: number, go: number, bo: number;
    switch (sector) {
      case 0: ro = v2; go = t; bo = p; break;
      case 1: ro = q; go = v2; bo = p; break;
      case 2: ro = p; go = v2; bo = t; break;
      case 3: ro = p; go = q; bo = v2; break;
      case 4: ro = t; go = p; bo = v2; break;
      default: ro = v2; go = p; bo = q; break;
    }
    out[i] = ro;
    out[i + 1] = go;
    out[i + 2] = bo;
  }
  return result;
}

function clamp255(v: number): number {
  return v < 0 ? 0 : v > 255 ? 255 : v;
}
