/** Turning an evaluation report into chart series and CSV text. */
import type { ClassifierRunReport, DetectRunReport } from '../../../shared/api';

/**
 * Interpolated precision on a recall grid 0..1 (101 points): at recall r the highest precision
 * reached at recall ≥ r — the envelope all-point AP integrates; null past the class's last recall.
 */
export function prOnGrid(pr: { recall: number[]; precision: number[] }, steps = 100): (number | null)[] {
  return Array.from({ length: steps + 1 }, (_, i) => {
    const r = i / steps;
    let best: number | null = null;
    for (let k = 0; k < pr.recall.length; k++) if (pr.recall[k]! >= r - 1e-9 && (best === null || pr.precision[k]! > best)) best = pr.precision[k]!;
    return best;
  });
}

const csvCell = (v: string | number | null): string => {
  if (v === null) return '';
  const s = String(v);
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};
const csv = (rows: (string | number | null)[][]): string => rows.map((r) => r.map(csvCell).join(',')).join('\n') + '\n';

export function apTableCsv(r: DetectRunReport): string {
  return csv([
    ['class', 'ground truth', 'AP50', 'AP50-95', 'precision', 'recall'],
    ...r.classes.map((c) => [c.className, c.numGroundTruth, c.ap50, c['ap50-95'], c.precision, c.recall]),
    ['all', r.classes.reduce((n, c) => n + c.numGroundTruth, 0), r.mAP50, r['mAP50-95'], null, null],
  ]);
}

export function confusionCsv(confusion: { labels: string[]; matrix: number[][] }): string {
  const { labels, matrix } = confusion;
  return csv([['true \\ predicted', ...labels], ...matrix.map((row, i) => [labels[i]!, ...row])]);
}

/** Per-class precision / recall / F1 / support of a classifier report, with macro and weighted rows. */
export function classScoresCsv(r: ClassifierRunReport): string {
  const support = r.perClass.reduce((n, c) => n + c.support, 0);
  return csv([
    ['class', 'precision', 'recall', 'F1', 'support'],
    ...r.perClass.map((c) => [c.className, c.precision, c.recall, c.F1, c.support]),
    ['macro', r.macro.precision, r.macro.recall, r.macro.F1, support],
    ['weighted', r.weighted.precision, r.weighted.recall, r.weighted.F1, support],
  ]);
}
