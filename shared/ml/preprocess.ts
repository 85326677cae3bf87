/**
 * Image preprocessing on raw RGB arrays (no DOM, no tensors), shared by the trainer and the renderer.
 *
 * Conventions:
 * - An image is interleaved RGB, row-major, `data[(y * width + x) * 3 + c]`, values in 0..255
 *   (Uint8Array from a decoder, or Float32Array after augmentation).
 * - Boxes are in pixels of the image they belong to: x1,y1 (top-left corner) to x2,y2
 *   (bottom-right corner), continuous coordinates, so a box covering the whole image is
 *   0,0,width,height.
 * - The detector models normalise pixels themselves (a Rescaling layer), so model input is plain
 *   0..255 floats; `normalizePixels` exists for code that feeds models without that layer.
 */

export interface RgbImage {
  width: number;
  height: number;
  data: Float32Array | Uint8Array;
}

export interface FloatRgbImage extends RgbImage {
  data: Float32Array;
}

/** Maps original-image pixels to model-input pixels: input = original * scale + offset. */
export interface ImageTransform {
  scaleX: number;
  scaleY: number;
  offsetX: number;
  offsetY: number;
}

export interface PixelBox {
  x1: number;
  y1: number;
  x2: number;
  y2: number;
}

/** How an image is fitted into the square model input. */
export type ResizeMode = 'letterbox' | 'stretch';

export function assertRgbImage(image: RgbImage, where: string): void {
  const { width, height, data } = image;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0) {
    throw new Error(`${where}: image size must be positive integers, got ${width}x${height}`);
  }
  if (data.length !== width * height * 3) {
    throw new Error(`${where}: expected ${width * height * 3} values for a ${width}x${height} RGB image, got ${data.length}`);
  }
}

export function toFloatImage(image: RgbImage): FloatRgbImage {
  assertRgbImage(image, 'toFloatImage');
  return { width: image.width, height: image.height, data: new Float32Array(image.data) };
}

/**
 * Bilinear resize with half-pixel centres (the convention of tf.image.resizeBilinear with
 * halfPixelCenters=true and of OpenCV's INTER_LINEAR), edges clamped.
 */
export function resizeBilinear(image: RgbImage, outWidth: number, outHeight: number): FloatRgbImage {
  assertRgbImage(image, 'resizeBilinear');
  if (!Number.isInteger(outWidth) || !Number.isInteger(outHeight) || outWidth <= 0 || outHeight <= 0) {
    throw new Error(`resizeBilinear: output size must be positive integers, got ${outWidth}x${outHeight}`);
  }
  const { width, height, data } = image;
  // the same size: every sample falls on a pixel centre with weight 0 for its neighbours, so the
  // result is the input as floats (the case of an image the decoder already shrank to the input size)
  if (outWidth === width && outHeight === height) return toFloatImage(image);
  const out = new Float32Array(outWidth * outHeight * 3);
  const sx = width / outWidth;
  const sy = height / outHeight;
  const x0s = new Int32Array(outWidth);
  const x1s = new Int32Array(outWidth);
  const fxs = new Float32Array(outWidth);
  for (let x = 0; x < outWidth; x++) {
    const fx = Math.min(Math.max((x + 0.5) * sx - 0.5, 0), width - 1);
    const x0 = Math.floor(fx);
    x0s[x] = x0;
    x1s[x] = Math.min(x0 + 1, width - 1);
    fxs[x] = fx - x0;
  }
  for (let y = 0; y < outHeight; y++) {
    const fy = Math.min(Math.max((y + 0.5) * sy - 0.5, 0), height - 1);
    const y0 = Math.floor(fy);
    const y1 = Math.min(y0 + 1, height - 1);
    const wy = fy - y0;
    const row0 = y0 * width;
    const row1 = y1 * width;
    for (let x = 0; x < outWidth; x++) {
      const wx = fxs[x];
      const a = (row0 + x0s[x]) * 3;
      const b = (row0 + x1s[x]) * 3;
      const c = (row1 + x0s[x]) * 3;
      const d = (row1 + x1s[x]) * 3;
      const o = (y * outWidth + x) * 3;
      for (let ch = 0; ch < 3; ch++) {
        const top = data[a + ch] + (data[b + ch] - data[a + ch]) * wx;
        const bottom = data[c + ch] + (data[d + ch] - data[c + ch]) * wx;
        out[o + ch] = top + (bottom - top) * wy;
      }
    }
  }
  return { width: outWidth, height: outHeight, data: out };
}

export interface FitOptions {
  mode?: ResizeMode;
  /** Grey level of the letterbox bars, 0..255 (default 127.5). */
  padValue?: number;
}

/**
 * Fits an image into a size×size model input. 'stretch' resizes both axes independently (the
 * seed's cv2.resize); 'letterbox' keeps the aspect ratio and centres the image on grey bars.
 * Returns the input image and the transform that maps original pixels to input pixels.
 */
export function fitToInput(image: RgbImage, size: number, options: FitOptions = {}): { image: FloatRgbImage; transform: ImageTransform } {
  assertRgbImage(image, 'fitToInput');
  if (!Number.isInteger(size) || size <= 0) throw new Error(`fitToInput: size must be a positive integer, got ${size}`);
  const mode = options.mode ?? 'letterbox';
  if (mode === 'stretch') {
    return {
      image: resizeBilinear(image, size, size),
      transform: { scaleX: size / image.width, scaleY: size / image.height, offsetX: 0, offsetY: 0 },
    };
  }
  const scale = Math.min(size / image.width, size / image.height);
  const w = Math.max(1, Math.round(image.width * scale));
  const h = Math.max(1, Math.round(image.height * scale));
  // already at its letterboxed size (an image the decoder shrank to the input): its rows as they are
  const resized = w === image.width && h === image.height ? image : resizeBilinear(image, w, h);
  const offX = Math.floor((size - w) / 2);
  const offY = Math.floor((size - h) / 2);
  const out = new Float32Array(size * size * 3).fill(options.padValue ?? 127.5);
  for (let y = 0; y < h; y++) {
    out.set(resized.data.subarray(y * w * 3, (y + 1) * w * 3), ((y + offY) * size + offX) * 3);
  }
  return {
    image: { width: size, height: size, data: out },
    // The real scales are w/width and h/height after rounding, which keeps boxes exact at the edges.
    transform: { scaleX: w / image.width, scaleY: h / image.height, offsetX: offX, offsetY: offY },
  };
}

/** Original-image box → model-input box. */
export function boxToInput<B extends PixelBox>(box: B, t: ImageTransform): B {
  return {
    ...box,
    x1: box.x1 * t.scaleX + t.offsetX,
    y1: box.y1 * t.scaleY + t.offsetY,
    x2: box.x2 * t.scaleX + t.offsetX,
    y2: box.y2 * t.scaleY + t.offsetY,
  };
}

export const IDENTITY_TRANSFORM: ImageTransform = { scaleX: 1, scaleY: 1, offsetX: 0, offsetY: 0 };

/** Pixel normalisations: 'zeroOne' = x/255, 'minusOneOne' = x/127.5 − 1 (MobileNet). */
export type PixelNormalization = 'zeroOne' | 'minusOneOne';

export function normalizationScaleOffset(mode: PixelNormalization): { scale: number; offset: number } {
  return mode === 'zeroOne' ? { scale: 1 / 255, offset: 0 } : { scale: 1 / 127.5, offset: -1 };
}

export function normalizePixels(data: Float32Array | Uint8Array, mode: PixelNormalization): Float32Array {
  const { scale, offset } = normalizationScaleOffset(mode);
  const out = new Float32Array(data.length);
  for (let i = 0; i < data.length; i++) out[i] = data[i] * scale + offset;
  return out;
}
