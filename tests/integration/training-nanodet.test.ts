/**
 * The nanodet-m preset through the trainer's engine (runTraining, what the trainer process and
 * `detecta train` run): a few raccoon photos (../shared/datasets/detection-voc/raccoon), the COCO
 * NanoDet-m weights from ../shared/models given as the backbone, one frozen epoch then
 * fine-tuning on the wasm backend. The training loss falls, the run's config names the nanodet
 * backbone and point head, and weights/best loads back as a detector that finds a raccoon.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { openDatasetProject } from '../../main/dataset/project';
import { runTraining } from '../../main/training/detect-task';
import { loadModelFromFolder } from '../../main/training/weights-io';
import { readDetectorMetadata } from '../../shared/ml/detector/metadata';
import type { EpochEvent, TrainerEvent } from '../../shared/training/types';

const SHARED = path.resolve(import.meta.dirname, '../../../shared');
const RACCOON = path.join(SHARED, 'datasets/detection-voc/raccoon');
const NANODET = path.join(SHARED, 'models/nanodet-m-416-coco');
const TRAIN = ['raccoon-1', 'raccoon-2', 'raccoon-3', 'raccoon-4', 'raccoon-5', 'raccoon-6', 'raccoon-7', 'raccoon-8'];
const VAL = ['raccoon-9', 'raccoon-10'];
let root = '';

before(async () => { root = await mkdtemp(path.join(tmpdir(), 'detecta-nanodet-train-')); });
after(async () => { await rm(root, { recursive: true, force: true }); });

test('nanodet-m trains on raccoon photos from the COCO weights: the loss falls and weights/best detects', { timeout: 900_000 }, async (t) => {
  const dir = path.join(root, 'raccoon');
  mkdirSync(path.join(dir, 'images'), { recursive: true });
  mkdirSync(path.join(dir, 'annotations'), { recursive: true });
  for (const id of [...TRAIN, ...VAL]) {
    cpSync(path.join(RACCOON, 'images', `${id}.jpg`), path.join(dir, 'images', `${id}.jpg`));
    cpSync(path.join(RACCOON, 'annotations', `${id}.xml`), path.join(dir, 'annotations', `${id}.xml`));
  }
  const project = await openDatasetProject(dir, { watch: false });
  await project.ready();
  for (const e of project.listImages({ limit: 100, filter: 'all' }).items) {
    await project.setSplit(e.id, VAL.includes(path.basename(e.id, '.jpg')) ? 'val' : 'train');
  }
  await project.close();

  const epochs: EpochEvent[] = [];
  const logs: string[] = [];
  const finished = await runTraining({
    project: dir, name: 'nd',
    config: { preset: 'nanodet-m', backbone: NANODET, backend: 'wasm', inputSize: 160, epochs: 4, freezeEpochs: 1, batchSize: 4, trainTimes: 2, learningRate: 0.002, seed: 5 },
  }, {
    emit: (ev: TrainerEvent) => {
      if (ev.type === 'epoch') epochs.push(ev.payload);
      if (ev.type === 'log') logs.push(ev.payload.message);
    },
    control: { shouldCancel: () => false, waitIfPaused: async () => {} },
  });
  assert.equal(finished.status, 'completed', logs.slice(-5).join('\n'));
  assert.equal(epochs.length, 4);
  assert.ok(logs.some((l) => l.includes(`NanoDet-m COCO weights ${path.join(NANODET, 'nanodet-m.json')}`)), 'the weights came from the given folder');
  assert.ok(logs.some((l) => /backbone frozen for epochs 1-1/.test(l)), 'the ShuffleNet backbone was frozen for the first epoch');
  const losses = epochs.map((e) => e.train.total);
  t.diagnostic(`epochs: ${epochs.map((e) => `loss ${e.train.total.toFixed(3)} mAP50 ${e.mAP50} mAP50-95 ${e['mAP50-95']}`).join('; ')}`);
  assert.ok(losses.every(Number.isFinite), `finite losses ${losses}`);
  assert.ok(losses[3]! < losses[0]! * 0.9, `the training loss falls: ${losses.map((l) => l.toFixed(3)).join(' → ')}`);

  const runDir = path.join(dir, '.detecta', 'runs', 'nd');
  const config = JSON.parse(readFileSync(path.join(runDir, 'config.json'), 'utf8')) as { detector: { backbone: { kind: string; freezeEpochs: number }; head: { kind: string; regBins: number } } };
  assert.deepEqual(config.detector.backbone, { kind: 'nanodet', freezeEpochs: 1 });
  assert.equal(config.detector.head.kind, 'points');
  assert.equal(config.detector.head.regBins, 8);

  // eval.json: weights/best on the two val photos (the untrained class conv scores ~1 %, below any detection)
  const report = JSON.parse(readFileSync(path.join(runDir, 'eval.json'), 'utf8')) as { mAP50: number };
  assert.ok(report.mAP50 >= 0.5, `weights/best finds the raccoons: mAP50 ${report.mAP50}`);

  await tf.setBackend('cpu');
  const model = await loadModelFromFolder(path.join(runDir, 'weights', 'best'));
  assert.equal(readDetectorMetadata(model).backbone.kind, 'nanodet');
  assert.deepEqual(model.outputs[0]!.shape, [null, 20 * 20 + 10 * 10 + 5 * 5, 1 + 32]);
  model.dispose();
});
