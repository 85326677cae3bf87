/** Spatial filters on float RGB images: Gaussian blur and sharpening. Edges are clamped. */
import type { FloatRgbImage } from '../preprocess';
import { outputImage } from './photometric';

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

/** A buffer kept between calls (one per thread) for the filters' intermediate values. */
let scratch = new Float32Array(0);
function scratchOf(n: number): Float32Array {
  if (scratch.length < n) scratch = new Float32Array(n);
  return scratch.subarray(0, n);
}

/** For each position 0..n-1 and tap −r..r, the position clamped to the edges. */
function clampedTaps(n: number, r: number): Int32Array {
  const taps = new Int32Array(n * (2 * r + 1));
  for (let p = 0, j = 0; p < n; p++) for (let i = -r; i <= r; i++, j++) taps[j] = Math.min(n - 1, Math.max(0, p + i));
  return taps;
}

/**
 * Separable Gaussian blur with standard deviation `sigma` pixels (imgaug GaussianBlur). σ ≤ 0
 * copies. Writes a new image, or `into` (which may be the image's own data).
 */
export function gaussianBlur(image: FloatRgbImage, sigma: number, into?: Float32Array): FloatRgbImage {
  const out = outputImage(image, into);
  const { width: w, height: h, data } = image;
  if (!(sigma > 0)) {
    if (out.data !== data) out.data.set(data);
    return out;
  }
  const k = gaussianKernel(sigma);
  const n = k.length;
  const r = (n - 1) / 2;
  const tmp = scratchOf(data.length);
  const xs = clampedTaps(w, r);
  for (let y = 0; y < h; y++) {
    const row = y * w;
    for (let x = 0; x < w; x++) {
      for (let c = 0; c < 3; c++) {
        let acc = 0;
        for (let j = 0; j < n; j++) acc += k[j]! * data[(row + xs[x * n + j]!) * 3 + c]!;
        tmp[(row + x) * 3 + c] = acc;
      }
    }
  }
  // the second pass reads only tmp, so `into` may be the image's data
  const ys = clampedTaps(h, r);
  const dst = out.data;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      for (let c = 0; c < 3; c++) {
        let acc = 0;
        for (let j = 0; j < n; j++) acc += k[j]! * tmp[(ys[y * n + j]! * w + x) * 3 + c]!;
        dst[(y * w + x) * 3 + c] = acc;
      }
    }
  }
  return out;
}

/**
 * Sharpen (imgaug Sharpen): 3×3 kernel (1 − alpha)·identity + alpha·[[-1,-1,-1],[-1,8+lightness,-1],[-1,-1,-1]].
 * With lightness 1 the effect kernel sums to 1, so flat regions are unchanged. Writes a new image,
 * or `into` (which may be the image's own data).
 */
export function sharpen(image: FloatRgbImage, alpha: number, lightness = 1, into?: Float32Array): FloatRgbImage {
  const out = outputImage(image, into);
  const { width: w, height: h } = image;
  let data = image.data;
  if (out.data === data) {
    data = scratchOf(data.length);
    data.set(image.data);
  }
  const centre = (1 - alpha) + alpha * (8 + lightness);
  const side = -alpha;
  const dst = out.data;
  for (let y = 0; y < h; y++) {
    const y0 = Math.max(0, y - 1), y2 = Math.min(h - 1, y + 1);
    for (let x = 0; x < w; x++) {
      const x0 = Math.max(0, x - 1), x2 = Math.min(w - 1, x + 1);
      for (let c = 0; c < 3; c++) {
        // the neighbours in the order of the original loop: rows y−1, y, y+1, columns x−1, x, x+1
        let acc = centre * data[(y * w + x) * 3 + c]!;
        acc += side * data[(y0 * w + x0) * 3 + c]!;
        acc += side * data[(y0 * w + x) * 3 + c]!;
        acc += side * data[(y0 * w + x2) * 3 + c]!;
        acc += side * data[(y * w + x0) * 3 + c]!;
        acc += side * data[(y * w + x2) * 3 + c]!;
        acc += side * data[(y2 * w + x0) * 3 + c]!;
        acc += side * data[(y2 * w + x) * 3 + c]!;
        acc += side * data[(y2 * w + x2) * 3 + c]!;
        dst[(y * w + x) * 3 + c] = acc;
      }
    }
  }
  return out;
}
