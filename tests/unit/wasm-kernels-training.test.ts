// Full training steps on wasm (with the training kernels) against the cpu backend: same seeded
// weights, same data, dropout off, so the loss trajectories must agree to float tolerance.
// Models: the seed's Fashion-MNIST CNN preset, and a tiny YOLOv2-style detector of the same shape as
// the 'tiny' detector preset (conv3×3 + BN + LeakyReLU 0.1 + maxpool, 16 → 256 filters, 1×1 head
// with A·(5+C) outputs) plus a stride-2 depthwise-separable block so the depthwise kernels run.
// Inputs are kept small (the cpu backend's Conv2DBackpropFilter manages ~5 M multiply-adds/s).
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { initWasmBackendForNode } from '../../main/training/wasm-kernels/node-init';
import { registerWasmTrainingKernels } from '../../shared/ml/wasm-kernels/index';
import { buildClassifierPreset } from '../../shared/ml/classifier/presets';

const STEPS = 3;
const LOSS_TOL = 1e-4; // relative

before(async () => {
  assert.equal(await initWasmBackendForNode(), true, 'wasm backend must initialise from node_modules');
  registerWasmTrainingKernels();
});

function rand(n: number, seed: number, lo = -1, hi = 1): Float32Array {
  let s = seed >>> 0 || 1;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0;
    out[i] = lo + (hi - lo) * (s / 2 ** 32);
  }
  return out;
}

/** Same shape as shared/ml/detector's 'tiny' preset, plus a depthwise-separable block. */
function tinyDetector(inputSize: number, anchors: number, numClasses: number): tf.LayersModel {
  let seed = 1;
  const input = tf.input({ shape: [inputSize, inputSize, 3] });
  let x = tf.layers.rescaling({ scale: 1 / 255, offset: 0 }).apply(input) as tf.SymbolicTensor;
  [16, 32, 64, 128, 256, 256].forEach((filters, i) => {
    x = tf.layers.conv2d({ filters, kernelSize: 3, padding: 'same', useBias: false, kernelInitializer: tf.initializers.heNormal({ seed: seed++ }) }).apply(x) as tf.SymbolicTensor;
    x = tf.layers.batchNormalization({ momentum: 0.9, epsilon: 1e-3 }).apply(x) as tf.SymbolicTensor;
    x = tf.layers.leakyReLU({ alpha: 0.1 }).apply(x) as tf.SymbolicTensor;
    if (i < 5) x = tf.layers.maxPooling2d({ poolSize: 2, strides: 2, padding: 'same' }).apply(x) as tf.SymbolicTensor;
  });
  x = tf.layers.separableConv2d({
    filters: 128, kernelSize: 3, strides: 2, padding: 'same',
    depthwiseInitializer: tf.initializers.glorotUniform({ seed: seed++ }), pointwiseInitializer: tf.initializers.glorotUniform({ seed: seed++ }),
  }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.leakyReLU({ alpha: 0.1 }).apply(x) as tf.SymbolicTensor;
  const out = tf.layers.conv2d({ filters: anchors * (5 + numClasses), kernelSize: 1, kernelInitializer: tf.initializers.randomNormal({ mean: 0, stddev: 0.01, seed: seed++ }) }).apply(x);
  const model = tf.model({ inputs: input, outputs: out as tf.SymbolicTensor });
  model.compile({ optimizer: tf.train.adam(1e-3), loss: 'meanSquaredError' });
  return model;
}

interface Run { losses: number[]; tensorsPerStep: number[] }

/** Builds the model on `backend`, runs STEPS trainOnBatch calls and records losses and tensor counts. */
async function train(backend: 'cpu' | 'wasm', build: () => tf.LayersModel, xs: Float32Array, ys: Float32Array, batch: number): Promise<Run> {
  assert.equal(await tf.setBackend(backend), true);
  const model = build();
  const inShape = [batch, ...(model.inputs[0].shape.slice(1) as number[])];
  const outShape = [batch, ...(model.outputs[0].shape.slice(1) as number[])];
  const x = tf.tensor(xs, inShape);
  const y = tf.tensor(ys, outShape);
  const losses: number[] = [];
  const tensorsPerStep: number[] = [];
  for (let i = 0; i < STEPS; i++) {
    const loss = await model.trainOnBatch(x, y);
    losses.push(Array.isArray(loss) ? loss[0] : loss);
    tensorsPerStep.push(tf.memory().numTensors);
  }
  model.dispose();
  tf.dispose([x, y]);
  return { losses, tensorsPerStep };
}

function assertSameTrajectory(name: string, cpu: Run, wasm: Run): void {
  for (let i = 0; i < STEPS; i++) {
    const rel = Math.abs(wasm.losses[i] - cpu.losses[i]) / Math.max(Math.abs(cpu.losses[i]), 1e-12);
    assert.ok(rel <= LOSS_TOL, `${name} step ${i + 1}: wasm loss ${wasm.losses[i]} vs cpu ${cpu.losses[i]} (relative ${rel.toExponential(2)})`);
  }
  assert.ok(cpu.losses[STEPS - 1] < cpu.losses[0], `${name}: loss should fall over ${STEPS} steps: ${cpu.losses}`);
  // After the first step (optimizer slots created) the live tensor count must stay flat.
  for (let i = 2; i < STEPS; i++) {
    assert.equal(wasm.tensorsPerStep[i], wasm.tensorsPerStep[1], `${name}: wasm tensors grow per step: ${wasm.tensorsPerStep}`);
  }
}

test('Fashion-MNIST CNN preset: same loss trajectory on wasm as on cpu', async () => {
  const batch = 1;
  const numClasses = 10;
  const build = () => buildClassifierPreset('fashion-mnist-cnn', { numClasses, dropout: false, seed: 7 });
  const xs = rand(batch * 28 * 28, 3, 0, 1);
  const ys = new Float32Array(batch * numClasses);
  for (let b = 0; b < batch; b++) ys[b * numClasses + ((b * 7) % numClasses)] = 1;
  const cpu = await train('cpu', build, xs, ys, batch);
  const wasm = await train('wasm', build, xs, ys, batch);
  assertSameTrajectory('fashion-mnist-cnn', cpu, wasm);
});

test('sports classifier preset: same loss trajectory on wasm as on cpu', async () => {
  const batch = 3;
  const numClasses = 4;
  const build = () => buildClassifierPreset('sports-cnn', { numClasses, dropout: false, seed: 11 });
  const xs = rand(batch * 21 * 28 * 3, 5, 0, 1);
  const ys = new Float32Array(batch * numClasses);
  for (let b = 0; b < batch; b++) ys[b * numClasses + (b % numClasses)] = 1;
  const cpu = await train('cpu', build, xs, ys, batch);
  const wasm = await train('wasm', build, xs, ys, batch);
  assertSameTrajectory('sports-cnn', cpu, wasm);
});

test('tiny YOLOv2-style detector with a depthwise-separable block: same loss trajectory on wasm as on cpu', async () => {
  const batch = 2;
  const inputSize = 40; // 40 → 20 → 10 → 5 → 3 → 2 ('same' pooling on odd sizes), then stride-2 separable → 1
  const anchors = 3;
  const numClasses = 2;
  const build = () => tinyDetector(inputSize, anchors, numClasses);
  const xs = rand(batch * inputSize * inputSize * 3, 9, 0, 255);
  const ys = rand(batch * 1 * 1 * anchors * (5 + numClasses), 13, -0.5, 0.5);
  const cpu = await train('cpu', build, xs, ys, batch);
  const wasm = await train('wasm', build, xs, ys, batch);
  assertSameTrajectory('tiny detector', cpu, wasm);
});
