/** Run-folder pieces: metrics.csv round trip and resume dedup, atomic weights save/load, seeded epoch order. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { appendCsvRow, detectorMetricsCells, keepCsvRowsThrough, readMetricsCsv } from '../../main/training/metrics-csv';
import { folderSaveHandler, loadModelFromFolder, loadOptimizerState, saveOptimizerState } from '../../main/training/weights-io';
import { epochOrder, batchesPerEpoch } from '../../main/training/data';
import { METRICS_COLUMNS, type EpochMetrics } from '../../shared/training/types';

const row = (epoch: number, mAP50: number | null): EpochMetrics => ({
  epoch, time: epoch * 1.5, train: { total: 1, box: 0.5, obj: 0.3, noobj: 0.1, cls: 0.1, dfl: 0.05 }, val: mAP50 === null ? null : { total: 2, box: 1, obj: 0.5, noobj: 0.25, cls: 0.25, dfl: 0.125 },
  precision: mAP50, recall: mAP50, F1: mAP50, mAP50, 'mAP50-95': mAP50 === null ? null : mAP50 / 2, lr: 0.001,
});

const append = (file: string, m: EpochMetrics) => appendCsvRow(file, METRICS_COLUMNS, detectorMetricsCells(m));

test('metrics.csv: header, rows appended, empty cells for missing validation, a resume drops the rows it redoes', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'detecta-runfolder-'));
  try {
    const file = join(dir, 'metrics.csv');
    await append(file, row(1, 0.1));
    await append(file, row(2, null));
    await append(file, row(3, 0.3));
    const before = await readFile(file, 'utf8');
    await append(file, row(4, 0.35));
    assert.ok((await readFile(file, 'utf8')).startsWith(before), 'a new epoch appends a row, the earlier ones are untouched');
    await keepCsvRowsThrough(file, 2, METRICS_COLUMNS); // resumed from epoch 2: the rows of epochs 3 and 4 go
    await append(file, row(3, 0.4)); // epoch 3 redone after a resume
    const text = await readFile(file, 'utf8');
    assert.equal(text.split('\n')[0], METRICS_COLUMNS.join(','));
    const rows = await readMetricsCsv(file);
    assert.deepEqual(rows.map((r) => r.epoch), [1, 2, 3]);
    assert.equal(rows[1].mAP50, null);
    assert.equal(rows[1].val, null);
    assert.equal(rows[2].mAP50, 0.4);
    assert.equal(rows[2]['mAP50-95'], 0.2);
    assert.deepEqual(rows[0].train, row(1, 0.1).train);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('metrics.csv of a run from before the dfl column: a resume rewrites it in the current columns, its rows kept, the dfl cells empty', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'detecta-runfolder-'));
  try {
    const file = join(dir, 'metrics.csv');
    const old = METRICS_COLUMNS.filter((c) => !c.endsWith('dfl_loss'));
    const oldRow = (m: EpochMetrics) => detectorMetricsCells(m).filter((_, i) => !METRICS_COLUMNS[i]!.endsWith('dfl_loss'));
    await writeFile(file, [old.join(','), oldRow(row(1, 0.1)).join(','), oldRow(row(2, 0.2)).join(','), oldRow(row(3, 0.3)).join(','), ''].join('\n'));
    const before = await readMetricsCsv(file);
    assert.ok(Number.isNaN(before[0].train.dfl), 'an old file has no dfl values');
    await keepCsvRowsThrough(file, 2, METRICS_COLUMNS);
    await append(file, row(3, 0.4));
    const text = await readFile(file, 'utf8');
    assert.equal(text.split('\n')[0], METRICS_COLUMNS.join(','), 'the header is the current one');
    const rows = await readMetricsCsv(file);
    assert.deepEqual(rows.map((r) => [r.epoch, r.mAP50]), [[1, 0.1], [2, 0.2], [3, 0.4]]);
    assert.deepEqual({ ...rows[0].train, dfl: 0 }, { ...row(1, 0.1).train, dfl: 0 }, 'the old parts keep their values');
    assert.ok(Number.isNaN(rows[0].train.dfl));
    assert.equal(rows[2].train.dfl, 0.05);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('weights: atomic folder save replaces the old one and loads back equal; optimizer state round trip', async () => {
  await tf.setBackend('cpu');
  const dir = await mkdtemp(join(tmpdir(), 'detecta-weights-'));
  try {
    const input = tf.input({ shape: [4] });
    const model = tf.model({ inputs: input, outputs: tf.layers.dense({ units: 2 }).apply(input) as tf.SymbolicTensor });
    model.setUserDefinedMetadata({ note: { v: 1 } });
    const target = join(dir, 'weights', 'last');
    await model.save(folderSaveHandler(target));
    await model.save(folderSaveHandler(target));
    assert.deepEqual((await readdir(join(dir, 'weights'))).sort(), ['last']);
    assert.deepEqual((await readdir(target)).sort(), ['model.json', 'weights.bin']);
    const loaded = await loadModelFromFolder(target);
    const x = tf.ones([1, 4]);
    assert.deepEqual(Array.from((loaded.predict(x) as tf.Tensor).dataSync()), Array.from((model.predict(x) as tf.Tensor).dataSync()));
    assert.deepEqual(loaded.getUserDefinedMetadata(), { note: { v: 1 } });

    const opt = tf.train.adam(0.01);
    opt.minimize(() => (model.predict(x) as tf.Tensor).sum() as tf.Scalar, false, model.trainableWeights.map((w) => w.read() as tf.Variable));
    await saveOptimizerState(join(dir, 'state'), opt, { epoch: 7, phase: 'full' });
    const opt2 = tf.train.adam(0.01);
    assert.deepEqual(await loadOptimizerState(join(dir, 'state'), opt2), { epoch: 7, phase: 'full' });
    const [a, b] = [await opt.getWeights(), await opt2.getWeights()];
    assert.equal(a.length, b.length);
    a.forEach((w, i) => assert.deepEqual(Array.from(w.tensor.dataSync()), Array.from(b[i].tensor.dataSync())));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('epoch order: train set repeated trainTimes, seeded by (seed, epoch)', () => {
  const o = epochOrder(5, 3, 1, 2);
  assert.equal(o.length, 15);
  assert.deepEqual([...o].sort(), [0, 0, 0, 1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4]);
  assert.deepEqual(epochOrder(5, 3, 1, 2), o);
  assert.notDeepEqual(epochOrder(5, 3, 1, 3), o);
  assert.equal(batchesPerEpoch(10, 2, 8), 3);
});

test('metrics.csv with garbage: the reader names the file, the line and the column instead of counting bad rows as epochs', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'detecta-runfolder-'));
  try {
    const file = join(dir, 'metrics.csv');
    await append(file, row(1, 0.1));
    await append(file, row(2, 0.2));
    const { appendFile } = await import('node:fs/promises');
    await appendFile(file, `${'x,'.repeat(METRICS_COLUMNS.length - 1)}x\n`);
    await assert.rejects(readMetricsCsv(file), /metrics\.csv: line 4, column epoch: "x" is not a number/);
    const { writeFile } = await import('node:fs/promises');
    await writeFile(file, `${METRICS_COLUMNS.join(',')}\n1,2,3\n`);
    await assert.rejects(readMetricsCsv(file), /metrics\.csv: not a valid CSV file/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
