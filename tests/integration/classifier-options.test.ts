/**
 * Classifier run options in-process on the wasm backend: the seed's sports architecture with
 * Adagrad (cancel, resume with the Adagrad state restored), oversampling an imbalanced class,
 * early stopping (patience), the deep preset, and clear errors for unusable datasets.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, mkdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runClassifierTraining } from '../../main/training/classifier/classify-task';
import { runPaths } from '../../main/training/run-folder';
import type { ClassifierTrainerEvent } from '../../shared/training/classifier';
import { shapeImage, writeClassFolders, writePng } from '../helpers/class-folders';

const logsOf = (events: ClassifierTrainerEvent[]) => events.filter((e) => e.type === 'log').map((e) => e.payload.message).join('\n');

test('sports-cnn with Adagrad: cancel and resume restore the Adagrad state; oversampling balances the epochs', { timeout: 180_000 }, async () => {
  const root = await mkdtemp(join(tmpdir(), 'detecta-cls-opts-'));
  try {
    const data = join(root, 'photos');
    await writeClassFolders(data, { perClass: 8, size: 28, seed: 2 });
    for (let i = 0; i < 16; i++) await writePng(join(data, 'red', `extra_${i}.png`), shapeImage('red', 28, 500 + i), 28);
    const config = { source: { kind: 'folder' as const, dir: data }, preset: 'sports-cnn' as const, epochs: 4, batchSize: 8, backend: 'wasm' as const, balance: 'oversample' as const, valFraction: 0.25, testFraction: 0 };
    const events: ClassifierTrainerEvent[] = [];
    let cancel = false;
    const first = await runClassifierTraining({ task: 'classify', project: data, name: 'sports', config }, {
      emit: (e) => { events.push(e); if (e.type === 'epoch' && e.payload.epoch === 2) cancel = true; },
      control: { shouldCancel: () => cancel, waitIfPaused: async () => {} },
    });
    assert.equal(first.status, 'cancelled');
    assert.equal(first.epochsDone, 2);
    const cfg = JSON.parse(await readFile(runPaths(first.runDir).config, 'utf8')) as { inputShape: number[]; balance: { className: string; train: number }[] };
    assert.deepEqual(cfg.inputShape, [28, 28, 3]);
    const trainCounts = Object.fromEntries(cfg.balance.map((b) => [b.className, b.train]));
    assert.equal(trainCounts.red, 18);
    assert.equal(trainCounts.blue, 6);
    const progress = events.flatMap((e) => (e.type === 'progress' ? [e.payload] : []));
    assert.equal(progress.at(-1)!.batches, Math.ceil((3 * 18) / 8), 'oversampled: every class as many times as red');
    const state = JSON.parse(await readFile(join(runPaths(first.runDir).state, 'optimizer.json'), 'utf8')) as { className: string; epoch: number };
    assert.equal(state.className, 'Adagrad');
    assert.equal(state.epoch, 2);

    const resumed: ClassifierTrainerEvent[] = [];
    const second = await runClassifierTraining({ task: 'classify', project: data, resume: 'sports', epochs: 5 }, { emit: (e) => resumed.push(e) });
    assert.equal(second.status, 'completed');
    assert.equal(second.epochsDone, 5);
    assert.deepEqual(resumed.filter((e) => e.type === 'epoch').map((e) => e.payload.epoch), [3, 4, 5]);
    assert.match(logsOf(resumed), /resumed from epoch 2 \(optimizer state restored\)/);
    const report = JSON.parse(await readFile(runPaths(first.runDir).evalJson, 'utf8')) as { split: string };
    assert.equal(report.split, 'val', 'no test images: eval.json describes the validation split');
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});

test('early stopping after `patience` epochs without improvement; deep-cnn with class weights builds and trains', { timeout: 180_000 }, async () => {
  const root = await mkdtemp(join(tmpdir(), 'detecta-cls-early-'));
  try {
    const data = join(root, 'photos');
    await writeClassFolders(data, { perClass: 5, size: 16, seed: 4 });
    const events: ClassifierTrainerEvent[] = [];
    const done = await runClassifierTraining({
      task: 'classify', project: data, name: 'early',
      config: { source: { kind: 'folder', dir: data }, preset: 'deep-cnn', epochs: 10, patience: 2, learningRate: 1e-9, batchSize: 8, backend: 'wasm', balance: 'weights' },
    }, { emit: (e) => events.push(e) });
    assert.equal(done.status, 'completed');
    assert.equal(done.stoppedEarly, true);
    assert.equal(done.epochsDone, 3, 'epoch 1 is the best; 2 and 3 do not improve');
    assert.equal(done.best?.epoch, 1);
    assert.match(logsOf(events), /stopped early after epoch 3: no better validation accuracy for 2 validated epoch\(s\) \(patience 2\); best epoch 1/);
    assert.match(logsOf(events), /class weights: blue 1\.00, green 1\.00, red 1\.00/, 'balanced classes: equal loss weights');
    const cfg = JSON.parse(await readFile(runPaths(done.runDir).config, 'utf8')) as { inputShape: number[] };
    assert.deepEqual(cfg.inputShape, [16, 16, 3]);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});

test('unusable datasets fail with a clear message', async () => {
  const root = await mkdtemp(join(tmpdir(), 'detecta-cls-bad-'));
  try {
    const one = join(root, 'one');
    await mkdir(join(one, 'cats'), { recursive: true });
    await writePng(join(one, 'cats', 'a.png'), shapeImage('red', 16, 1), 16);
    const events: ClassifierTrainerEvent[] = [];
    await assert.rejects(runClassifierTraining({ task: 'classify', project: one, config: { source: { kind: 'folder', dir: one }, backend: 'wasm' } }, { emit: (e) => events.push(e) }), /at least 2 classes with images; found 1 \(cats\)/);
    assert.ok(events.some((e) => e.type === 'failed'));
    const empty = join(root, 'empty');
    await mkdir(empty);
    await assert.rejects(runClassifierTraining({ task: 'classify', project: empty, config: { source: { kind: 'folder', dir: empty }, backend: 'wasm' } }, { emit: () => {} }), /has no class folders/);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});
