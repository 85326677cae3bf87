/**
 * Decoding the raw YOLOv2 output of one image into scored pixel boxes (pure TS, no tensors, so
 * the renderer can run it on `await output.data()`).
 *
 * For cell (row, col) and anchor (aw, ah) in grid units (see layout.ts):
 *   cx = (col + sigmoid(tx)) / grid * inputSize      w = aw * exp(tw) / grid * inputSize
 *   cy = (row + sigmoid(ty)) / grid * inputSize      h = ah * exp(th) / grid * inputSize
 *   score(c) = sigmoid(to) * softmax(class logits)[c]
 * Boxes are then mapped from input pixels to original-image pixels with the inverse of the
 * preprocessing transform, and clipped to the image when its size is given.
 */
import type { Detection, PixelBox } from './box';
import type { GridSpec } from './layout';
import { fieldsPerAnchor, valuesPerImage } from './layout';
import type { ImageTransform } from '../preprocess';
import { IDENTITY_TRANSFORM } from '../preprocess';

export interface DecodeOptions {
  /** Keep candidates with score ≥ this (default 0.25; use ~0.005 for mAP evaluation). */
  scoreThreshold?: number;
  /** Original image → model input transform (default identity: boxes stay in input pixels). */
  transform?: ImageTransform;
  /** Original image size, to clip boxes to it. */
  imageSize?: { width: number; height: number };
  /** Emit one candidate per class above threshold (for mAP), instead of the best class only. */
  multiLabel?: boolean;
}

export const sigmoid = (v: number): number => 1 / (1 + Math.exp(-v));

/** A box in input pixels mapped back to original pixels (options.transform inverted) and clipped to options.imageSize when given; null when empty. */
export function inputBoxToOriginal(x1: number, y1: number, x2: number, y2: number, options: Pick<DecodeOptions, 'transform' | 'imageSize'>): PixelBox | null {
  const t = options.transform ?? IDENTITY_TRANSFORM;
  let a = (x1 - t.offsetX) / t.scaleX;
  let b = (y1 - t.offsetY) / t.scaleY;
  let c = (x2 - t.offsetX) / t.scaleX;
  let d = (y2 - t.offsetY) / t.scaleY;
  if (options.imageSize) {
    const { width, height } = options.imageSize;
    a = Math.min(Math.max(a, 0), width);
    c = Math.min(Math.max(c, 0), width);
    b = Math.min(Math.max(b, 0), height);
    d = Math.min(Math.max(d, 0), height);
  }
  return c > a && d > b ? { x1: a, y1: b, x2: c, y2: d } : null;
}

/** Decodes `raw` (grid × grid × A × (5 + C) values of one image) into candidates, before NMS. */
export function decodeYoloOutput(raw: ArrayLike<number>, spec: GridSpec, options: DecodeOptions = {}): Detection[] {
  const expected = valuesPerImage(spec);
  if (raw.length !== expected) {
    throw new Error(`decodeYoloOutput: expected ${expected} values (grid ${spec.gridSize}, ${spec.anchors.length} anchors, ${spec.numClasses} classes), got ${raw.length}`);
  }
  const { gridSize: g, anchors, numClasses: C, inputSize } = spec;
  const A = anchors.length;
  const F = fieldsPerAnchor(spec);
  const threshold = options.scoreThreshold ?? 0.25;
  const cell = inputSize / g;
  const probs = new Float64Array(C);
  const out: Detection[] = [];
  for (let row = 0; row < g; row++) {
    for (let col = 0; col < g; col++) {
      for (let a = 0; a < A; a++) {
        const o = ((row * g + col) * A + a) * F;
        const objectness = sigmoid(raw[o + 4]);
        if (objectness < threshold) continue; // score ≤ objectness, so nothing here can pass
        let max = -Infinity;
        for (let c = 0; c < C; c++) max = Math.max(max, raw[o + 5 + c]);
        let sum = 0;
        for (let c = 0; c < C; c++) {
          probs[c] = Math.exp(raw[o + 5 + c] - max);
          sum += probs[c];
        }
        const cx = (col + sigmoid(raw[o])) * cell;
        const cy = (row + sigmoid(raw[o + 1])) * cell;
        const w = anchors[a][0] * Math.exp(raw[o + 2]) * cell;
        const h = anchors[a][1] * Math.exp(raw[o + 3]) * cell;
        const emit = (classId: number, score: number): void => {
          const box = inputBoxToOriginal(cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2, options);
          if (box) out.push({ ...box, classId, score });
        };
        if (options.multiLabel) {
          for (let c = 0; c < C; c++) {
            const score = (objectness * probs[c]) / sum;
            if (score >= threshold) emit(c, score);
          }
        } else {
          let best = 0;
          for (let c = 1; c < C; c++) if (probs[c] > probs[best]) best = c;
          const score = (objectness * probs[best]) / sum;
          if (score >= threshold) emit(best, score);
        }
      }
    }
  }
  return out;
}
