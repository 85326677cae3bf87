/**
 * metrics.csv of a classifier run: one row per epoch, CLASSIFIER_METRICS_COLUMNS
 * (epoch,time,train/loss,train/accuracy,val/loss,val/accuracy,lr/pg0). On resume, rows of epochs
 * ≥ the one written (an interrupted attempt) are replaced, so each epoch appears once.
 */
import { promises as fs } from 'node:fs';
import { writeFileAtomic } from '../../dataset/atomic-write';
import { CLASSIFIER_METRICS_COLUMNS, type ClassifierEpochMetrics } from '../../../shared/training/classifier';

const num = (v: number | null | undefined): string => (v === null || v === undefined || !Number.isFinite(v) ? '' : String(Number(v.toPrecision(6))));

function cells(m: ClassifierEpochMetrics): string[] {
  return [String(m.epoch), num(m.time), num(m.train.loss), num(m.train.accuracy), num(m.val?.loss), num(m.val?.accuracy), num(m.lr)];
}

export async function readClassifierMetricsCsv(file: string): Promise<ClassifierEpochMetrics[]> {
  const text = await fs.readFile(file, 'utf8');
  const [header, ...lines] = text.trim().split('\n');
  const cols = (header ?? '').split(',');
  for (const c of CLASSIFIER_METRICS_COLUMNS) if (!cols.includes(c)) throw new Error(`${file}: column ${c} is missing (not a classifier run's metrics.csv)`);
  return lines.filter((l) => l.trim() !== '').map((line) => {
    const row = line.split(',');
    const get = (c: string): number | null => {
      const v = row[cols.indexOf(c)];
      return v === undefined || v === '' ? null : Number(v);
    };
    const valLoss = get('val/loss');
    return {
      epoch: get('epoch') ?? 0,
      time: get('time') ?? 0,
      train: { loss: get('train/loss') ?? NaN, accuracy: get('train/accuracy') ?? NaN },
      val: valLoss === null ? null : { loss: valLoss, accuracy: get('val/accuracy') ?? NaN },
      lr: get('lr/pg0') ?? 0,
    };
  });
}

export async function appendClassifierMetricsRow(file: string, m: ClassifierEpochMetrics): Promise<void> {
  const rows = await readClassifierMetricsCsv(file).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return [] as ClassifierEpochMetrics[];
    throw err;
  });
  const kept = rows.filter((r) => r.epoch < m.epoch);
  await writeFileAtomic(file, [CLASSIFIER_METRICS_COLUMNS.join(','), ...[...kept, m].map((r) => cells(r).join(','))].join('\n') + '\n');
}
