/**
 * The weights' EMA of a mobilenet-fpn run is kept in state/ with the optimizer's state, so a run
 * cancelled and resumed goes on with the same average: after the resume its EMA equals the EMA
 * of the same run trained without a break (wasm, in process, the ImageNet backbone from
 * ../shared/models). Before, a resume restarted the EMA from the resumed raw weights.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { writeSampleProject } from '../../main/sample/write-sample-project';
import { runTraining } from '../../main/training/detect-task';
import { runPaths } from '../../main/training/run-folder';
import { loadModelFromFolder, loadTaskState } from '../../main/training/weights-io';
import type { TrainControl } from '../../main/training/engine';
import { tempFolders } from '../helpers/temp-folders';

const BACKBONE = path.resolve(import.meta.dirname, '../../../shared/models/mobilenet_v1_0.25_224');
const roots = tempFolders();

type Ev = { type: string; payload: Record<string, unknown> };

async function emaOf(project: string, run: string): Promise<{ values: Float32Array[]; updates: number }> {
  const saved = await loadTaskState(runPaths(path.join(project, '.detecta', 'runs', run)).state);
  assert.ok(saved, `run ${run} saved no EMA`);
  const names = Object.keys(saved.tensors).filter((n) => n.startsWith('ema/')).sort((a, b) => Number(a.slice(4)) - Number(b.slice(4)));
  const values = await Promise.all(names.map(async (n) => (await saved.tensors[n]!.data()) as Float32Array));
  tf.dispose(Object.values(saved.tensors));
  return { values, updates: Number(saved.meta.emaUpdates) };
}

const maxAbsDiff = (a: Float32Array[], b: Float32Array[]): number => a.reduce((m, x, i) => x.reduce((mm, v, k) => Math.max(mm, Math.abs(v - b[i]![k]!)), m), 0);

test('a resumed mobilenet-fpn run continues its weight EMA (state/ keeps it each epoch)', { timeout: 600_000 }, async () => {
  const root = await mkdtemp(path.join(tmpdir(), 'detecta-ema-resume-'));
  roots.push(root);
  const project = path.join(root, 'p');
  await writeSampleProject(project, { images: 8, seed: 6, width: 64, height: 64, classes: ['ball', 'cone'], minObjects: 1, maxObjects: 2, minSize: 0.25, maxSize: 0.5 });
  const config = { preset: 'mobilenet-fpn', backbone: BACKBONE, inputSize: 64, epochs: 3, freezeEpochs: 0, batchSize: 4, trainTimes: 4, augment: false, ema: true, backend: 'wasm', seed: 4 } as const;

  await runTraining({ project, name: 'whole', config }, { emit: () => {} });

  let cancel = false;
  const control: TrainControl = { shouldCancel: () => cancel, waitIfPaused: async () => {} };
  await runTraining({ project, name: 'split', config }, { control, emit: (e: Ev) => { if (e.type === 'epoch' && e.payload.epoch === 2) cancel = true; } } as never);
  const logs: string[] = [];
  const resumed = await runTraining({ project, resume: 'split' }, { emit: (e: Ev) => { if (e.type === 'log') logs.push(String(e.payload.message)); } } as never);
  assert.equal(resumed.status, 'completed');
  assert.ok(logs.some((m) => /^weight EMA restored \(\d+ updates\)$/.test(m)), logs.join('\n'));

  const whole = await emaOf(project, 'whole');
  const split = await emaOf(project, 'split');
  assert.equal(split.updates, whole.updates, 'the update count goes on');
  // the EMA is not simply the raw weights (so an EMA restarted at the resume would show)
  const raw = await loadModelFromFolder(runPaths(path.join(project, '.detecta', 'runs', 'whole')).last);
  const seen = new Set<number>();
  const rawValues = await Promise.all(raw.weights.filter((w) => w.dtype === 'float32' && !seen.has(w.read().id) && seen.add(w.read().id)).map(async (w) => (await w.read().data()) as Float32Array));
  raw.dispose();
  assert.ok(maxAbsDiff(whole.values, rawValues) > 1e-3, `EMA vs raw weights differ by ${maxAbsDiff(whole.values, rawValues)}`);
  const diff = maxAbsDiff(split.values, whole.values);
  assert.ok(diff < 1e-4, `EMA after cancel + resume vs the run without a break: max |diff| ${diff}`);
});
