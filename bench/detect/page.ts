/**
 * Browser side of bench/detect.bench.ts: the renderer's own detection path (renderer/detect/backends,
 * run-frame, adapters decode, draw) on a tiny-preset detector built in the page, or on NanoDet-m,
 * the model zoo's GraphModel (as the Detect view runs it), served by the bench from ../shared/models.
 * Exposes window.detectBench(backend, inputSize, frames, model) → timings.
 */
import * as tf from '@tensorflow/tfjs';
import { getThreadsCount } from '@tensorflow/tfjs-backend-wasm';
import { useBackend, type BackendName } from '../../renderer/detect/backends';
import { runFrame } from '../../renderer/detect/run-frame';
import { drawDetections } from '../../renderer/detect/draw';
import { graphDetector, loadModel, type LoadedDetector } from '../../renderer/detect/load-model';
import { buildDetector, detectorPreset } from '../../shared/ml/detector';
import { detectaAdapter } from '../../shared/ml/adapters/metadata';
import { decodeOutputs } from '../../shared/ml/adapters/decode';
import { detectorZooEntry } from '../../shared/ml/model-zoo';

/** nanodet-m: as the Detect view loads it (rebuilt as NHWC layers); nanodet-m-graph: the converted NCHW GraphModel as it is. */
export type BenchModel = 'tiny' | 'nanodet-m' | 'nanodet-m-graph';

declare global { interface Window { detectBench: typeof detectBench } }

function sourceFrame(i: number): HTMLCanvasElement {
  const c = document.createElement('canvas');
  c.width = 640;
  c.height = 480;
  const ctx = c.getContext('2d')!;
  ctx.fillStyle = '#777';
  ctx.fillRect(0, 0, 640, 480);
  ctx.fillStyle = i % 2 ? '#c33' : '#33c';
  ctx.fillRect(100 + (i % 50) * 4, 120, 120, 90);
  return c;
}

async function tinyDetector(inputSize: number): Promise<LoadedDetector> {
  const config = detectorPreset('tiny', { numClasses: 20, inputSize });
  const layers = buildDetector(config);
  return { task: 'detect', title: 'tiny', adapter: detectaAdapter('tiny', inputSize, 'letterbox', Array.from({ length: 20 }, (_, i) => `c${i}`)), detector: config, layers, dispose: () => layers.dispose() };
}

/** NanoDet-m from the model zoo (its own input size, 416): through the Detect view's loader, or the GraphModel as it is. */
async function nanodet(asGraph: boolean): Promise<LoadedDetector> {
  const entry = detectorZooEntry('nanodet-m-416-coco');
  if (asGraph) return graphDetector(entry.title, entry.adapter, await tf.loadGraphModel(`/models/${entry.modelPath}`));
  const model = await loadModel({ title: entry.title, modelJson: `/models/${entry.modelPath}`, format: 'graph', adapter: entry.adapter, urlOf: (p) => p });
  if (model.task !== 'detect') throw new Error('NanoDet-m loaded as a classifier');
  return model;
}

async function detectBench(backend: BackendName, inputSize: number, frames: number, which: BenchModel = 'tiny'): Promise<Record<string, unknown>> {
  const used = await useBackend(backend);
  const model = which === 'tiny' ? await tinyDetector(inputSize) : await nanodet(which === 'nanodet-m-graph');
  const overlay = document.createElement('canvas');
  overlay.width = 640;
  overlay.height = 480;
  const octx = overlay.getContext('2d')!;
  const srcs = [sourceFrame(0), sourceFrame(1)];
  const settings = { scoreThreshold: 0.25, iouThreshold: 0.45 };
  const one = async (i: number): Promise<{ inferMs: number; totalMs: number; boxes: number }> => {
    const t0 = performance.now();
    const raw = await runFrame(model, srcs[i % 2]!, 640, 480);
    const dets = decodeOutputs(model.adapter, raw.outputs, raw.geometry, settings, model.detector);
    octx.clearRect(0, 0, 640, 480);
    drawDetections(octx, dets, model.adapter.labels);
    return { inferMs: raw.inferMs, totalMs: performance.now() - t0, boxes: dets.length };
  };
  const warm = [];
  for (let i = 0; i < 2; i++) warm.push(await one(i));
  const tensorsBefore = tf.memory().numTensors;
  const infer: number[] = [];
  const t0 = performance.now();
  for (let i = 0; i < frames; i++) infer.push((await one(i)).inferMs);
  const wall = performance.now() - t0;
  const tensorsAfter = tf.memory().numTensors;
  model.dispose();
  infer.sort((a, b) => a - b);
  return {
    model: which, runsAs: model.forward || model.layers ? 'layers' : 'graph', backend: used, inputSize: model.adapter.inputSize, frames,
    ...(used === 'wasm' ? { wasmThreads: getThreadsCount() } : {}),
    firstFrameMs: +warm[0]!.totalMs.toFixed(1),
    inferMsMedian: +infer[Math.floor(infer.length / 2)]!.toFixed(2),
    inferMsMean: +(infer.reduce((a, b) => a + b, 0) / infer.length).toFixed(2),
    endToEndFps: +(frames / (wall / 1000)).toFixed(2),
    tensorsBefore, tensorsAfter,
  };
}

window.detectBench = detectBench;
