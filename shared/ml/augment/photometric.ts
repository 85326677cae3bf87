/**
 * Photometric augmentations on float RGB images (values 0..255, see preprocess.ts). Each returns a
 * new image; values may leave 0..255 until the pipeline clamps at the end. Boxes are unaffected.
 */
import type { FloatRgbImage } from '../preprocess';
import type { Rng } from '../random';

function map(image: FloatRgbImage, f: (v: number, i: number) => number): FloatRgbImage {
  const out = new Float32Array(image.data.length);
  for (let i = 0; i < out.length; i++) out[i] = f(image.data[i], i);
  return { width: image.width, height: image.height, data: out };
}

/** v + delta (imgaug Add). */
export function brightnessAdd(image: FloatRgbImage, delta: number): FloatRgbImage {
  return map(image, (v) => v + delta);
}

/** v × factor (imgaug Multiply). */
export function brightnessMultiply(image: FloatRgbImage, factor: number): FloatRgbImage {
  return map(image, (v) => v * factor);
}

/** Linear contrast around mid-grey: 128 + factor · (v − 128) (imgaug LinearContrast). */
export function contrast(image: FloatRgbImage, factor: number): FloatRgbImage {
  return map(image, (v) => 128 + factor * (v - 128));
}

/** Additive Gaussian noise, independent per value (imgaug AdditiveGaussianNoise). */
export function gaussianNoise(image: FloatRgbImage, sigma: number, rng: Rng): FloatRgbImage {
  return map(image, (v) => v + sigma * rng.normal());
}

/** Sets a random fraction `p` of pixels (all three channels) to black (imgaug Dropout, per pixel). */
export function pixelDropout(image: FloatRgbImage, p: number, rng: Rng): FloatRgbImage {
  const out = Float32Array.from(image.data);
  const pixels = image.width * image.height;
  for (let i = 0; i < pixels; i++) {
    if (rng.next() < p) out.fill(0, i * 3, i * 3 + 3);
  }
  return { width: image.width, height: image.height, data: out };
}

export function clampPixels(image: FloatRgbImage): FloatRgbImage {
  return map(image, (v) => (v < 0 ? 0 : v > 255 ? 255 : v));
}
