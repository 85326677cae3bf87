/**
 * tfjs → ONNX for every detector and classifier preset, untrained (seeded weights, BatchNorm
 * statistics set away from 0/1 so folding them is tested), at small input sizes: the ONNX model
 * in onnxruntime-web gives the tfjs outputs within 1e-5, same shape. darknet19 is built at a
 * quarter of its width to stay small. Layers without a conversion are refused by class name.
 */
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import * as ort from 'onnxruntime-web';
import onnxProto from 'onnx-proto';
import { fileModelHandler } from '../../main/training/model-cache';
import { buildDetector } from '../../shared/ml/detector/build';
import { detectorPreset, type DetectorConfig } from '../../shared/ml/detector/config';
import { buildClassifierPreset, type ClassifierPresetName } from '../../shared/ml/classifier/presets';
import { buildEmbeddingClassifier } from '../../shared/ml/classifier/embedding';
import { tfjsToOnnx, UnsupportedLayerError } from '../../main/export/onnx/tfjs-to-onnx';
import { loadPretrainedNanodet } from '../../main/training/pretrained-nanodet';

const MOBILENET = resolve(import.meta.dirname, '../../../shared/models/mobilenet_v1_0.25_224/model.json');
const NANODET = resolve(import.meta.dirname, '../../../shared/models/nanodet-m-416-coco');
let base: tf.LayersModel;

before(async () => {
  await tf.setBackend('cpu');
  ort.env.wasm.numThreads = 1;
  base = await tf.loadLayersModel(fileModelHandler(MOBILENET));
});

/** Moving statistics and affine BatchNorm weights away from their initial 0/1 (seeded). */
function perturbBatchNorms(model: tf.LayersModel): void {
  let seed = 1;
  for (const l of model.layers) {
    if (l.getClassName() !== 'BatchNormalization') continue;
    l.setWeights(l.getWeights().map((w, i) => (i === 3 ? tf.randomUniform(w.shape, 0.5, 2, 'float32', seed++) : tf.randomNormal(w.shape, 0, 0.3, 'float32', seed++))));
  }
}

async function expectSameOutputs(model: tf.LayersModel, batch: number): Promise<number> {
  const shape = [batch, ...(model.inputs[0].shape.slice(1) as number[])];
  const n = shape.reduce((a, b) => a * b, 1);
  const input = Float32Array.from({ length: n }, (_, i) => (i * 2654435761) % 256);
  const exported = tfjsToOnnx(model);
  assert.equal(exported.opset, 17);
  const session = await ort.InferenceSession.create(exported.bytes);
  const out = (await session.run({ [exported.input.name]: new ort.Tensor('float32', input, shape) }))[exported.output.name];
  await session.release();
  const ref = model.predict(tf.tensor(input, shape)) as tf.Tensor;
  assert.deepEqual(out.dims.map(Number), ref.shape, 'same output shape and layout');
  const a = ref.dataSync();
  ref.dispose();
  const b = out.data as Float32Array;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff = Math.max(diff, Math.abs(a[i] - b[i]));
  assert.ok(diff <= 1e-5, `max |onnx − tfjs| ${diff}`);
  return exported.foldedBatchNorms;
}

const detectors: [string, DetectorConfig][] = [
  ['tiny', detectorPreset('tiny', { numClasses: 3, inputSize: 64 })],
  ['darknet19 (width × 0.25)', { ...detectorPreset('darknet19', { numClasses: 3, inputSize: 64 }), backbone: { kind: 'darknet19', widthMultiplier: 0.25 }, head: { neckFilters: [64], objectnessBiasInit: -4 } }],
  ['mobilenet', detectorPreset('mobilenet', { numClasses: 3, inputSize: 96 })],
  ['mobilenet-fpn', detectorPreset('mobilenet-fpn', { numClasses: 3, inputSize: 96 })],
];

for (const [name, config] of detectors) {
  test(`detector preset ${name}: ONNX outputs = tfjs outputs, BatchNorm folded`, async () => {
    const model = buildDetector(config, { seed: 7, pretrained: base });
    perturbBatchNorms(model);
    const bns = model.layers.filter((l) => l.getClassName() === 'BatchNormalization').length;
    assert.equal(await expectSameOutputs(model, 2), bns, 'every BatchNorm folded into its conv');
    model.dispose();
  });
}

test('detector preset nanodet-m (COCO NanoDet weights; shuffle via Permute + Cropping2D): ONNX outputs = tfjs outputs', async () => {
  const { weights } = await loadPretrainedNanodet(NANODET);
  const model = buildDetector(detectorPreset('nanodet-m', { numClasses: 3, inputSize: 64 }), { seed: 7, nanodet: weights });
  weights.dispose();
  assert.ok(model.layers.some((l) => l.getClassName() === 'Permute') && model.layers.some((l) => l.getClassName() === 'Cropping2D'));
  assert.equal(await expectSameOutputs(model, 2), 0, 'no BatchNorm: the graph had them folded');
  model.dispose();
});

for (const name of ['fashion-mnist-cnn', 'sports-cnn', 'deep-cnn'] as ClassifierPresetName[]) {
  test(`classifier preset ${name}: ONNX probabilities = tfjs probabilities`, async () => {
    const model = buildClassifierPreset(name, { numClasses: 4, seed: 3, compile: false, rescale: 1 / 255 });
    await expectSameOutputs(model, 3);
    model.dispose();
  });
}

test('classifier preset mobilenet-embeddings: ONNX probabilities = tfjs probabilities', async () => {
  const { full } = buildEmbeddingClassifier(base, { inputShape: [64, 64, 3], numClasses: 3, seed: 2 });
  await expectSameOutputs(full, 2);
});

test('a model is written with onnx-proto and reads back; value names stay unique; a layer without a conversion is refused by name', () => {
  const model = buildClassifierPreset('sports-cnn', { numClasses: 2, seed: 1, compile: false });
  const decoded = onnxProto.onnx.ModelProto.decode(tfjsToOnnx(model).bytes);
  assert.equal(decoded.producerName, 'detecta-studio');
  assert.deepEqual(decoded.opsetImport.map((o) => [o.domain, Number(o.version)]), [['', 17]]);
  assert.ok((decoded.graph?.node ?? []).some((n) => n.opType === 'LeakyRelu'));
  const odd = tf.sequential({ layers: [tf.layers.simpleRNN({ units: 2, inputShape: [3, 2] })] });
  const named = tf.sequential({ layers: [tf.layers.leakyReLU({ inputShape: [3], name: 'input' }), tf.layers.leakyReLU({ name: 'output' })] });
  const graph = onnxProto.onnx.ModelProto.decode(tfjsToOnnx(named).bytes).graph!;
  const produced = (graph.node ?? []).flatMap((n) => n.output ?? []);
  assert.equal(new Set(produced).size, produced.length, 'layers named output / input do not clash with the graph\'s names');
  assert.throws(() => tfjsToOnnx(odd), (e: unknown) => e instanceof UnsupportedLayerError && /SimpleRNN/.test(e.message));
});
