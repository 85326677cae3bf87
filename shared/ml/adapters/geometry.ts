/**
 * Where a frame lands in the square model input: the same rounding as fitToInput (preprocess.ts),
 * so a renderer that draws the frame onto a canvas with drawImage gets the transform the trainer used.
 */
import type { ImageTransform, ResizeMode } from '../preprocess';

export interface FitRect {
  /** Original pixels → input pixels. */
  transform: ImageTransform;
  /** Where the frame is drawn inside the size×size input. */
  x: number;
  y: number;
  width: number;
  height: number;
}

export function fitRect(width: number, height: number, size: number, mode: ResizeMode): FitRect {
  if (!(width > 0 && height > 0)) throw new Error(`fitRect: frame size must be positive, got ${width}x${height}`);
  if (mode === 'stretch') {
    return { transform: { scaleX: size / width, scaleY: size / height, offsetX: 0, offsetY: 0 }, x: 0, y: 0, width: size, height: size };
  }
  const scale = Math.min(size / width, size / height);
  const w = Math.max(1, Math.round(width * scale));
  const h = Math.max(1, Math.round(height * scale));
  const x = Math.floor((size - w) / 2);
  const y = Math.floor((size - h) / 2);
  return { transform: { scaleX: w / width, scaleY: h / height, offsetX: x, offsetY: y }, x, y, width: w, height: h };
}
