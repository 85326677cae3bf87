/**
 * Node-only helper: points the tfjs wasm backend at the .wasm binaries shipped in
 * node_modules/@tensorflow/tfjs-backend-wasm/dist/ and makes 'wasm' the active backend, with as
 * many XNNPACK threads as the machine has CPUs (the threaded SIMD build on worker_threads, see
 * ./node-pthreads) unless told otherwise.
 *
 * Thread count: `threads` option > DETECTA_WASM_THREADS environment variable > the machine's
 * available parallelism (os.availableParallelism), capped at MAX_WASM_THREADS. One thread loads the
 * single-threaded SIMD build (no workers). The count is fixed for the process once the backend has
 * initialised; `wasmThreadsInUse()` reports it (env.json shows it).
 *
 * Kernel threads: in the threaded build the training kernels' own loops (shared/ml/wasm-kernels/bands) run on the same
 * number of threads, through ./band-pool on the shared heap; `kernelThreads` option >
 * DETECTA_WASM_KERNEL_THREADS (1 keeps them on the calling thread) > the wasm thread count.
 *
 * Kept apart from index.ts (which must stay browser-safe) because it imports node: modules.
 */
import * as tf from '@tensorflow/tfjs';
import { getThreadsCount, setThreadsCount, setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { dirname, sep } from 'node:path';
import { startKernelThreads } from './band-pool';
import { installPthreadWorkers, withLogicalCores } from './node-pthreads';
import { simdKernelsWanted, useSimdKernels } from './simd-init';
import { asWasmBackend } from '../../../shared/ml/wasm-kernels/wasm-backend';

/** Environment variable that sets the trainer's wasm thread count (a whole number ≥ 1). */
export const WASM_THREADS_ENV = 'DETECTA_WASM_THREADS';
/** Environment variable that sets the training kernels' thread count (≤ the wasm thread count). */
export const KERNEL_THREADS_ENV = 'DETECTA_WASM_KERNEL_THREADS';
/** tfjs-backend-wasm's pool: 8 workers are made up front and its C++ caps XNNPACK at 8 threads. */
export const MAX_WASM_THREADS = 8;

/** Absolute folder (ending in the path separator) holding tfjs-backend-wasm*.wasm. */
export function wasmDistFolder(): string {
  const require = createRequire(import.meta.url);
  // The package's "main" is dist/tf-backend-wasm.node.js, so its folder is the dist folder.
  const main = require.resolve('@tensorflow/tfjs-backend-wasm');
  return dirname(main) + sep;
}

export interface WasmThreadChoice {
  threads: number;
  /** Where the count came from. */
  source: 'option' | 'environment' | 'machine';
}

/** The thread count the wasm backend will be initialised with; throws on a bad DETECTA_WASM_THREADS. */
export function chooseWasmThreads(option?: number, env: NodeJS.ProcessEnv = process.env): WasmThreadChoice {
  const check = (n: number, what: string): number => {
    if (!Number.isInteger(n) || n < 1) throw new Error(`${what} must be a whole number of threads ≥ 1, got ${JSON.stringify(n)}`);
    return Math.min(n, MAX_WASM_THREADS);
  };
  if (option !== undefined) return { threads: check(option, 'the wasm thread count'), source: 'option' };
  const raw = env[WASM_THREADS_ENV];
  if (raw !== undefined && raw.trim() !== '') {
    if (!/^\s*\d+\s*$/.test(raw)) throw new Error(`${WASM_THREADS_ENV} must be a whole number of threads ≥ 1, got ${JSON.stringify(raw)}`);
    return { threads: check(Number(raw), WASM_THREADS_ENV), source: 'environment' };
  }
  return { threads: Math.min(availableParallelism(), MAX_WASM_THREADS), source: 'machine' };
}

/** The training kernels' thread count for a wasm thread count; throws on a bad DETECTA_WASM_KERNEL_THREADS. */
export function chooseKernelThreads(wasmThreads: number, option?: number, env: NodeJS.ProcessEnv = process.env): number {
  const raw = option ?? env[KERNEL_THREADS_ENV];
  if (raw === undefined || (typeof raw === 'string' && raw.trim() === '')) return wasmThreads;
  const n = typeof raw === 'number' ? raw : /^\s*\d+\s*$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isInteger(n) || n < 1) {
    throw new Error(`${option !== undefined ? 'the kernel thread count' : KERNEL_THREADS_ENV} must be a whole number of threads ≥ 1, got ${JSON.stringify(raw)}`);
  }
  return Math.min(n, wasmThreads);
}

/**
 * Loads the wasm backend from node_modules and activates it, with the training kernels' threads.
 * Returns false (and leaves the previous backend active) when the backend fails to initialise;
 * the reason is available from tf's own warning output.
 */
export async function initWasmBackendForNode(options: { threads?: number; kernelThreads?: number } = {}): Promise<boolean> {
  const { threads } = chooseWasmThreads(options.threads);
  const kernelThreads = chooseKernelThreads(threads, options.kernelThreads);
  setWasmPaths(wasmDistFolder());
  const simd = simdKernelsWanted();
  if (threads <= 1) {
    tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
    if (!(await tf.setBackend('wasm'))) return false;
    const memory = (asWasmBackend(tf.findBackend('wasm')).wasm as { asm?: { memory?: WebAssembly.Memory } }).asm?.memory;
    if (memory == null) throw new Error('wasm training kernels: the wasm build exposes no memory, so the SIMD loops cannot share its heap');
    await useSimdKernels(memory, simd);
    return true;
  }
  installPthreadWorkers();
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', true);
  setThreadsCount(threads);
  if (!(await withLogicalCores(threads, () => tf.setBackend('wasm')))) return false;
  const memory = (asWasmBackend(tf.findBackend('wasm')).wasm as { wasmMemory?: WebAssembly.Memory }).wasmMemory;
  if (memory == null) throw new Error('wasm training kernels: the threaded wasm build exposes no wasmMemory, so the kernels cannot share its heap');
  await useSimdKernels(memory, simd);
  await startKernelThreads(memory, kernelThreads);
  return true;
}

/** XNNPACK's thread count in this process (1 for the single-threaded build); null before the backend is up. */
export function wasmThreadsInUse(): number | null {
  if (tf.findBackend('wasm') == null) return null; // getThreadsCount throws before the backend is up
  return getThreadsCount();
}
