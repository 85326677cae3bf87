/**
 * The check an ONNX export passes before it is written: the tfjs model and the ONNX model run on
 * the same validation images; every raw output value is compared (max |difference|), and the
 * validation metric is computed from each model's outputs the way training reports it
 * (detectors: mAP50 of main/training/evaluate.ts; classifiers: top-1 accuracy).
 */
import * as tf from '@tensorflow/tfjs';
import type { ExportVerification } from '../../shared/api/train';
import type { DetectorConfig } from '../../shared/ml/detector/config';
import { imagesToTensor, predictRaw } from '../../shared/ml/detector/inference';
import type { Detection } from '../../shared/metrics';
import type { Sample } from '../training/data';
import { inputImages } from '../training/fitted-image';
import { validationDetections, validationMap50 } from '../training/evaluate';
import { ONNX_RUNTIME_NAME, type OnnxModelSession } from './onnx-session';

/** Largest |onnx − tfjs| an export may show (float32 outputs). */
export const OUTPUT_TOLERANCE = 1e-4;
/** Largest difference of the validation metric (mAP50 or accuracy). */
export const METRIC_TOLERANCE = 0.005;

export class ExportVerificationError extends Error {
  override name = 'ExportVerificationError';
  constructor(message: string, readonly verification: ExportVerification) {
    super(message);
  }
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`the ONNX model gave ${b.length} values where tfjs gave ${a.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i] - b[i]);
    if (!(d <= m)) m = Number.isNaN(d) ? Infinity : d;
  }
  return m;
}

/** Throws ExportVerificationError when the outputs or the metric differ more than allowed. */
export function assertVerified(v: ExportVerification): void {
  if (!(v.maxAbsDiff <= v.tolerance)) {
    throw new ExportVerificationError(`the ONNX model's outputs differ from tfjs by up to ${v.maxAbsDiff.toExponential(2)} on ${v.images} ${v.split} images (allowed ${v.tolerance}); nothing was exported`, v);
  }
  if (v.tfjs !== null && v.onnx !== null && !(Math.abs(v.tfjs - v.onnx) <= v.metricTolerance)) {
    throw new ExportVerificationError(`${v.metric} of the ONNX model is ${v.onnx.toFixed(4)}, tfjs ${v.tfjs.toFixed(4)} (allowed difference ${v.metricTolerance}); nothing was exported`, v);
  }
}

export async function verifyDetectorExport(model: tf.LayersModel, session: OnnxModelSession, config: DetectorConfig, classes: string[], val: Sample[], options: { batchSize?: number; tolerance?: number } = {}): Promise<ExportVerification> {
  const batchSize = options.batchSize ?? 8;
  const size = config.inputSize;
  let diff = 0;
  const fromTfjs: Detection[] = [];
  const fromOnnx: Detection[] = [];
  for (let i = 0; i < val.length; i += batchSize) {
    const part = val.slice(i, i + batchSize);
    const x = imagesToTensor(await inputImages(part.map((s) => s.image)));
    let raws: Float32Array[];
    let input: Float32Array;
    try {
      raws = await predictRaw(model, x, config);
      input = (await x.data()) as Float32Array;
    } finally {
      x.dispose();
    }
    const onnx = await session.run(input, [part.length, size, size, 3]);
    const per = onnx.data.length / part.length;
    part.forEach((s, j) => {
      const o = onnx.data.subarray(j * per, (j + 1) * per);
      diff = Math.max(diff, maxAbsDiff(raws[j], o));
      fromTfjs.push(...validationDetections(raws[j], config, classes, s));
      fromOnnx.push(...validationDetections(o, config, classes, s));
    });
  }
  const groundTruth = val.flatMap((s) => s.groundTruth);
  return {
    runtime: ONNX_RUNTIME_NAME, tfjsBackend: tf.getBackend(), split: 'val', images: val.length,
    maxAbsDiff: diff, tolerance: options.tolerance ?? OUTPUT_TOLERANCE,
    metric: 'mAP50', tfjs: validationMap50(groundTruth, fromTfjs, classes), onnx: validationMap50(groundTruth, fromOnnx, classes), metricTolerance: METRIC_TOLERANCE,
  };
}

export interface ClassifierExample {
  /** [h, w, c] pixels, 0..255. */
  pixels: Uint8Array;
  label: number;
}

export async function verifyClassifierExport(model: tf.LayersModel, session: OnnxModelSession, inputShape: [number, number, number], examples: ClassifierExample[], split: 'val' | 'test', options: { batchSize?: number; tolerance?: number } = {}): Promise<ExportVerification> {
  const batchSize = options.batchSize ?? 64;
  const [h, w, c] = inputShape;
  const per = h * w * c;
  let diff = 0;
  let rightTfjs = 0;
  let rightOnnx = 0;
  const argmax = (p: ArrayLike<number>, from: number, n: number): number => {
    let best = 0;
    for (let k = 1; k < n; k++) if (p[from + k] > p[from + best]) best = k;
    return best;
  };
  for (let i = 0; i < examples.length; i += batchSize) {
    const part = examples.slice(i, i + batchSize);
    const input = new Float32Array(part.length * per);
    part.forEach((e, j) => input.set(e.pixels, j * per));
    const probs = tf.tidy(() => model.predict(tf.tensor4d(input, [part.length, h, w, c])) as tf.Tensor);
    const ref = (await probs.data()) as Float32Array;
    probs.dispose();
    const onnx = await session.run(input, [part.length, h, w, c]);
    diff = Math.max(diff, maxAbsDiff(ref, onnx.data));
    const C = ref.length / part.length;
    part.forEach((e, j) => {
      if (argmax(ref, j * C, C) === e.label) rightTfjs++;
      if (argmax(onnx.data, j * C, C) === e.label) rightOnnx++;
    });
  }
  const n = examples.length;
  return {
    runtime: ONNX_RUNTIME_NAME, tfjsBackend: tf.getBackend(), split, images: n,
    maxAbsDiff: diff, tolerance: options.tolerance ?? OUTPUT_TOLERANCE,
    metric: 'accuracy', tfjs: n > 0 ? rightTfjs / n : null, onnx: n > 0 ? rightOnnx / n : null, metricTolerance: METRIC_TOLERANCE,
  };
}
