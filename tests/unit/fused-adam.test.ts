// FusedAdamOptimizer against tf.train.adam: the same weights, moments and saved optimizer state, bit
// for bit, on the wasm backend (one kernel per weight, its loop split over the kernel threads) and
// on the cpu backend (tfjs's own update), with and without a gradient factor (global-norm clipping).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { FusedAdamOptimizer, fusedAdam } from '../../shared/ml/train/fused-adam';
import { ADAM_UPDATE } from '../../shared/ml/wasm-kernels/adam-update';
import { kernelThreadStats } from '../../main/training/wasm-kernels/band-pool';
import { firstBitDifference, rand, useWasmKernelThreads } from '../helpers/wasm-kernel-check';

useWasmKernelThreads();

// a weight of several bands (32 768 elements each) with an uneven last one, and small ones
const SHAPES = [[3, 3, 64, 123], [7], [1, 1, 16, 8]];
const STEPS = 4;

interface Trace { weights: Float32Array[]; slots: Float32Array[] }

/** STEPS Adam steps from fixed weights with fixed gradients per step; gradients are scaled by `scales[step]`. */
async function train(backend: 'cpu' | 'wasm', make: () => tf.Optimizer, scales: number[], prefix: string): Promise<Trace> {
  await tf.setBackend(backend);
  const vars = SHAPES.map((shape, i) => tf.variable(tf.tensor(rand(tf.util.sizeFromShape(shape), 11 + i), shape), true, `${prefix}_${backend}_${i}`));
  const optimizer = make();
  (optimizer as unknown as { learningRate: number }).learningRate = 3e-3;
  for (let step = 0; step < STEPS; step++) {
    const grads: tf.NamedTensorMap = {};
    // gradients spanning many magnitudes, zeros included
    vars.forEach((v, i) => { grads[v.name] = tf.tidy(() => tf.tensor(rand(v.size, 100 * step + i + 1), v.shape).mul(tf.scalar(10 ** (i - 2))).relu()); });
    const scale = scales[step]!;
    if (optimizer instanceof FusedAdamOptimizer) optimizer.applyScaledGradients(grads, scale);
    else if (scale === 1) optimizer.applyGradients(grads);
    else {
      const scaled = Object.fromEntries(Object.entries(grads).map(([k, g]) => [k, tf.mul(g, scale)]));
      optimizer.applyGradients(scaled);
      tf.dispose(Object.values(scaled));
    }
    tf.dispose(Object.values(grads));
    (optimizer as unknown as { learningRate: number }).learningRate *= 0.7;
  }
  const saved = await optimizer.getWeights();
  const trace = { weights: vars.map((v) => v.dataSync() as Float32Array), slots: saved.map((w) => w.tensor.dataSync() as Float32Array) };
  assert.deepEqual(saved.map((w) => w.name).slice(1, 3), [`${vars[0]!.name}/m`, `${vars[1]!.name}/m`]);
  optimizer.dispose();
  vars.forEach((v) => v.dispose());
  return trace;
}

function assertSameBits(a: Trace, b: Trace, label: string): void {
  assert.equal(a.weights.length, b.weights.length);
  a.weights.forEach((w, i) => assert.equal(firstBitDifference(w, b.weights[i]!), -1, `${label}: weight ${i} differs`));
  assert.equal(a.slots.length, b.slots.length);
  a.slots.forEach((s, i) => assert.equal(firstBitDifference(s, b.slots[i]!), -1, `${label}: optimizer slot ${i} differs`));
}

for (const [label, scales] of [['plain gradients', [1, 1, 1, 1]], ['clipped gradients', [1, 0.37, 1, 0.0123]]] as const) {
  test(`FusedAdam gives tf.train.adam's bits on wasm and cpu (${label})`, async () => {
    const before = kernelThreadStats().jobs;
    const fusedWasm = await train('wasm', () => fusedAdam(1e-3), [...scales], `fw${scales[1]}`);
    assert.ok(FusedAdamOptimizer.fusedOnBackend(), 'the wasm backend has the fused kernel');
    assert.ok(kernelThreadStats().jobs > before, `${ADAM_UPDATE} split its loop over the kernel threads`);
    const stockWasm = await train('wasm', () => tf.train.adam(1e-3), [...scales], `sw${scales[1]}`);
    const fusedCpu = await train('cpu', () => fusedAdam(1e-3), [...scales], `fc${scales[1]}`);
    assert.equal(FusedAdamOptimizer.fusedOnBackend(), false, 'the cpu backend has no fused kernel: tfjs\'s update runs');
    const stockCpu = await train('cpu', () => tf.train.adam(1e-3), [...scales], `sc${scales[1]}`);
    const plain = tf.train.adam(1e-3);
    assert.equal(plain instanceof FusedAdamOptimizer, false);
    plain.dispose();
    assertSameBits(fusedWasm, stockWasm, 'wasm');
    assertSameBits(fusedCpu, stockCpu, 'cpu');
    assertSameBits(fusedWasm, stockCpu, 'wasm against cpu');
    // the weights moved
    assert.ok(firstBitDifference(fusedWasm.weights[0]!, rand(fusedWasm.weights[0]!.length, 11)) >= 0);
  });
}

test('FusedAdam resumes from saved optimizer weights like tf.train.adam', async () => {
  await tf.setBackend('wasm');
  const v = tf.variable(tf.tensor(rand(50, 3), [50]), true, 'resume_w');
  const g = tf.tensor(rand(50, 4), [50]);
  const first = fusedAdam(1e-2);
  first.applyGradients({ resume_w: g });
  const state = await first.getWeights();
  const resumed = fusedAdam(1e-2);
  await resumed.setWeights(state.map((w) => ({ name: w.name, tensor: tf.clone(w.tensor) })));
  const stock = tf.train.adam(1e-2);
  await stock.setWeights(state.map((w) => ({ name: w.name, tensor: tf.clone(w.tensor) })));
  const start = tf.clone(v);
  resumed.applyGradients({ resume_w: g });
  const afterFused = v.dataSync().slice() as Float32Array;
  v.assign(start);
  stock.applyGradients([{ name: 'resume_w', tensor: g }]);
  assert.equal(firstBitDifference(afterFused, v.dataSync() as Float32Array), -1);
  assert.equal(resumed.iterations, 2);
  tf.dispose([v, g, start]);
  [first, resumed, stock].forEach((o) => o.dispose());
});
