// The trainer's wasm backend on several threads (issue 19): the threaded SIMD build runs in Node
// (XNNPACK's pool on worker_threads), the thread count comes from the machine or
// DETECTA_WASM_THREADS, and training gives the same weights on 1 thread and on 2. Our training
// kernels' loops run on as many threads (DETECTA_WASM_KERNEL_THREADS lowers it), with the same bits
// on 1 kernel thread and on 2. Each child process exits by itself: the threads never hold it open.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { chooseKernelThreads, chooseWasmThreads, KERNEL_THREADS_ENV, MAX_WASM_THREADS, WASM_THREADS_ENV } from '../../main/training/wasm-kernels/node-init';

const run = promisify(execFile);
const child = fileURLToPath(new URL('../helpers/wasm-threads-child.ts', import.meta.url));

interface Trained { threads: number; kernelThreads: number; workerBands: number; weights: Float32Array; loss: number }

async function trainWith(threads: number, out: string, kernelThreads?: number): Promise<Trained> {
  const env: NodeJS.ProcessEnv = { ...process.env, [WASM_THREADS_ENV]: String(threads) };
  delete env[KERNEL_THREADS_ENV];
  if (kernelThreads !== undefined) env[KERNEL_THREADS_ENV] = String(kernelThreads);
  const { stdout } = await run(process.execPath, ['--import', 'tsx', child, out], { env, maxBuffer: 1 << 20, timeout: 300_000 });
  const line = stdout.trim().split('\n').pop()!;
  const r = JSON.parse(line) as Omit<Trained, 'weights'> & { weights: number };
  const buf = await readFile(out);
  const weights = new Float32Array(buf.buffer, buf.byteOffset, buf.byteLength / 4);
  assert.equal(weights.length, r.weights);
  return { ...r, weights };
}

test('training on 2 wasm threads gives the weights of 1 thread (same seed, mobilenet preset, backbone unfrozen)', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'detecta-wasm-threads-'));
  try {
    const one = await trainWith(1, join(dir, 'one.bin'));
    const two = await trainWith(2, join(dir, 'two.bin'));
    assert.equal(one.threads, 1, 'DETECTA_WASM_THREADS=1 runs XNNPACK on one thread');
    assert.equal(two.threads, 2, 'DETECTA_WASM_THREADS=2 runs XNNPACK on two threads (the threaded build works in Node)');
    assert.equal(one.kernelThreads, 1, 'the single-threaded build runs the kernels on the calling thread');
    assert.equal(two.kernelThreads, 2, 'the training kernels run on as many threads as XNNPACK');
    assert.ok(Number.isFinite(one.loss) && one.loss > 0);
    assert.ok(Math.abs(one.loss - two.loss) <= 1e-5 * Math.abs(one.loss), `loss ${one.loss} vs ${two.loss}`);
    let worst = 0;
    let at = -1;
    for (let i = 0; i < one.weights.length; i++) {
      const d = Math.abs(one.weights[i]! - two.weights[i]!) / Math.max(1e-3, Math.abs(one.weights[i]!));
      if (d > worst) { worst = d; at = i; }
    }
    assert.ok(worst <= 1e-5, `weight ${at}: ${one.weights[at]} (1 thread) vs ${two.weights[at]} (2 threads)`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('training kernels on 2 threads give the bits of 1 kernel thread (same seed, XNNPACK on 2 threads both times)', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'detecta-kernel-threads-'));
  try {
    const one = await trainWith(2, join(dir, 'one.bin'), 1);
    const two = await trainWith(2, join(dir, 'two.bin'), 2);
    assert.equal(one.kernelThreads, 1, `${KERNEL_THREADS_ENV}=1 keeps the kernels on the calling thread`);
    assert.equal(one.workerBands, 0);
    assert.equal(two.kernelThreads, 2);
    assert.ok(two.workerBands > 0, 'the kernel worker thread ran some of the bands');
    assert.ok(Number.isFinite(one.loss) && one.loss > 0);
    assert.equal(two.loss, one.loss);
    const a = new Uint32Array(one.weights.buffer, one.weights.byteOffset, one.weights.length);
    const b = new Uint32Array(two.weights.buffer, two.weights.byteOffset, two.weights.length);
    const at = a.findIndex((v, i) => v !== b[i]);
    assert.equal(at, -1, `weight ${at}: ${one.weights[at]} (1 kernel thread) vs ${two.weights[at]} (2 kernel threads)`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('thread count: the machine by default, DETECTA_WASM_THREADS or the option when given, bad values refused', () => {
  assert.deepEqual(chooseWasmThreads(undefined, {}), { threads: Math.min(availableParallelism(), MAX_WASM_THREADS), source: 'machine' });
  assert.deepEqual(chooseWasmThreads(undefined, { [WASM_THREADS_ENV]: '3' }), { threads: 3, source: 'environment' });
  assert.deepEqual(chooseWasmThreads(2, { [WASM_THREADS_ENV]: '3' }), { threads: 2, source: 'option' });
  assert.equal(chooseWasmThreads(undefined, { [WASM_THREADS_ENV]: '64' }).threads, MAX_WASM_THREADS);
  for (const bad of ['0', 'two', '1.5', '-2']) {
    assert.throws(() => chooseWasmThreads(undefined, { [WASM_THREADS_ENV]: bad }), new RegExp(`${WASM_THREADS_ENV} must be a whole number`));
  }
  assert.throws(() => chooseWasmThreads(0, {}), /whole number of threads/);
});

test('kernel threads: the wasm thread count by default, DETECTA_WASM_KERNEL_THREADS or the option lower it, bad values refused', () => {
  assert.equal(chooseKernelThreads(4, undefined, {}), 4);
  assert.equal(chooseKernelThreads(4, undefined, { [KERNEL_THREADS_ENV]: '1' }), 1);
  assert.equal(chooseKernelThreads(4, 2, { [KERNEL_THREADS_ENV]: '1' }), 2);
  assert.equal(chooseKernelThreads(2, undefined, { [KERNEL_THREADS_ENV]: '8' }), 2, 'never more than the wasm threads');
  for (const bad of ['0', 'all', '1.5', '-1']) {
    assert.throws(() => chooseKernelThreads(2, undefined, { [KERNEL_THREADS_ENV]: bad }), new RegExp(`${KERNEL_THREADS_ENV} must be a whole number`));
  }
  assert.throws(() => chooseKernelThreads(2, 0, {}), /kernel thread count must be a whole number/);
});
