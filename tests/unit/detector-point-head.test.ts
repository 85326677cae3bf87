// The anchor-free point head end to end: model shapes (tiny and MobileNet backbones), layer naming
// for freezing, config in the model metadata and its validation, decoding of the raw output, and
// a short learning check (on the wasm backend: the cpu backend takes ~13 s per step here).
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { fileModelHandler } from '../../main/training/model-cache';
import { selectBackend } from '../../main/training/backend';
import { buildDetector, DetectorConfigError, detectorPreset, imagesToTensor, optimizeStep, readDetectorMetadata, syntheticScene, validateDetectorConfig, writeDetectorMetadata, type DetectorConfig } from '../../shared/ml/detector';
import { pointHeadFor, type PointHeadConfig } from '../../shared/ml/detector/config';
import { decodePointOutput, pointCount, pointSpecOf, valuesPerPoint, type PointSpec } from '../../shared/ml/detector/points';
import { POINT_OUTPUT_LAYER_NAME } from '../../shared/ml/detector/point-head';
import { disposePointTargets, encodePointTargets, pointLossTerms } from '../../shared/ml/detector/point-loss';
import { countTrainableParams, loadMobileNet, setBackboneTrainable } from '../../shared/ml/backbone';
import { fitToInput } from '../../shared/ml/preprocess';

const MODEL_JSON = path.resolve(import.meta.dirname, '../../../shared/models/mobilenet_v1_0.25_224/model.json');

before(async () => {
  await tf.setBackend('cpu');
});

/** Tiny backbone (stride-8 features from its 4th conv, 16 from the 5th, 32 from the 6th) and a small point head. */
function tinyPointConfig(inputSize: number, head: Partial<PointHeadConfig> = {}, numClasses = 2): DetectorConfig {
  return {
    inputSize,
    numClasses,
    anchors: [],
    resizeMode: 'letterbox',
    backbone: { kind: 'tiny', widths: [8, 16, 16, 32, 32, 32] },
    head: { ...pointHeadFor(inputSize), width: 16, towerConvs: 1, ...head },
  };
}

test('tiny backbone + point head: output [null, N, C + 4R], N = Σ (96/s)²; per-level layers have the level\'s grid', () => {
  const config = tinyPointConfig(96);
  assert.equal((config.head as PointHeadConfig).regBins, 8, 'pointHeadFor(96): max(8, ⌈96/64⌉ + 1)');
  const model = buildDetector(config, { seed: 3 });
  const F = 2 + 4 * 8;
  assert.deepEqual(model.outputs[0].shape, [null, 144 + 36 + 9, F]);
  assert.equal(model.outputs[0].sourceLayer.name, POINT_OUTPUT_LAYER_NAME);
  for (const [s, g, channels] of [[8, 12, 32], [16, 6, 32], [32, 3, 32]] as const) {
    assert.deepEqual(model.getLayer(`yolo_flat_s${s}`).outputShape, [null, g * g, F], `yolo_flat_s${s}`);
    assert.deepEqual(model.getLayer(`yolo_out_s${s}`).outputShape, [null, g, g, F], `yolo_out_s${s}`);
    assert.deepEqual(model.getLayer(`yolo_cls_out_s${s}`).outputShape, [null, g, g, 2]);
    assert.deepEqual(model.getLayer(`yolo_reg_out_s${s}`).outputShape, [null, g, g, 32]);
    // the lateral conv takes the backbone feature of that stride
    assert.deepEqual((model.getLayer(`yolo_lat_s${s}_conv`).input as tf.SymbolicTensor).shape, [null, g, g, channels], `input of yolo_lat_s${s}`);
    assert.deepEqual(model.getLayer(`yolo_lat_s${s}_conv`).outputShape, [null, g, g, 16], 'neck width');
    // class bias starts at clsBiasInit
    assert.deepEqual(Array.from(model.getLayer(`yolo_cls_out_s${s}`).getWeights()[1]!.dataSync()), [-4.6, -4.6].map(Math.fround));
  }
  assert.ok(model.getLayer('yolo_cls1_s8_dw'), 'one tower conv');
  assert.throws(() => model.getLayer('yolo_cls2_s8_dw'));
  const out = tf.tidy(() => (model.predict(tf.randomUniform([2, 96, 96, 3], 0, 255, 'float32', 1)) as tf.Tensor).arraySync() as number[][][]);
  assert.equal(out.length, 2);
  assert.equal(out[0]!.length, 189);
  assert.equal(out[0]![0]!.length, F);
  // at init the class logits sit near the bias (kernel std 0.01)
  const cls = out.flatMap((img) => img.flatMap((p) => p.slice(0, 2)));
  assert.ok(cls.every((v) => Math.abs(v + 4.6) < 0.5), `class logits ${Math.min(...cls)} … ${Math.max(...cls)}`);
  model.dispose();
});

test('point head on strides [16, 32] only, and on [32] alone', () => {
  const m = buildDetector(tinyPointConfig(96, { strides: [16, 32] }));
  assert.deepEqual(m.outputs[0].shape, [null, 36 + 9, 34]);
  assert.throws(() => m.getLayer('yolo_flat_s8'));
  assert.deepEqual(m.getLayer('yolo_flat_s16').outputShape, [null, 36, 34]);
  assert.deepEqual(m.getLayer('yolo_flat_s32').outputShape, [null, 9, 34]);
  assert.deepEqual((m.getLayer('yolo_lat_s16_conv').input as tf.SymbolicTensor).shape, [null, 6, 6, 32]);
  assert.deepEqual(tf.tidy(() => (m.predict(tf.zeros([1, 96, 96, 3])) as tf.Tensor).shape), [1, 45, 34]);
  m.dispose();
  const one = buildDetector(tinyPointConfig(64, { strides: [32], regBins: 3 }, 1));
  assert.deepEqual(one.outputs[0].shape, [null, 4, 1 + 12]);
  one.dispose();
});

test('same seed, same initial weights', () => {
  const a = buildDetector(tinyPointConfig(64), { seed: 11 });
  const b = buildDetector(tinyPointConfig(64), { seed: 11 });
  const x = tf.randomUniform([1, 64, 64, 3], 0, 255, 'float32', 2);
  const [ya, yb] = [a, b].map((m) => (m.predict(x) as tf.Tensor).dataSync());
  assert.deepEqual(ya, yb);
  tf.dispose(x);
  a.dispose();
  b.dispose();
});

test('mobilenet-fpn at 128 px: output [null, 336, C + 32]; every neck/head layer is yolo_*, so freezing leaves exactly them trainable', async () => {
  const base = await loadMobileNet(fileModelHandler(MODEL_JSON));
  const config = detectorPreset('mobilenet-fpn', { numClasses: 2, inputSize: 128 });
  assert.deepEqual(config.anchors, []);
  assert.deepEqual(config.head, { kind: 'points', strides: [8, 16, 32], width: 64, towerConvs: 2, regBins: 8, clsBiasInit: -4.6 });
  assert.throws(() => buildDetector(config), /needs the pretrained model/);
  const model = buildDetector(config, { pretrained: base });
  assert.deepEqual(model.outputs[0].shape, [null, 256 + 64 + 16, 2 + 4 * 8]);
  // the taps: conv_pw_5_relu (stride 8, 64 channels at α 0.25), conv_pw_11_relu (16, 128), conv_pw_13_relu (32, 256)
  for (const [s, g, ch] of [[8, 16, 64], [16, 8, 128], [32, 4, 256]] as const) {
    assert.deepEqual((model.getLayer(`yolo_lat_s${s}_conv`).input as tf.SymbolicTensor).shape, [null, g, g, ch], `stride ${s} tap`);
    assert.deepEqual(model.getLayer(`yolo_flat_s${s}`).outputShape, [null, g * g, 34]);
  }
  const backboneNames = new Set(['image', 'pixel_scale', ...base.layers.map((l) => l.name)]);
  const added = model.layers.filter((l) => !backboneNames.has(l.name));
  assert.ok(added.length > 50, `${added.length} neck/head layers`);
  assert.deepEqual(added.filter((l) => !l.name.startsWith('yolo_')).map((l) => l.name), [], 'neck/head layers not named yolo_*');
  assert.ok(model.layers.filter((l) => l.name.startsWith('yolo_')).every((l) => !backboneNames.has(l.name)));

  const all = countTrainableParams(model);
  setBackboneTrainable(model, false);
  const headOnly = countTrainableParams(model);
  assert.ok(headOnly > 0 && headOnly < all, `${headOnly} of ${all}`);
  assert.ok(model.trainableWeights.every((w) => w.originalName.startsWith('yolo_')), 'only yolo_ weights train');
  const trainableLayers = new Set(model.trainableWeights.map((w) => w.originalName.split('/')[0]));
  for (const l of added) if (l.trainableWeights.length > 0) assert.ok(trainableLayers.has(l.name), `${l.name} frozen with the backbone`);
  setBackboneTrainable(model, true);
  assert.equal(countTrainableParams(model), all);

  const out = tf.tidy(() => (model.predict(tf.randomUniform([1, 128, 128, 3], 0, 255, 'float32', 4)) as tf.Tensor));
  assert.deepEqual(out.shape, [1, 336, 34]);
  assert.ok(out.dataSync().every(Number.isFinite));
  out.dispose();
  model.dispose();
  base.dispose();
});

test('the point config travels in the model metadata and through save/load', async () => {
  const config = tinyPointConfig(64, { strides: [16, 32], regBins: 5, clsBiasInit: -3 }, 3);
  const model = buildDetector(config, { seed: 5 });
  assert.deepEqual(readDetectorMetadata(model), config);
  let saved: tf.io.ModelArtifacts | undefined;
  await model.save(tf.io.withSaveHandler(async (a) => { saved = a; return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } }; }));
  const loaded = await tf.loadLayersModel(tf.io.fromMemory(saved!));
  const back = readDetectorMetadata(loaded);
  assert.deepEqual(back, config);
  assert.deepEqual(pointSpecOf(back), { inputSize: 64, strides: [16, 32], numClasses: 3, regBins: 5 });
  const x = tf.randomUniform([1, 64, 64, 3], 0, 255, 'float32', 6);
  const a = (model.predict(x) as tf.Tensor).dataSync();
  const b = (loaded.predict(x) as tf.Tensor).dataSync();
  assert.equal(a.length, (16 + 4) * (3 + 20));
  assert.ok(a.every((v, i) => Math.abs(v - b[i]!) < 1e-5));
  // an invalid config in the metadata is refused on read
  writeDetectorMetadata(loaded, { ...config, head: { ...(config.head as PointHeadConfig), regBins: 1 } });
  assert.throws(() => readDetectorMetadata(loaded), /regBins must be an integer ≥ 2, got 1/);
  tf.dispose(x);
  model.dispose();
  loaded.dispose();
});

test('validateDetectorConfig: the points head rejects darknet19, bad strides, regBins < 2', () => {
  const ok = tinyPointConfig(64);
  validateDetectorConfig(ok);
  validateDetectorConfig({ ...ok, head: { ...(ok.head as PointHeadConfig), regBins: 2, strides: [8, 32], towerConvs: 0 } });
  validateDetectorConfig(detectorPreset('mobilenet-fpn', { numClasses: 1, inputSize: 224 }));
  const head = ok.head as PointHeadConfig;
  const problems = (c: DetectorConfig): string[] => {
    try {
      validateDetectorConfig(c);
    } catch (e) {
      assert.ok(e instanceof DetectorConfigError);
      return e.problems;
    }
    return [];
  };
  assert.deepEqual(problems({ ...ok, backbone: { kind: 'darknet19', widthMultiplier: 0.25 } }), ['the point head takes a tiny or mobilenet backbone']);
  for (const strides of [[8, 24], [4, 8], [8, 8, 16], [], [64]]) {
    assert.deepEqual(problems({ ...ok, head: { ...head, strides } }), ['head.strides must be distinct values among 8, 16 and 32'], JSON.stringify(strides));
  }
  assert.deepEqual(problems({ ...ok, head: { ...head, strides: [32, 16] } }), ['head.strides must be increasing']);
  assert.deepEqual(problems({ ...ok, head: { ...head, regBins: 1 } }), ['head.regBins must be an integer ≥ 2, got 1']);
  assert.deepEqual(problems({ ...ok, head: { ...head, regBins: 4.5 } }), ['head.regBins must be an integer ≥ 2, got 4.5']);
  assert.deepEqual(problems({ ...ok, head: { ...head, width: 0, towerConvs: -1, clsBiasInit: Number.NaN } }).length, 3);
  // the YOLOv2 head still needs anchors; the points head takes none
  assert.deepEqual(problems({ ...ok, head: { neckFilters: [], objectnessBiasInit: -4 } }), ['anchors must be a non-empty list of [w, h] in grid units']);
  assert.throws(() => buildDetector({ ...ok, backbone: { kind: 'darknet19', widthMultiplier: 0.25 } }), /point head takes a tiny or mobilenet backbone/);
});

// decodePointOutput on a hand-built raw output: inputSize 64, strides 16 and 32 (16 + 4 points),
// 2 classes, R = 4 → 18 values per point.
const SPEC: PointSpec = { inputSize: 64, strides: [16, 32], numClasses: 2, regBins: 4 };
const LOG0 = -40;
const sideLogits = (probs: number[]) => Array.from({ length: 4 }, (_, k) => ((probs[k] ?? 0) > 0 ? Math.log(probs[k]!) : LOG0));

function rawOutput(points: { index: number; cls: [number, number]; sides: number[][] }[]): Float32Array {
  const F = valuesPerPoint(SPEC);
  const raw = new Float32Array(pointCount(SPEC) * F);
  for (let p = 0; p < pointCount(SPEC); p++) raw.set([-10, -10], p * F);
  for (const pt of points) {
    raw.set(pt.cls, pt.index * F);
    pt.sides.forEach((probs, side) => raw.set(sideLogits(probs), pt.index * F + 2 + side * 4));
  }
  return raw;
}

test('decodePointOutput: one confident point decodes to its box, mapped back through the letterbox; low scores are dropped', () => {
  assert.equal(valuesPerPoint(SPEC), 18);
  // stride-32 point (row 1, col 0) = index 16 + 2 = 18, centre (16, 48). Sides (strides):
  // left E = 0.75 → 24 px, top 0.5 → 16, right 1.5 → 48, bottom 0.25 → 8
  const sides = [[0.25, 0.75], [0.5, 0.5], [0, 0.5, 0.5], [0.75, 0.25]];
  const raw = rawOutput([
    { index: 18, cls: [-2, 3], sides },
    // stride-16 point (row 2, col 3) = index 11, centre (56, 40), score σ(−1.2) = 0.23: below the default 0.25;
    // every side 1 stride = 16 px
    { index: 11, cls: [-1.2, -5], sides: [[0, 1], [0, 1], [0, 1], [0, 1]] },
  ]);
  const inInput = decodePointOutput(raw, SPEC);
  assert.equal(inInput.length, 1);
  const d = inInput[0]!;
  assert.equal(d.classId, 1);
  assert.ok(Math.abs(d.score - 1 / (1 + Math.exp(-3))) < 1e-6);
  for (const [k, v] of Object.entries({ x1: 16 - 24, y1: 48 - 16, x2: 16 + 48, y2: 48 + 8 })) assert.ok(Math.abs(d[k as 'x1'] - v) < 1e-3, `${k} ${d[k as 'x1']} vs ${v}`);

  // a 200×100 photo letterboxed into 64 px: scale 0.32, 64×32 placed at y offset 16
  const { transform } = fitToInput({ width: 200, height: 100, data: new Uint8Array(200 * 100 * 3) }, 64);
  assert.deepEqual(transform, { scaleX: 0.32, scaleY: 0.32, offsetX: 0, offsetY: 16 });
  const [o] = decodePointOutput(raw, SPEC, { transform });
  for (const [k, v] of Object.entries({ x1: -8 / 0.32, y1: (32 - 16) / 0.32, x2: 64 / 0.32, y2: (56 - 16) / 0.32 })) assert.ok(Math.abs(o![k as 'x1'] - v) < 1e-2, `original ${k} ${o![k as 'x1']} vs ${v}`);
  // clipped to the photo
  const [c] = decodePointOutput(raw, SPEC, { transform, imageSize: { width: 200, height: 100 } });
  for (const [k, v] of Object.entries({ x1: 0, y1: 50, x2: 200, y2: 100 })) assert.ok(Math.abs(c![k as 'x1'] - v) < 1e-2, `clipped ${k} ${c![k as 'x1']} vs ${v}`);

  // the weak point appears once the threshold is below its score
  const both = decodePointOutput(raw, SPEC, { scoreThreshold: 0.2 });
  assert.equal(both.length, 2);
  const weak = both.find((x) => x.classId === 0)!;
  assert.ok(Math.abs(weak.score - 1 / (1 + Math.exp(1.2))) < 1e-6);
  for (const [k, v] of Object.entries({ x1: 40, y1: 24, x2: 72, y2: 56 })) assert.ok(Math.abs(weak[k as 'x1'] - v) < 1e-3, `weak ${k} ${weak[k as 'x1']} vs ${v}`);
  // a zero-width box (left = right = 0) is dropped
  const flat = rawOutput([{ index: 11, cls: [3, -5], sides: [[1], [0, 1], [1], [0, 1]] }]);
  assert.deepEqual(decodePointOutput(flat, SPEC), []);

  // multiLabel: every class above the threshold
  const multi = rawOutput([{ index: 18, cls: [1, 3], sides }]);
  assert.deepEqual(decodePointOutput(multi, SPEC, { multiLabel: true }).map((x) => x.classId).sort(), [0, 1]);
  assert.deepEqual(decodePointOutput(multi, SPEC).map((x) => x.classId), [1]);
  assert.throws(() => decodePointOutput(new Float32Array(10), SPEC), /expected 360 values \(20 points × 18\), got 10/);
});

test('learning check (wasm): 40 Adam steps on 8 synthetic scenes halve the loss, tensor count flat, the trained model finds a training box', async () => {
  await selectBackend('wasm');
  assert.equal(tf.getBackend(), 'wasm');
  try {
    const size = 128;
    const config = tinyPointConfig(size);
    const model = buildDetector(config, { seed: 1 });
    const spec = pointSpecOf(config);
    const scenes = Array.from({ length: 8 }, (_, i) => syntheticScene(i + 1, { size, numClasses: 2, objects: 3, minSide: 0.1, maxSide: 0.5 }));
    const x = imagesToTensor(scenes.map((s) => s.image));
    const targets = encodePointTargets(scenes.map((s) => s.boxes), 2);
    const optimizer = tf.train.adam(0.01);
    const losses: number[] = [];
    let tensorsAfterFirst = 0;
    for (let step = 0; step < 40; step++) {
      const r = await optimizeStep(model, optimizer, x, (pred) => {
        const l = pointLossTerms(targets, pred, spec);
        return { total: l.total, terms: [l.cls, l.box, l.dfl] };
      }, 10);
      assert.ok(Number.isFinite(r.total) && r.terms.every(Number.isFinite), `step ${step}: ${r.total} ${r.terms}`);
      losses.push(r.total);
      if (step === 0) tensorsAfterFirst = tf.memory().numTensors; // Adam's slots exist from here on
    }
    assert.equal(tf.memory().numTensors, tensorsAfterFirst, 'no tensor leaked per step');
    const first = losses[0]!;
    const last = losses.slice(-3).reduce((a, b) => a + b) / 3;
    assert.ok(last < first / 2, `loss ${first.toFixed(3)} → ${last.toFixed(3)} (${losses.map((v) => v.toFixed(2)).join(' ')})`);

    // the trained model, in inference mode, puts a box of the right class on a training box at the
    // confidence `detecta predict` shows by default (0.25; after 40 steps the best box scores about 0.3)
    const out = tf.tidy(() => model.predict(imagesToTensor([scenes[0]!.image])) as tf.Tensor);
    const dets = decodePointOutput(await out.data(), spec, { scoreThreshold: 0.25 });
    out.dispose();
    const iou = (a: { x1: number; y1: number; x2: number; y2: number }, b: typeof a) => {
      const inter = Math.max(0, Math.min(a.x2, b.x2) - Math.max(a.x1, b.x1)) * Math.max(0, Math.min(a.y2, b.y2) - Math.max(a.y1, b.y1));
      return inter / ((a.x2 - a.x1) * (a.y2 - a.y1) + (b.x2 - b.x1) * (b.y2 - b.y1) - inter);
    };
    const found = scenes[0]!.boxes.filter((g) => dets.some((d) => d.classId === g.classId && iou(d, g) > 0.5));
    assert.ok(found.length >= 1, `ground truth ${JSON.stringify(scenes[0]!.boxes)}, detections ${JSON.stringify(dets.slice(0, 8))}`);
    tf.dispose(x);
    disposePointTargets(targets);
    optimizer.dispose();
    model.dispose();
  } finally {
    await tf.setBackend('cpu');
  }
});
