/**
 * Classification metrics for the CNN classifier: accuracy, per-class precision / recall / F1,
 * macro and support-weighted averages, confusion matrix (rows true, columns predicted).
 * A ratio with a zero denominator is 0 (scikit-learn's `zero_division=0`).
 */
import { MetricsInputError } from './errors';
import type { ConfusionMatrix } from './confusion';

export interface ClassScores {
  className: string;
  precision: number;
  recall: number;
  f1: number;
  /** Number of true samples of the class. */
  support: number;
}

export interface AveragedScores {
  precision: number;
  recall: number;
  f1: number;
}

export interface ClassificationReport {
  accuracy: number;
  perClass: ClassScores[];
  /** Unweighted mean over classes. */
  macro: AveragedScores;
  /** Mean weighted by support. */
  weighted: AveragedScores;
  confusion: ConfusionMatrix;
}

const ratio = (a: number, b: number) => (b > 0 ? a / b : 0);

/**
 * @param yTrue true class index per sample
 * @param yPred predicted class index per sample
 * @param classNames one name per class index
 */
export function classificationReport(yTrue: ArrayLike<number>, yPred: ArrayLike<number>, classNames: readonly string[]): ClassificationReport {
  if (yTrue.length !== yPred.length) throw new MetricsInputError(`yTrue has ${yTrue.length} labels but yPred has ${yPred.length}`);
  const K = classNames.length;
  if (K === 0) throw new MetricsInputError('classNames is empty');
  const matrix = Array.from({ length: K }, () => new Array<number>(K).fill(0));
  for (let i = 0; i < yTrue.length; i++) {
    const t = yTrue[i]!;
    const p = yPred[i]!;
    if (!Number.isInteger(t) || t < 0 || t >= K) throw new MetricsInputError(`yTrue[${i}] = ${t} is not a class index in 0..${K - 1}`);
    if (!Number.isInteger(p) || p < 0 || p >= K) throw new MetricsInputError(`yPred[${i}] = ${p} is not a class index in 0..${K - 1}`);
    matrix[t]![p]!++;
  }
  let correct = 0;
  const perClass = classNames.map((className, k): ClassScores => {
    const tp = matrix[k]![k]!;
    correct += tp;
    const support = matrix[k]!.reduce((s, v) => s + v, 0);
    let predicted = 0;
    for (let t = 0; t < K; t++) predicted += matrix[t]![k]!;
    const precision = ratio(tp, predicted);
    const recall = ratio(tp, support);
    return { className, precision, recall, f1: ratio(2 * precision * recall, precision + recall), support };
  });
  const n = yTrue.length;
  const avg = (weight: (c: ClassScores) => number): AveragedScores => {
    const total = perClass.reduce((s, c) => s + weight(c), 0);
    const mean = (f: (c: ClassScores) => number) => ratio(perClass.reduce((s, c) => s + weight(c) * f(c), 0), total);
    return { precision: mean((c) => c.precision), recall: mean((c) => c.recall), f1: mean((c) => c.f1) };
  };
  return {
    accuracy: ratio(correct, n),
    perClass,
    macro: avg(() => 1),
    weighted: avg((c) => c.support),
    confusion: { labels: [...classNames], matrix },
  };
}
