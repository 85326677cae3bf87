/**
 * Bad input for the training engine (runTraining in process, wasm backend, tiny models): a project
 * without boxes, a single image, classes added after a run, an image that cannot be decoded, a
 * failing disk while weights are saved, and tensor memory staying flat across epochs.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { writeSampleProject } from '../../main/sample/write-sample-project';
import { openDatasetProject } from '../../main/dataset/project';
import { runTraining } from '../../main/training/detect-task';
import { runPaths } from '../../main/training/run-folder';
import { readMetricsCsv } from '../../main/training/metrics-csv';
import { readRun } from '../../main/training/run-files';
import { loadModelFromFolder, nodeFileWriter, type FileWriter } from '../../main/training/weights-io';
import type { TrainConfigInput, TrainerEvent } from '../../shared/training/types';
import { tempFolders } from '../helpers/temp-folders';

const CONFIG: TrainConfigInput = {
  preset: 'tiny', inputSize: 64, epochs: 2, batchSize: 8, learningRate: 3e-3, backend: 'wasm', tinyWidths: [8, 8, 16, 16, 16, 16], numAnchors: 2, seed: 3,
};
const roots = tempFolders();

async function project(images: number, seed = 1): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'detecta-bad-'));
  roots.push(root);
  const dir = join(root, 'p');
  await writeSampleProject(dir, { images, seed, width: 64, height: 64, classes: ['ball'], minObjects: 1, maxObjects: 1, minSize: 0.3, maxSize: 0.6 });
  return dir;
}

function collect(): { events: TrainerEvent[]; emit: (e: TrainerEvent) => void; logs: () => string[] } {
  const events: TrainerEvent[] = [];
  return { events, emit: (e) => events.push(e), logs: () => events.flatMap((e) => (e.type === 'log' ? [`${e.payload.level}: ${e.payload.message}`] : [])) };
}

test('a project whose images have no boxes: clear error', { timeout: 60_000 }, async () => {
  const dir = await project(6);
  for (const f of readdirSync(dir).filter((n) => n.endsWith('.xml'))) {
    const xml = await readFile(join(dir, f), 'utf8');
    await writeFile(join(dir, f), xml.replace(/<object>[\s\S]*?<\/object>\s*/g, ''));
  }
  const c = collect();
  await assert.rejects(runTraining({ project: dir, config: CONFIG, name: 'r' }, c), /the project has no classes \(no boxes labeled yet\): draw boxes on some images before training/);
  const failed = c.events.find((e) => e.type === 'failed');
  assert.ok(failed, 'the failure is streamed as a failed event');
  // With a class defined but still no box anywhere:
  const p = await openDatasetProject(dir, { watch: false });
  await p.ready();
  await p.addClass('ball');
  await p.close();
  await assert.rejects(runTraining({ project: dir, config: CONFIG, name: 'r2' }, collect()), /no trainable images|the train images have no boxes \(\d+ image\(s\), 0 boxes\): label some objects before training/);
});

test('one class with one image: clear error', { timeout: 60_000 }, async () => {
  const dir = await project(1);
  await assert.rejects(runTraining({ project: dir, config: CONFIG, name: 'r' }, collect()), /1 labeled image\(s\) .* training needs at least 2/);
});

test('classes added to the project after a run: resume refuses with the reason', { timeout: 120_000 }, async () => {
  const dir = await project(8);
  await runTraining({ project: dir, config: { ...CONFIG, epochs: 1 }, name: 'r' }, collect());
  const p = await openDatasetProject(dir, { watch: false });
  await p.ready();
  await p.addClass('cube');
  await p.close();
  await assert.rejects(runTraining({ project: dir, resume: 'r', epochs: 2 }, collect()), /classes changed since run "r" started \(ball → ball, cube\).*start a new run/);
  assert.deepEqual((await readRun(dir, 'r')).metrics.map((m) => m.epoch), [1], 'the run is as it was');
});

test('an image that cannot be decoded is skipped with a warning; the run completes', { timeout: 120_000 }, async () => {
  const dir = await project(10);
  await writeFile(join(dir, 'bricks_0003.jpg'), Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 0x10, 0x4a, 0x46, 1, 2, 3, 4, 5]));
  const c = collect();
  const done = await runTraining({ project: dir, config: { ...CONFIG, epochs: 1 }, name: 'r' }, c);
  assert.equal(done.status, 'completed');
  assert.ok(c.logs().some((l) => /^warn: skipped bricks_0003\.jpg: /.test(l)), c.logs().join('\n'));
  assert.ok(c.logs().some((l) => /^info: data: 9 train|^info: data: \d+ train, \d+ val/.test(l)));
  const config = JSON.parse(await readFile(runPaths(join(dir, '.detecta', 'runs', 'r')).config, 'utf8'));
  assert.ok(![...config.split.train, ...config.split.val].includes('bricks_0003.jpg'), 'the bad image is not in the stored split');
});

test('the disk failing while weights are saved: the run fails clearly, weights/last keeps the previous epoch, resume works', { timeout: 120_000 }, async () => {
  const dir = await project(10, 4);
  const paths = runPaths(join(dir, '.detecta', 'runs', 'r'));
  let epochsSeen = 0;
  const failing: FileWriter = {
    async writeFile(file, data) {
      if (epochsSeen >= 1 && file.includes('.last.tmp-') && file.endsWith('weights.bin')) {
        await nodeFileWriter.writeFile(file, (data as Uint8Array).subarray(0, 100)); // half a file, then the disk is full
        throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
      }
      return nodeFileWriter.writeFile(file, data);
    },
  };
  let epoch1Bytes: Buffer = Buffer.alloc(0);
  const c = collect();
  await assert.rejects(
    runTraining({ project: dir, config: { ...CONFIG, epochs: 3 }, name: 'r' }, {
      emit: (e) => {
        c.emit(e);
        if (e.type === 'epoch') {
          epochsSeen = e.payload.epoch;
          if (epochsSeen === 1) epoch1Bytes = readFileSync(join(paths.last, 'weights.bin'));
        }
      },
      writer: failing,
    }),
    /cannot save .*weights[/\\]last: ENOSPC: no space left on device, write \(the disk is full\); the previous copy is unchanged/,
  );
  assert.ok(readFileSync(join(paths.last, 'weights.bin')).equals(epoch1Bytes), 'weights/last still holds epoch 1');
  const last = await loadModelFromFolder(paths.last);
  assert.ok(last.getWeights().length > 0, 'and loads');
  last.dispose();
  assert.deepEqual(readdirSync(join(paths.last, '..')).sort(), ['best', 'last'], 'no temp folders left behind');
  assert.deepEqual((await readMetricsCsv(paths.metrics)).map((m) => m.epoch), [1]);
  const state = JSON.parse(await readFile(join(paths.state, 'optimizer.json'), 'utf8'));
  assert.equal(state.epoch, 1);
  assert.equal((await readRun(dir, 'r')).status, 'failed');
  assert.ok(c.events.at(-1)?.type === 'failed');

  const resumed = await runTraining({ project: dir, resume: 'r' }, collect());
  assert.equal(resumed.status, 'completed');
  assert.deepEqual((await readMetricsCsv(paths.metrics)).map((m) => m.epoch), [1, 2, 3]);
});

test('tensor memory stays flat across epochs and is released after the run and after a resume', { timeout: 120_000 }, async () => {
  const dir = await project(10, 6);
  await runTraining({ project: dir, config: { ...CONFIG, epochs: 1 }, name: 'warm' }, collect()); // backend and kernels set up
  const startTensors = tf.memory().numTensors;
  const counts: number[] = [];
  await runTraining({ project: dir, config: { ...CONFIG, epochs: 4, valEvery: 1 }, name: 'mem' }, {
    emit: (e) => { if (e.type === 'epoch') counts.push(tf.memory().numTensors); },
  });
  assert.equal(counts.length, 4);
  assert.deepEqual(counts.slice(1), [counts[1], counts[1], counts[1]], `numTensors per epoch: ${counts.join(', ')}`);
  assert.ok(counts[0] <= counts[1], `numTensors per epoch: ${counts.join(', ')}`);
  assert.equal(tf.getBackend(), 'wasm');
  assert.equal(tf.memory().numTensors, startTensors, 'the run releases every tensor it made');
  await runTraining({ project: dir, resume: 'mem', epochs: 5 }, collect());
  assert.equal(tf.memory().numTensors, startTensors, 'so does a resumed run (optimizer state restored)');
});
