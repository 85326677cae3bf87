/**
 * Curves and operating points from a VOC-style evaluation (`evaluateVoc`): PR curve points,
 * precision / recall / F1 at a confidence threshold, F1-vs-confidence and the best-F1 threshold.
 *
 * A detection counts at threshold c when its score ≥ c. Detections ignored by matching (difficult
 * boxes) never count. With no counted detection, precision is 0 (so F1 is 0); F1 = 2PR / (P + R),
 * 0 when P + R = 0.
 */
import type { VocClassResult, VocResult } from './voc';

export interface PrCurve {
  className: string;
  /** One point per counted detection, in descending score. */
  recall: Float64Array;
  precision: Float64Array;
  /** Precision made non-increasing from the right (the envelope all-point AP integrates). */
  interpolatedPrecision: Float64Array;
  scores: Float64Array;
}

export function prCurve(cls: VocClassResult): PrCurve {
  const interpolatedPrecision = Float64Array.from(cls.precision);
  for (let i = interpolatedPrecision.length - 2; i >= 0; i--) {
    if (interpolatedPrecision[i + 1]! > interpolatedPrecision[i]!) interpolatedPrecision[i] = interpolatedPrecision[i + 1]!;
  }
  return { className: cls.className, recall: cls.recall, precision: cls.precision, interpolatedPrecision, scores: cls.scores };
}

export interface OperatingPoint {
  threshold: number;
  tp: number;
  fp: number;
  /** Non-difficult ground truth missed at this threshold. */
  fn: number;
  precision: number;
  recall: number;
  f1: number;
}

/** Number of leading entries of a descending array that are ≥ threshold (binary search). */
function countAtLeast(descending: Float64Array, threshold: number): number {
  let lo = 0;
  let hi = descending.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (descending[mid]! >= threshold) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function point(threshold: number, tp: number, fp: number, npos: number): OperatingPoint {
  const precision = tp + fp > 0 ? tp / (tp + fp) : 0;
  const recall = npos > 0 ? tp / npos : 0;
  const f1 = precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0;
  return { threshold, tp, fp, fn: npos - tp, precision, recall, f1 };
}

/** Precision, recall and F1 of one class when keeping detections with score ≥ threshold. */
export function precisionRecallAt(cls: VocClassResult, threshold: number): OperatingPoint {
  const n = countAtLeast(cls.scores, threshold);
  const tp = n ? cls.cumulativeTp[n - 1]! : 0;
  return point(threshold, tp, n - tp, cls.numGroundTruth);
}

/**
 * Micro-averaged operating point over all classes with ground truth (TP, FP, FN summed over classes).
 */
export function overallPrecisionRecallAt(result: VocResult, threshold: number): OperatingPoint {
  let tp = 0, fp = 0, npos = 0;
  for (const c of result.classes) {
    if (c.ap === null) continue;
    const p = precisionRecallAt(c, threshold);
    tp += p.tp;
    fp += p.fp;
    npos += c.numGroundTruth;
  }
  return point(threshold, tp, fp, npos);
}

/** Thresholds 0, 0.01, …, 1 (101 values), the default grid of the F1 curve. */
export const DEFAULT_CONFIDENCE_GRID: readonly number[] = Array.from({ length: 101 }, (_, i) => i / 100);

export interface F1Curve {
  thresholds: readonly number[];
  /** Per class with ground truth: F1 at each threshold. */
  perClass: { className: string; f1: Float64Array }[];
  /** Mean over those classes of precision / recall / F1 at each threshold (as Ultralytics plots). */
  precision: Float64Array;
  recall: Float64Array;
  f1: Float64Array;
}

/** F1 (and P, R) versus confidence threshold, per class and averaged over classes. */
export function f1Curve(result: VocResult, thresholds: readonly number[] = DEFAULT_CONFIDENCE_GRID): F1Curve {
  const classes = result.classes.filter((c) => c.ap !== null);
  const n = thresholds.length;
  const precision = new Float64Array(n);
  const recall = new Float64Array(n);
  const f1 = new Float64Array(n);
  const perClass = classes.map((c) => {
    const curve = new Float64Array(n);
    thresholds.forEach((t, i) => {
      const p = precisionRecallAt(c, t);
      curve[i] = p.f1;
      precision[i]! += p.precision / classes.length;
      recall[i]! += p.recall / classes.length;
      f1[i]! += p.f1 / classes.length;
    });
    return { className: c.className, f1: curve };
  });
  return { thresholds, perClass, precision, recall, f1 };
}

export interface BestF1 {
  threshold: number;
  f1: number;
  precision: number;
  recall: number;
}

/**
 * Threshold of the highest class-averaged F1 on the curve's grid; on a tie the highest threshold
 * (fewest detections) wins. Null when no class has ground truth.
 */
export function bestF1(curve: F1Curve): BestF1 | null {
  if (curve.perClass.length === 0 || curve.thresholds.length === 0) return null;
  let best = 0;
  for (let i = 1; i < curve.thresholds.length; i++) {
    if (curve.f1[i]! > curve.f1[best]! || (curve.f1[i] === curve.f1[best] && curve.thresholds[i]! > curve.thresholds[best]!)) best = i;
  }
  return { threshold: curve.thresholds[best]!, f1: curve.f1[best]!, precision: curve.precision[best]!, recall: curve.recall[best]! };
}
