/**
 * Curves are data-driven: every epoch becomes a flat record keyed by metrics.csv column names
 * (METRICS_COLUMNS), and a panel is a list of columns. A classifier run only needs its own record
 * function and panel list (CLASSIFY_PANELS) — the charts do not change.
 */
import { METRICS_COLUMNS, type EpochMetrics } from '../../../shared/training/types';
import { CLASSIFIER_METRICS_COLUMNS, type ClassifierEpochMetrics } from '../../../shared/training/classifier';

export type MetricRecord = Record<string, number | null>;

export interface CurveColumn {
  key: string;
  label: string;
}

export interface CurvePanel {
  id: string;
  title: string;
  yLabel: string;
  columns: CurveColumn[];
  /** Metrics in 0..1 get a fixed axis, so runs and epochs compare at a glance. */
  unit?: boolean;
  logY?: boolean;
}

const finite = (v: number | null | undefined): number | null => (v === null || v === undefined || !Number.isFinite(v) ? null : v);

/** One detector epoch as a record keyed by METRICS_COLUMNS. */
export function detectRecord(m: EpochMetrics): MetricRecord {
  const values: number[] | (number | null)[] = [
    m.epoch, m.time,
    m.train.box, m.train.obj, m.train.noobj, m.train.cls, m.train.dfl, m.train.total,
    m.precision, m.recall, m.F1, m.mAP50, m['mAP50-95'],
    m.val?.box ?? null, m.val?.obj ?? null, m.val?.noobj ?? null, m.val?.cls ?? null, m.val?.dfl ?? null, m.val?.total ?? null,
    m.lr,
  ];
  const rec: MetricRecord = {};
  METRICS_COLUMNS.forEach((c, i) => { rec[c] = finite(values[i]); });
  return rec;
}

/** One classifier epoch as a record keyed by CLASSIFIER_METRICS_COLUMNS. */
export function classifyRecord(m: ClassifierEpochMetrics): MetricRecord {
  const values = [m.epoch, m.time, m.train.loss, m.train.accuracy, m.val?.loss ?? null, m.val?.accuracy ?? null, m.lr];
  const rec: MetricRecord = {};
  CLASSIFIER_METRICS_COLUMNS.forEach((c, i) => { rec[c] = finite(values[i]); });
  return rec;
}

export const DETECT_PANELS: CurvePanel[] = [
  {
    id: 'train-loss', title: 'Train loss', yLabel: 'loss',
    columns: [
      { key: 'train/loss', label: 'total' }, { key: 'train/box_loss', label: 'box' }, { key: 'train/obj_loss', label: 'obj' },
      { key: 'train/noobj_loss', label: 'no-obj' }, { key: 'train/cls_loss', label: 'cls' }, { key: 'train/dfl_loss', label: 'dfl' },
    ],
  },
  {
    id: 'val-loss', title: 'Validation loss', yLabel: 'loss',
    columns: [
      { key: 'val/loss', label: 'total' }, { key: 'val/box_loss', label: 'box' }, { key: 'val/obj_loss', label: 'obj' },
      { key: 'val/noobj_loss', label: 'no-obj' }, { key: 'val/cls_loss', label: 'cls' }, { key: 'val/dfl_loss', label: 'dfl' },
    ],
  },
  { id: 'map', title: 'mAP', yLabel: 'mAP', unit: true, columns: [{ key: 'metrics/mAP50(B)', label: 'mAP50' }, { key: 'metrics/mAP50-95(B)', label: 'mAP50-95' }] },
  {
    id: 'pr', title: 'Precision / recall', yLabel: 'value', unit: true,
    columns: [{ key: 'metrics/precision(B)', label: 'precision' }, { key: 'metrics/recall(B)', label: 'recall' }, { key: 'metrics/F1(B)', label: 'F1' }],
  },
  { id: 'lr', title: 'Learning rate', yLabel: 'lr', columns: [{ key: 'lr/pg0', label: 'lr' }] },
];

/** Panels of a classifier run (columns of its metrics.csv). */
export const CLASSIFY_PANELS: CurvePanel[] = [
  { id: 'loss', title: 'Loss', yLabel: 'loss', columns: [{ key: 'train/loss', label: 'train' }, { key: 'val/loss', label: 'val' }] },
  { id: 'accuracy', title: 'Accuracy', yLabel: 'accuracy', unit: true, columns: [{ key: 'train/accuracy', label: 'train' }, { key: 'val/accuracy', label: 'val' }] },
  { id: 'lr', title: 'Learning rate', yLabel: 'lr', columns: [{ key: 'lr/pg0', label: 'lr' }] },
];

export function panelsFor(task: 'detect' | 'classify' | undefined): CurvePanel[] {
  return task === 'classify' ? CLASSIFY_PANELS : DETECT_PANELS;
}

/** [epochs, column1, column2, ...] for a chart, sorted by epoch. */
export function alignRecords(records: MetricRecord[], keys: string[]): (number | null)[][] {
  const rows = [...records].sort((a, b) => (a.epoch ?? 0) - (b.epoch ?? 0));
  return [rows.map((r) => r.epoch ?? null), ...keys.map((k) => rows.map((r) => r[k] ?? null))];
}

/** Several runs' values of one column on a shared epoch axis (null where a run has no such epoch). */
export function alignRuns(runs: { records: MetricRecord[] }[], key: string): (number | null)[][] {
  const epochs = [...new Set(runs.flatMap((r) => r.records.map((m) => m.epoch).filter((e): e is number => e !== null)))].sort((a, b) => a - b);
  return [epochs, ...runs.map((r) => {
    const by = new Map(r.records.map((m) => [m.epoch, m[key] ?? null]));
    return epochs.map((e) => by.get(e) ?? null);
  })];
}

/** True when some record has a value in one of the panel's columns. */
export function panelHasData(records: MetricRecord[], panel: CurvePanel): boolean {
  return records.some((r) => panel.columns.some((c) => r[c.key] !== null && r[c.key] !== undefined));
}
