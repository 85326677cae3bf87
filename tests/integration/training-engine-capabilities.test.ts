/**
 * The training engine's capabilities, each run for both tasks (a tiny detector on a sample
 * project, a small CNN classifier on class folders; wasm backend, in process): seeding, cancel,
 * resume, "--more N", pause, patience, the finite-loss guard and a disk-full writer. Every check
 * reads what a user would see: the run's files (run.json, metrics.csv, weights) and its events.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeSampleProject } from '../../main/sample/write-sample-project';
import { detectTask } from '../../main/training/detect-task';
import { classifyTask } from '../../main/training/classifier/classify-task';
import { runEngine, type EngineHooks, type EngineOptions, type TaskAdapter, type TaskConfigBase, type EpochMetricsBase, type TrainControl } from '../../main/training/engine';
import { runPaths } from '../../main/training/run-folder';
import { listRuns, readRun } from '../../main/training/run-files';
import { nodeFileWriter, type FileWriter } from '../../main/training/weights-io';
import { writeClassFolders } from '../helpers/class-folders';
import { tempFolders } from '../helpers/temp-folders';

type AnyAdapter = TaskAdapter<TaskConfigBase, EpochMetricsBase, unknown>;
interface Task {
  name: 'detect' | 'classify';
  adapter: AnyAdapter;
  /** A fresh data folder and a config that trains in about a second per epoch. */
  setup(): Promise<{ home: string; config: Record<string, unknown> }>;
}

const roots = tempFolders();
async function tmp(prefix: string): Promise<string> {
  const r = await mkdtemp(join(tmpdir(), prefix));
  roots.push(r);
  return r;
}

const TASKS: Task[] = [
  {
    name: 'detect',
    adapter: detectTask as unknown as AnyAdapter,
    async setup() {
      const home = join(await tmp('detecta-engine-det-'), 'p');
      await writeSampleProject(home, { images: 8, seed: 5, width: 64, height: 64, classes: ['ball'], minObjects: 1, maxObjects: 1, minSize: 0.3, maxSize: 0.6 });
      return { home, config: { preset: 'tiny', inputSize: 64, epochs: 3, batchSize: 4, learningRate: 3e-3, backend: 'wasm', tinyWidths: [8, 8, 16, 16, 16, 16], numAnchors: 2, seed: 3 } };
    },
  },
  {
    name: 'classify',
    adapter: classifyTask as unknown as AnyAdapter,
    async setup() {
      const home = join(await tmp('detecta-engine-cls-'), 'photos');
      await writeClassFolders(home, { perClass: 5, size: 16, seed: 4 });
      return { home, config: { source: { kind: 'folder', dir: home }, preset: 'fashion-mnist-cnn', epochs: 3, batchSize: 4, backend: 'wasm', seed: 3, valFraction: 0.2, testFraction: 0.2 } };
    },
  },
];

type Ev = { type: string; payload: Record<string, unknown> };
function recorder(extra: Partial<EngineHooks<Ev>> = {}, onEvent?: (e: Ev) => void) {
  const events: Ev[] = [];
  const hooks: EngineHooks<Ev> = { ...extra, emit: (e) => { events.push(e); onEvent?.(e); } };
  const logs = () => events.flatMap((e) => (e.type === 'log' ? [String(e.payload.message)] : []));
  return { events, hooks, logs };
}
const run = (task: Task, options: EngineOptions & { config?: unknown }, hooks: EngineHooks<Ev>) => runEngine(task.adapter, options, hooks);
const stateOf = async (home: string, name: string) => (await readRun(home, name)).state!;

/** The adapter with its reported batch loss replaced at (epoch, batch 0): what a diverged step looks like to the engine. */
function diverging(adapter: AnyAdapter, atEpoch: number): AnyAdapter {
  return {
    ...adapter,
    async open(ctx) {
      const session = await adapter.open(ctx);
      return { ...session, async trainBatch(epoch, b, opt) {
        const r = await session.trainBatch(epoch, b, opt);
        return epoch === atEpoch && b === 0 ? { ...r, loss: Number.NaN } : r;
      } };
    },
  };
}

for (const task of TASKS) {
  test(`${task.name}: seeding — the same seed gives the same run, another seed another`, { timeout: 120_000 }, async () => {
    const { home, config } = await task.setup();
    for (const [name, seed] of [['a', 3], ['b', 3], ['c', 4]] as const) await run(task, { project: home, name, config: { ...config, epochs: 1, seed } }, recorder().hooks);
    const weights = (n: string) => readFileSync(join(runPaths(join(home, '.detecta', 'runs', n)).last, 'weights.bin'));
    assert.ok(weights('a').equals(weights('b')), 'same seed → identical weights/last');
    assert.ok(!weights('a').equals(weights('c')), 'another seed → other weights');
  });

  test(`${task.name}: cancel at a batch boundary, resume from the last epoch, then --more 1`, { timeout: 120_000 }, async () => {
    const { home, config } = await task.setup();
    let cancel = false;
    const control: TrainControl = { shouldCancel: () => cancel, waitIfPaused: async () => {} };
    const first = recorder({ control }, (e) => { if (e.type === 'epoch' && e.payload.epoch === 1) cancel = true; });
    const a = await run(task, { project: home, name: 'r', config }, first.hooks);
    assert.equal(a.status, 'cancelled');
    assert.equal(a.epochsDone, 1);
    let s = await stateOf(home, 'r');
    assert.deepEqual([s.status, s.stopReason, s.epoch, s.epochs], ['cancelled', 'cancelled', 1, 3]);

    const second = recorder();
    const b = await run(task, { project: home, resume: 'r' }, second.hooks);
    assert.equal(b.status, 'completed');
    assert.deepEqual(second.events.filter((e) => e.type === 'epoch').map((e) => e.payload.epoch), [2, 3]);
    assert.ok(second.logs().includes('resumed from epoch 1 (optimizer state restored)'), second.logs().join('\n'));

    const third = recorder();
    const c = await run(task, { project: home, resume: 'r', moreEpochs: 1 }, third.hooks);
    assert.equal(c.epochsDone, 4);
    assert.deepEqual(third.events.filter((e) => e.type === 'epoch').map((e) => [e.payload.epoch, e.payload.epochs]), [[4, 4]]);
    const info = await readRun(home, 'r');
    assert.deepEqual((info.classifierMetrics ?? info.metrics).map((m) => m.epoch), [1, 2, 3, 4], 'metrics.csv: each epoch once');
    assert.equal(info.config?.train.epochs, 4, 'config.json holds the new total');
    s = info.state!;
    assert.deepEqual([s.status, s.phase, s.epoch, s.epochs], ['completed', 'done', 4, 4]);
    // run.json keeps the training seconds of all three parts (the run list's duration reads only run.json)
    // metrics.csv's time restarts with each part: part 1 ended after epoch 1, part 2 after epoch 3, part 3 after epoch 4
    const times = (info.classifierMetrics ?? info.metrics).map((m) => m.time);
    const parts = times[0]! + times[2]! + times[3]!;
    assert.ok(s.seconds !== undefined && Math.abs(s.seconds - parts) < 0.01, `run.json seconds ${s.seconds} vs metrics.csv parts ${parts}`);
    const listed = (await listRuns(home)).find((r) => r.name === 'r')!;
    assert.equal(listed.state?.seconds, s.seconds);
    assert.equal((listed.classifierMetrics ?? listed.metrics).length, 0, 'the run list does not read metrics.csv when run.json has seconds');
  });

  test(`${task.name}: pause at a batch boundary, written to the log and run.json, then resume`, { timeout: 120_000 }, async () => {
    const { home, config } = await task.setup();
    let paused = false;
    let wake: (() => void) | null = null;
    let sawPausedState = false;
    const control: TrainControl = {
      shouldCancel: () => false,
      isPaused: () => paused,
      waitIfPaused: () => (paused ? new Promise<void>((r) => { wake = r; }) : Promise.resolve()),
    };
    const rec = recorder({ control }, (e) => {
      if (e.type === 'epoch' && e.payload.epoch === 1) paused = true;
      if (e.type === 'log' && e.payload.message === 'paused') {
        // run.json says paused while the trainer waits; then resume
        void (async () => {
          for (let i = 0; i < 200 && !sawPausedState; i++) {
            sawPausedState = (await stateOf(home, 'p')).status === 'paused';
            if (!sawPausedState) await new Promise((r) => setImmediate(r));
          }
          paused = false;
          wake?.();
        })();
      }
    });
    const done = await run(task, { project: home, name: 'p', config: { ...config, epochs: 2 } }, rec.hooks);
    assert.equal(done.status, 'completed');
    assert.ok(sawPausedState, 'run.json said paused during the pause');
    const logs = rec.logs();
    const at = logs.indexOf('paused');
    assert.ok(at >= 0 && /^resumed after \d+ s$/.test(logs[at + 1] ?? ''), logs.join('\n'));
    assert.equal((await stateOf(home, 'p')).status, 'completed');
  });

  test(`${task.name}: patience stops a run that does not improve`, { timeout: 120_000 }, async () => {
    const { home, config } = await task.setup();
    const rec = recorder();
    const done = await run(task, { project: home, name: 'es', config: { ...config, epochs: 6, learningRate: 1e-9, patience: 1 } }, rec.hooks);
    assert.equal(done.status, 'completed');
    assert.equal(done.stoppedEarly, true);
    assert.ok((done.epochsDone as number) < 6, `stopped at epoch ${String(done.epochsDone)}`);
    assert.ok(rec.logs().some((m) => /^stopped early after epoch \d+: no better .* for 1 validated epoch\(s\) \(patience 1\); best epoch \d+$/.test(m)), rec.logs().join('\n'));
    const s = await stateOf(home, 'es');
    assert.deepEqual([s.status, s.stopReason], ['completed', 'patience']);
  });

  test(`${task.name}: a NaN loss stops the run with a clear error; weights/last keeps the last good epoch, resume works`, { timeout: 120_000 }, async () => {
    const { home, config } = await task.setup();
    const rec = recorder();
    await assert.rejects(runEngine(diverging(task.adapter, 2), { project: home, name: 'nan', config }, rec.hooks), /the loss is NaN at epoch 2, batch 1 \(training diverged; lower the learning rate\); weights\/last holds epoch 1/);
    assert.equal(rec.events.at(-1)?.type, 'failed');
    const s = await stateOf(home, 'nan');
    assert.deepEqual([s.status, s.stopReason, s.epoch], ['failed', 'failed', 1]);
    assert.match(String(s.error), /the loss is NaN/);
    const again = await run(task, { project: home, resume: 'nan' }, recorder().hooks);
    assert.equal(again.status, 'completed');
    assert.equal(again.epochsDone, 3);
  });

  test(`${task.name}: the disk filling up while weights are saved fails the run clearly and loses nothing`, { timeout: 120_000 }, async () => {
    const { home, config } = await task.setup();
    const paths = runPaths(join(home, '.detecta', 'runs', 'full'));
    let epochsSeen = 0;
    const failing: FileWriter = {
      async writeFile(file, data) {
        if (epochsSeen >= 1 && file.includes('.last.tmp-') && file.endsWith('weights.bin')) {
          await nodeFileWriter.writeFile(file, (data as Uint8Array).subarray(0, 100));
          throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
        }
        return nodeFileWriter.writeFile(file, data);
      },
    };
    let epoch1 = Buffer.alloc(0);
    const rec = recorder({ writer: failing }, (e) => {
      if (e.type === 'epoch') {
        epochsSeen = e.payload.epoch as number;
        if (epochsSeen === 1) epoch1 = readFileSync(join(paths.last, 'weights.bin'));
      }
    });
    await assert.rejects(run(task, { project: home, name: 'full', config }, rec.hooks), /cannot save .*weights[/\\]last: ENOSPC: no space left on device, write \(the disk is full\); the previous copy is unchanged/);
    assert.ok(readFileSync(join(paths.last, 'weights.bin')).equals(epoch1), 'weights/last still holds epoch 1');
    const s = await stateOf(home, 'full');
    assert.deepEqual([s.status, s.epoch], ['failed', 1]);
    const events = (await readFile(paths.events, 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as Ev);
    assert.equal(events.at(-1)?.type, 'failed', 'the reason is the last line of events.jsonl');
    const again = await run(task, { project: home, resume: 'full' }, recorder().hooks);
    assert.equal(again.status, 'completed');
  });
}
