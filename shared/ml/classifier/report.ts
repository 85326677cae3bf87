/**
 * The classifier's evaluation report (eval.json): accuracy, per-class precision / recall / F1,
 * macro and weighted averages and the confusion matrix (shared/metrics classificationReport), plus
 * the most-confused pairs (largest off-diagonal cells) with example images, most confident
 * mistakes first.
 */
import { classificationReport } from '../../metrics/classification';
import type { ClassifierEvalReport, ConfusedPair } from '../../training/classifier';

export interface EvaluatedSample {
  id: string;
  path: string | null;
  label: number;
  predicted: number;
  /** Score of the predicted class. */
  score: number;
}

export function buildClassifierEval(samples: readonly EvaluatedSample[], classes: readonly string[], options: { epoch: number; split: 'test' | 'val'; pairs?: number; examples?: number }): ClassifierEvalReport {
  const r = classificationReport(samples.map((s) => s.label), samples.map((s) => s.predicted), classes);
  const cells = new Map<string, EvaluatedSample[]>();
  for (const s of samples) {
    if (s.label === s.predicted) continue;
    const key = `${s.label}:${s.predicted}`;
    const list = cells.get(key) ?? [];
    list.push(s);
    cells.set(key, list);
  }
  const mostConfused: ConfusedPair[] = [...cells.values()]
    .sort((a, b) => b.length - a.length || a[0]!.label - b[0]!.label || a[0]!.predicted - b[0]!.predicted)
    .slice(0, options.pairs ?? 10)
    .map((list) => ({
      trueClass: classes[list[0]!.label]!,
      predictedClass: classes[list[0]!.predicted]!,
      count: list.length,
      examples: [...list].sort((a, b) => b.score - a.score).slice(0, options.examples ?? 5).map((s) => ({ id: s.id, path: s.path, score: s.score })),
    }));
  return {
    task: 'classify',
    split: options.split,
    epoch: options.epoch,
    images: samples.length,
    accuracy: r.accuracy,
    perClass: r.perClass.map((c) => ({ className: c.className, precision: c.precision, recall: c.recall, F1: c.f1, support: c.support })),
    macro: { precision: r.macro.precision, recall: r.macro.recall, F1: r.macro.f1 },
    weighted: { precision: r.weighted.precision, recall: r.weighted.recall, F1: r.weighted.f1 },
    confusion: r.confusion,
    mostConfused,
  };
}
