/** Spatial filters on float RGB images: Gaussian blur and sharpening. Edges are clamped. */
import type { FloatRgbImage } from '../preprocess';

/** 1-D Gaussian kernel of radius ceil(3σ), normalised to sum 1. */
export function gaussianKernel(sigma: number): Float32Array {
  const radius = Math.max(1, Math.ceil(3 * sigma));
  const k = new Float32Array(2 * radius + 1);
  let sum = 0;
  for (let i = -radius; i <= radius; i++) {
    k[i + radius] = Math.exp(-(i * i) / (2 * sigma * sigma));
    sum += k[i + radius];
  }
  for (let i = 0; i < k.length; i++) k[i] /= sum;
  return k;
}

/** Separable Gaussian blur with standard deviation `sigma` pixels (imgaug GaussianBlur). σ ≤ 0 returns a copy. */
export function gaussianBlur(image: FloatRgbImage, sigma: number): FloatRgbImage {
  const { width: w, height: h, data } = image;
  if (!(sigma > 0)) return { width: w, height: h, data: Float32Array.from(data) };
  const k = gaussianKernel(sigma);
  const r = (k.length - 1) / 2;
  const tmp = new Float32Array(data.length);
  const out = new Float32Array(data.length);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      for (let c = 0; c < 3; c++) {
        let acc = 0;
        for (let i = -r; i <= r; i++) {
          const xx = Math.min(w - 1, Math.max(0, x + i));
          acc += k[i + r] * data[(y * w + xx) * 3 + c];
        }
        tmp[(y * w + x) * 3 + c] = acc;
      }
    }
  }
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      for (let c = 0; c < 3; c++) {
        let acc = 0;
        for (let i = -r; i <= r; i++) {
          const yy = Math.min(h - 1, Math.max(0, y + i));
          acc += k[i + r] * tmp[(yy * w + x) * 3 + c];
        }
        out[(y * w + x) * 3 + c] = acc;
      }
    }
  }
  return { width: w, height: h, data: out };
}

/**
 * Sharpen (imgaug Sharpen): 3×3 kernel (1 − alpha)·identity + alpha·[[-1,-1,-1],[-1,8+lightness,-1],[-1,-1,-1]].
 * With lightness 1 the effect kernel sums to 1, so flat regions are unchanged.
 */
export function sharpen(image: FloatRgbImage, alpha: number, lightness = 1): FloatRgbImage {
  const { width: w, height: h, data } = image;
  const centre = (1 - alpha) + alpha * (8 + lightness);
  const side = -alpha;
  const out = new Float32Array(data.length);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      for (let c = 0; c < 3; c++) {
        let acc = centre * data[(y * w + x) * 3 + c];
        for (let dy = -1; dy <= 1; dy++) {
          const yy = Math.min(h - 1, Math.max(0, y + dy));
          for (let dx = -1; dx <= 1; dx++) {
            if (dx === 0 && dy === 0) continue;
            const xx = Math.min(w - 1, Math.max(0, x + dx));
            acc += side * data[(yy * w + xx) * 3 + c];
          }
        }
        out[(y * w + x) * 3 + c] = acc;
      }
    }
  }
  return { width: w, height: h, data: out };
}
