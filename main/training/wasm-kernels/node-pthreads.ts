/**
 * Node-only: lets the threaded SIMD build of the tfjs wasm backend (Emscripten pthreads, XNNPACK's
 * thread pool) run in a Node process, on worker_threads.
 *
 * Why it does not run as shipped (tfjs-backend-wasm 4.22):
 *  1. tfjs hands Emscripten the pthread worker script and the main script as blob: URLs. Browsers
 *     start workers from them; Node's Worker refuses anything but a file path or a file:/data: URL
 *     (ERR_WORKER_PATH), and the worker's importScripts reads files.
 *  2. The package's own flag WASM_HAS_MULTITHREAD_SUPPORT is hard-wired false in Node.
 *  3. Its C++ caps the pool at emscripten_num_logical_cores() / 2 (it assumes two hyper-threads per
 *     core), and in Node that function is os.cpus().length: on a 2-CPU machine, one thread.
 *
 * What this module does about it:
 *  1. `installPthreadWorkers()` puts a Worker class on globalThis (Emscripten creates its pool with
 *     `new Worker(url)` after assigning worker_threads.Worker there; the assignment is ignored) that
 *     starts a worker from a blob: URL as a small eval'd bootstrap instead. The bootstrap runs the
 *     package's own worker script (wasm-out/…threaded-simd.worker.js) and, for the 'load' message,
 *     the package's own Emscripten main script file (wasm-out/…threaded-simd.js) in place of the
 *     blob: both files ship in the same package version as the bundle that created the pool, so the
 *     glue matches the wasm binary. Other workers (a file path, a URL) start unchanged.
 *  2. The flag is set true by the caller (node-init) when it wants threads.
 *     Pool workers never hold the process open (ref() is a no-op on them).
 *  3. `withLogicalCores(n, fn)` makes os.cpus() report 2·n entries while the backend initialises
 *     (the C++ reads the count in its static constructors and in init_with_threads_count, both
 *     inside tf.setBackend), so the pool gets the n threads asked for through setThreadsCount.
 */
import { createRequire } from 'node:module';
import os from 'node:os';
import { Worker as NodeWorker, type WorkerOptions } from 'node:worker_threads';

const require = createRequire(import.meta.url);

/** The Emscripten output files the bundled threaded factory was built from. */
function wasmOutFiles(): { mainScript: string; workerScript: string } {
  const pkg = require.resolve('@tensorflow/tfjs-backend-wasm/package.json');
  const dir = pkg.slice(0, -'package.json'.length) + 'wasm-out/';
  return { mainScript: dir + 'tfjs-backend-wasm-threaded-simd.js', workerScript: dir + 'tfjs-backend-wasm-threaded-simd.worker.js' };
}

/**
 * The pthread worker's bootstrap (CommonJS, eval'd by worker_threads). The worker script expects
 * `require` and `__filename` where a CommonJS file has them; eval'd at global scope it needs them
 * on globalThis. The template literal it is shipped in turned "\n" escapes into newlines inside
 * its string literals, which tfjs also undoes (with the same replace) before making its blob.
 */
const BOOTSTRAP = `
const { workerData } = require('node:worker_threads');
globalThis.require = require;
globalThis.__filename = workerData.mainScript;
const { wasmWorkerContents } = require(workerData.workerScript);
(0, eval)(wasmWorkerContents.replace(/\\n/g, '\\\\n'));
`;

interface LoadMessage { cmd: 'load'; urlOrBlob: unknown }
const isLoadMessage = (m: unknown): m is LoadMessage => typeof m === 'object' && m !== null && (m as { cmd?: unknown }).cmd === 'load';

let installed = false;

/** Installs the blob:-URL-aware Worker on globalThis (idempotent). */
export function installPthreadWorkers(): void {
  if (installed) return;
  const files = wasmOutFiles();
  class PthreadWorker extends NodeWorker {
    constructor(filename: string | URL, options?: WorkerOptions) {
      if (typeof filename === 'string' && filename.startsWith('blob:')) super(BOOTSTRAP, { eval: true, workerData: files });
      else super(filename, options);
    }

    override postMessage(value: unknown, transferList?: Parameters<NodeWorker['postMessage']>[1]): void {
      // the main script arrives as a Blob the worker cannot import in Node: send the file instead
      const v = isLoadMessage(value) && typeof value.urlOrBlob !== 'string' ? { ...value, urlOrBlob: files.mainScript } : value;
      super.postMessage(v, transferList);
    }

    // Emscripten refs a worker while it runs a pthread; XNNPACK's pool threads run (parked on a
    // futex) for the life of the process, so a ref'd worker would keep Node from ever exiting. The
    // pool's work is synchronous for the calling thread: nothing is lost when the process ends.
    override ref(): void {}
  }
  Object.defineProperty(globalThis, 'Worker', {
    configurable: true,
    enumerable: false,
    get: () => PthreadWorker,
    // Emscripten's Node branch assigns worker_threads.Worker here before creating its pool
    set: () => {},
  });
  installed = true;
}

/**
 * Runs `fn` with os.cpus() reporting 2·threads logical CPUs (see the header, point 3), then
 * restores it. Only for the backend's initialisation: keep `fn` to tf.setBackend('wasm').
 */
export async function withLogicalCores<T>(threads: number, fn: () => Promise<T>): Promise<T> {
  const real = os.cpus;
  const one = real()[0];
  if (!one) return fn();
  const patched = (): os.CpuInfo[] => Array.from({ length: 2 * threads }, () => one);
  (os as { cpus: () => os.CpuInfo[] }).cpus = patched;
  try {
    return await fn();
  } finally {
    (os as { cpus: () => os.CpuInfo[] }).cpus = real;
  }
}
