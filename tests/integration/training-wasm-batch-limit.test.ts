/**
 * A batch too large for the wasm backend's 4 GiB memory (issue 18, found training nanodet-m at
 * 320 px with batch 16: the first fine-tuning step never returned). The trainer lowers the batch to
 * the one that fits (shared/ml/detector/wasm-batch-limit.ts) and says so; the run completes and its
 * config.json keeps the batch it trained with. nanodet-m at 416 px with every layer trainable from
 * the first epoch (the heaviest case): batch 16 would need about 6.7 GB.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { openDatasetProject } from '../../main/dataset/project';
import { runTraining } from '../../main/training/detect-task';
import { wasmBatchLimit } from '../../shared/ml/detector/wasm-batch-limit';

const SHARED = path.resolve(import.meta.dirname, '../../../shared');
const RACCOON = path.join(SHARED, 'datasets/detection-voc/raccoon');
const NANODET = path.join(SHARED, 'models/nanodet-m-416-coco');
let root = '';

before(async () => { root = await mkdtemp(path.join(tmpdir(), 'detecta-wasm-batch-')); });
after(async () => { await rm(root, { recursive: true, force: true }); });

test('a batch that does not fit the wasm memory is lowered to one that does, and the run completes', { timeout: 600_000 }, async () => {
  const dir = path.join(root, 'raccoon');
  mkdirSync(path.join(dir, 'images'), { recursive: true });
  mkdirSync(path.join(dir, 'annotations'), { recursive: true });
  const ids = ['raccoon-1', 'raccoon-2', 'raccoon-3', 'raccoon-4'];
  for (const id of ids) {
    cpSync(path.join(RACCOON, 'images', `${id}.jpg`), path.join(dir, 'images', `${id}.jpg`));
    cpSync(path.join(RACCOON, 'annotations', `${id}.xml`), path.join(dir, 'annotations', `${id}.xml`));
  }
  const project = await openDatasetProject(dir, { watch: false });
  await project.ready();
  for (const e of project.listImages({ limit: 10, filter: 'all' }).items) await project.setSplit(e.id, e.id.includes('raccoon-4') ? 'val' : 'train');
  await project.close();

  const limit = wasmBatchLimit('nanodet-m', 416);
  assert.ok(limit < 16 && limit >= 1, `nanodet-m at 416 px fits fewer than 16 images a step (${limit})`);
  const logs: string[] = [];
  const finished = await runTraining({
    project: dir, name: 'big',
    config: { preset: 'nanodet-m', backbone: NANODET, backend: 'wasm', inputSize: 416, epochs: 1, freezeEpochs: 0, batchSize: 16, trainTimes: 3, learningRate: 0.002, seed: 2 },
  }, { emit: (ev) => { if (ev.type === 'log') logs.push(ev.payload.message); }, control: { shouldCancel: () => false, waitIfPaused: async () => {} } });
  assert.equal(finished.status, 'completed', logs.slice(-5).join('\n'));
  const line = logs.find((l) => l.startsWith('batch 16 of nanodet-m at 416 px needs about'));
  assert.ok(line, `the lowered batch is explained:\n${logs.join('\n')}`);
  assert.match(line, new RegExp(`training with batch ${limit} \\(`), "the learning rate given stays");
  const config = JSON.parse(readFileSync(path.join(dir, '.detecta', 'runs', 'big', 'config.json'), 'utf8')) as { train: { batchSize: number } };
  assert.equal(config.train.batchSize, limit, 'config.json keeps the batch the run trained with');
  // env.json says what the step ran on: XNNPACK's threads and the training kernels' threads
  const env = JSON.parse(readFileSync(path.join(dir, '.detecta', 'runs', 'big', 'env.json'), 'utf8')) as { device: string; threads: number };
  const kernels = /training kernels on (\d+) threads?[,)]/.exec(env.device);
  assert.ok(kernels, `env.json's device names the kernel threads: ${env.device}`);
  assert.equal(Number(kernels[1]), env.threads, 'without DETECTA_WASM_KERNEL_THREADS the kernels use as many threads as XNNPACK');
});
