/**
 * GPU benchmark, one command for any machine: training images/s of the mobilenet detector preset
 * at 224 and 416 and of the seed's Fashion-MNIST CNN, and detection FPS of the tiny preset at 416,
 * on every trainer backend this machine has (webgpu, tensorflow-gpu when it loads) against wasm,
 * in one process, same data. Ratios are per workload against wasm.
 *
 * A software WebGPU adapter (SwiftShader, llvmpipe) is measured only with --software (it proves
 * nothing about speed). Each (backend, workload) gets a warm-up step and timed steps until about
 * `--seconds` (default 12) have passed, so the whole run stays well under 8 minutes.
 * Writes bench/results/gpu.json and prints a summary.
 * Run: node --import tsx bench/gpu.bench.ts [--seconds 12] [--software]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../main/training/backend';
import { fileModelHandler } from '../main/training/model-cache';
import { loadMobileNet } from '../shared/ml/backbone';
import { buildClassifierPreset } from '../shared/ml/classifier/presets';
import { buildDetector, detectorPreset, encodeBatchTargets, gridSpecOf, imagesToTensor, syntheticScene, trainStep } from '../shared/ml/detector';
import type { TrainBackendName } from '../shared/training/types';
import { isSoftwareName } from '../shared/ml/gpu-adapter';

const arg = (name: string): string | undefined => { const i = process.argv.indexOf(name); return i >= 0 ? process.argv[i + 1] : undefined; };
const SECONDS = Number(arg('--seconds') ?? 12);
const SOFTWARE = process.argv.includes('--software');
const MOBILENET = fileURLToPath(new URL('../../shared/models/mobilenet_v1_0.25_224/model.json', import.meta.url));

interface Workload { name: string; unit: 'images/s' | 'FPS'; perStep: number; make: () => Promise<{ step: () => Promise<void>; dispose: () => void }> }
interface Measure { backend: TrainBackendName; device: string; workload: string; unit: string; steps: number; medianStepMs: number; rate: number }

const round = (x: number, d = 2): number => Math.round(x * 10 ** d) / 10 ** d;
const median = (xs: number[]): number => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]!; };

async function detectorTraining(size: number, batch: number): Promise<{ step: () => Promise<void>; dispose: () => void }> {
  const pretrained = await loadMobileNet(fileModelHandler(MOBILENET));
  const grid = size / 32;
  const config = { ...detectorPreset('mobilenet', { numClasses: 3, inputSize: size, anchors: [[grid / 6, grid / 5], [grid / 3, grid / 3], [grid / 1.5, grid / 2]] as [number, number][] }), resizeMode: 'stretch' as const };
  const model = buildDetector(config, { pretrained });
  pretrained.dispose();
  const spec = gridSpecOf(config);
  const scenes = Array.from({ length: batch }, (_, i) => syntheticScene(i, { size, numClasses: 3 }));
  const x = imagesToTensor(scenes.map((s) => s.image));
  const y = encodeBatchTargets(scenes.map((s) => s.boxes), spec, 8);
  const optimizer = tf.train.adam(1e-3);
  return { step: async () => { await trainStep(model, optimizer, x, y, spec); }, dispose: () => { tf.dispose([x, y.target, y.trueBoxes]); model.dispose(); optimizer.dispose(); } };
}

async function classifierTraining(batch: number): Promise<{ step: () => Promise<void>; dispose: () => void }> {
  const model = buildClassifierPreset('fashion-mnist-cnn', { numClasses: 10, seed: 1, dropout: false });
  const x = tf.randomUniform([batch, 28, 28, 1], 0, 1, 'float32', 1);
  const y = tf.oneHot(tf.tensor1d(Array.from({ length: batch }, (_, i) => i % 10), 'int32'), 10);
  return { step: async () => { const l = await model.trainOnBatch(x, y); void l; }, dispose: () => { tf.dispose([x, y]); model.dispose(); } };
}

async function tinyDetection(size: number): Promise<{ step: () => Promise<void>; dispose: () => void }> {
  const config = { ...detectorPreset('tiny', { numClasses: 3, inputSize: size, anchors: [[1, 1], [3, 3]] as [number, number][] }), resizeMode: 'stretch' as const };
  const model = buildDetector(config);
  const x = imagesToTensor([syntheticScene(1, { size, numClasses: 3 }).image]);
  return { step: async () => { const out = model.predict(x) as tf.Tensor; await out.data(); out.dispose(); }, dispose: () => { x.dispose(); model.dispose(); } };
}

const WORKLOADS: Workload[] = [
  { name: 'mobilenet preset training at 224 (batch 16)', unit: 'images/s', perStep: 16, make: () => detectorTraining(224, 16) },
  { name: 'mobilenet preset training at 416 (batch 8)', unit: 'images/s', perStep: 8, make: () => detectorTraining(416, 8) },
  { name: 'Fashion-MNIST CNN training (batch 64)', unit: 'images/s', perStep: 64, make: () => classifierTraining(64) },
  { name: 'tiny preset detection at 416', unit: 'FPS', perStep: 1, make: () => tinyDetection(416) },
];

async function measure(backend: TrainBackendName, device: string, w: Workload): Promise<Measure> {
  const session = await w.make();
  try {
    await session.step(); // warm-up: shader and kernel compilation
    const stepMs: number[] = [];
    const start = performance.now();
    while (stepMs.length < 3 || (performance.now() - start < SECONDS * 1000 && stepMs.length < 200)) {
      const t0 = performance.now();
      await session.step();
      stepMs.push(performance.now() - t0);
    }
    const m = median(stepMs);
    return { backend, device, workload: w.name, unit: w.unit, steps: stepMs.length, medianStepMs: round(m, 1), rate: round((w.perStep * 1000) / m, 2) };
  } finally {
    session.dispose();
  }
}

const results: Measure[] = [];
const skipped: { backend: string; reason: string }[] = [];
for (const backend of ['webgpu', 'tensorflow-gpu', 'wasm'] as const) {
  let device: string;
  try {
    device = (await selectBackend(backend)).device;
  } catch (err) {
    skipped.push({ backend, reason: (err as Error).message });
    continue;
  }
  if (backend === 'webgpu' && isSoftwareName(device) && !SOFTWARE) {
    skipped.push({ backend, reason: `${device} is a software adapter (run with --software to measure it anyway)` });
    continue;
  }
  for (const w of WORKLOADS) {
    const m = await measure(backend, device, w);
    results.push(m);
    console.log(`${backend.padEnd(15)} ${w.name.padEnd(46)} ${String(m.rate).padStart(9)} ${w.unit}  (${m.steps} steps, median ${m.medianStepMs} ms)`);
  }
}

const ratios = WORKLOADS.map((w) => {
  const base = results.find((r) => r.backend === 'wasm' && r.workload === w.name);
  return {
    workload: w.name,
    vsWasm: Object.fromEntries(results.filter((r) => r.workload === w.name && r.backend !== 'wasm' && base).map((r) => [r.backend, round(r.rate / base!.rate, 2)])),
  };
});
const out = { date: new Date().toISOString(), machine: { cpus: cpus().length, cpu: cpus()[0]?.model ?? '', load: loadavg().map((l) => round(l)) }, seconds: SECONDS, results, ratios, skipped };
mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
writeFileSync(new URL('./results/gpu.json', import.meta.url), JSON.stringify(out, null, 2) + '\n');
for (const s of skipped) console.log(`skipped ${s.backend}: ${s.reason}`);
for (const r of ratios) if (Object.keys(r.vsWasm).length) console.log(`${r.workload}: ${Object.entries(r.vsWasm).map(([b, x]) => `${b} ${x}× wasm`).join(', ')}`);
console.log('wrote bench/results/gpu.json');
