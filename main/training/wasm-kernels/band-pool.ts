/**
 * Node-only: the training kernels' thread pool. In the threaded build of the wasm backend the heap
 * is a shared WebAssembly.Memory; this pool starts threads − 1 worker_threads that receive that
 * Memory once, and runs a kernel's bands (shared/ml/wasm-kernels/bands) on them and on the calling thread together.
 *
 * Protocol (a control block in SharedArrayBuffers, tfjs kernels being synchronous): the caller
 * writes the job (loop index, band count, arguments), sets the band counter to (generation << 32 | 0),
 * publishes the generation and wakes the workers (Atomics.notify); every thread, the caller
 * included, takes bands by compare-and-swap on that counter until none are left, and counts each
 * finished band; the caller waits (Atomics.wait, allowed on Node's main thread) until all bands are
 * done. A worker that wakes after its job ended finds another generation in the counter and takes
 * nothing, so the caller never waits for a worker that had no band. Which thread runs a band does
 * not change its result (see shared/ml/wasm-kernels/bands), so results are bit-identical for any thread count.
 *
 * Workers re-read memory.buffer for every job (the heap grows), run the loops of shared/ml/wasm-kernels/band-kernels
 * from their source text, never hold the process open (unref), and leave on stopKernelThreads().
 * An exception in a worker's band is rethrown by the caller's run with the worker's stack.
 */
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';
import { BAND_LOOPS } from '../../../shared/ml/wasm-kernels/band-kernels';
import { bandRunner, setBandRunner, type BandLoop, type BandRunner } from '../../../shared/ml/wasm-kernels/bands';
import { SIMD_KERNELS_GLOBAL } from '../../../shared/ml/wasm-kernels/simd-kernels';
import { installedSimdModule } from './simd-init';

// Control block slots (Int32Array); the band counter is a BigUint64Array of its own.
const GEN = 0;
const LOOP = 1;
const BANDS = 2;
const DONE = 3;
const STOP = 4;
const FAIL = 5;
const NARGS = 6;
const WORKER_BANDS = 7;
const SLOTS = 8;
const MAX_ARGS = 32;

/**
 * The worker (CommonJS, eval'd). Slot numbers as above. A band is taken by a compare-and-swap on
 * the counter (job generation << 32 | next band): a worker that wakes late, after its job ended,
 * finds another generation there and takes nothing, so it can never run a band with the arguments
 * of a job it did not read; the caller therefore waits for the bands, not for every worker.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
// tsx / esbuild with keepNames wrap nested functions in __name(); the loops have none, but be safe
globalThis.__name = (f) => f;
const { memory, control, counter, argBuffer, port, sources, simd, simdGlobal } = workerData;
// the SIMD loops (shared/ml/wasm-kernels/simd-kernels), instantiated on this thread from the caller's module
if (simd) globalThis[simdGlobal] = new WebAssembly.Instance(simd, { env: { memory } }).exports;
const ctrl = new Int32Array(control);
const next = new BigUint64Array(counter);
const args = new Float64Array(argBuffer);
const loops = sources.map((s) => (0, eval)('(' + s + ')'));
let seen = Atomics.load(ctrl, ${GEN});
parentPort.postMessage('ready');
for (;;) {
  Atomics.wait(ctrl, ${GEN}, seen);
  const gen = Atomics.load(ctrl, ${GEN});
  if (gen === seen) continue;
  seen = gen;
  if (Atomics.load(ctrl, ${STOP}) !== 0) break;
  const tag = BigInt(gen >>> 0) << 32n;
  const bands = ctrl[${BANDS}];
  const loop = loops[ctrl[${LOOP}]];
  const a = args.slice(0, ctrl[${NARGS}]);
  const heap = memory.buffer;
  for (;;) {
    const v = Atomics.load(next, 0);
    if ((v >> 32n) << 32n !== tag) break;
    const band = Number(v & 0xffffffffn);
    if (band >= bands) break;
    if (Atomics.compareExchange(next, 0, v, v + 1n) !== v) continue;
    try {
      loop(heap, a, band);
      Atomics.add(ctrl, ${WORKER_BANDS}, 1);
    } catch (e) {
      if (Atomics.compareExchange(ctrl, ${FAIL}, 0, 1) === 0) port.postMessage(String((e && e.stack) || e));
    }
    if (Atomics.add(ctrl, ${DONE}, 1) + 1 === bands) Atomics.notify(ctrl, ${DONE});
  }
}
port.close();
`;

class BandPool implements BandRunner {
  readonly threads: number;
  private readonly ctrl: Int32Array;
  private readonly next: BigUint64Array;
  private readonly args: Float64Array;
  private readonly ids = new Map<BandLoop, number>(BAND_LOOPS.map((f, i) => [f, i]));
  private gen = 0;
  jobs = 0;

  /** errors[i]: where worker i posts the stack of an exception in a band. */
  constructor(readonly memory: WebAssembly.Memory, readonly simd: WebAssembly.Module | null, readonly workers: Worker[], control: SharedArrayBuffer, counter: SharedArrayBuffer, argBuffer: SharedArrayBuffer, private readonly errors: MessagePort[]) {
    this.threads = workers.length + 1;
    this.ctrl = new Int32Array(control);
    this.next = new BigUint64Array(counter);
    this.args = new Float64Array(argBuffer);
    this.gen = Atomics.load(this.ctrl, GEN);
  }

  run(loop: BandLoop, heap: ArrayBufferLike, args: ArrayLike<number>, bands: number): void {
    const id = this.ids.get(loop);
    if (id === undefined) throw new Error(`wasm training kernels: band loop '${loop.name}' is not in band-kernels.ts, so it cannot run on the kernel threads`);
    if (args.length > MAX_ARGS) throw new Error(`wasm training kernels: a band loop takes at most ${MAX_ARGS} arguments, got ${args.length}`);
    if (bands >= 2 ** 32) throw new Error(`wasm training kernels: ${bands} bands are too many`);
    const c = this.ctrl;
    this.jobs++;
    const gen = (this.gen + 1) | 0;
    this.gen = gen;
    const tag = BigInt(gen >>> 0) << 32n;
    this.args.set(args);
    c[NARGS] = args.length;
    c[LOOP] = id;
    c[BANDS] = bands;
    Atomics.store(c, DONE, 0);
    Atomics.store(this.next, 0, tag);
    Atomics.store(c, GEN, gen);
    Atomics.notify(c, GEN);
    let failure: { error: unknown } | null = null;
    for (;;) {
      const v = Atomics.load(this.next, 0);
      const band = Number(v & 0xffffffffn);
      if (band >= bands) break;
      if (Atomics.compareExchange(this.next, 0, v, v + 1n) !== v) continue;
      if (failure === null) {
        try {
          loop(heap, args, band);
        } catch (error) {
          failure = { error }; // rethrown once every band is done (the rest are skipped here)
        }
      }
      Atomics.add(c, DONE, 1);
    }
    for (let d = Atomics.load(c, DONE); d < bands; d = Atomics.load(c, DONE)) Atomics.wait(c, DONE, d);
    let workerFailure: string | null = null;
    if (Atomics.load(c, FAIL) !== 0) {
      const reasons = this.errors.map((p) => receiveMessageOnPort(p)?.message as string | undefined).filter((m) => m !== undefined);
      Atomics.store(c, FAIL, 0);
      workerFailure = reasons[0] ?? '(no message)';
    }
    if (failure) throw failure.error;
    if (workerFailure !== null) throw new Error(`wasm training kernels: a kernel thread failed in '${loop.name}': ${workerFailure}`);
  }

  workerBands(): number {
    return Atomics.load(this.ctrl, WORKER_BANDS);
  }

  async stop(): Promise<void> {
    // ref'd until they have left, so that the process waits for the exits it awaits
    const exits = this.workers.map((w) => new Promise<void>((resolve) => { w.ref(); w.once('exit', () => resolve()); }));
    Atomics.store(this.ctrl, STOP, 1);
    Atomics.add(this.ctrl, GEN, 1);
    Atomics.notify(this.ctrl, GEN);
    await Promise.all(exits);
    for (const p of this.errors) p.close();
  }
}

let pool: BandPool | null = null;

/**
 * Starts threads − 1 workers on the shared wasm heap `memory` and makes the kernels run their bands
 * on them (replacing a different pool started before; 1 stops it). The SIMD loops installed on this
 * thread for `memory` (./simd-init) are instantiated on each worker too, so that a band runs the
 * same code on any thread. Resolves once every worker is ready.
 */
export async function startKernelThreads(memory: WebAssembly.Memory, threads: number): Promise<void> {
  if (!(memory.buffer instanceof SharedArrayBuffer)) throw new Error('wasm training kernels: kernel threads need the shared heap of the threaded wasm build');
  if (!Number.isInteger(threads) || threads < 1) throw new Error(`wasm training kernels: kernel threads must be a whole number ≥ 1, got ${threads}`);
  const simd = installedSimdModule(memory);
  if (pool && pool.memory === memory && pool.threads === threads && pool.simd === simd) return;
  await stopKernelThreads();
  if (threads === 1) return;
  const control = new SharedArrayBuffer(SLOTS * 4);
  const counter = new SharedArrayBuffer(8);
  const argBuffer = new SharedArrayBuffer(MAX_ARGS * 8);
  const sources = BAND_LOOPS.map((f) => f.toString());
  const workers: Worker[] = [];
  const errors: MessagePort[] = [];
  const ready: Array<Promise<void>> = [];
  for (let i = 0; i < threads - 1; i++) {
    const { port1, port2: port } = new MessageChannel();
    errors.push(port1);
    const w = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { memory, control, counter, argBuffer, port, sources, simd, simdGlobal: SIMD_KERNELS_GLOBAL },
      transferList: [port],
      name: `detecta-kernel-${i + 1}`,
    });
    ready.push(new Promise<void>((resolve, reject) => {
      w.once('message', () => resolve());
      w.once('error', (e) => reject(new Error(`wasm training kernels: kernel thread ${i + 1} failed to start: ${e.message}`)));
      w.once('exit', (code) => reject(new Error(`wasm training kernels: kernel thread ${i + 1} exited with code ${code} while starting`)));
    }));
    workers.push(w);
  }
  try {
    await Promise.all(ready);
    // from now on a finished trainer is never held open by its kernel threads
    for (const w of workers) w.unref();
  } catch (e) {
    await Promise.all(workers.map((w) => w.terminate()));
    for (const p of errors) p.close();
    throw e;
  }
  pool = new BandPool(memory, simd, workers, control, counter, argBuffer, errors);
  setBandRunner(pool);
}

/** Stops the kernel threads (if any) and waits for them to exit; the kernels run on the calling thread again. */
export async function stopKernelThreads(): Promise<void> {
  const p = pool;
  if (!p) return;
  pool = null;
  if (bandRunner() === p) setBandRunner(null);
  await p.stop();
}

/** Threads the kernels' bands run on now, the calling thread included. */
export function kernelThreadsInUse(): number {
  return bandRunner().threads;
}

export interface KernelThreadStats {
  /** Kernel calls whose bands went to the pool. */
  jobs: number;
  /** Bands the workers ran (the calling thread ran the others). */
  workerBands: number;
}

/** What the current pool has done since it started; zeros without a pool. */
export function kernelThreadStats(): KernelThreadStats {
  return pool ? { jobs: pool.jobs, workerBands: pool.workerBands() } : { jobs: 0, workerBands: 0 };
}
