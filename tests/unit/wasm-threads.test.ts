// The trainer's wasm backend on several threads (issue 19): the threaded SIMD build runs in Node
// (XNNPACK's pool on worker_threads), the thread count comes from the machine or
// DETECTA_WASM_THREADS, and training gives the same weights on 1 thread and on 2.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { chooseWasmThreads, MAX_WASM_THREADS, WASM_THREADS_ENV } from '../../main/training/wasm-kernels/node-init';

const run = promisify(execFile);
const child = fileURLToPath(new URL('../helpers/wasm-threads-child.ts', import.meta.url));

async function trainWith(threads: number, out: string): Promise<{ threads: number; weights: Float32Array; loss: number }> {
  const { stdout } = await run(process.execPath, ['--import', 'tsx', child, out], {
    env: { ...process.env, [WASM_THREADS_ENV]: String(threads) }, maxBuffer: 1 << 20, timeout: 300_000,
  });
  const line = stdout.trim().split('\n').pop()!;
  const r = JSON.parse(line) as { threads: number; weights: number; loss: number };
  const buf = await readFile(out);
  const weights = new Float32Array(buf.buffer, buf.byteOffset, buf.byteLength / 4);
  assert.equal(weights.length, r.weights);
  return { threads: r.threads, weights, loss: r.loss };
}

test('training on 2 wasm threads gives the weights of 1 thread (same seed, mobilenet preset, backbone unfrozen)', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'detecta-wasm-threads-'));
  try {
    const one = await trainWith(1, join(dir, 'one.bin'));
    const two = await trainWith(2, join(dir, 'two.bin'));
    assert.equal(one.threads, 1, 'DETECTA_WASM_THREADS=1 runs XNNPACK on one thread');
    assert.equal(two.threads, 2, 'DETECTA_WASM_THREADS=2 runs XNNPACK on two threads (the threaded build works in Node)');
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
