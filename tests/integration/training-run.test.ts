/**
 * The training engine end to end, through the real trainer process (child_process.fork of
 * main/training/trainer-entry.ts under tsx): the tiny preset on a small sample project (64×64
 * photos, one ball each) on the wasm backend. Checks streamed events, pause/resume, cancel at a
 * batch boundary, resume from the saved epoch, the run folder, and that validation mAP50 rises
 * clearly above the untrained baseline. A killed trainer must surface as a crash.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeSampleProject } from '../../main/sample/write-sample-project';
import { TrainerSupervisor } from '../../main/training/supervisor';
import { runPaths } from '../../main/training/run-folder';
import { readRun } from '../../main/training/run-files';
import { loadModelFromFolder } from '../../main/training/weights-io';
import { readDetectorMetadata } from '../../shared/ml/detector/metadata';
import type { TrainerEvent, TrainConfigInput } from '../../shared/training/types';

const CONFIG: TrainConfigInput = {
  preset: 'tiny', inputSize: 64, epochs: 12, batchSize: 8, learningRate: 3e-3, backend: 'wasm',
  tinyWidths: [8, 16, 32, 32, 64, 64], numAnchors: 2, seed: 7,
};

async function sampleProject(): Promise<{ root: string; dir: string }> {
  const root = await mkdtemp(join(tmpdir(), 'detecta-train-'));
  const dir = join(root, 'project');
  await writeSampleProject(dir, { images: 32, seed: 3, width: 64, height: 64, classes: ['ball'], minObjects: 1, maxObjects: 1, minSize: 0.35, maxSize: 0.6 });
  return { root, dir };
}

test('trainer process: events, pause/resume, cancel, resume from the saved epoch, mAP50 rises', { timeout: 180_000 }, async () => {
  const { root, dir } = await sampleProject();
  try {
    // Part 1: train, pause during epoch 2, cancel after epoch 4.
    const events: TrainerEvent[] = [];
    const sup = new TrainerSupervisor({ project: dir, config: CONFIG, name: 'run1', progressIntervalMs: 50 });
    let pausedChecked = false;
    sup.onEvent((ev) => {
      events.push(ev);
      if (ev.type === 'progress' && ev.payload.epoch === 2 && !pausedChecked) {
        pausedChecked = true;
        sup.pause();
        setTimeout(() => {
          const before = events.filter((e) => e.type === 'progress').length;
          setTimeout(() => {
            assert.equal(sup.state, 'paused');
            assert.ok(events.filter((e) => e.type === 'progress').length <= before + 1, 'no batches while paused');
            sup.resume();
          }, 600);
        }, 200);
      }
      if (ev.type === 'epoch' && ev.payload.epoch === 4) sup.cancel();
    });
    const first = await sup.done;
    assert.equal(first.type, 'finished', JSON.stringify(first.payload));
    assert.equal(first.payload.status, 'cancelled');
    assert.equal(first.payload.epochsDone, 4);
    assert.ok(pausedChecked);

    const env = events.find((e) => e.type === 'env');
    assert.ok(env && env.type === 'env' && env.payload.backend === 'wasm', 'env event names the backend');
    const progress = events.filter((e) => e.type === 'progress');
    assert.ok(progress.length >= 4, 'progress events stream');
    for (const p of progress) if (p.type === 'progress') assert.ok(p.payload.imagesPerSecond > 0 && Number.isFinite(p.payload.etaSeconds) && Number.isFinite(p.payload.loss.total));
    const baselineLog = events.find((e) => e.type === 'log' && e.payload.metrics?.epoch === 0);
    assert.ok(baselineLog && baselineLog.type === 'log');
    const baseline = baselineLog.payload.metrics!.mAP50 ?? 0;

    const paths = runPaths(join(dir, '.detecta', 'runs', 'run1'));
    // the pause and the resume are in the run's log, live and in events.jsonl
    const logs = events.flatMap((e) => (e.type === 'log' ? [e.payload.message] : []));
    assert.ok(logs.includes('paused') && logs.some((m) => /^resumed after \d+ s$/.test(m)), logs.join(' | '));
    const stored = (await readFile(paths.events, 'utf8')).split('\n').filter(Boolean).map((l) => JSON.parse(l) as TrainerEvent);
    assert.ok(stored.some((e) => e.type === 'log' && e.payload.message === 'paused'), 'paused is in events.jsonl');
    for (const f of [paths.config, paths.env, paths.metrics, paths.events, join(paths.last, 'model.json'), join(paths.last, 'weights.bin'), join(paths.best, 'model.json'), paths.evalJson]) {
      assert.ok(existsSync(f), `${f} exists`);
    }
    let info = await readRun(dir, 'run1');
    assert.equal(info.metrics.length, 4);
    assert.equal(info.status, 'cancelled');
    assert.equal(JSON.parse(await readFile(paths.env, 'utf8')).backend, 'wasm');

    // Part 2: resume; continues at epoch 5 and completes.
    const resumed: TrainerEvent[] = [];
    const sup2 = new TrainerSupervisor({ project: dir, resume: 'run1' });
    sup2.onEvent((ev) => resumed.push(ev));
    const second = await sup2.done;
    assert.equal(second.type, 'finished', JSON.stringify(second.payload));
    assert.equal(second.payload.status, 'completed');
    const epochs = resumed.filter((e) => e.type === 'epoch').map((e) => (e.type === 'epoch' ? e.payload.epoch : 0));
    assert.deepEqual(epochs, [5, 6, 7, 8, 9, 10, 11, 12]);

    info = await readRun(dir, 'run1');
    assert.deepEqual(info.metrics.map((m) => m.epoch), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    const bestMap = Math.max(...info.metrics.map((m) => m.mAP50 ?? 0));
    console.log(`mAP50 untrained ${baseline.toFixed(3)} → best ${bestMap.toFixed(3)}, final ${info.metrics.at(-1)!.mAP50?.toFixed(3)}; ` +
      `images/s ${(resumed.filter((e) => e.type === 'progress').at(-1) as { payload: { imagesPerSecond: number } }).payload.imagesPerSecond.toFixed(1)}`);
    assert.ok(bestMap > baseline + 0.2 && bestMap > 0.3, `validation mAP50 ${baseline.toFixed(3)} → ${bestMap.toFixed(3)}`);

    const evalJson = JSON.parse(await readFile(paths.evalJson, 'utf8'));
    assert.equal(evalJson.classes[0].className, 'ball');
    assert.deepEqual(evalJson.confusion.labels, ['ball', 'background']);
    const best = await loadModelFromFolder(paths.best);
    assert.equal(readDetectorMetadata(best).inputSize, 64);
    best.dispose();
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});

test('a killed trainer surfaces as a crash with a clear error', { timeout: 60_000 }, async () => {
  const { root, dir } = await sampleProject();
  try {
    const sup = new TrainerSupervisor({ project: dir, config: { ...CONFIG, epochs: 50 }, name: 'crash' });
    sup.onEvent((ev) => { if (ev.type === 'progress') sup.kill(); });
    const end = await sup.done;
    assert.equal(end.type, 'failed');
    assert.equal(end.payload.crashed, true);
    assert.match(end.payload.error, /stopped unexpectedly \(signal SIGKILL\)/);
    // the reason is in the run's own files, for the run list and a reloaded view
    const stored = (await readFile(runPaths(join(dir, '.detecta', 'runs', 'crash')).events, 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as TrainerEvent);
    const last = stored.at(-1);
    assert.ok(last?.type === 'failed' && last.payload.crashed && /SIGKILL/.test(last.payload.error), JSON.stringify(last));
    const info = await readRun(dir, 'crash');
    assert.equal(info.status, 'failed');
    assert.equal(info.state?.stopReason, 'crashed');
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});

test('a forced backend that cannot load fails with the reason', { timeout: 60_000 }, async () => {
  const { root, dir } = await sampleProject();
  try {
    const sup = new TrainerSupervisor({ project: dir, config: { ...CONFIG, backend: 'tensorflow-gpu' }, name: 'nogpu' });
    const end = await sup.done;
    if (end.type === 'finished') return; // this machine has tfjs-node-gpu
    assert.equal(end.payload.crashed, false);
    assert.match(end.payload.error, /no usable backend \(forced: tensorflow-gpu\)/);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});
