/**
 * Benchmark of the detector core on the tfjs pure-JS cpu backend: decode + NMS throughput at 416,
 * NMS on 1000 boxes (pure TS vs tf.image), k-means anchors, augmentation, letterboxing, and
 * training / inference images per second of the tiny preset and of a frozen MobileNet backbone.
 * Writes bench/results/detector.json and prints a summary. Run: node --import tsx bench/detector.bench.ts
 * Times are wall clock on a shared machine; loadAverage1m and the per-section CPU time say how busy it was.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { augmentScene, resolveAugmentConfig } from '../shared/ml/augment';
import { setBackboneTrainable, loadMobileNet } from '../shared/ml/backbone';
import {
  buildDetector, decodeYoloOutput, detectorPreset, encodeBatchTargets, gridSpecOf, imagesToTensor, kmeansAnchors, nonMaxSuppression,
  nonMaxSuppressionTf, postprocessYoloOutput, syntheticScene, trainStep, valuesPerImage, type DetectorConfig,
} from '../shared/ml/detector';
import { fitToInput } from '../shared/ml/preprocess';
import { createRng } from '../shared/ml/random';
import { fileModelHandler } from '../main/training/model-cache';

const here = path.dirname(fileURLToPath(import.meta.url));

interface Timing { wallMs: number; cpuMs: number }
async function timed(f: () => unknown | Promise<unknown>): Promise<Timing> {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  await f();
  const wallMs = performance.now() - t0;
  const c = process.cpuUsage(c0);
  return { wallMs: +wallMs.toFixed(2), cpuMs: +((c.user + c.system) / 1000).toFixed(2) };
}
const per = (t: Timing, n: number) => ({ wallMs: +(t.wallMs / n).toFixed(3), cpuMs: +(t.cpuMs / n).toFixed(3) });

async function main(): Promise<void> {
  await tf.setBackend('cpu');
  const rng = createRng(1);
  const results: Record<string, unknown> = {
    bench: 'detector', date: new Date().toISOString(), node: process.version, cpu: cpus()[0]?.model, cpus: cpus().length,
    backend: tf.getBackend(), loadAverage1mStart: +loadavg()[0].toFixed(2),
  };

  // Decode + NMS at 416 (13×13×5 anchors, 20 classes); objectness logits ~ N(−4, 2) → a few dozen candidates.
  const spec = { inputSize: 416, gridSize: 13, anchors: detectorPreset('tiny', { numClasses: 20, inputSize: 416 }).anchors, numClasses: 20 };
  const raws = Array.from({ length: 20 }, () => {
    const raw = new Float32Array(valuesPerImage(spec));
    for (let i = 0; i < raw.length; i++) raw[i] = rng.normal();
    for (let i = 4; i < raw.length; i += 25) raw[i] = -4 + 2 * rng.normal();
    return raw;
  });
  const candidates = raws.reduce((n, r) => n + decodeYoloOutput(r, spec, { scoreThreshold: 0.005 }).length, 0) / raws.length;
  const decodeRuns = 500;
  const decodeT = await timed(() => { for (let i = 0; i < decodeRuns; i++) postprocessYoloOutput(raws[i % raws.length], spec, { scoreThreshold: 0.005 }); });
  results.decodeNms416 = { ...per(decodeT, decodeRuns), imagesPerSecond: +(decodeRuns / (decodeT.wallMs / 1000)).toFixed(0), candidatesPerImage: +candidates.toFixed(1), scoreThreshold: 0.005 };

  // NMS on 1000 random boxes.
  const n = 1000;
  const boxes = new Float32Array(n * 4);
  const scores = new Float32Array(n);
  for (let i = 0; i < n; i++) { const x = rng.uniform(0, 400), y = rng.uniform(0, 400); boxes.set([x, y, x + rng.uniform(10, 120), y + rng.uniform(10, 120)], i * 4); scores[i] = rng.next(); }
  const nmsTs = await timed(() => { for (let i = 0; i < 50; i++) nonMaxSuppression(boxes, scores, { iouThreshold: 0.45, maxOutput: 100 }); });
  const nmsTf = await timed(async () => { for (let i = 0; i < 50; i++) await nonMaxSuppressionTf(boxes, scores, { iouThreshold: 0.45, maxOutput: 100 }); });
  results.nms1000 = { pureTs: per(nmsTs, 50), tfImage: per(nmsTf, 50) };

  // k-means anchors: 5000 boxes, k = 5, 3 restarts.
  const sizes = Array.from({ length: 5000 }, () => ({ w: Math.exp(rng.normal()) * 2, h: Math.exp(rng.normal()) * 2 }));
  let avgIou = 0;
  const km = await timed(() => { avgIou = kmeansAnchors(sizes, 5, { seed: 1 }).avgIou; });
  results.kmeans5000k5 = { ...km, avgIou: +avgIou.toFixed(4) };

  // Augmentation (all ops at default probabilities) and letterboxing.
  const scene = syntheticScene(1, { size: 416, numClasses: 3, objects: 4 });
  const config = resolveAugmentConfig();
  const aug = await timed(() => { for (let i = 0; i < 20; i++) augmentScene(scene.image, scene.boxes, config, rng); });
  const everyOp = resolveAugmentConfig(Object.fromEntries(Object.keys(config).filter((k) => k !== 'enabled').map((k) => [k, { p: 1 }])));
  const augAll = await timed(() => { for (let i = 0; i < 5; i++) augmentScene(scene.image, scene.boxes, everyOp, rng); });
  const photo = { width: 640, height: 480, data: new Uint8Array(640 * 480 * 3).fill(90) };
  const fit = await timed(() => { for (let i = 0; i < 20; i++) fitToInput(photo, 416); });
  results.augment416 = { defaultPipeline: per(aug, 20), everyOpApplied: per(augAll, 5) };
  results.letterbox640x480to416 = per(fit, 20);

  // Training steps (Adam) on the cpu backend.
  async function trainBench(name: string, cfg: DetectorConfig, batch: number, steps: number, prepare?: (m: tf.LayersModel) => void, pretrained?: tf.LayersModel) {
    const model = buildDetector(cfg, { pretrained });
    prepare?.(model);
    const sp = gridSpecOf(cfg);
    const scenes = Array.from({ length: batch }, (_, i) => syntheticScene(i, { size: cfg.inputSize, numClasses: cfg.numClasses }));
    const x = imagesToTensor(scenes.map((s) => s.image));
    const y = encodeBatchTargets(scenes.map((s) => s.boxes), sp, 4);
    const opt = tf.train.adam(1e-3);
    await trainStep(model, opt, x, y, sp); // warm-up
    const t = await timed(async () => { for (let i = 0; i < steps; i++) await trainStep(model, opt, x, y, sp); });
    const inf = await timed(() => { for (let i = 0; i < 3; i++) (model.predict(x) as tf.Tensor).dispose(); });
    results[name] = {
      inputSize: cfg.inputSize, batch, steps, stepMs: per(t, steps),
      trainImagesPerSecond: +((batch * steps) / (t.wallMs / 1000)).toFixed(2),
      inferImagesPerSecond: +((batch * 3) / (inf.wallMs / 1000)).toFixed(2),
      params: model.countParams(),
    };
    tf.dispose([x, y.target, y.trueBoxes]);
    model.dispose();
    opt.dispose();
  }
  await trainBench('trainTinyPreset96', detectorPreset('tiny', { numClasses: 2, inputSize: 96 }), 4, 3);
  await trainBench('trainTinyTestNet64', { ...detectorPreset('tiny', { numClasses: 2, inputSize: 64 }), backbone: { kind: 'tiny', widths: [4, 8, 8, 16, 16, 16] } }, 4, 5);
  const base = await loadMobileNet(fileModelHandler(path.resolve(here, '../../shared/models/mobilenet_v1_0.25_224/model.json')));
  await trainBench('trainMobileNetFrozen128', detectorPreset('mobilenet', { numClasses: 2, inputSize: 128 }), 4, 3, (m) => setBackboneTrainable(m, false), base);

  results.loadAverage1mEnd = +loadavg()[0].toFixed(2);
  mkdirSync(path.join(here, 'results'), { recursive: true });
  writeFileSync(path.join(here, 'results', 'detector.json'), JSON.stringify(results, null, 2) + '\n');
  const r = results as Record<string, any>;
  console.log([
    `decode+NMS 416: ${r.decodeNms416.wallMs} ms/image (${r.decodeNms416.imagesPerSecond}/s)`,
    `NMS 1000 boxes: ${r.nms1000.pureTs.wallMs} ms TS vs ${r.nms1000.tfImage.wallMs} ms tf.image`,
    `k-means 5000×k5: ${r.kmeans5000k5.wallMs} ms (avg IoU ${r.kmeans5000k5.avgIou})`,
    `augment 416: ${r.augment416.defaultPipeline.wallMs} ms/image`,
    `train tiny@96: ${r.trainTinyPreset96.trainImagesPerSecond} img/s, test-net@64: ${r.trainTinyTestNet64.trainImagesPerSecond} img/s, mobilenet frozen@128: ${r.trainMobileNetFrozen128.trainImagesPerSecond} img/s`,
    `load ${r.loadAverage1mStart} → ${r.loadAverage1mEnd} on ${r.cpus} cpus`,
  ].join('\n'));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
