/**
 * Per-batch training loss of a run as columns (fractional epoch on x), and the epoch records'
 * upsert: the pieces of the live curves that need no DOM, so they are unit-tested in Node.
 */
import type { LossParts, ProgressEvent } from '../../../shared/training/types';
import type { MetricRecord } from './metric-records';

export interface BatchSeries {
  /** Fractional epoch: epoch − 1 + batch / batches. */
  x: number[];
  total: number[];
  box: number[];
  obj: number[];
  noobj: number[];
  cls: number[];
  dfl: number[];
}

export const emptyBatch = (): BatchSeries => ({ x: [], total: [], box: [], obj: [], noobj: [], cls: [], dfl: [] });

export const batchX = (p: Pick<ProgressEvent, 'epoch' | 'batch' | 'batches'>): number => p.epoch - 1 + p.batch / Math.max(1, p.batches);

/**
 * Appends one batch point; a point at or before the last x (a resumed run repeats the epoch it
 * was stopped in) first drops the points it replaces, so the curve shows the attempt that counts.
 */
export function appendBatch(b: BatchSeries, x: number, loss: LossParts): BatchSeries {
  let keep = b.x.length;
  while (keep > 0 && b.x[keep - 1]! >= x) keep--;
  const cut = <T,>(a: T[]): T[] => (keep === a.length ? a : a.slice(0, keep));
  return {
    x: [...cut(b.x), x],
    total: [...cut(b.total), loss.total],
    box: [...cut(b.box), loss.box],
    obj: [...cut(b.obj), loss.obj],
    noobj: [...cut(b.noobj), loss.noobj],
    cls: [...cut(b.cls), loss.cls],
    // progress events of runs from before the dfl part have none
    dfl: [...cut(b.dfl), loss.dfl ?? NaN],
  };
}

/** A classifier's batch loss has no parts: only `total` is plotted (the parts stay NaN and are left out). */
export const plainLoss = (loss: number): LossParts => ({ total: loss, box: NaN, obj: NaN, noobj: NaN, cls: NaN, dfl: NaN });

export function upsertRecord(records: MetricRecord[], rec: MetricRecord): MetricRecord[] {
  return [...records.filter((r) => r.epoch !== rec.epoch), rec].sort((a, b) => (a.epoch ?? 0) - (b.epoch ?? 0));
}



/** Exponential moving average with bias correction (as TensorBoard smooths), so the start is not pulled to 0. */
export function ema(values: number[], beta: number): number[] {
  const out: number[] = [];
  let m = 0;
  values.forEach((v, i) => {
    m = beta * m + (1 - beta) * v;
    out.push(m / (1 - beta ** (i + 1)));
  });
  return out;
}
