/** Turning an evaluation report into chart series and CSV text. */
import type { ClassifierRunReport, DetectRunReport } from '../../../shared/api';
import { OBJECT_SIZES, type ObjectSize, type PerSizeAP } from '../../../shared/training/eval-report';

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

/** One row of the report's AP-by-object-size table. */
export interface SizeRow {
  size: ObjectSize;
  /** The size's box areas (COCO ranges, original-image pixels), in words. */
  area: string;
  count: number;
  ap: number | null;
  /** The lowest AP of the sizes that have one, when the sizes differ (none marked otherwise). */
  weakest: boolean;
}

const SIZE_AREAS: Record<ObjectSize, string> = {
  small: 'under 32×32 px',
  medium: '32×32 to 96×96 px',
  large: 'over 96×96 px',
};

export function perSizeRows(p: PerSizeAP): SizeRow[] {
  const aps = OBJECT_SIZES.map((s) => p[s]).filter((v): v is number => v !== null);
  const low = Math.min(...aps);
  const differ = aps.length > 1 && Math.max(...aps) > low;
  return OBJECT_SIZES.map((size) => ({ size, area: SIZE_AREAS[size], count: p.counts[size], ap: p[size], weakest: differ && p[size] === low }));
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
