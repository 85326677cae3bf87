/**
 * The mobilenet preset end to end, in process: the ImageNet MobileNet v1 0.25 backbone is
 * downloaded from a local HTTP mirror of the model zoo (the test fixture served with node:http,
 * the same code path a user's download takes) into a fresh cache, checked file by file, cut at
 * conv_pw_13_relu under a YOLOv2 head, frozen for the first epochs and fine-tuned after. A
 * cancel + resume in the frozen phase checks that the phase travels with the saved state. A
 * tampered file on the mirror must fail with the file's name and leave no cache entry.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, existsSync, readdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { writeSampleProject } from '../../main/sample/write-sample-project';
import { runTraining } from '../../main/training/detect-task';
import { runPaths } from '../../main/training/run-folder';
import { loadModelFromFolder } from '../../main/training/weights-io';
import { fileModelHandler } from '../../main/training/model-cache';
import { buildDetector } from '../../shared/ml/detector/build';
import { readDetectorMetadata } from '../../shared/ml/detector/metadata';
import type { TrainConfigInput, TrainerEvent } from '../../shared/training/types';
import { serveFolder, type ServedFolder } from '../helpers/static-server';

const FIXTURE = path.resolve(import.meta.dirname, '../../../shared/models/mobilenet_v1_0.25_224');
let server: ServedFolder;
let tamper: string | null = null;
let root = '';

before(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'detecta-mobilenet-'));
  server = await serveFolder(path.dirname(FIXTURE), { tamper: (p, bytes) => { if (tamper && p === `/mobilenet_v1_0.25_224/${tamper}`) bytes[bytes.length - 1] ^= 0xff; } });
  process.env.DETECTA_MODEL_MIRROR = server.url;
});

after(async () => {
  delete process.env.DETECTA_MODEL_MIRROR;
  await server.close();
  await rm(root, { recursive: true, force: true });
});

const CONFIG: TrainConfigInput = {
  preset: 'mobilenet', inputSize: 96, epochs: 4, freezeEpochs: 2, batchSize: 8, trainTimes: 6, learningRate: 3e-3, augment: false,
  warmupEpochs: 0.5, backend: 'wasm', numAnchors: 2, seed: 4,
};

function layerWeights(model: tf.LayersModel, layer: string): Float32Array[] {
  return model.getLayer(layer).getWeights().map((w) => w.dataSync() as Float32Array);
}
const same = (a: Float32Array[], b: Float32Array[]): boolean => a.every((w, i) => w.every((v, j) => v === b[i][j]));

test('mobilenet preset: zoo download into the cache, frozen backbone then fine-tuned, resume keeps the phase, loss falls', { timeout: 300_000 }, async () => {
  const project = path.join(root, 'project');
  await writeSampleProject(project, { images: 16, seed: 11, width: 96, height: 96, classes: ['ball'], minObjects: 1, maxObjects: 1, minSize: 0.3, maxSize: 0.6 });
  const cacheDir = path.join(root, 'cache');
  const snaps = path.join(root, 'snaps');
  const paths = runPaths(path.join(project, '.detecta', 'runs', 'mn'));
  const events: TrainerEvent[] = [];
  let cancel = false;
  const hooks = {
    emit: (ev: TrainerEvent) => {
      events.push(ev);
      if (ev.type === 'epoch') {
        cpSync(paths.last, path.join(snaps, `e${ev.payload.epoch}`), { recursive: true });
        if (ev.payload.epoch === 1) cancel = true;
      }
    },
    control: { shouldCancel: () => cancel, waitIfPaused: async () => {} },
  };
  const first = await runTraining({ project, config: CONFIG, name: 'mn', modelCacheDir: cacheDir }, hooks);
  assert.equal(first.status, 'cancelled');
  assert.equal(first.epochsDone, 1);
  assert.ok(existsSync(path.join(cacheDir, 'mobilenet_v1_0.25_224', 'cache-manifest.json')), 'the zoo model is cached');
  const logs = (): string[] => events.flatMap((e) => (e.type === 'log' ? [e.payload.message] : []));
  assert.ok(logs().some((m) => /pretrained backbone downloaded into/.test(m)), logs().join('\n'));

  cancel = false;
  const second = await runTraining({ project, resume: 'mn', modelCacheDir: cacheDir }, hooks);
  assert.equal(second.status, 'completed');
  assert.equal(second.epochsDone, 4);
  assert.ok(logs().includes('resumed from epoch 1 (optimizer state restored)'), 'the frozen-phase optimizer state is restored');
  assert.ok(logs().some((m) => /epoch 3: backbone unfrozen/.test(m)));

  const [e1, e2, e3, e4] = await Promise.all([1, 2, 3, 4].map((e) => loadModelFromFolder(path.join(snaps, `e${e}`))));
  const pretrained = await tf.loadLayersModel(fileModelHandler(path.join(FIXTURE, 'model.json')));
  const fresh = buildDetector(readDetectorMetadata(e1), { pretrained });
  for (const layer of ['conv1', 'conv_dw_7', 'conv_pw_13']) {
    assert.ok(same(layerWeights(fresh, layer), layerWeights(e1, layer)), `${layer}: pretrained (folded) weights unchanged in epoch 1`);
    assert.ok(same(layerWeights(e1, layer), layerWeights(e2, layer)), `${layer}: unchanged in epoch 2 (frozen, after resume)`);
    assert.ok(!same(layerWeights(e2, layer), layerWeights(e3, layer)), `${layer}: trained once unfrozen`);
  }
  assert.ok(!same(layerWeights(e1, 'yolo_output'), layerWeights(e2, 'yolo_output')), 'the head trains while the backbone is frozen');

  const losses = events.flatMap((e) => (e.type === 'epoch' ? [e.payload.train.total] : []));
  assert.equal(losses.length, 4);
  assert.ok(losses[3] < losses[0] * 0.8, `train loss ${losses.map((l) => l.toFixed(3)).join(' → ')}`);
  const lrs = events.flatMap((e) => (e.type === 'epoch' ? [e.payload.lr] : []));
  assert.ok(lrs[3] < lrs[1], `cosine decay: lr ${lrs.join(', ')}`);
  [e1, e2, e3, e4, pretrained, fresh].forEach((m) => m.dispose());
});

test('mobilenet preset: a file that fails its checksum gives a clear error and no cache entry', { timeout: 60_000 }, async () => {
  const project = path.join(root, 'project2');
  await writeSampleProject(project, { images: 4, seed: 2, width: 96, height: 96, classes: ['ball'], minObjects: 1, maxObjects: 1 });
  const cacheDir = path.join(root, 'cache2');
  tamper = 'group7-shard1of1';
  try {
    await assert.rejects(
      runTraining({ project, config: CONFIG, name: 'bad', modelCacheDir: cacheDir }, { emit: () => {} }),
      /cannot get the pretrained backbone from http:\/\/127\.0\.0\.1:\d+\/mobilenet_v1_0\.25_224\/model\.json: Checksum mismatch for group7-shard1of1: expected sha256 7b7c74cb/,
    );
  } finally {
    tamper = null;
  }
  assert.deepEqual(existsSync(cacheDir) ? readdirSync(cacheDir) : [], [], 'nothing left in the cache');
});
