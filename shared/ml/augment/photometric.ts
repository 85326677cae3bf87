/**
 * Photometric augmentations on float RGB images (values 0..255, see preprocess.ts). Each returns a
 * new image, or writes into `into` when given (which may be the image's own data: the pipeline
 * works in place, since a fresh 224×224 Float32Array costs more than the op itself). Values may
 * leave 0..255 until the pipeline clamps at the end. Boxes are unaffected.
 */
import type { FloatRgbImage } from '../preprocess';
import type { Rng } from '../random';

/** The image an op writes: `into` (the image's own data for in place) or a new one of the same size. */
export function outputImage(image: FloatRgbImage, into?: Float32Array): FloatRgbImage {
  if (into && into.length !== image.data.length) throw new Error(`augment: 'into' has ${into.length} values, the image ${image.data.length}`);
  return { width: image.width, height: image.height, data: into ?? new Float32Array(image.data.length) };
}

/** v + delta (imgaug Add). */
export function brightnessAdd(image: FloatRgbImage, delta: number, into?: Float32Array): FloatRgbImage {
  const out = outputImage(image, into);
  const src = image.data, dst = out.data;
  for (let i = 0; i < dst.length; i++) dst[i] = src[i]! + delta;
  return out;
}

/** v × factor (imgaug Multiply). */
export function brightnessMultiply(image: FloatRgbImage, factor: number, into?: Float32Array): FloatRgbImage {
  const out = outputImage(image, into);
  const src = image.data, dst = out.data;
  for (let i = 0; i < dst.length; i++) dst[i] = src[i]! * factor;
  return out;
}

/** Linear contrast around mid-grey: 128 + factor · (v − 128) (imgaug LinearContrast). */
export function contrast(image: FloatRgbImage, factor: number, into?: Float32Array): FloatRgbImage {
  const out = outputImage(image, into);
  const src = image.data, dst = out.data;
  for (let i = 0; i < dst.length; i++) dst[i] = 128 + factor * (src[i]! - 128);
  return out;
}

/** Additive Gaussian noise, independent per value (imgaug AdditiveGaussianNoise). */
export function gaussianNoise(image: FloatRgbImage, sigma: number, rng: Rng, into?: Float32Array): FloatRgbImage {
  const out = outputImage(image, into);
  const src = image.data, dst = out.data;
  for (let i = 0; i < dst.length; i++) dst[i] = src[i]! + sigma * rng.normal();
  return out;
}

/** Sets a random fraction `p` of pixels (all three channels) to black (imgaug Dropout, per pixel). */
export function pixelDropout(image: FloatRgbImage, p: number, rng: Rng, into?: Float32Array): FloatRgbImage {
  const out = outputImage(image, into).data;
  if (out !== image.data) out.set(image.data);
  const pixels = image.width * image.height;
  for (let i = 0; i < pixels; i++) {
    if (rng.next() < p) out.fill(0, i * 3, i * 3 + 3);
  }
  return { width: image.width, height: image.height, data: out };
}

export function clampPixels(image: FloatRgbImage, into?: Float32Array): FloatRgbImage {
  const out = outputImage(image, into);
  const src = image.data, dst = out.data;
  for (let i = 0; i < dst.length; i++) {
    const v = src[i]!;
    dst[i] = v < 0 ? 0 : v > 255 ? 255 : v;
  }
  return out;
}
