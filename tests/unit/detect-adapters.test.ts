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

async function runZoo(id: string, image: RgbImage): Promise<{ dets: Detection[]; meta: AdapterMetadata }> {
  const entry = detectorZooEntry(id);
  const [folder, json] = entry.modelPath.split('/');
  const model = await tf.loadGraphModel(fileHandler(`${models}${folder}/`, json));
  const meta = entry.adapter;
  const fitted = fitToInput(image, meta.inputSize, { mode: meta.resize });
  const input = tf.tensor(packInput(fitted.image, meta), meta.layout === 'NCHW' ? [1, 3, meta.inputSize, meta.inputSize] : [1, meta.inputSize, meta.inputSize, 3]);
  const names = meta.decoder.kind === 'topk-boxes' ? [meta.decoder.output] : model.outputs.map((o) => o.name);
  const r = model.execute(input, names);
  const outs = Array.isArray(r) ? r : [r];
  const raws: RawOutput[] = await Promise.all(outs.map(async (t, i) => ({ name: names[i], shape: t.shape, data: (await t.data()) as Float32Array })));
  tf.dispose([input, ...outs]);
  model.dispose();
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
