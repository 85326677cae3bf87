/**
 * The trainer's batch pipeline: augmentation (makeBatch: mosaic, mixup, the per-image ops) runs in
 * worker threads (./batch-worker) while the model trains, with a bounded prefetch queue, so the
 * math does not wait for the next batch.
 *
 * - The train images kept by the image cache (./image-cache: uint8 RGB at training size, in
 *   SharedArrayBuffers) are read by every worker without a copy; a worker builds each model input
 *   (fitToInput) when a batch needs it, and decodes again from its file an image the cache did not
 *   keep. `cacheBytes` / `cachedImages` say what is kept, `decodedIn(epoch)` how many images the
 *   epoch's batches decoded from files, for the log.
 * - `batch(epoch, index, mosaic)` returns batch `index` of the epoch and queues the next ones of
 *   that epoch, at most `prefetch` batches ahead (so at most that many built batches wait in
 *   memory). A queued batch whose arguments no longer match what is asked (a time budget
 *   re-planned the mosaic closing) is dropped and built again.
 * - Results equal makeBatch on the trainer's thread: a batch is a function of (seed, epoch,
 *   index, mosaic) and the samples only (its RNG is seeded by them), whichever worker builds it
 *   and whichever images the cache kept.
 * - workers: 0 builds batches on the calling thread (no queue), the reference behaviour.
 */
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { AugmentConfig } from '../../shared/ml/augment';
import type { LabeledBox } from '../../shared/ml/detector/box';
import { epochOrder, makeFittedBatch, type Batch } from './batches';
import type { FittedImage } from './fitted-image';
import { sharedBytes } from './image-cache';

/** What a worker needs of a train sample. */
export interface BatchSample { image: FittedImage; boxes: LabeledBox[] }

export interface PipelineInit {
  samples: BatchSample[];
  augment: AugmentConfig | null;
  seed: number;
  trainTimes: number;
  batchSize: number;
}
export interface BatchJob { id: number; epoch: number; index: number; mosaic: boolean }
/** `decoded`: images the batch decoded from their files (not kept by the image cache). */
export type BatchReply = { id: number; ok: true; batch: Batch; decoded: number } | { id: number; ok: false; error: string };

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

/** The samples with their kept pixels in SharedArrayBuffers (moved there when they are not yet). */
function shareImages(samples: readonly BatchSample[]): BatchSample[] {
  return samples.map((s) => (s.image.data ? { image: { ...s.image, data: sharedBytes(s.image.data) }, boxes: s.boxes } : s));
}

/** Builds one batch of the pipeline's samples (on a worker or the trainer thread). */
export function buildBatch(init: PipelineInit, order: number[], job: BatchJob): Promise<{ batch: Batch; decoded: number }> {
  return makeFittedBatch(init.samples, { order, index: job.index, batchSize: init.batchSize, augment: init.augment, seed: init.seed, epoch: job.epoch, options: { mosaic: job.mosaic } });
}

interface Slot { key: string; promise: Promise<Batch> }

export class BatchPipeline {
  private readonly workers: Worker[] = [];
  private readonly inFlight: number[] = [];
  private readonly pending = new Map<number, { epoch: number; resolve: (b: Batch) => void; reject: (e: Error) => void }>();
  private readonly queue = new Map<string, Slot>();
  private nextId = 1;
  private turn = 0;
  private closed = false;
  private failure: Error | null = null;
  private readonly order = new Map<number, number[]>();
  private readonly decoded = new Map<number, number>();
  /** Bytes of the train images kept in memory, and how many they are. */
  readonly cacheBytes: number;
  readonly cachedImages: number;

  private constructor(private readonly init: PipelineInit, private readonly options: PipelineOptions) {
    const kept = init.samples.filter((s) => s.image.data !== null);
    this.cachedImages = kept.length;
    this.cacheBytes = kept.reduce((n, s) => n + s.image.data!.byteLength, 0);
  }

  /** Shares the samples' kept images and starts the workers. */
  static start(samples: readonly BatchSample[], options: PipelineOptions): BatchPipeline {
    const shared = options.workers > 0 ? shareImages(samples) : [...samples];
    const init: PipelineInit = { samples: shared, augment: options.augment, seed: options.seed, trainTimes: options.trainTimes, batchSize: options.batchSize };
    const p = new BatchPipeline(init, options);
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

  /** Images decoded from their files (not kept by the cache) by the batches of `epoch` built so far, rebuilt ones included. */
  decodedIn(epoch: number): number { return this.decoded.get(epoch) ?? 0; }

  private count(epoch: number, decoded: number): void {
    this.decoded.set(epoch, this.decodedIn(epoch) + decoded);
  }

  /** The pipeline's copy of sample i's image (its pixels in shared memory with workers): callers drop their own copy for it. */
  imageOf(i: number): FittedImage {
    const s = this.init.samples[i];
    if (!s) throw new Error(`the batch pipeline has no sample ${i} (it has ${this.init.samples.length})`);
    return s.image;
  }

  private settle(r: BatchReply): void {
    if (r.id === 0 && !r.ok) { this.fail(new Error(`batch worker did not start: ${r.error}`)); return; }
    const waiter = this.pending.get(r.id);
    if (!waiter) return;
    this.pending.delete(r.id);
    if (r.ok) { this.count(waiter.epoch, r.decoded); waiter.resolve(r.batch); }
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
      return buildBatch(this.init, order, { id: 0, epoch, index, mosaic }).then((r) => { this.count(epoch, r.decoded); return r.batch; });
    }
    const id = this.nextId++;
    const w = this.turn++ % this.workers.length;
    const worker = this.workers[w]!;
    // a worker with jobs in flight keeps the process alive until they are answered (ref is not counted: we count)
    if (this.inFlight[w]!++ === 0) worker.ref();
    const done = (): void => { if (--this.inFlight[w]! === 0) worker.unref(); };
    return new Promise<Batch>((resolve, reject) => {
      this.pending.set(id, {
        epoch,
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
