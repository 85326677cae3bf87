/**
 * Whole runs on the WebGPU rung, through the training engine, on the software adapter Debian's
 * Chromium ships (SwiftShader through Vulkan; slow, so the runs are small): a classifier run
 * completes and learns with a flat tensor count; a detector run started on wasm resumes on
 * webgpu and continues its curves (the same losses as the run on wasm throughout); and a GPU device lost mid-run fails the run with that reason,
 * keeps weights/last at the last good epoch, and the run resumes on wasm.
 * The tests share one process's WebGPU device and run in order; the device is lost last.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { installedVersion } from '../../main/training/installed-package';
import { writeSampleProject } from '../../main/sample/write-sample-project';
import { runTraining } from '../../main/training/detect-task';
import { runClassifierTraining } from '../../main/training/classifier/classify-task';
import { readRun } from '../../main/training/run-files';
import { runPaths } from '../../main/training/run-folder';
import type { EngineHooks } from '../../main/training/engine';
import { writeClassFolders } from '../helpers/class-folders';
import { tempFolders } from '../helpers/temp-folders';

const ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';
const missing = !existsSync(ICD)
  ? `${ICD} is missing (apt-get install chromium ships SwiftShader's Vulkan driver)`
  : installedVersion('webgpu') === null ? 'the optional webgpu package is not installed (npm install)' : null;
if (!missing) {
  process.env.VK_ICD_FILENAMES = ICD;
  process.env.XDG_RUNTIME_DIR ??= join(tmpdir(), 'detecta-xdg');
  mkdirSync(process.env.XDG_RUNTIME_DIR, { recursive: true });
}

const roots = tempFolders();
async function tmp(prefix: string): Promise<string> {
  const r = await mkdtemp(join(tmpdir(), prefix));
  roots.push(r);
  return r;
}

type Ev = { type: string; payload: Record<string, unknown> };
function recorder(onEvent?: (e: Ev) => void) {
  const events: Ev[] = [];
  /** tf.memory().numTensors at each epoch event. */
  const tensors: number[] = [];
  const hooks: EngineHooks<Ev> = { emit: (e) => { events.push(e); if (e.type === 'epoch') tensors.push(tf.memory().numTensors); onEvent?.(e); } };
  return { events, tensors, hooks };
}

async function detectorProject(): Promise<string> {
  const home = join(await tmp('detecta-webgpu-run-'), 'p');
  await writeSampleProject(home, { images: 8, seed: 5, width: 64, height: 64, classes: ['ball'], minObjects: 1, maxObjects: 1, minSize: 0.3, maxSize: 0.6 });
  return home;
}
const TINY = { preset: 'tiny', inputSize: 64, batchSize: 4, learningRate: 3e-3, tinyWidths: [8, 8, 16, 16, 16, 16], numAnchors: 2, seed: 3 };
const envBackend = async (home: string, run: string): Promise<string> => JSON.parse(await readFile(runPaths(join(home, '.detecta', 'runs', run)).env, 'utf8')).backend;

test('a classifier run on webgpu completes, learns, and keeps its tensor count flat', { skip: missing ?? false, timeout: 600_000 }, async () => {
  const home = join(await tmp('detecta-webgpu-cls-'), 'photos');
  await writeClassFolders(home, { perClass: 6, size: 16, seed: 4 });
  const rec = recorder();
  const config = { source: { kind: 'folder' as const, dir: home }, preset: 'fashion-mnist-cnn' as const, epochs: 5, batchSize: 4, backend: 'webgpu' as const, seed: 3, valFraction: 0.2, testFraction: 0.2 };
  const done = await runClassifierTraining({ task: 'classify', project: home, name: 'gpu', config }, rec.hooks as never);
  assert.equal(done.status, 'completed');
  assert.equal(await envBackend(home, 'gpu'), 'webgpu');
  const losses = rec.events.filter((e) => e.type === 'epoch').map((e) => (e.payload.train as { loss: number }).loss);
  assert.equal(losses.length, 5);
  assert.ok(losses.every(Number.isFinite) && Math.min(...losses.slice(2)) < losses[0]! * 0.9, `train loss per epoch on WebGPU: ${losses.map((l) => l.toFixed(3)).join(' ')}`);
  assert.deepEqual(rec.tensors.slice(2), [rec.tensors[2], rec.tensors[2], rec.tensors[2]], `numTensors per epoch: ${rec.tensors.join(', ')}`);
});

test('a detector run started on wasm resumes on webgpu and continues its curves', { skip: missing ?? false, timeout: 600_000 }, async () => {
  const home = await detectorProject();
  await runTraining({ project: home, name: 'r', config: { ...TINY, epochs: 2, backend: 'wasm' } as never }, recorder().hooks as never);
  assert.equal(await envBackend(home, 'r'), 'wasm');
  const rec = recorder();
  const done = await runTraining({ project: home, resume: 'r', moreEpochs: 3, backend: 'webgpu' }, rec.hooks as never);
  assert.equal(done.status, 'completed');
  assert.equal(await envBackend(home, 'r'), 'webgpu', 'env.json: this part ran on webgpu');
  assert.ok(rec.events.some((e) => e.type === 'log' && /resumed from epoch 2/.test(String(e.payload.message))));
  const info = await readRun(home, 'r');
  assert.equal(info.state?.backend, 'webgpu');
  assert.deepEqual(info.metrics.map((m) => m.epoch), [1, 2, 3, 4, 5], 'metrics.csv: the wasm epochs, then the webgpu ones');
  // the curve goes on as if the run had never left wasm: the same run trained on wasm throughout gives the same losses
  await runTraining({ project: home, name: 'ref', config: { ...TINY, epochs: 5, backend: 'wasm' } as never }, recorder().hooks as never);
  const ref = (await readRun(home, 'ref')).metrics.map((m) => m.train.total);
  const losses = info.metrics.map((m) => m.train.total);
  const show = `resumed on webgpu ${losses.map((l) => l.toFixed(4)).join(' ')} vs wasm throughout ${ref.map((l) => l.toFixed(4)).join(' ')}`;
  assert.ok(losses.every((l, i) => Number.isFinite(l) && Math.abs(l - ref[i]!) <= 0.02 * Math.abs(ref[i]!)), show);
  assert.deepEqual(rec.tensors.slice(1), [rec.tensors[1], rec.tensors[1]], `numTensors per webgpu epoch: ${rec.tensors.join(', ')}`);
  assert.equal(info.config?.train.backend, 'wasm', 'config.json keeps the run\'s own backend');
});

test('the GPU device lost mid-run: a clear failure, weights/last at the last good epoch, and the run resumes on wasm', { skip: missing ?? false, timeout: 600_000 }, async () => {
  const home = await detectorProject();
  const rec = recorder((e) => {
    // what a driver reset or an unplugged GPU does to the device, once epoch 1 is saved
    if (e.type === 'epoch' && e.payload.epoch === 1) (tf.backend() as unknown as { device: { destroy(): void } }).device.destroy();
  });
  await assert.rejects(runTraining({ project: home, name: 'lost', config: { ...TINY, epochs: 3, backend: 'webgpu' } as never }, rec.hooks as never), /the GPU device was lost \(destroyed/);
  const failed = rec.events.find((e) => e.type === 'failed');
  assert.match(String(failed?.payload.error), /^the GPU device was lost \(destroyed.*\) at epoch 2, batch 1; weights\/last holds epoch 1: resume the run/);
  const info = await readRun(home, 'lost');
  assert.deepEqual([info.state?.status, info.state?.epoch, info.hasLast], ['failed', 1, true]);

  const again = await runTraining({ project: home, resume: 'lost', backend: 'wasm' }, recorder().hooks as never);
  assert.equal(again.status, 'completed');
  assert.equal(again.epochsDone, 3);
  assert.equal(await envBackend(home, 'lost'), 'wasm');
});
