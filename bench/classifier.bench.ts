/**
 * The seed's Fashion-MNIST CNN (preset fashion-mnist-cnn: Conv 32, Conv 64, MaxPool, Dropout 0.25,
 * Dense 128, Dropout 0.5, softmax; Adam 0.001) on the full Fashion-MNIST set
 * (../shared/datasets/classification/fashion-mnist: 60k train, of which --val is held out for
 * validation, and the 10k t10k test images) with the best backend the ladder finds here, through
 * the real classifier run (runClassifierTraining, in this process). Reports test accuracy of
 * weights/best, training images/s and wall time per epoch; a time budget stops training at the
 * next batch boundary (the best completed epoch is then evaluated on the test set all the same).
 *
 * Run: node --import tsx bench/classifier.bench.ts [--epochs 2] [--budget-min 14] [--batch 64]
 *      [--val 0.1] [--train-limit N] [--test-limit N] [--backend auto|wasm|cpu|tensorflow]
 * Writes bench/results/classifier.json. (Tests never assert timings; figures go in the issue note.)
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { runClassifierTraining } from '../main/training/classifier/classify-task';
import { evaluateClassifierRun } from '../main/training/classifier/evaluate-run';
import type { ClassifierEpochEvent, ClassifierTrainerEvent } from '../shared/training/classifier';
import { backendChoiceSchema } from '../shared/training/types';

const { values } = parseArgs({
  options: {
    epochs: { type: 'string', default: '2' }, 'budget-min': { type: 'string', default: '14' }, batch: { type: 'string', default: '64' },
    val: { type: 'string', default: '0.1' }, 'train-limit': { type: 'string' }, 'test-limit': { type: 'string' }, backend: { type: 'string', default: 'auto' },
  },
});
const FASHION = fileURLToPath(new URL('../../shared/datasets/classification/fashion-mnist', import.meta.url));
const epochs = Number(values.epochs);
const budgetMs = Number(values['budget-min']) * 60_000;
const round = (x: number, d = 2) => Math.round(x * 10 ** d) / 10 ** d;

const home = await mkdtemp(join(tmpdir(), 'detecta-bench-classifier-'));
const loadBefore = loadavg().map((l) => round(l));
const t0 = Date.now();
let stopAt = Infinity;
const epochEvents: ClassifierEpochEvent[] = [];
const epochSpeed = new Map<number, number>();
let backend = '';
let device = '';
let trainStart = 0;
try {
  const finished = await runClassifierTraining({
    task: 'classify', project: home, name: 'fashion-mnist',
    config: {
      source: {
        kind: 'idx', dir: FASHION,
        ...(values['train-limit'] ? { trainLimit: Number(values['train-limit']) } : {}),
        ...(values['test-limit'] ? { testLimit: Number(values['test-limit']) } : {}),
      },
      preset: 'fashion-mnist-cnn', epochs, batchSize: Number(values.batch), valFraction: Number(values.val), backend: backendChoiceSchema.parse(values.backend), seed: 1,
    },
    progressIntervalMs: 5000,
  }, {
    emit: (e: ClassifierTrainerEvent) => {
      if (e.type === 'env') { backend = e.payload.backend; device = e.payload.device; }
      if (e.type === 'log') console.log(`  ${e.payload.message}`);
      if (e.type === 'progress') {
        if (!trainStart) { trainStart = Date.now(); stopAt = t0 + budgetMs; }
        epochSpeed.set(e.payload.epoch, e.payload.imagesPerSecond);
        console.log(`  epoch ${e.payload.epoch} batch ${e.payload.batch}/${e.payload.batches} loss ${e.payload.loss.toFixed(4)} acc ${e.payload.accuracy.toFixed(4)} ${e.payload.imagesPerSecond.toFixed(1)} img/s`);
      }
      if (e.type === 'epoch') {
        epochEvents.push(e.payload);
        console.log(`  epoch ${e.payload.epoch} done at ${e.payload.time.toFixed(0)} s: train acc ${e.payload.train.accuracy.toFixed(4)}, val acc ${e.payload.val?.accuracy.toFixed(4)}`);
      }
    },
    control: { shouldCancel: () => Date.now() > stopAt, waitIfPaused: async () => {} },
  });
  let report = null;
  let evalSeconds = 0;
  if (epochEvents.length > 0) {
    const e0 = Date.now();
    report = await evaluateClassifierRun(finished.runDir);
    evalSeconds = (Date.now() - e0) / 1000;
  }
  const epochWall = epochEvents.map((e, i) => round(e.time - (i === 0 ? 0 : epochEvents[i - 1]!.time), 1));
  const results = {
    date: new Date().toISOString(),
    machine: { cpus: cpus().length, model: cpus()[0]?.model, node: process.version, loadavgBefore: loadBefore, loadavgAfter: loadavg().map((l) => round(l)) },
    backend, device,
    dataset: 'Fashion-MNIST (IDX)',
    config: { epochs, batchSize: Number(values.batch), valFraction: Number(values.val), trainLimit: values['train-limit'] ?? null, testLimit: values['test-limit'] ?? null, budgetMinutes: Number(values['budget-min']) },
    status: finished.status === 'cancelled' ? 'stopped by the time budget' : 'completed',
    epochsDone: epochEvents.length,
    perEpoch: epochEvents.map((e, i) => ({ epoch: e.epoch, wallSeconds: epochWall[i], imagesPerSecond: round(epochSpeed.get(e.epoch) ?? NaN, 1), train: e.train, val: e.val })),
    testAccuracy: report?.accuracy ?? null,
    testImages: report?.images ?? 0,
    testMacroF1: report?.macro.F1 ?? null,
    evalSeconds: round(evalSeconds, 1),
    totalSeconds: round((Date.now() - t0) / 1000, 1),
  };
  const out = fileURLToPath(new URL('./results/classifier.json', import.meta.url));
  mkdirSync(fileURLToPath(new URL('./results/', import.meta.url)), { recursive: true });
  writeFileSync(out, JSON.stringify(results, null, 2) + '\n');
  console.log(`classifier (fashion-mnist-cnn, ${backend}, load ${loadBefore.join('/')}): ${results.status}, ${results.epochsDone} epoch(s)`);
  for (const e of results.perEpoch) console.log(`  epoch ${e.epoch}: ${e.wallSeconds} s wall, ${e.imagesPerSecond} img/s, val accuracy ${e.val?.accuracy.toFixed(4) ?? '-'}`);
  console.log(`  test accuracy ${results.testAccuracy?.toFixed(4) ?? '-'} on ${results.testImages} images (eval ${results.evalSeconds} s); total ${results.totalSeconds} s`);
  console.log(`written ${out}`);
} finally {
  await rm(home, { recursive: true, force: true });
}
