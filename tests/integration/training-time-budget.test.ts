/**
 * The time budget (`minutes`) end to end. In process, with a stepped clock (every reading 10 ms
 * later), so the plan, the re-plans and the stop are the same on every machine: the run ends on
 * its plan (run.json and config.json hold the epochs done, the LR of the last batch is the
 * schedule's final one), a clock that jumps past the budget stops the run at a batch boundary
 * (completed, with the log line), a cancelled budget run resumes with the time it has left, and
 * --more on a budget run ends its budget. Then the real thing through the CLI: `detecta train
 * --preset tiny --minutes 0.5` finishes within the budget plus startup and the final evaluation,
 * prints its plan and re-plan, and ends on the schedule it planned.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { writeSampleProject } from '../../main/sample/write-sample-project';
import { detectTask } from '../../main/training/detect-task';
import { runEngine, type EngineHooks, type TrainControl } from '../../main/training/engine';
import { readRun } from '../../main/training/run-files';
import { trainConfigSchema } from '../../shared/training/types';
import { tempFolders } from '../helpers/temp-folders';

const ROOT = resolve(import.meta.dirname, '..', '..');
const roots = tempFolders();

async function sampleProject(images: number): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'detecta-budget-'));
  roots.push(root);
  const dir = join(root, 'p');
  await writeSampleProject(dir, { images, seed: 5, width: 64, height: 64, classes: ['ball'], minObjects: 1, maxObjects: 1, minSize: 0.35, maxSize: 0.6 });
  return dir;
}

/** A clock that moves 10 ms each time it is read, plus `jump` ms once it has been read `after` times. */
function steppedClock(jump?: { after: number; ms: number }): () => number {
  let t = 1_000_000;
  let reads = 0;
  return () => {
    reads++;
    t += 10;
    return t + (jump && reads > jump.after ? jump.ms : 0);
  };
}

type Ev = { type: string; payload: Record<string, unknown> };
function recorder(control?: TrainControl, onEvent?: (e: Ev) => void) {
  const events: Ev[] = [];
  const hooks: EngineHooks<Ev> = { emit: (e) => { events.push(e); onEvent?.(e); }, ...(control ? { control } : {}) };
  const logs = (): string[] => events.flatMap((e) => (e.type === 'log' ? [String(e.payload.message)] : []));
  return { events, hooks, logs };
}

/** As train.start gets it: the API's partial schema fills defaults but leaves batchSize / freezeEpochs to the plan. */
const apiConfig = (minutes: number) => trainConfigSchema.partial().parse({
  preset: 'tiny', minutes, inputSize: 64, trainTimes: 2, backend: 'wasm', tinyWidths: [8, 8, 16, 16, 16, 16], numAnchors: 2, seed: 3,
});
const MINUTES = 0.02; // 1.2 s of the stepped clock

test('time budget: the run ends on its re-planned schedule; run.json and config.json hold the epochs, the cosine ends at the last batch', { timeout: 180_000 }, async () => {
  const home = await sampleProject(8);
  const rec = recorder();
  const f = await runEngine(detectTask, { project: home, name: 'b', config: apiConfig(MINUTES), clock: steppedClock() }, rec.hooks);
  const logs = rec.logs();
  assert.equal(f.status, 'completed');
  const done = f.epochsDone as number;
  assert.ok(done > 1, `more than one epoch (${done})`);
  const plan = logs.find((l) => l.startsWith('time budget 0.02 min: plan'));
  assert.match(plan ?? '', /^time budget 0\.02 min: plan input 64 px, batch 8, (\d+) epochs, 0 frozen/, logs.join('\n'));
  assert.ok(logs.includes('  input 64 px: given'), 'the given input size wins');
  assert.ok(logs.some((l) => /^ {2}batch 8: \d+ train images \(under 100/.test(l)), 'the batch size is planned (the API left it out)');
  assert.ok(logs.some((l) => /^time budget: measured [\d.]+ img\/s, validation [\d.]+ s; (re-planned to|the plan stays at) \d+ epochs/.test(l)), logs.join('\n'));
  assert.ok(!logs.some((l) => /ended the run/.test(l)), 'the plan, not the hard stop, ended it');
  assert.deepEqual(f.budget, { minutes: MINUTES, secondsUsed: (f.budget as { secondsUsed: number }).secondsUsed, endedRun: false });
  assert.ok((f.budget as { secondsUsed: number }).secondsUsed <= MINUTES * 60);

  const info = await readRun(home, 'b');
  assert.deepEqual([info.state?.status, info.state?.epoch, info.state?.epochs], ['completed', done, done], 'run.json: x/x epochs');
  const train = info.config?.task === 'detect' ? info.config.train : null;
  assert.deepEqual([train?.epochs, train?.minutes, train?.batchSize, train?.inputSize], [done, MINUTES, 8, 64], 'config.json: the plan and the budget');
  assert.notEqual(Number(/(\d+) epochs/.exec(plan!)![1]), done, 'the measured speed changed the first plan');
  // the schedule ended on the plan: the last batch's rate is the cosine's final one
  const finalLr = train!.learningRate * train!.finalLrFactor;
  assert.deepEqual(info.metrics.map((m) => m.epoch), Array.from({ length: done }, (_, i) => i + 1));
  const last = info.metrics.at(-1)!;
  assert.ok(Math.abs(last.lr - finalLr) < finalLr * 1e-9, `last lr ${last.lr} = ${finalLr}`);
  const progress = rec.events.filter((e) => e.type === 'progress').at(-1)!.payload;
  assert.deepEqual([progress.epoch, progress.epochs, progress.batch === progress.batches], [done, done, true]);
  assert.ok(Math.abs((progress.lr as number) - finalLr) < finalLr * 1e-9);
  const epochs = rec.events.filter((e) => e.type === 'epoch').map((e) => e.payload);
  assert.ok(epochs.every((e) => (e.epochs as number) >= (e.epoch as number)));
  assert.ok(existsSync(join(home, '.detecta', 'runs', 'b', 'budget.json')));
});

test('time budget: a planned batch of 16 takes the learning rate scaled from the default batch 8, unless a rate was given', { timeout: 180_000 }, async () => {
  const home = await sampleProject(130); // ≥ 100 train images: the plan's batch is 16
  const planned = recorder();
  await runEngine(detectTask, { project: home, name: 'lr', config: apiConfig(MINUTES), clock: steppedClock() }, planned.hooks);
  assert.ok(planned.logs().some((l) => /^ {2}batch 16: /.test(l)), planned.logs().join('\n'));
  assert.ok(planned.logs().includes('  learning rate 0.002 (0.001 × batch 16 / 8: scaled with the planned batch)'), planned.logs().join('\n'));
  const scaled = await readRun(home, 'lr');
  assert.deepEqual(scaled.config?.task === 'detect' ? [scaled.config.train.batchSize, scaled.config.train.learningRate] : null, [16, 0.002]);

  const given = recorder();
  const config = trainConfigSchema.partial().parse({ ...apiConfig(MINUTES), learningRate: 0.0005 });
  await runEngine(detectTask, { project: home, name: 'lr-given', config, clock: steppedClock() }, given.hooks);
  assert.ok(!given.logs().some((l) => /learning rate .* scaled/.test(l)), 'a given rate is kept');
  const kept = await readRun(home, 'lr-given');
  assert.deepEqual(kept.config?.task === 'detect' ? [kept.config.train.batchSize, kept.config.train.learningRate] : null, [16, 0.0005]);
});

test('time budget: past the budget the run stops at a batch boundary, completed, and says so', { timeout: 180_000 }, async () => {
  const home = await sampleProject(8);
  const rec = recorder();
  // the clock jumps far past the budget after 60 readings: mid-run, whatever the plan
  const f = await runEngine(detectTask, { project: home, name: 'j', config: apiConfig(MINUTES), clock: steppedClock({ after: 60, ms: 3_600_000 }) }, rec.hooks);
  assert.equal(f.status, 'completed');
  assert.ok(rec.logs().some((l) => /^the time budget of 0\.02 min ended the run (in epoch \d+ after \d+\/\d+ batches|after epoch \d+)/.test(l)), rec.logs().join('\n'));
  const info = await readRun(home, 'j');
  const done = f.epochsDone as number;
  assert.ok(done >= 1);
  assert.deepEqual([info.state?.status, info.state?.epoch, info.state?.epochs, info.state?.stopReason], ['completed', done, done, null]);
  assert.equal(info.config?.train.epochs, done);
});

test('time budget: a cancelled budget run resumes with the time it has left; --more ends the budget', { timeout: 180_000 }, async () => {
  const home = await sampleProject(8);
  let cancel = false;
  const first = recorder({ shouldCancel: () => cancel, waitIfPaused: async () => {} }, (e) => { if (e.type === 'epoch' && e.payload.epoch === 2) cancel = true; });
  const a = await runEngine(detectTask, { project: home, name: 'r', config: apiConfig(MINUTES), clock: steppedClock() }, first.hooks);
  assert.equal(a.status, 'cancelled');
  const used = (JSON.parse(readFileSync(join(home, '.detecta', 'runs', 'r', 'budget.json'), 'utf8')) as { secondsUsed: number }).secondsUsed;
  assert.ok(used > 0 && used < MINUTES * 60);

  const second = recorder();
  const b = await runEngine(detectTask, { project: home, resume: 'r', clock: steppedClock() }, second.hooks);
  assert.equal(b.status, 'completed');
  const left = second.logs().find((l) => l.startsWith('time budget: ') && l.includes(' left of 0.02 min'));
  assert.ok(left, second.logs().join('\n'));
  const info = await readRun(home, 'r');
  const done = b.epochsDone as number;
  assert.ok(done > 2);
  assert.deepEqual(info.metrics.map((m) => m.epoch), Array.from({ length: done }, (_, i) => i + 1));
  assert.deepEqual([info.state?.epoch, info.state?.epochs], [done, done]);
  const total = (b.budget as { secondsUsed: number }).secondsUsed;
  assert.ok(total > used && total <= MINUTES * 60, `used ${total} s in all`);

  // an explicit total on resume is the user's: the budget no longer applies
  const third = recorder();
  const c = await runEngine(detectTask, { project: home, resume: 'r', moreEpochs: 1, clock: steppedClock() }, third.hooks);
  assert.equal(c.epochsDone, done + 1);
  assert.ok(third.logs().some((l) => l.includes('time budget no longer applies')), third.logs().join('\n'));
  const after3 = await readRun(home, 'r');
  assert.equal(after3.config?.task === 'detect' ? after3.config.train.minutes : 'x', undefined);
  assert.equal(after3.state?.epochs, done + 1);
});

test('detecta train --minutes 0.5: plans, re-plans, ends within the budget on its schedule', { timeout: 180_000 }, async () => {
  const home = await sampleProject(16);
  const t0 = Date.now();
  const { stdout } = await promisify(execFile)(process.execPath, [
    '--import', 'tsx', 'main/cli/detecta.ts', 'train', '--project', home, '--preset', 'tiny', '--minutes', '0.5', '--backend', 'wasm', '--name', 'cli',
  ], { cwd: ROOT, maxBuffer: 64 * 1024 * 1024 });
  const wall = (Date.now() - t0) / 1000;
  assert.ok(wall <= 30 + 25, `wall time ${wall.toFixed(1)} s: the budget (30 s) plus startup and the final evaluation`);
  assert.match(stdout, /^time budget 0\.5 min: plan input \d+ px, batch \d+, \d+ epochs, 0 frozen/m);
  assert.match(stdout, /^ {2}input \d+ px: median box side [\d.]+ % of the image/m);
  assert.match(stdout, /^ {2}\d+ epochs: [\d.]+ s left, about [\d.]+ s an epoch/m);
  assert.match(stdout, /^time budget: measured [\d.]+ img\/s, validation [\d.]+ s; (re-planned to|the plan stays at) \d+ epochs/m);
  const m = /^finished run cli after (\d+) epoch\(s\)/m.exec(stdout);
  assert.ok(m, stdout.slice(-2000));
  const done = Number(m[1]);
  assert.ok(done > 1, `more than one epoch (${done})`);
  assert.match(stdout, /^time budget: [\d.]+ s used of 30 s/m);
  const info = await readRun(home, 'cli');
  assert.deepEqual([info.state?.status, info.state?.epoch, info.state?.epochs], ['completed', done, done], 'run.json: the schedule ended on the plan');
  assert.equal(info.config?.train.epochs, done);
  if (!/ended the run/.test(stdout)) {
    // the plan ended the run (the usual case): its last batch ran at the cosine's final rate
    const t = info.config!.train as { learningRate: number; finalLrFactor: number };
    assert.ok(Math.abs(info.metrics.at(-1)!.lr - t.learningRate * t.finalLrFactor) < 1e-12);
  }
});
