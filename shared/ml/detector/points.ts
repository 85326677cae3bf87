/**
 * Layout and decoding of the anchor-free point head (config.ts PointHeadConfig).
 *
 * Raw output: [batch, N, C + 4·R] with N = Σ over strides s of (inputSize / s)²: the points of
 * stride 8 first, then 16, then 32, each level row-major. Point (row, col) of stride s sits at
 * ((col + 0.5)·s, (row + 0.5)·s) input pixels. Per point: C class logits (sigmoid → the score of
 * that class, trained towards the IoU of the point's box), then for each side (left, top, right,
 * bottom) R logits of a distribution over distances 0 … R − 1 strides; the side's distance is the
 * expectation of its softmax, times s. Pure TS (no tensors), so the renderer decodes
 * `await output.data()` with it.
 */
import type { Detection } from './box';
import type { DetectorConfig, PointHeadConfig } from './config';
import type { DecodeOptions } from './decode';
import { inputBoxToOriginal, sigmoid } from './decode';

export interface PointSpec {
  inputSize: number;
  strides: readonly number[];
  numClasses: number;
  regBins: number;
}

export function pointSpecOf(config: DetectorConfig): PointSpec {
  const head = config.head as PointHeadConfig;
  return { inputSize: config.inputSize, strides: head.strides, numClasses: config.numClasses, regBins: head.regBins };
}

/** Values per point: C + 4·R. */
export function valuesPerPoint(spec: PointSpec): number {
  return spec.numClasses + 4 * spec.regBins;
}

/** Points per image over all levels. */
export function pointCount(spec: Pick<PointSpec, 'inputSize' | 'strides'>): number {
  return spec.strides.reduce((n, s) => n + (spec.inputSize / s) ** 2, 0);
}

/** Every point's centre (x, y) in input pixels and its stride, in output order. */
export function pointGrid(spec: Pick<PointSpec, 'inputSize' | 'strides'>): { centers: Float32Array; strides: Float32Array } {
  const n = pointCount(spec);
  const centers = new Float32Array(n * 2);
  const strides = new Float32Array(n);
  let i = 0;
  for (const s of spec.strides) {
    const g = spec.inputSize / s;
    for (let row = 0; row < g; row++) {
      for (let col = 0; col < g; col++, i++) {
        centers[i * 2] = (col + 0.5) * s;
        centers[i * 2 + 1] = (row + 0.5) * s;
        strides[i] = s;
      }
    }
  }
  return { centers, strides };
}

/** Decodes one image's raw point output (N × (C + 4R) values) into candidates, before NMS. */
export function decodePointOutput(raw: ArrayLike<number>, spec: PointSpec, options: DecodeOptions = {}): Detection[] {
  const F = valuesPerPoint(spec);
  const n = pointCount(spec);
  if (raw.length !== n * F) throw new Error(`decodePointOutput: expected ${n * F} values (${n} points × ${F}), got ${raw.length}`);
  const { numClasses: C, regBins: R } = spec;
  const threshold = options.scoreThreshold ?? 0.25;
  // sigmoid(v) ≥ threshold ⇔ v ≥ logit(threshold): compare logits, take sigmoid only for kept ones
  const logitThreshold = threshold <= 0 ? -Infinity : threshold >= 1 ? Infinity : Math.log(threshold / (1 - threshold));
  const out: Detection[] = [];
  const prob = new Float64Array(R);
  const d = [0, 0, 0, 0];
  let i = 0;
  for (const s of spec.strides) {
    const g = spec.inputSize / s;
    for (let row = 0; row < g; row++) {
      for (let col = 0; col < g; col++, i++) {
        const o = i * F;
        let best = 0;
        for (let c = 1; c < C; c++) if (raw[o + c] > raw[o + best]) best = c;
        if (!(raw[o + best] >= logitThreshold)) continue;
        for (let side = 0; side < 4; side++) {
          const b = o + C + side * R;
          let max = -Infinity;
          for (let k = 0; k < R; k++) max = Math.max(max, raw[b + k]);
          let sum = 0;
          let e = 0;
          for (let k = 0; k < R; k++) {
            prob[k] = Math.exp(raw[b + k] - max);
            sum += prob[k];
            e += k * prob[k];
          }
          d[side] = (e / sum) * s;
        }
        const cx = (col + 0.5) * s;
        const cy = (row + 0.5) * s;
        const box = inputBoxToOriginal(cx - d[0], cy - d[1], cx + d[2], cy + d[3], options);
        if (!box) continue;
        if (options.multiLabel) {
          for (let c = 0; c < C; c++) if (raw[o + c] >= logitThreshold) out.push({ ...box, classId: c, score: sigmoid(raw[o + c]) });
        } else {
          out.push({ ...box, classId: best, score: sigmoid(raw[o + best]) });
        }
      }
    }
  }
  return out;
}
