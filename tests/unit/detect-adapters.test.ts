/**
 * Model adapters on the real ready-made detectors: CenterNet (decoding inside the model) and
 * NanoDet (GFL grid decoding here) find the dog, bicycle and car of darknet's dog.jpg where their
 * SOURCE.md says; plus the pure pieces (fitRect = fitToInput, packInput layouts).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import * as tf from '@tensorflow/tfjs';
import { initWasmBackendForNode } from '../../main/training/wasm-kernels/node-init';
import { detectorZooEntry } from '../../shared/ml/model-zoo';
import { fitRect, packInput, decodeOutputs, type RawOutput, type AdapterMetadata } from '../../shared/ml/adapters';
import { inputShape } from '../../shared/ml/adapters/input';
import { isNanodetCocoAdapter, nanodetLayersFromGraph } from '../../shared/ml/adapters/nanodet-layers';
import { fitToInput, type RgbImage } from '../../shared/ml/preprocess';
import type { Detection } from '../../shared/ml/detector/box';

const models = fileURLToPath(new URL('../../../shared/models/', import.meta.url));
const dogJpg = fileURLToPath(new URL('../../../shared/datasets/image-fixtures/darknet-samples/dog.jpg', import.meta.url));

async function readRgb(file: string): Promise<RgbImage> {
  const { data, info } = await sharp(file).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, data: new Uint8Array(data) };
}

function fileHandler(dir: string, json: string): tf.io.IOHandler {
  return {
    load: async () => {
      const modelJson = JSON.parse(readFileSync(dir + json, 'utf8')) as tf.io.ModelJSON;
      return tf.io.getModelArtifactsForJSON(modelJson, async (manifest) => {
        const bufs = manifest.flatMap((g) => g.paths).map((p) => { const b = readFileSync(dir + p); return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer; });
        return [tf.io.getWeightSpecs(manifest), tf.io.concatenateArrayBuffers(bufs)];
      });
    },
  };
}

function zooArtifacts(id: string): Promise<tf.io.ModelArtifacts> {
  const [folder, json] = detectorZooEntry(id).modelPath.split('/');
  return fileHandler(`${models}${folder}/`, json).load!();
}

/** A zoo detector on an image: its GraphModel as it is, or (asLayers) NanoDet-m rebuilt as layers, as the Detect view runs it. */
async function runZoo(id: string, image: RgbImage, asLayers = false): Promise<{ dets: Detection[]; meta: AdapterMetadata }> {
  const artifacts = await zooArtifacts(id);
  const nano = asLayers ? nanodetLayersFromGraph(artifacts, detectorZooEntry(id).adapter) : null;
  const model = nano ? null : await tf.loadGraphModel(tf.io.fromMemory(artifacts));
  const meta = nano?.adapter ?? detectorZooEntry(id).adapter;
  const fitted = fitToInput(image, meta.inputSize, { mode: meta.resize });
  const input = tf.tensor(packInput(fitted.image, meta), inputShape(meta));
  const names = meta.decoder.kind === 'topk-boxes' ? [meta.decoder.output] : model?.outputs.map((o) => o.name) ?? [];
  const r = nano ? nano.forward(input) : model!.execute(input, names);
  const outs = Array.isArray(r) ? r : [r];
  const raws: RawOutput[] = await Promise.all(outs.map(async (t, i) => ({ name: names[i] ?? `output_${i}`, shape: t.shape, data: (await t.data()) as Float32Array })));
  tf.dispose([input, ...outs]);
  model?.dispose();
  nano?.layers.dispose();
  const dets = decodeOutputs(meta, raws, { transform: fitted.transform, imageSize: image }, { scoreThreshold: meta.defaultScore, iouThreshold: meta.defaultIou });
  return { dets, meta };
}

function expectBox(dets: Detection[], meta: AdapterMetadata, label: string, box: [number, number, number, number], tol: number): void {
  const hit = dets.find((d) => meta.labels[d.classId] === label && Math.abs(d.x1 - box[0]) <= tol && Math.abs(d.y1 - box[1]) <= tol && Math.abs(d.x2 - box[2]) <= tol && Math.abs(d.y2 - box[3]) <= tol);
  assert.ok(hit, `${label} near [${box}] not in ${JSON.stringify(dets.map((d) => [meta.labels[d.classId], Math.round(d.score * 100) / 100, Math.round(d.x1), Math.round(d.y1), Math.round(d.x2), Math.round(d.y2)]))}`);
}

test('fitRect matches fitToInput for letterbox and stretch', () => {
  const img: RgbImage = { width: 768, height: 576, data: new Uint8Array(768 * 576 * 3) };
  for (const mode of ['letterbox', 'stretch'] as const) {
    assert.deepEqual(fitRect(768, 576, 416, mode).transform, fitToInput(img, 416, { mode }).transform);
  }
  assert.deepEqual(fitRect(768, 576, 416, 'letterbox'), { transform: { scaleX: 416 / 768, scaleY: 312 / 576, offsetX: 0, offsetY: 52 }, x: 0, y: 52, width: 416, height: 312 });
});

test('packInput: BGR mean/std NCHW, plain RGB NHWC, and RGBA pixels', () => {
  const img: RgbImage = { width: 2, height: 2, data: new Uint8Array([10, 20, 30, 40, 50, 60, 70, 80, 90, 100, 110, 120]) };
  const nchw = packInput(img, { inputSize: 2, layout: 'NCHW', channels: 'BGR', mean: [1, 2, 3], std: [1, 2, 4] });
  assert.deepEqual(Array.from(nchw), [29, 59, 89, 119, 9, 24, 39, 54, 7 / 4, 37 / 4, 67 / 4, 97 / 4]);
  const nhwc = packInput(img, { inputSize: 2, layout: 'NHWC', channels: 'RGB', mean: [0, 0, 0], std: [1, 1, 1] });
  assert.deepEqual(Array.from(nhwc), Array.from(img.data));
  // canvas ImageData (RGBA): the alpha values are skipped, the result is the RGB one
  const rgba = { width: 2, height: 2, data: new Uint8ClampedArray([10, 20, 30, 255, 40, 50, 60, 0, 70, 80, 90, 7, 100, 110, 120, 255]) };
  assert.deepEqual(Array.from(packInput(rgba, { inputSize: 2, layout: 'NCHW', channels: 'BGR', mean: [1, 2, 3], std: [1, 2, 4] })), Array.from(nchw));
  assert.throws(() => packInput(img, { inputSize: 3, layout: 'NHWC', channels: 'RGB', mean: [0, 0, 0], std: [1, 1, 1] }), /expected a 3x3 RGB or RGBA image/);
});

test('CenterNet and NanoDet adapters find the dog, bicycle and car in dog.jpg', async () => {
  assert.ok(await initWasmBackendForNode(), 'wasm backend');
  const image = await readRgb(dogJpg);
  const c = await runZoo('centernet-mobilenetv3-coco', image);
  expectBox(c.dets, c.meta, 'dog', [125, 208, 313, 542], 12);
  expectBox(c.dets, c.meta, 'bicycle', [109, 122, 564, 445], 12);
  expectBox(c.dets, c.meta, 'car', [473, 81, 683, 165], 12);
  const n = await runZoo('nanodet-m-416-coco', image);
  expectBox(n.dets, n.meta, 'dog', [126, 214, 344, 545], 12);
  expectBox(n.dets, n.meta, 'bicycle', [124, 130, 568, 459], 20);
  expectBox(n.dets, n.meta, 'car', [465, 79, 689, 167], 12);
  assert.ok(n.dets.length <= 5, `NanoDet at its default threshold gives a handful of boxes, got ${n.dets.length}`);
});

test('NanoDet-m rebuilt as NHWC layers (what the Detect view runs) gives the GraphModel\'s detections on dog.jpg, with no tensor left behind', async () => {
  assert.ok(await initWasmBackendForNode(), 'wasm backend');
  const image = await readRgb(dogJpg);
  const graph = await runZoo('nanodet-m-416-coco', image);
  const before = tf.memory().numTensors;
  const layers = await runZoo('nanodet-m-416-coco', image, true);
  assert.equal(tf.memory().numTensors, before, 'building, running and disposing the layers form leaves no tensor');
  assert.equal(layers.dets.length, graph.dets.length, `same number of boxes: ${layers.dets.length} vs ${graph.dets.length}`);
  for (const g of graph.dets) {
    const d = layers.dets.find((l) => l.classId === g.classId && Math.abs(l.x1 - g.x1) <= 1 && Math.abs(l.y1 - g.y1) <= 1 && Math.abs(l.x2 - g.x2) <= 1 && Math.abs(l.y2 - g.y2) <= 1);
    assert.ok(d, `${graph.meta.labels[g.classId]} [${[g.x1, g.y1, g.x2, g.y2].map(Math.round)}] of the graph is among the layers' boxes`);
    assert.ok(Math.abs(d.score - g.score) < 0.005, `${graph.meta.labels[g.classId]}: score ${d.score} vs ${g.score}`);
  }
  expectBox(layers.dets, layers.meta, 'dog', [126, 214, 344, 545], 12);
  // only NanoDet-m's adapter is rebuilt; another graph under its adapter is refused with the reason
  assert.equal(isNanodetCocoAdapter(detectorZooEntry('centernet-mobilenetv3-coco').adapter), false);
  assert.throws(() => nanodetLayersFromGraph(graphLike(), detectorZooEntry('nanodet-m-416-coco').adapter), /no Conv2D or DepthwiseConv2dNative nodes/);
});

/** A graph model's artifacts with no convolution in it. */
function graphLike(): tf.io.ModelArtifacts {
  return { format: 'graph-model', modelTopology: { node: [{ name: 'x', op: 'Placeholder' }] }, weightSpecs: [], weightData: new ArrayBuffer(0) };
}
