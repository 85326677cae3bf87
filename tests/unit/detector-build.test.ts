import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { buildDetector, DetectorConfigError, detectorPreset, readDetectorMetadata, validateDetectorConfig, OUTPUT_LAYER_NAME, type DetectorConfig } from '../../shared/ml/detector';

const tinyConfig = (over: Partial<DetectorConfig> = {}): DetectorConfig => ({
  ...detectorPreset('tiny', { numClasses: 3, inputSize: 64 }),
  backbone: { kind: 'tiny', widths: [4, 4, 8, 8, 8] },
  ...over,
});

test('presets: grid = input/32, default anchors rescaled from the 13×13 YOLOv2 anchors', () => {
  const c = detectorPreset('darknet19', { numClasses: 2, accelerated: true });
  assert.equal(c.inputSize, 416);
  assert.deepEqual(c.anchors[0], [1.3221, 1.73145]);
  const cpu = detectorPreset('tiny', { numClasses: 2 });
  assert.equal(cpu.inputSize, 224);
  assert.ok(Math.abs(cpu.anchors[4][0] - (11.2364 * 7) / 13) < 1e-9);
});

test('config validation lists every problem', () => {
  assert.throws(() => detectorPreset('tiny', { numClasses: 2, inputSize: 100 }), /multiple of 32, got 100/);
  try {
    validateDetectorConfig({ ...tinyConfig(), numClasses: 0, anchors: [[1, -1]], backbone: { kind: 'tiny', widths: [4, 4] } });
    assert.fail('should throw');
  } catch (e) {
    assert.ok(e instanceof DetectorConfigError);
    assert.equal(e.problems.length, 3, e.problems.join(' | '));
  }
  assert.throws(() => buildDetector({ ...tinyConfig(), backbone: { kind: 'mobilenet', cutLayer: 'conv_pw_13_relu', freezeEpochs: 1, foldBatchNorm: true } }), /needs the pretrained model/);
});

test('tiny detector: output [batch, grid, grid, A·(5+C)], objectness bias initialised', () => {
  const config = tinyConfig();
  const model = buildDetector(config);
  assert.deepEqual(model.outputs[0].shape, [null, 2, 2, 5 * 8]);
  const out = model.predict(tf.zeros([2, 64, 64, 3])) as tf.Tensor;
  assert.deepEqual(out.shape, [2, 2, 2, 40]);
  const bias = model.getLayer(OUTPUT_LAYER_NAME).getWeights()[1].dataSync();
  for (let a = 0; a < 5; a++) assert.equal(bias[a * 8 + 4], -4);
  assert.equal(bias[0], 0);
  model.dispose();
});

test('darknet19 detector builds with the YOLOv2 layer structure (width-scaled)', () => {
  const config: DetectorConfig = { ...detectorPreset('darknet19', { numClasses: 1, inputSize: 64 }), backbone: { kind: 'darknet19', widthMultiplier: 1 / 16 }, head: { neckFilters: [16], objectnessBiasInit: -4 } };
  const model = buildDetector(config);
  const convs = model.layers.filter((l) => l.getClassName() === 'Conv2D');
  assert.equal(convs.length, 18 + 1 + 1, '18 Darknet-19 convs, 1 neck conv, 1 output conv');
  assert.equal(model.layers.filter((l) => l.getClassName() === 'MaxPooling2D').length, 5);
  assert.deepEqual(model.outputs[0].shape, [null, 2, 2, 30]);
  model.dispose();
});

test('the config travels in the saved model and comes back on load', async () => {
  const config = tinyConfig({ anchors: [[0.7, 0.9], [1.5, 1.2]] });
  const model = buildDetector(config);
  let saved: tf.io.ModelArtifacts | undefined;
  await model.save(tf.io.withSaveHandler(async (a) => { saved = a; return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } }; }));
  const loaded = await tf.loadLayersModel(tf.io.fromMemory(saved!));
  assert.deepEqual(readDetectorMetadata(loaded), config);
  const x = tf.randomUniform([1, 64, 64, 3], 0, 255);
  const a = (model.predict(x) as tf.Tensor).dataSync();
  const b = (loaded.predict(x) as tf.Tensor).dataSync();
  assert.ok(a.every((v, i) => Math.abs(v - b[i]) < 1e-5));
  model.dispose();
  loaded.dispose();
});
