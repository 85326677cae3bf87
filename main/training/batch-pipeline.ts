/**
 * The trainer's batch pipeline: augmentation (makeBatch: mosaic, mixup, the per-image ops) runs in
 * worker threads (./batch-worker) while the model trains, with a bounded prefetch queue, so the
 * math does not wait for the next batch.
 *
 * - The train images (decoded once, at training size: the image cache) move into one
 *   SharedArrayBuffer that every worker reads; `cacheBytes` is its size, for the log.
 * - `batch(epoch, index, mosaic)` returns batch `index` of the epoch and queues the next ones of
 *   that epoch, at most `prefetch` batches ahead (so at most that many built batches wait in
 *   memory). A queued batch whose arguments no longer match what is asked (a time budget
 *   re-planned the mosaic closing) is dropped and built again.
 * - Results equal makeBatch on the trainer's thread: a batch is a function of (seed, epoch,
 *   index, mosaic) and the samples only (its RNG is seeded by them), whichever worker builds it.
 * - workers: 0 builds batches on the calling thread (no queue), the reference behaviour.
 */
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { AugmentConfig } from '../../shared/ml/augment';
import type { LabeledBox } from '../../shared/ml/detector/box';
import type { FloatRgbImage } from '../../shared/ml/preprocess';
import { epochOrder, makeBatch, type Batch } from './data';

/** What a worker needs of a train sample. */
export interface BatchSample { image: FloatRgbImage; boxes: LabeledBox[] }

export interface PipelineInit {
  samples: BatchSample[];
  augment: AugmentConfig | null;
  seed: number;
  trainTimes: number;
  batchSize: number;
}
export interface BatchJob { id: number; epoch: number; index: number; mosaic: boolean }
export type BatchReply = { id: number; ok: true; batch: Batch } | { id: number; ok: false; error: string };

export interface PipelineOptions extends Omit<PipelineInit, 'samples'> {
  /** Worker threads (0: build on the calling thread). */
  workers: number;
  /** Batches built ahead of the one asked for (default 2). */
  prefetch?: number;
  /** Batches per epoch (the queue stops at the epoch's end). */
  batchesPerEpoch: number;
}

/** Environment variable: batch worker threads (0 builds batches on the trainer thread). */
export const BATCH_WORKERS_ENV = 'DETECTA_BATCH_WORKERS';

/**
 * Worker threads for batches: DETECTA_BATCH_WORKERS when set, else one per CPU beyond the first
 * (the math has its own threads), at least 1 and at most 4.
 */
export function chooseBatchWorkers(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env[BATCH_WORKERS_ENV];
  if (raw !== undefined && raw.trim() !== '') {
    if (!/^\s*\d+\s*$/.test(raw)) throw new Error(`${BATCH_WORKERS_ENV} must be a whole number of worker threads (0: none), got ${JSON.stringify(raw)}`);
    return Math.min(Number(raw), 16);
  }
  return Math.max(1, Math.min(4, availableParallelism() - 1));
}

/** The worker entry beside this module: the .ts source under tsx, dist/main/batch-worker.js when bundled. */
function workerEntry(): string | URL {
  const here = fileURLToPath(import.meta.url);
  if (here.endsWith('.ts')) {
    // from source: tsx's loader registered inside the worker (a worker's --import does not reach
    // its ESM entry on Node 20), then the .ts entry; messages wait in the port until it listens
    const tsx = import.meta.resolve('tsx/esm/api');
    const entry = new URL('./batch-worker.ts', import.meta.url).href;
    return `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(entry)}); })`
      + `.catch((e) => { require('node:worker_threads').parentPort.postMessage({ id: 0, ok: false, error: String(e && e.stack || e) }); process.exit(1); });`;
  }
  // bundles: dist/main/{trainer,serve,electron}.js sit beside batch-worker.js; dist/cli/detecta.js is one folder over
  for (const f of [join(dirname(here), 'batch-worker.js'), join(dirname(here), '..', 'main', 'batch-worker.js')]) {
    // packaged app: the entry is unpacked from app.asar (electron-builder.yml), a worker starts from a real file
    const unpacked = f.replace(`app.asar${sep}`, `app.asar.unpacked${sep}`);
    if (unpacked !== f && existsSync(unpacked)) return pathToFileURL(unpacked);
    if (existsSync(f)) return pathToFileURL(f);
  }
  throw new Error(`the batch worker (batch-worker.js) is missing beside ${here}: rebuild with npm run build`);
}

/** The samples' images copied into one SharedArrayBuffer (views in the same order). */
export function shareImages(samples: readonly BatchSample[]): { samples: BatchSample[]; bytes: number } {
  const floats = samples.reduce((n, s) => n + s.image.data.length, 0);
  const sab = new SharedArrayBuffer(floats * 4);
  let at = 0;
  const shared = samples.map((s) => {
    const data = new Float32Array(sab, at * 4, s.image.data.length);
    data.set(s.image.data);
    at += s.image.data.length;
    return { image: { width: s.image.width, height: s.image.height, data }, boxes: s.boxes };
  });
  return { samples: shared, bytes: floats * 4 };
}

interface Slot { key: string; promise: Promise<Batch> }

export class BatchPipeline {
  private readonly workers: Worker[] = [];
  private readonly inFlight: number[] = [];
  private readonly pending = new Map<number, { resolve: (b: Batch) => void; reject: (e: Error) => void }>();
  private readonly queue = new Map<string, Slot>();
  private nextId = 1;
  private turn = 0;
  private closed = false;
  private failure: Error | null = null;
  private readonly order = new Map<number, number[]>();

  private constructor(private readonly init: PipelineInit, private readonly options: PipelineOptions, readonly cacheBytes: number) {}

  /** Shares the samples' images and starts the workers. */
  static start(samples: readonly BatchSample[], options: PipelineOptions): BatchPipeline {
    const { samples: shared, bytes } = options.workers > 0 ? shareImages(samples) : { samples: [...samples], bytes: samples.reduce((n, s) => n + s.image.data.byteLength, 0) };
    const init: PipelineInit = { samples: shared, augment: options.augment, seed: options.seed, trainTimes: options.trainTimes, batchSize: options.batchSize };
    const p = new BatchPipeline(init, options, bytes);
    if (options.workers > 0) {
      const entry = workerEntry();
      for (let i = 0; i < options.workers; i++) {
        const w = new Worker(entry, { workerData: init, eval: typeof entry === 'string' });
        w.on('message', (r: BatchReply) => p.settle(r));
        w.on('error', (e) => p.fail(new Error(`batch worker: ${e.message}`)));
        w.on('exit', (code) => { if (!p.closed) p.fail(new Error(`batch worker exited with code ${code}`)); });
        w.unref(); // a finished or crashed trainer is not held open by its batch workers
        p.workers.push(w);
        p.inFlight.push(0);
      }
    }
    return p;
  }

  get workerCount(): number { return this.workers.length; }

  /** The pipeline's copy of sample i's image (a view of the shared cache with workers): callers drop their own copy for it. */
  imageOf(i: number): FloatRgbImage {
    const s = this.init.samples[i];
    if (!s) throw new Error(`the batch pipeline has no sample ${i} (it has ${this.init.samples.length})`);
    return s.image;
  }

  private settle(r: BatchReply): void {
    if (r.id === 0 && !r.ok) { this.fail(new Error(`batch worker did not start: ${r.error}`)); return; }
    const waiter = this.pending.get(r.id);
    if (!waiter) return;
    this.pending.delete(r.id);
    if (r.ok) waiter.resolve(r.batch);
    else waiter.reject(new Error(`building a batch: ${r.error}`));
  }

  private fail(err: Error): void {
    this.failure ??= err;
    for (const w of this.pending.values()) w.reject(err);
    this.pending.clear();
  }

  private build(epoch: number, index: number, mosaic: boolean): Promise<Batch> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.workers.length === 0) {
      let order = this.order.get(epoch);
      if (!order) { this.order.clear(); order = epochOrder(this.init.samples.length, this.init.trainTimes, this.init.seed, epoch); this.order.set(epoch, order); }
      return Promise.resolve(makeBatch(this.init.samples, order, index, this.init.batchSize, this.init.augment, this.init.seed, epoch, { mosaic }));
    }
    const id = this.nextId++;
    const w = this.turn++ % this.workers.length;
    const worker = this.workers[w]!;
    // a worker with jobs in flight keeps the process alive until they are answered (ref is not counted: we count)
    if (this.inFlight[w]!++ === 0) worker.ref();
    const done = (): void => { if (--this.inFlight[w]! === 0) worker.unref(); };
    return new Promise<Batch>((resolve, reject) => {
      this.pending.set(id, {
        resolve: (b) => { done(); resolve(b); },
        reject: (e) => { done(); reject(e); },
      });
      const job: BatchJob = { id, epoch, index, mosaic };
      worker.postMessage(job);
    });
  }

  /** Batch `index` (0-based) of `epoch`; queues the following ones of the epoch. */
  async batch(epoch: number, index: number, mosaic: boolean): Promise<Batch> {
    if (this.closed) throw new Error('the batch pipeline is closed');
    const key = (i: number) => `${epoch}:${i}:${mosaic ? 1 : 0}`;
    const slot = this.queue.get(key(index));
    // anything queued for other batches than the ones ahead of this one is stale
    for (const [k, s] of this.queue) {
      const [e, i] = k.split(':').map(Number) as [number, number];
      if (k === key(index) || e !== epoch || i <= index || !k.endsWith(`:${mosaic ? 1 : 0}`)) {
        this.queue.delete(k);
        if (s !== slot) s.promise.catch(() => {}); // its result (or error) is not wanted; the next ask rebuilds it
      }
    }
    const result = slot ? slot.promise : this.build(epoch, index, mosaic);
    if (this.workers.length > 0) {
      const ahead = this.options.prefetch ?? 2;
      for (let i = index + 1; i <= Math.min(index + ahead, this.options.batchesPerEpoch - 1); i++) {
        if (!this.queue.has(key(i))) this.queue.set(key(i), { key: key(i), promise: this.build(epoch, i, mosaic) });
      }
    }
    return result;
  }

  /** Stops the workers; queued batches are dropped. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const s of this.queue.values()) s.promise.catch(() => {}); // dropped with the pipeline
    this.queue.clear();
    this.fail(new Error('the batch pipeline is closed'));
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
