/**
 * The time-budget recipe (shared/training/time-budget.ts): box sizes → input size, image count →
 * batch size, budget and speed → epochs (validation and per-epoch cost included), frozen epochs
 * for pretrained presets, explicit values winning, the mid-run re-plan's dead band; and the
 * config schema's `minutes` with the defaults `.partial()` leaves out (so the trainer can tell a
 * value the user gave from a default it may plan).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  epochSeconds, fitEpochs, freezeEpochsFor, guessSpeed, planTimeBudget, replanEpochs, type MeasuredSpeed, type RunShape, type SpeedModel, type TimeBudgetInput,
} from '../../shared/training/time-budget';
import { trainConfigSchema } from '../../shared/training/types';

const base: TimeBudgetInput = { minutes: 60, trainImages: 50, valImages: 10, medianBoxSideFraction: 0.5, accelerated: false };
const measured: MeasuredSpeed = { inputSize: 224, batchSize: 16, secondsPerImage: 0.01, valSecondsPerImage: 0.005, epochOverheadSeconds: 0.5 };

test('time budget: the input size follows the box size, capped on CPU and by the photos', () => {
  const size = (f: number | null, extra: Partial<TimeBudgetInput> = {}) => planTimeBudget({ ...base, medianBoxSideFraction: f, ...extra }).inputSize;
  assert.equal(size(0.5), 224, 'large boxes: the smallest input');
  assert.equal(size(0.14), 256, '0.14 × 256 ≥ 32 px');
  assert.equal(size(0.11), 320, '0.11 × 320 ≥ 32 px');
  assert.equal(size(0.09), 320, 'needs 416, capped at 320 on CPU');
  assert.match(planTimeBudget({ ...base, medianBoxSideFraction: 0.09 }).reason[0]!, /capped at 320 px on CPU/);
  assert.equal(size(0.09, { accelerated: true }), 416, 'a GPU backend goes to 416');
  assert.equal(size(0.01, { accelerated: true }), 416, 'the ladder ends at 416');
  assert.equal(size(null), 224, 'no boxes known: the smallest');
  assert.equal(size(0.05, { medianImageSide: 64 }), 64, 'never above the photos');
  assert.equal(size(0.05, { medianImageSide: 150 }), 160, 'the photos rounded up to a multiple of 32');
  const reason = planTimeBudget({ ...base, medianBoxSideFraction: 0.12 }).reason[0]!;
  assert.match(reason, /^input 320 px: median box side 12\.0 % of the image, about 38 px at 320/);
});

test('time budget: a budget that gives few epochs steps the input size down, not below 224', () => {
  const big = { ...base, minutes: 0.5, trainImages: 600, valImages: 100, medianBoxSideFraction: 0.09, preset: 'mobilenet' };
  const plan = planTimeBudget(big);
  assert.equal(plan.inputSize, 224);
  assert.match(plan.reason[0]!, /stepped down from 320 px/);
  assert.equal(planTimeBudget({ ...big, minutes: 600 }).inputSize, 320, 'a long budget keeps the size the boxes want');
});

test('time budget: batch size from the image count; never more than an epoch has', () => {
  assert.equal(planTimeBudget({ ...base, trainImages: 50 }).batchSize, 8);
  assert.equal(planTimeBudget({ ...base, trainImages: 99 }).batchSize, 8);
  assert.equal(planTimeBudget({ ...base, trainImages: 100 }).batchSize, 16);
  assert.equal(planTimeBudget({ ...base, trainImages: 5 }).batchSize, 5);
  assert.equal(planTimeBudget({ ...base, trainImages: 5, trainTimes: 4 }).batchSize, 8, 'trainTimes repeats the set in an epoch');
  assert.match(planTimeBudget({ ...base, trainImages: 500 }).reason[1]!, /^batch 16: 500 train images \(100 or more/);
});

test('time budget: epochs are what fits the budget with validation and the per-epoch cost', () => {
  // an epoch: 100 images × 0.01 s + 20 val images × 0.005 s + 0.5 s = 1.6 s; 60 s hold 37 of them
  const one = { ...base, minutes: 1, trainImages: 100, valImages: 20, measured, explicit: { inputSize: 224 } };
  const plan = planTimeBudget(one);
  assert.equal(plan.epochs, 37);
  assert.ok(plan.estimatedSeconds <= 60 && plan.estimatedSeconds > 60 - 1.6);
  assert.equal(planTimeBudget({ ...one, minutes: 2 }).epochs, 75);
  assert.equal(planTimeBudget({ ...one, secondsUsed: 30 }).epochs, 18, 'time already used is not there to plan');
  // validating every 5th epoch (and the last): 1.5 s an epoch plus 0.1 s per validation
  assert.equal(planTimeBudget({ ...one, valEvery: 5 }).epochs, 39);
  // no validation images: nothing to validate
  assert.equal(planTimeBudget({ ...one, valImages: 0 }).epochs, 40);
  // the measured speed scales with the input's area
  assert.equal(planTimeBudget({ ...one, explicit: { inputSize: 448 } }).epochs, Math.floor(60 / (100 * 0.04 + 20 * 0.02 + 0.5)));
  assert.match(plan.reason[3]!, /^37 epochs: 60\.0 s left, about 1\.60 s an epoch .* by measured 100 img\/s at 224 px/);
});

test('time budget: at least one epoch, even when one is over the budget', () => {
  const plan = planTimeBudget({ ...base, minutes: 0.01, trainImages: 1000, measured: { ...measured, secondsPerImage: 1 }, explicit: { inputSize: 224 } });
  assert.equal(plan.epochs, 1);
  assert.match(plan.reason[3]!, /even one epoch is over the budget/);
});

test('time budget: pretrained presets freeze about 12 % of the epochs, at least 1; scratch presets none', () => {
  assert.deepEqual([1, 2, 5, 10, 13, 25, 100].map(freezeEpochsFor), [1, 1, 1, 1, 2, 3, 12]);
  const m = { ...base, preset: 'mobilenet-fpn', trainImages: 100, valImages: 20, measured: { ...measured, frozenSecondsPerImage: 0.004 }, explicit: { inputSize: 224 } };
  const plan = planTimeBudget({ ...m, minutes: 2 });
  assert.equal(plan.freezeEpochs, freezeEpochsFor(plan.epochs));
  assert.ok(plan.freezeEpochs >= 1);
  // frozen epochs are cheaper: more epochs fit than at the full cost
  assert.ok(plan.epochs > planTimeBudget({ ...m, minutes: 2, preset: 'tiny' }).epochs);
  assert.equal(planTimeBudget({ ...m, minutes: 0.01 }).freezeEpochs, 1, 'one epoch: the head alone');
  assert.equal(planTimeBudget({ ...base, preset: 'tiny' }).freezeEpochs, 0);
  assert.match(planTimeBudget({ ...base, preset: 'darknet19' }).reason[2]!, /no frozen epochs: darknet19 trains from scratch/);
});

test('time budget: explicit values win over the rules', () => {
  const plan = planTimeBudget({ ...base, preset: 'mobilenet', medianBoxSideFraction: 0.05, trainImages: 500, explicit: { inputSize: 160, batchSize: 4, freezeEpochs: 5 } });
  assert.deepEqual([plan.inputSize, plan.batchSize, plan.freezeEpochs], [160, 4, 5]);
  assert.deepEqual(plan.reason.slice(0, 3), ['input 160 px: given', 'batch 4: given', '5 frozen epochs: given']);
  assert.ok(plan.epochs > 5);
});

test('time budget: the first plan guesses on the slow side; a measured fast machine gets more epochs', () => {
  const guess = planTimeBudget({ ...base, minutes: 5, trainImages: 200, valImages: 40, explicit: { inputSize: 224 } });
  const fast = planTimeBudget({ ...base, minutes: 5, trainImages: 200, valImages: 40, explicit: { inputSize: 224 }, measured });
  assert.ok(fast.epochs > guess.epochs, `${fast.epochs} > ${guess.epochs}`);
  assert.match(guess.reason[3]!, /conservative guess for tiny on CPU/);
  const g = guessSpeed('tiny', 448, false);
  assert.ok(Math.abs(g.secondsPerImage - 4 * guessSpeed('tiny', 224, false).secondsPerImage) < 1e-12, 'the guess scales with the area');
  assert.ok(guessSpeed('tiny', 224, true).secondsPerImage < g.secondsPerImage);
});

test('time budget: fitEpochs finds the largest total that fits (random shapes)', () => {
  let seed = 7;
  const rnd = (): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  for (let i = 0; i < 200; i++) {
    const shape: RunShape = { imagesPerEpoch: 1 + Math.floor(rnd() * 300), valImages: Math.floor(rnd() * 50), valEvery: 1 + Math.floor(rnd() * 3) };
    const speed: SpeedModel = { secondsPerImage: 0.001 + rnd() * 0.1, frozenSecondsPerImage: 0.001 + rnd() * 0.03, valSecondsPerImage: rnd() * 0.05, epochOverheadSeconds: rnd() };
    const epoch = 1 + Math.floor(rnd() * 5);
    const trainFraction = rnd();
    const freeze = rnd() < 0.5 ? ('plan' as const) : Math.floor(rnd() * 4);
    const secondsLeft = rnd() * 600;
    const r = fitEpochs({ secondsLeft, epoch, trainFraction, shape, speed, freezeEpochs: freeze });
    const cost = (total: number): number => {
      const f = freeze === 'plan' ? Math.max(epoch, freezeEpochsFor(total)) : freeze;
      let s = epochSeconds(epoch, total, f, shape, speed, trainFraction);
      for (let e = epoch + 1; e <= total; e++) s += epochSeconds(e, total, f, shape, speed);
      return s;
    };
    assert.ok(r.epochs >= epoch);
    if (r.over) {
      assert.equal(r.epochs, epoch);
      assert.ok(cost(epoch) > secondsLeft);
    } else {
      assert.ok(cost(r.epochs) <= secondsLeft + 1e-9, `total ${r.epochs} fits`);
      assert.ok(cost(r.epochs + 1) > secondsLeft, `total ${r.epochs + 1} does not`);
      assert.ok(Math.abs(r.seconds - cost(r.epochs)) < 1e-9);
    }
  }
});

test('time budget: the mid-run re-plan shrinks when over, grows past a dead band, never below the epoch in progress', () => {
  const shape: RunShape = { imagesPerEpoch: 100, valImages: 0, valEvery: 1 };
  const speed: SpeedModel = { secondsPerImage: 0.01, frozenSecondsPerImage: 0.004, valSecondsPerImage: 0, epochOverheadSeconds: 0 };
  // 1 s an epoch; epoch 3 just starting
  const at = { epoch: 3, batchesDone: 0, batchesPerEpoch: 10, shape, speed, freezeEpochs: 0, planFreeze: false };
  assert.equal(replanEpochs({ ...at, secondsLeft: 10.5, epochs: 12 }).epochs, 12, 'fits: stays');
  assert.equal(replanEpochs({ ...at, secondsLeft: 8, epochs: 14 }).epochs, 10, 'over: shrinks to what fits');
  assert.equal(replanEpochs({ ...at, secondsLeft: 10.5, epochs: 14 }).epochs, 13, 'over by less than the dead band: shrinks to what fits at 5 % lower costs');
  assert.equal(replanEpochs({ ...at, secondsLeft: 10.6, epochs: 11 }).epochs, 12, 'room for more past the dead band: grows');
  assert.equal(replanEpochs({ ...at, secondsLeft: 9.98, epochs: 11 }).epochs, 11, 'inside the dead band: stays');
  assert.equal(replanEpochs({ ...at, secondsLeft: 10.02, epochs: 12 }).epochs, 12, 'inside the dead band: stays');
  assert.equal(replanEpochs({ ...at, secondsLeft: 0.2, epochs: 8 }).epochs, 3, 'out of time: the epoch in progress is the last');
  // half of epoch 3 done: 0.5 s for it, then 1 s an epoch
  assert.equal(replanEpochs({ ...at, batchesDone: 5, secondsLeft: 4.9, epochs: 3 }).epochs, 7);
  // still frozen in epoch 2: the frozen epochs follow the total, never below the epoch in progress
  const frozen = replanEpochs({ ...at, epoch: 2, planFreeze: true, freezeEpochs: 1, secondsLeft: 100, epochs: 10 });
  assert.ok(frozen.epochs > 10);
  assert.equal(frozen.freezeEpochs, Math.max(2, freezeEpochsFor(frozen.epochs)));
});

test('config: minutes is validated; .partial() leaves the plannable defaults out, the full schema fills them', () => {
  const full = trainConfigSchema.parse({ minutes: 5 });
  assert.deepEqual([full.minutes, full.batchSize, full.freezeEpochs, full.epochs], [5, 8, 3, 50]);
  assert.equal(trainConfigSchema.parse({}).minutes, undefined);
  const partial = trainConfigSchema.partial().parse({ minutes: 0.5 });
  assert.equal('batchSize' in partial, false);
  assert.equal('freezeEpochs' in partial, false);
  assert.equal(trainConfigSchema.partial().parse({ batchSize: 4 }).batchSize, 4);
  assert.equal(trainConfigSchema.safeParse({ minutes: 0 }).success, false);
  assert.equal(trainConfigSchema.safeParse({ minutes: -1 }).success, false);
  assert.equal(trainConfigSchema.safeParse({ minutes: 10_001 }).success, false);
  assert.equal(trainConfigSchema.safeParse({ batchSize: 0 }).success, false, 'the planned default still validates');
  assert.equal(trainConfigSchema.partial().safeParse({ freezeEpochs: -1 }).success, false);
});
