/**
 * NanoDet-m as a tfjs LayersModel (shared/ml/backbone/nanodet.ts) built from the model zoo's
 * COCO GraphModel (../shared/models/nanodet-m-416-coco): it computes what the GraphModel computes,
 * its outputs decode through the point head's code into the boxes SOURCE.md lists, and the
 * nanodet-m preset builds on it (shapes, the COCO box head kept, a new class conv, freezing,
 * save → load → same output).
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import sharp from 'sharp';
import { nanodetConvWeights, type NanodetWeights } from '../../shared/ml/backbone/nanodet-graph';
import { buildNanodetCoco, NANODET_PIXEL_LAYER } from '../../shared/ml/backbone/nanodet';
import { setBackboneTrainable } from '../../shared/ml/backbone/freeze';
import { buildDetector } from '../../shared/ml/detector/build';
import { detectorPreset } from '../../shared/ml/detector/config';
import { readDetectorMetadata } from '../../shared/ml/detector/metadata';
import { decodePointOutput, pointCount } from '../../shared/ml/detector/points';
import { nonMaxSuppression, packDetections } from '../../shared/ml/detector/nms';
import { postprocessDetectorOutput } from '../../shared/ml/detector/postprocess';
import { fileModelHandler } from '../../main/training/model-cache';
import { folderSaveHandler, loadModelFromFolder } from '../../main/training/weights-io';
import { loadPretrainedNanodet } from '../../main/training/pretrained-nanodet';
import { serveFolder } from '../helpers/static-server';

const SHARED = path.resolve(import.meta.dirname, '../../../shared');
const MODEL_DIR = path.join(SHARED, 'models/nanodet-m-416-coco');
const GRAPH_JSON = path.join(MODEL_DIR, 'nanodet-m.json');
const SAMPLES = path.join(SHARED, 'datasets/image-fixtures/darknet-samples');
const RACCOON = path.join(SHARED, 'datasets/detection-voc/raccoon/images/raccoon-1.jpg');
const MEAN_BGR = [103.53, 116.28, 123.675];
const STD_BGR = [57.375, 57.12, 58.395];

let weights: NanodetWeights;
let graph: tf.GraphModel;
let coco: tf.LayersModel;
let tmp = '';

/**
 * The image stretched to size×size by tf.image.resizeBilinear, RGB 0..255, as a [1, size, size, 3]
 * tensor: SOURCE.md's checks stretched it this way (its scores are reproduced to 3 decimals).
 */
async function stretched(file: string, size: number): Promise<{ x: tf.Tensor4D; width: number; height: number }> {
  const { data, info } = await sharp(file).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  const x = tf.tidy(() => tf.image.resizeBilinear(tf.tensor4d(new Float32Array(data), [1, info.height, info.width, 3]), [size, size]));
  return { x, width: info.width, height: info.height };
}

/** The GraphModel's six outputs for RGB input x, as [1, N, 80] scores and [1, N, 32] distributions (strides 8, 16, 32). */
function graphOutputs(x: tf.Tensor4D): { scores: tf.Tensor; dist: tf.Tensor } {
  return tf.tidy(() => {
    const input = tf.reverse(x, -1).sub(tf.tensor1d(MEAN_BGR)).div(tf.tensor1d(STD_BGR)).transpose([0, 3, 1, 2]);
    const outs = graph.execute(input, graph.outputs.map((o) => o.name)) as tf.Tensor[];
    const pick = (n: number, c: number): tf.Tensor => {
      const t = outs.find((o) => o.shape[1] === n && o.shape[2] === c);
      assert.ok(t, `the GraphModel has an output [1, ${n}, ${c}]`);
      return t;
    };
    return { scores: tf.concat([pick(2704, 80), pick(676, 80), pick(169, 80)], 1), dist: tf.concat([pick(2704, 32), pick(676, 32), pick(169, 32)], 1) };
  });
}

const maxAbsDiff = (a: tf.Tensor, b: tf.Tensor): number => tf.tidy(() => tf.max(tf.abs(a.sub(b))).dataSync()[0]!);

before(async () => {
  await tf.setBackend('cpu');
  tmp = await mkdtemp(path.join(tmpdir(), 'detecta-nanodet-'));
  weights = (await loadPretrainedNanodet(MODEL_DIR)).weights;
  graph = await tf.loadGraphModel(fileModelHandler(GRAPH_JSON));
  coco = buildNanodetCoco(416, weights);
});

after(async () => {
  weights?.dispose();
  graph?.dispose();
  coco?.dispose();
  await rm(tmp, { recursive: true, force: true });
});

test('the LayersModel computes what the COCO GraphModel computes at 416 (sigmoid scores and distance logits)', async () => {
  for (const name of ['dog.jpg', 'horses.jpg']) {
    const { x } = await stretched(path.join(SAMPLES, name), 416);
    const out = coco.predict(x) as tf.Tensor;
    assert.deepEqual(out.shape, [1, 2704 + 676 + 169, 80 + 32]);
    const { scores, dist } = graphOutputs(x);
    const ourScores = tf.sigmoid(out.slice([0, 0, 0], [1, -1, 80]));
    const ourDist = out.slice([0, 0, 80], [1, -1, 32]);
    const ds = maxAbsDiff(ourScores, scores);
    const dd = maxAbsDiff(ourDist, dist);
    assert.ok(ds < 1e-3, `${name}: max |score difference| ${ds}`);
    assert.ok(dd < 1e-3, `${name}: max |distance logit difference| ${dd}`);
    assert.ok(tf.max(scores).dataSync()[0]! > 0.5, `${name}: the GraphModel is confident somewhere (not a degenerate comparison)`);
    tf.dispose([x, out, scores, dist, ourScores, ourDist]);
  }
});

test('decoded with the point head code, dog.jpg gives the dog, car and bicycle of SOURCE.md', async () => {
  const { x, width, height } = await stretched(path.join(SAMPLES, 'dog.jpg'), 416);
  const out = coco.predict(x) as tf.Tensor;
  const raw = await out.data();
  tf.dispose([x, out]);
  const dets = decodePointOutput(raw, { inputSize: 416, strides: [8, 16, 32], numClasses: 80, regBins: 8 }, {
    scoreThreshold: 0.35, transform: { scaleX: 416 / width, scaleY: 416 / height, offsetX: 0, offsetY: 0 }, imageSize: { width, height },
  });
  const { boxes, scores } = packDetections(dets);
  const kept = Array.from(nonMaxSuppression(boxes, scores, { iouThreshold: 0.5 })).map((i) => dets[i]!).sort((a, b) => b.score - a.score);
  // SOURCE.md: dog 0.57 [126,214,344,545], car 0.56 [465,79,689,167], bicycle 0.53 [124,130,568,459] (COCO ids 16, 2, 1)
  const expected = [
    { classId: 16, score: 0.57, box: [126, 214, 344, 545] },
    { classId: 2, score: 0.56, box: [465, 79, 689, 167] },
    { classId: 1, score: 0.53, box: [124, 130, 568, 459] },
  ];
  assert.equal(kept.length, 3, `three detections, got ${JSON.stringify(kept)}`);
  for (const e of expected) {
    const d = kept.find((k) => k.classId === e.classId);
    assert.ok(d, `class ${e.classId} detected`);
    assert.ok(Math.abs(d.score - e.score) < 0.006, `class ${e.classId}: score ${d.score} vs ${e.score}`);
    [d.x1, d.y1, d.x2, d.y2].forEach((v, i) => assert.ok(Math.abs(v - e.box[i]!) <= 1.5, `class ${e.classId}: box [${[d.x1, d.y1, d.x2, d.y2].map(Math.round)}] vs [${e.box}]`));
  }
});

test('the nanodet-m preset builds at 224, 320 and 416 with the point layout, COCO box head, new class conv', async () => {
  const { x } = await stretched(RACCOON, 224);
  const cocoSmall = buildNanodetCoco(224, weights);
  const cocoOut = cocoSmall.predict(x) as tf.Tensor;
  for (const size of [224, 320, 416]) {
    const config = detectorPreset('nanodet-m', { numClasses: 3, inputSize: size });
    assert.equal(config.head.kind, 'points');
    assert.deepEqual(config.anchors, []);
    const model = buildDetector(config, { nanodet: weights, seed: 7 });
    const n = pointCount({ inputSize: size, strides: [8, 16, 32] });
    assert.deepEqual(model.outputs[0]!.shape, [null, n, 3 + 32]);
    assert.deepEqual(readDetectorMetadata(model), config);
    const bias = model.getLayer('yolo_cls_out_s8').getWeights()[1]!;
    assert.ok(maxAbsDiff(bias, tf.fill([3], -4.6)) < 1e-6, 'class bias starts at the prior −4.6');
    if (size === 224) {
      const out = model.predict(x) as tf.Tensor;
      const d = maxAbsDiff(out.slice([0, 0, 3], [1, -1, 32]), cocoOut.slice([0, 0, 80], [1, -1, 32]));
      assert.ok(d < 1e-5, `the 32 distance channels are NanoDet's COCO ones (max diff ${d})`);
      const cls = tf.sigmoid(out.slice([0, 0, 0], [1, -1, 3]));
      assert.ok(tf.max(cls).dataSync()[0]! < 0.05, 'the new class conv starts near the prior, not at COCO scores');
      tf.dispose([out, cls]);
    }
    model.dispose();
  }
  tf.dispose([x, cocoOut]);
  cocoSmall.dispose();
});

test('freezing the nanodet-m backbone leaves neck and head trainable, and the BGR normalisation is never trained', () => {
  const model = buildDetector(detectorPreset('nanodet-m', { numClasses: 2, inputSize: 224 }), { nanodet: weights, seed: 1 });
  const trainableLayers = () => new Set(model.trainableWeights.map((w) => w.originalName.split('/')[0]!));
  setBackboneTrainable(model, false);
  const frozen = trainableLayers();
  assert.ok([...frozen].every((n) => n.startsWith('yolo_')), `only yolo_* layers train while frozen, got ${[...frozen].filter((n) => !n.startsWith('yolo_'))}`);
  assert.ok(frozen.has('yolo_nd_lat_s8') && frozen.has('yolo_reg_out_s32'), 'neck and head train while frozen');
  setBackboneTrainable(model, true);
  const all = trainableLayers();
  assert.ok(all.has('nanodet_stem_conv') && all.has('nanodet_s4_u4_b2_pw2'), 'the ShuffleNet layers train once unfrozen');
  assert.ok(!all.has(NANODET_PIXEL_LAYER), 'the preprocessing layer stays fixed');
  model.dispose();
});

test('a nanodet-m detector saved with weights-io loads back and gives the same output and boxes', async () => {
  const config = detectorPreset('nanodet-m', { numClasses: 2, inputSize: 224 });
  const model = buildDetector(config, { nanodet: weights, seed: 3 });
  const dir = path.join(tmp, 'saved');
  await model.save(folderSaveHandler(dir));
  const loaded = await loadModelFromFolder(dir);
  assert.deepEqual(readDetectorMetadata(loaded), config);
  const { x } = await stretched(RACCOON, 224);
  const a = await (model.predict(x) as tf.Tensor).data();
  const b = await (loaded.predict(x) as tf.Tensor).data();
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff = Math.max(diff, Math.abs(a[i]! - b[i]!));
  assert.equal(diff, 0, 'same raw output after save and load');
  const boxesA = postprocessDetectorOutput(a, config, { scoreThreshold: 0.001 });
  const boxesB = postprocessDetectorOutput(b, config, { scoreThreshold: 0.001 });
  assert.ok(boxesA.length > 0, 'candidates to compare');
  assert.deepEqual(boxesB, boxesA);
  tf.dispose(x);
  model.dispose();
  loaded.dispose();
});

test('the NanoDet weights: a missing folder and a LayersModel are refused with what to give instead', async () => {
  await assert.rejects(loadPretrainedNanodet(path.join(tmp, 'nowhere')), /cannot be opened \(ENOENT\): give the folder of the NanoDet-m GraphModel/);
  const layers = path.join(SHARED, 'models/mobilenet_v1_0.25_224/model.json');
  await assert.rejects(loadPretrainedNanodet(layers), /is not a tfjs GraphModel/);
  await assert.rejects(loadPretrainedNanodet('https://example.com/nanodet.json'), /is not the model zoo's nanodet-m-416-coco/);
  assert.throws(() => buildDetector(detectorPreset('nanodet-m', { numClasses: 2, inputSize: 224 })), /needs the NanoDet-m COCO weights/);
});

test('without a path, the weights come from the model zoo mirror into the cache once (sha256-checked), then from the cache', async () => {
  const served = await serveFolder(path.join(SHARED, 'models'));
  const saved = process.env.DETECTA_MODEL_MIRROR;
  process.env.DETECTA_MODEL_MIRROR = served.url;
  const cacheDir = path.join(tmp, 'cache');
  const logs: string[] = [];
  try {
    const first = await loadPretrainedNanodet(undefined, { cacheDir, log: (m) => logs.push(m) });
    assert.equal(first.source, `${served.url}nanodet-m-416-coco/nanodet-m.json`);
    assert.equal(first.weights.convs.size, 73);
    first.weights.dispose();
    assert.ok(logs.some((l) => l.includes(`downloaded into ${path.join(cacheDir, 'nanodet-m-416-coco')}`)), logs.join('\n'));
    const hits = served.hits.length;
    const second = await loadPretrainedNanodet(undefined, { cacheDir, log: (m) => logs.push(m) });
    second.weights.dispose();
    assert.equal(served.hits.length, hits, 'the second load does not download');
    assert.ok(logs.some((l) => l.includes('loaded from the cache')));
  } finally {
    if (saved === undefined) delete process.env.DETECTA_MODEL_MIRROR;
    else process.env.DETECTA_MODEL_MIRROR = saved;
    await served.close();
  }
  const broken = await serveFolder(path.join(tmp, 'empty-mirror'));
  process.env.DETECTA_MODEL_MIRROR = broken.url;
  try {
    await assert.rejects(loadPretrainedNanodet(undefined, { cacheDir: path.join(tmp, 'cache2') }), /cannot get the NanoDet-m COCO weights from .*HTTP 404.*--backbone/);
  } finally {
    if (saved === undefined) delete process.env.DETECTA_MODEL_MIRROR;
    else process.env.DETECTA_MODEL_MIRROR = saved;
    await broken.close();
  }
});

test('the conv weights are read from the graph: 48 convs and 25 depthwise convs with their biases, float32', () => {
  const convs = [...weights.convs.keys()];
  assert.equal(convs.filter((n) => n.startsWith('convolution')).length, 48);
  assert.equal(convs.filter((n) => n.startsWith('depthwise')).length, 25);
  const first = weights.convs.get('convolution')!;
  assert.deepEqual(first.kernel.shape, [3, 3, 3, 24]);
  assert.equal(first.kernel.dtype, 'float32');
  assert.throws(() => nanodetConvWeights({ format: 'layers-model', modelTopology: {} }, 'x'), /x is not a tfjs GraphModel/);
});
