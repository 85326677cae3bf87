/**
 * metrics.csv of a run, both tasks: one row appended per epoch (the header first for a new file),
 * read and written with csv-parse / csv-stringify. Detector columns: METRICS_COLUMNS
 * (Ultralytics-like); classifier columns: CLASSIFIER_METRICS_COLUMNS. Empty cells are null.
 * A resumed run first drops the rows past its last completed epoch (an interrupted attempt), so
 * each epoch appears once. A malformed file is an error naming the file, the line and the column.
 */
import { promises as fs } from 'node:fs';
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import { writeFileAtomic } from '../dataset/atomic-write';
import { METRICS_COLUMNS, type EpochMetrics, type LossParts } from '../../shared/training/types';
import { CLASSIFIER_METRICS_COLUMNS, type ClassifierEpochMetrics } from '../../shared/training/classifier';

const num = (v: number | null | undefined): string => (v === null || v === undefined || !Number.isFinite(v) ? '' : String(Number(v.toPrecision(6))));

export function detectorMetricsCells(m: EpochMetrics): string[] {
  return [
    String(m.epoch), num(m.time),
    num(m.train.box), num(m.train.obj), num(m.train.noobj), num(m.train.cls), num(m.train.dfl), num(m.train.total),
    num(m.precision), num(m.recall), num(m.F1), num(m.mAP50), num(m['mAP50-95']),
    num(m.val?.box), num(m.val?.obj), num(m.val?.noobj), num(m.val?.cls), num(m.val?.dfl), num(m.val?.total),
    num(m.lr),
  ];
}

export function classifierMetricsCells(m: ClassifierEpochMetrics): string[] {
  return [String(m.epoch), num(m.time), num(m.train.loss), num(m.train.accuracy), num(m.val?.loss), num(m.val?.accuracy), num(m.lr)];
}

/** Appends one row; writes the header first when the file is new. */
export async function appendCsvRow(file: string, columns: readonly string[], cells: string[]): Promise<void> {
  let exists = true;
  await fs.access(file).catch((err: NodeJS.ErrnoException) => {
    if (err.code !== 'ENOENT') throw err;
    exists = false;
  });
  const rows = exists ? [cells] : [[...columns], cells];
  await fs.appendFile(file, stringify(rows));
}

type Row = { line: number; get(column: string): number | null };

/** Parses metrics.csv into rows; every named column must be in the header. */
async function readRows(file: string, columns: readonly string[]): Promise<Row[]> {
  const text = await fs.readFile(file, 'utf8');
  let records: string[][];
  try {
    records = parse(text, { relax_column_count: false, skip_empty_lines: true, trim: true }) as string[][];
  } catch (err) {
    throw new Error(`${file}: not a valid CSV file (${(err as Error).message})`);
  }
  const [header, ...body] = records;
  if (!header) return [];
  for (const c of columns) if (!header.includes(c)) throw new Error(`${file}: column ${c} is missing from the header`);
  return body.map((cells, i) => ({
    line: i + 2,
    get(column: string): number | null {
      const v = cells[header.indexOf(column)] ?? '';
      if (v === '') return null;
      const n = Number(v);
      if (!Number.isFinite(n)) throw new Error(`${file}: line ${i + 2}, column ${column}: "${v.slice(0, 40)}" is not a number`);
      return n;
    },
  }));
}

function epochOf(file: string, row: Row, previous: number): number {
  const e = row.get('epoch');
  if (e === null || !Number.isInteger(e) || e < 1) throw new Error(`${file}: line ${row.line}, column epoch: not an epoch number (1, 2, ...)`);
  if (e <= previous) throw new Error(`${file}: line ${row.line}, column epoch: epoch ${e} comes after epoch ${previous}`);
  return e;
}

/** A detector run's metrics.csv. */
export async function readMetricsCsv(file: string): Promise<EpochMetrics[]> {
  let previous = 0;
  return (await readRows(file, ['epoch', 'train/loss'])).map((r) => {
    const epoch = (previous = epochOf(file, r, previous));
    const parts = (p: 'train' | 'val'): LossParts => ({ box: r.get(`${p}/box_loss`) ?? NaN, obj: r.get(`${p}/obj_loss`) ?? NaN, noobj: r.get(`${p}/noobj_loss`) ?? NaN, cls: r.get(`${p}/cls_loss`) ?? NaN, dfl: r.get(`${p}/dfl_loss`) ?? NaN, total: r.get(`${p}/loss`) ?? NaN });
    return {
      epoch,
      time: r.get('time') ?? 0,
      train: parts('train'),
      val: r.get('val/loss') === null ? null : parts('val'),
      precision: r.get('metrics/precision(B)'),
      recall: r.get('metrics/recall(B)'),
      F1: r.get('metrics/F1(B)'),
      mAP50: r.get('metrics/mAP50(B)'),
      'mAP50-95': r.get('metrics/mAP50-95(B)'),
      lr: r.get('lr/pg0') ?? 0,
    };
  });
}

/** A classifier run's metrics.csv. */
export async function readClassifierMetricsCsv(file: string): Promise<ClassifierEpochMetrics[]> {
  let previous = 0;
  return (await readRows(file, CLASSIFIER_METRICS_COLUMNS)).map((r) => {
    const epoch = (previous = epochOf(file, r, previous));
    const valLoss = r.get('val/loss');
    return {
      epoch,
      time: r.get('time') ?? 0,
      train: { loss: r.get('train/loss') ?? NaN, accuracy: r.get('train/accuracy') ?? NaN },
      val: valLoss === null ? null : { loss: valLoss, accuracy: r.get('val/accuracy') ?? NaN },
      lr: r.get('lr/pg0') ?? 0,
    };
  });
}

/**
 * Drops the rows past `epoch` (a resumed run redoes them), and rewrites the file in `columns` when
 * its header differs (a run from before a column was added: the new column's cells are empty), so
 * the rows the resumed run appends fit the header. A missing file stays missing.
 */
export async function keepCsvRowsThrough(file: string, epoch: number, columns: readonly string[]): Promise<void> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw err;
  }
  const records = parse(text, { skip_empty_lines: true }) as string[][];
  const [header, ...body] = records;
  if (!header) return;
  const col = header.indexOf('epoch');
  const kept = body.filter((cells) => Number(cells[col]) <= epoch);
  const sameHeader = header.length === columns.length && header.every((c, i) => c === columns[i]);
  if (kept.length === body.length && sameHeader) return;
  const rows = sameHeader ? kept : kept.map((cells) => columns.map((c) => (header.includes(c) ? (cells[header.indexOf(c)] ?? '') : '')));
  await writeFileAtomic(file, stringify([[...columns], ...rows]));
}

export { METRICS_COLUMNS, CLASSIFIER_METRICS_COLUMNS };
