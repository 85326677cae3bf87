/**
 * MobileNet transfer-learning backbone: cut at a named layer, BatchNorm folded without changing the
 * function, YOLO head attached, freeze / unfreeze respected by the training step.
 */
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { fileModelHandler } from '../../main/training/model-cache';
import { buildDetector, detectorPreset, encodeBatchTargets, gridSpecOf, OUTPUT_LAYER_NAME, trainStep, type DetectorConfig } from '../../shared/ml/detector';
import { countTrainableParams, loadMobileNet, setBackboneTrainable } from '../../shared/ml/backbone';

const MODEL_JSON = path.resolve(import.meta.dirname, '../../../shared/models/mobilenet_v1_0.25_224/model.json');
let base: tf.LayersModel;

before(async () => {
  await tf.setBackend('cpu');
  base = await loadMobileNet(fileModelHandler(MODEL_JSON));
});

const mobileConfig = (over: Partial<DetectorConfig['backbone']> = {}, inputSize = 128): DetectorConfig => {
  const c = detectorPreset('mobilenet', { numClasses: 2, inputSize });
  return { ...c, backbone: { ...(c.backbone as Extract<DetectorConfig['backbone'], { kind: 'mobilenet' }>), ...over } as DetectorConfig['backbone'] };
};

test('folded backbone computes the same features as the pretrained model', () => {
  for (const foldBatchNorm of [true, false]) {
    const det = buildDetector(mobileConfig({ cutLayer: 'conv_pw_11_relu', foldBatchNorm }, 224), { pretrained: base });
    if (foldBatchNorm) assert.equal(det.layers.filter((l) => l.getClassName() === 'BatchNormalization' && !l.name.startsWith('yolo_')).length, 0);
    const ours = tf.model({ inputs: det.inputs, outputs: det.getLayer('conv_pw_11_relu').output as tf.SymbolicTensor });
    const theirs = tf.model({ inputs: base.inputs, outputs: base.getLayer('conv_pw_11_relu').output as tf.SymbolicTensor });
    const pixels = tf.randomUniform([1, 224, 224, 3], 0, 255, 'float32', 3);
    const a = (ours.predict(pixels) as tf.Tensor).dataSync();
    const b = (theirs.predict(pixels.div(127.5).sub(1)) as tf.Tensor).dataSync();
    assert.equal(a.length, 14 * 14 * 128);
    let maxDiff = 0, maxAbs = 0;
    for (let i = 0; i < a.length; i++) { maxDiff = Math.max(maxDiff, Math.abs(a[i] - b[i])); maxAbs = Math.max(maxAbs, Math.abs(b[i])); }
    assert.ok(maxAbs > 0.5, 'features are not trivially zero');
    assert.ok(maxDiff < 1e-3 * maxAbs, `fold=${foldBatchNorm}: max diff ${maxDiff} of ${maxAbs}`);
    det.dispose();
  }
});

test('cut points give grid = input/32 (stride-16 cut gets a stride-2 conv); unknown cuts are explained', () => {
  const d32 = buildDetector(mobileConfig({ cutLayer: 'conv_pw_13_relu' }), { pretrained: base });
  assert.deepEqual(d32.outputs[0].shape, [null, 4, 4, 5 * 7]);
  const d16 = buildDetector(mobileConfig({ cutLayer: 'conv_pw_11_relu' }), { pretrained: base });
  assert.deepEqual(d16.outputs[0].shape, [null, 4, 4, 5 * 7]);
  assert.ok(d16.getLayer('yolo_downsample_conv'));
  assert.throws(() => buildDetector(mobileConfig({ cutLayer: 'conv_pw_99_relu' }), { pretrained: base }), /no layer named 'conv_pw_99_relu'.*conv_pw_13_relu/);
  assert.throws(() => buildDetector(mobileConfig({ cutLayer: 'conv_pw_5_relu' }), { pretrained: base }), /stride 8/);
  d32.dispose();
  d16.dispose();
});

test('a frozen backbone stays put while the head trains; unfreezing from a layer opens only the top', async () => {
  const config = mobileConfig({ cutLayer: 'conv_pw_13_relu' }, 96);
  const det = buildDetector(config, { pretrained: base });
  const all = countTrainableParams(det);
  setBackboneTrainable(det, false);
  const headOnly = countTrainableParams(det);
  assert.ok(headOnly > 0 && headOnly < all);
  assert.ok(det.trainableWeights.every((w) => w.originalName.startsWith('yolo_')), 'only head weights train');

  const backboneKernel = () => det.getLayer('conv_pw_13').getWeights()[0].dataSync().slice();
  const headKernel = () => det.getLayer(OUTPUT_LAYER_NAME).getWeights()[0].dataSync().slice();
  const [bk0, hk0] = [backboneKernel(), headKernel()];
  const spec = gridSpecOf(config);
  const images = tf.randomUniform([2, 96, 96, 3], 0, 255, 'float32', 5) as tf.Tensor4D;
  const targets = encodeBatchTargets([[{ x1: 10, y1: 20, x2: 60, y2: 80, classId: 1 }], []], spec, 2);
  const optimizer = tf.train.adam(0.01);
  await trainStep(det, optimizer, images, targets, spec);
  assert.deepEqual(backboneKernel(), bk0, 'frozen backbone unchanged');
  assert.notDeepEqual(headKernel(), hk0, 'head updated');

  const changed = setBackboneTrainable(det, true, { fromLayer: 'conv_dw_13' });
  assert.equal(changed, 2, 'conv_dw_13 and conv_pw_13 (BatchNorm folded into them)');
  await assert.rejects(trainStep(det, optimizer, images, targets, spec), /create a new optimizer/);
  await trainStep(det, tf.train.adam(0.001), images, targets, spec);
  assert.notDeepEqual(backboneKernel(), bk0, 'unfrozen top layer trains');
  assert.equal(countTrainableParams(det) > headOnly, true);
  setBackboneTrainable(det, true);
  assert.equal(countTrainableParams(det), all);
  tf.dispose([images, targets.target, targets.trueBoxes]);
  det.dispose();
});
