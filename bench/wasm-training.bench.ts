/**
 * Training throughput (images/s) on the tfjs wasm backend with our training kernels vs the pure-JS
 * cpu backend, same process, same batch, same data:
 *  - the seed's Fashion-MNIST CNN preset (shared/ml/classifier/presets), model.trainOnBatch
 *    (Adam, categorical cross-entropy), random 28×28 inputs;
 *  - the tiny detector preset (shared/ml/detector: detectorPreset('tiny') + buildDetector), the real
 *    trainStep with the YOLOv2 loss, procedural scenes (syntheticScene).
 * The cpu backend is so slow (its Conv2DBackpropFilter manages ~5 M multiply-adds/s) that it gets
 * one timed step and no warm-up (its first step has no compile cost worth mentioning); wasm gets a
 * warm-up step and several timed steps. Machine load is recorded: timings on a shared machine are noisy.
 * Writes bench/results/wasm-training.json and prints a summary.
 * Run: node --import tsx bench/wasm-training.bench.ts [--quick]   (--quick: smaller batches, for a smoke run)
 * (Tests never assert timings; these figures go in the issue note.)
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { initWasmBackendForNode } from '../main/training/wasm-kernels/node-init';
import { registerWasmTrainingKernels } from '../shared/ml/wasm-kernels/index';
import { buildClassifierPreset } from '../shared/ml/classifier/presets';
import { buildDetector, detectorPreset, encodeBatchTargets, gridSpecOf, imagesToTensor, syntheticScene, trainStep } from '../shared/ml/detector';

const quick = process.argv.includes('--quick');
const WASM_WARMUP = 1;
const WASM_STEPS = quick ? 2 : 5;
const CPU_STEPS = 1;

type Backend = 'cpu' | 'wasm';
interface Timing { backend: Backend; batch: number; steps: number; stepMs: number[]; medianStepMs: number; imagesPerSec: number }
interface ModelResult { model: string; description: string; input: number[]; batch: number; cpu: Timing; wasm: Timing; ratio: number }

const median = (xs: number[]) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]!; };
const round = (x: number, d = 2) => Math.round(x * 10 ** d) / 10 ** d;

/** A training session: `step()` runs one optimisation step (synchronously finished on return). */
interface Session { step: () => Promise<void>; dispose: () => void }

async function time(backend: Backend, batch: number, make: () => Session): Promise<Timing> {
  if (!(await tf.setBackend(backend))) throw new Error(`backend ${backend} failed to initialise`);
  const session = make();
  const warmup = backend === 'wasm' ? WASM_WARMUP : 0;
  const steps = backend === 'wasm' ? WASM_STEPS : CPU_STEPS;
  for (let i = 0; i < warmup; i++) await session.step();
  const stepMs: number[] = [];
  for (let i = 0; i < steps; i++) {
    const t0 = performance.now();
    await session.step();
    stepMs.push(round(performance.now() - t0, 1));
  }
  session.dispose();
  const m = median(stepMs);
  return { backend, batch, steps, stepMs, medianStepMs: m, imagesPerSec: round((batch * 1000) / m, 3) };
}

function fashionMnistSession(batch: number): Session {
  const model = buildClassifierPreset('fashion-mnist-cnn', { numClasses: 10, seed: 1 });
  const x = tf.randomUniform([batch, 28, 28, 1], 0, 1, 'float32', 1);
  const y = tf.oneHot(tf.tensor1d(Array.from({ length: batch }, (_, i) => i % 10), 'int32'), 10);
  return {
    step: async () => { await model.trainOnBatch(x, y); },
    dispose: () => { model.dispose(); tf.dispose([x, y]); },
  };
}

function tinyDetectorSession(batch: number, inputSize: number): Session {
  const config = detectorPreset('tiny', { numClasses: 2, inputSize });
  const spec = gridSpecOf(config);
  const model = buildDetector(config);
  const optimizer = tf.train.adam(1e-3);
  const scenes = Array.from({ length: batch }, (_, i) => syntheticScene(100 + i, { size: inputSize, numClasses: 2 }));
  const images = imagesToTensor(scenes.map((s) => s.image));
  const targets = encodeBatchTargets(scenes.map((s) => s.boxes), spec, 4);
  return {
    step: async () => { await trainStep(model, optimizer, images, targets, spec); },
    dispose: () => { model.dispose(); optimizer.dispose(); images.dispose(); tf.dispose(Object.values(targets).filter((v): v is tf.Tensor => v instanceof tf.Tensor)); },
  };
}

async function compare(model: string, description: string, input: number[], batch: number, make: () => Session): Promise<ModelResult> {
  const wasm = await time('wasm', batch, make);
  console.log(`  ${model} wasm: ${wasm.imagesPerSec} img/s (median step ${wasm.medianStepMs} ms, batch ${batch})`);
  const cpu = await time('cpu', batch, make);
  console.log(`  ${model} cpu:  ${cpu.imagesPerSec} img/s (step ${cpu.medianStepMs} ms, batch ${batch})`);
  return { model, description, input, batch, cpu, wasm, ratio: round(wasm.imagesPerSec / cpu.imagesPerSec, 1) };
}

if (!(await initWasmBackendForNode())) throw new Error('wasm backend failed to initialise');
const kernels = registerWasmTrainingKernels();
const loadBefore = loadavg().map((l) => round(l));
const models: ModelResult[] = [];
const fmBatch = quick ? 4 : 16;
models.push(await compare('fashion-mnist-cnn', 'seed Fashion-MNIST CNN preset, trainOnBatch, Adam', [28, 28, 1], fmBatch, () => fashionMnistSession(fmBatch)));
const detBatch = quick ? 1 : 4;
const detSize = 128;
models.push(await compare('detector-tiny', `tiny detector preset at ${detSize} px (grid ${detSize / 32}), trainStep with YOLOv2 loss, Adam`, [detSize, detSize, 3], detBatch, () => tinyDetectorSession(detBatch, detSize)));

const results = {
  date: new Date().toISOString(),
  machine: { cpus: cpus().length, model: cpus()[0]?.model, node: process.version, loadavgBefore: loadBefore, loadavgAfter: loadavg().map((l) => round(l)) },
  tfjs: tf.version.tfjs,
  quick,
  wasmKernels: kernels.registered,
  method: `same process and data; wasm: ${WASM_WARMUP} warm-up + ${WASM_STEPS} timed steps (median); cpu: ${CPU_STEPS} timed step, no warm-up`,
  models,
};
const out = fileURLToPath(new URL('./results/wasm-training.json', import.meta.url));
mkdirSync(fileURLToPath(new URL('./results/', import.meta.url)), { recursive: true });
writeFileSync(out, JSON.stringify(results, null, 2) + '\n');
console.log(`wasm-training (load ${loadBefore.join('/')}):`);
for (const m of models) {
  console.log(`  ${m.model.padEnd(18)} batch ${m.batch}: wasm ${m.wasm.imagesPerSec} img/s, cpu ${m.cpu.imagesPerSec} img/s → ${m.ratio}× faster`);
}
console.log(`written ${out}`);
