// Checks for our wasm kernels against tfjs's cpu kernels: the wasm backend set up as the trainer
// has it (threaded build, our kernels, a pool of kernel threads), each kernel run once with its
// loops on the calling thread alone and once on the kernel threads (the outputs must be the same
// bits), and compared with the cpu kernel's output.
import { before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { initWasmBackendForNode } from '../../main/training/wasm-kernels/node-init';
import { registerWasmTrainingKernels } from '../../shared/ml/wasm-kernels/index';
import { kernelThreadStats, startKernelThreads, stopKernelThreads } from '../../main/training/wasm-kernels/band-pool';
import { bandRunner, setBandRunner } from '../../shared/ml/wasm-kernels/bands';
import { asWasmBackend } from '../../shared/ml/wasm-kernels/wasm-backend';

/** Relative error allowed against the cpu kernel: max|wasm − cpu| / max|cpu|. */
export const TOL = 1e-4;

/** More kernel threads than this machine's cores, so that bands split unevenly. */
export const KERNEL_THREADS = 3;

/** Registers before/after hooks: wasm on 2 threads (the threaded build), our kernels, KERNEL_THREADS kernel threads. */
export function useWasmKernelThreads(): void {
  before(async () => {
    assert.equal(await initWasmBackendForNode({ threads: 2 }), true, 'wasm backend must initialise from node_modules');
    registerWasmTrainingKernels();
    const memory = (asWasmBackend(tf.findBackend('wasm')).wasm as { wasmMemory?: WebAssembly.Memory }).wasmMemory;
    assert.ok(memory?.buffer instanceof SharedArrayBuffer, 'the threaded wasm build has a shared heap');
    await startKernelThreads(memory, KERNEL_THREADS);
    assert.equal(bandRunner().threads, KERNEL_THREADS);
  });
  after(stopKernelThreads);
}

export type Values = Float32Array | Int32Array | Uint8Array;
export interface Input { values: Values | number[]; shape: number[]; dtype?: tf.DataType }
export interface Output { shape: number[]; dtype: tf.DataType; values: Values }

/**
 * Index of the first element whose bits differ (−0 against +0 included), or −1. Any two NaNs are
 * equal: their payload depends on how the engine made them (x64's default NaN is negative).
 */
export function firstBitDifference(a: Values, b: Values): number {
  if (a.length !== b.length || a.constructor !== b.constructor) return 0;
  const bits = (v: Values) => (v instanceof Float32Array ? new Uint32Array(v.buffer, v.byteOffset, v.length) : v);
  const ua = bits(a);
  const ub = bits(b);
  for (let i = 0; i < ua.length; i++) if (ua[i] !== ub[i] && !(Number.isNaN(a[i]) && Number.isNaN(b[i]))) return i;
  return -1;
}

/** Deterministic pseudo-random values in [-1, 1). */
export function rand(n: number, seed: number): Float32Array {
  let s = seed >>> 0 || 1;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0;
    out[i] = s / 2 ** 31 - 1;
  }
  return out;
}

/** Runs one kernel by name on a backend with fresh input tensors; returns its outputs' values. */
export async function runKernelOn(backend: 'cpu' | 'wasm', kernel: string, inputs: Record<string, Input>, attrs: tf.NamedAttrMap): Promise<Output[]> {
  await tf.setBackend(backend);
  const ts: Record<string, tf.Tensor> = {};
  for (const [k, v] of Object.entries(inputs)) ts[k] = tf.tensor(v.values, v.shape, v.dtype ?? 'float32');
  const result = tf.engine().runKernel(kernel, ts, attrs) as tf.Tensor | tf.Tensor[];
  const outs = Array.isArray(result) ? result : [result];
  // as the dtype's array (the cpu backend's Cast of bool to float32 keeps its Uint8Array)
  const typed = (v: Values, dtype: tf.DataType): Values => (dtype === 'float32' && !(v instanceof Float32Array) ? Float32Array.from(v) : v);
  const values = outs.map((o) => ({ shape: o.shape, dtype: o.dtype, values: typed(o.dataSync() as Values, o.dtype) }));
  tf.dispose([...outs, ...Object.values(ts)]);
  return values;
}

/** Kernels that handed bands to the kernel threads in at least one call. */
const threaded = new Set<string>();

export function assertThreaded(...kernels: string[]): void {
  for (const k of kernels) assert.ok(threaded.has(k), `${k}: no case split its loops into bands for the kernel threads`);
}

/** The kernel on the calling thread alone and on the kernel threads: the outputs must be the same bits. */
export async function runOnWasmBothWays(kernel: string, inputs: Record<string, Input>, attrs: tf.NamedAttrMap, label: string): Promise<Output[]> {
  const pool = bandRunner();
  setBandRunner(null);
  let one: Output[];
  try {
    one = await runKernelOn('wasm', kernel, inputs, attrs);
  } finally {
    setBandRunner(pool);
  }
  const jobs = kernelThreadStats().jobs;
  const many = await runKernelOn('wasm', kernel, inputs, attrs);
  if (kernelThreadStats().jobs > jobs) threaded.add(kernel);
  assert.equal(many.length, one.length);
  for (const [i, o] of one.entries()) {
    const at = firstBitDifference(o.values, many[i].values);
    assert.equal(at, -1, `${label}: output ${i} element ${at} is ${o.values[at]} on 1 thread, ${many[i].values[at]} on ${KERNEL_THREADS}`);
  }
  return many;
}

export function relErr(got: Values, want: Values): number {
  let diff = 0;
  let ref = 0;
  for (let i = 0; i < want.length; i++) {
    diff = Math.max(diff, Math.abs(got[i] - want[i]));
    ref = Math.max(ref, Math.abs(want[i]));
  }
  return diff / Math.max(ref, 1e-30);
}

/**
 * The wasm kernel (both ways) against the cpu kernel: same shapes and dtypes, no tensor leaked,
 * values within TOL, or equal bit for bit with `exact` (copies, comparisons, masks).
 */
export async function compareWithCpu(kernel: string, inputs: Record<string, Input>, attrs: tf.NamedAttrMap, label: string, options: { exact?: boolean } = {}): Promise<Output[]> {
  const want = await runKernelOn('cpu', kernel, inputs, attrs);
  const before = tf.memory().numTensors;
  const got = await runOnWasmBothWays(kernel, inputs, attrs, label);
  assert.equal(tf.memory().numTensors, before, `${label}: wasm kernel leaked tensors`);
  assert.equal(got.length, want.length, `${label}: outputs`);
  for (const [i, w] of want.entries()) {
    const g = got[i];
    assert.deepEqual(g.shape, w.shape, `${label}: output ${i} shape`);
    assert.equal(g.dtype, w.dtype, `${label}: output ${i} dtype`);
    assert.ok(w.values.some((v) => v !== 0), `${label}: reference is all zeros, the case tests nothing`);
    if (options.exact) {
      const at = firstBitDifference(g.values, w.values);
      assert.equal(at, -1, `${label}: output ${i} element ${at} is ${g.values[at]} on wasm, ${w.values[at]} on cpu`);
    } else {
      const err = relErr(g.values, w.values);
      assert.ok(err <= TOL, `${label}: relative error ${err.toExponential(2)} > ${TOL}`);
    }
  }
  return got;
}
