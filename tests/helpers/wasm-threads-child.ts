/**
 * A trainer-like process for the wasm thread tests: initialises the wasm backend the way the
 * trainer does (thread count from DETECTA_WASM_THREADS), trains the mobilenet detector preset
 * (pretrained MobileNet v1 0.25 from ../shared/models, backbone unfrozen so the depthwise and conv
 * backprop kernels all run) for a few seeded steps on procedural scenes, and writes every weight,
 * in order, as float32 to the file argv[2]. Prints one JSON line: { threads, kernelThreads,
 * workerBands, weights, loss } (kernelThreads: the training kernels' threads, DETECTA_WASM_KERNEL_THREADS;
 * workerBands: bands of their loops that ran on the kernel worker threads).
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { initWasmBackendForNode, wasmThreadsInUse } from '../../main/training/wasm-kernels/node-init';
import { registerWasmTrainingKernels } from '../../shared/ml/wasm-kernels/index';
import { kernelThreadsInUse, kernelThreadStats } from '../../main/training/wasm-kernels/band-pool';
import { fileModelHandler } from '../../main/training/model-cache';
import { loadMobileNet, setBackboneTrainable } from '../../shared/ml/backbone';
import { buildDetector, detectorPreset, encodeBatchTargets, gridSpecOf, imagesToTensor, syntheticScene, trainStep } from '../../shared/ml/detector';

const out = process.argv[2];
if (!out) throw new Error('usage: wasm-threads-child.ts OUT_FILE');
if (!(await initWasmBackendForNode())) throw new Error('the wasm backend did not initialise');
registerWasmTrainingKernels();
const MOBILENET = fileURLToPath(new URL('../../../shared/models/mobilenet_v1_0.25_224/model.json', import.meta.url));
const SIZE = 128;
const BATCH = 4;
const STEPS = 3;
const config = detectorPreset('mobilenet', { numClasses: 2, inputSize: SIZE });
const spec = gridSpecOf(config);
const pretrained = await loadMobileNet(fileModelHandler(MOBILENET));
const model = buildDetector(config, { seed: 7, pretrained });
pretrained.dispose();
setBackboneTrainable(model, true);
const optimizer = tf.train.adam(1e-3);
let loss = NaN;
for (let step = 0; step < STEPS; step++) {
  const scenes = Array.from({ length: BATCH }, (_, i) => syntheticScene(1000 + step * BATCH + i, { size: SIZE, numClasses: 2 }));
  const images = imagesToTensor(scenes.map((s) => s.image));
  const targets = encodeBatchTargets(scenes.map((s) => s.boxes), spec, 4);
  loss = (await trainStep(model, optimizer, images, targets, spec)).total;
  images.dispose();
  tf.dispose(Object.values(targets).filter((v): v is tf.Tensor => v instanceof tf.Tensor));
}
const parts = model.weights.map((w) => w.read().dataSync() as Float32Array);
const all = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
let o = 0;
for (const p of parts) { all.set(p, o); o += p.length; }
writeFileSync(out, Buffer.from(all.buffer));
process.stdout.write(JSON.stringify({
  threads: wasmThreadsInUse(), kernelThreads: kernelThreadsInUse(), workerBands: kernelThreadStats().workerBands, weights: all.length, loss,
}) + '\n');
