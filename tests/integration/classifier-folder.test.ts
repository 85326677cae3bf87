/**
 * Folder-per-class classifier end to end through the trainer process (supervisor → trainer-entry
 * → runClassifierTraining) on the wasm backend: bad inputs reported clearly (non-image file,
 * corrupt image, grayscale mixed with colour, a one-image class, a stray file), the run folder
 * (config.json task/classes/inputSize/inputShape/split, metrics.csv columns, eval.json), test
 * accuracy well above chance, cancel + resume keeping the split and continuing the epoch count,
 * and `detecta classify predict` / `eval` on the result.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { TrainerSupervisor } from '../../main/training/supervisor';
import { runPaths } from '../../main/training/run-folder';
import { readRun } from '../../main/training/run-files';
import { readClassifierMetricsCsv } from '../../main/training/metrics-csv';
import type { ClassifierConfigInput, ClassifierEvalReport, ClassifierRunConfigFile, ClassifierTrainerEvent } from '../../shared/training/classifier';
import { writeClassFolders } from '../helpers/class-folders';

const ROOT = resolve(import.meta.dirname, '..', '..');
const detecta = (args: string[]) => promisify(execFile)(process.execPath, ['--import', 'tsx', 'main/cli/detecta.ts', 'classify', ...args], { cwd: ROOT });
/** Runs the CLI and returns its output and exit code, whether it failed or not. */
const detectaAny = (args: string[]) => detecta(args).then((r) => ({ ...r, code: 0 }), (err: { stdout: string; stderr: string; code: number }) => ({ stdout: err.stdout, stderr: err.stderr, code: err.code }));

test('folder-per-class: trains through the trainer process, reports bad inputs, resumes with the same split', { timeout: 240_000 }, async () => {
  const root = await mkdtemp(join(tmpdir(), 'detecta-cls-folder-'));
  try {
    const data = join(root, 'photos');
    await writeClassFolders(data, { perClass: 14, size: 24, seed: 3, extras: true });
    const config: ClassifierConfigInput = { source: { kind: 'folder', dir: data }, preset: 'fashion-mnist-cnn', epochs: 10, batchSize: 8, backend: 'wasm', seed: 5, valFraction: 0.2, testFraction: 0.2 };
    const events: ClassifierTrainerEvent[] = [];
    const sup = new TrainerSupervisor<ClassifierTrainerEvent>({ task: 'classify', project: data, config, name: 'shapes', progressIntervalMs: 50 });
    sup.onEvent((ev) => {
      events.push(ev);
      if (ev.type === 'epoch' && ev.payload.epoch === 3) sup.cancel();
    });
    const first = await sup.done;
    assert.equal(first.type, 'finished', JSON.stringify(first.payload));
    assert.equal(first.payload.status, 'cancelled');
    assert.equal(first.payload.epochsDone, 3);

    const logs = events.filter((e) => e.type === 'log').map((e) => e.payload.message).join('\n');
    assert.match(logs, /1 file\(s\) skipped, not an image file: red\/notes\.txt/);
    assert.match(logs, /1 file\(s\) skipped, not inside a class folder: README\.md/);
    assert.match(logs, /1 file\(s\) skipped, a Detecta result image \(boxes or classes drawn in\): red\/red_000_classified\.png/);
    assert.match(logs, /skipped green\/broken\.png: (corrupt|unreadable) image/);
    assert.match(logs, /1 grayscale and 43 colour image\(s\): the grayscale ones are converted to rgb/);
    assert.match(logs, /class "lonely" has only 1 image: it goes to train only/);
    assert.ok(events.some((e) => e.type === 'progress' && e.payload.task === 'classify' && e.payload.batches > 0));
    const epochEvents = events.filter((e) => e.type === 'epoch');
    assert.deepEqual(epochEvents.map((e) => e.payload.epoch), [1, 2, 3]);
    for (const e of epochEvents) {
      assert.equal(e.payload.task, 'classify');
      assert.ok(e.payload.val && Number.isFinite(e.payload.val.accuracy) && Number.isFinite(e.payload.train.loss));
    }

    const paths = runPaths(join(data, '.detecta', 'runs', 'shapes'));
    const cfg = JSON.parse(await readFile(paths.config, 'utf8')) as ClassifierRunConfigFile;
    assert.equal(cfg.task, 'classify');
    assert.deepEqual(cfg.classes, ['blue', 'green', 'lonely', 'red']);
    assert.deepEqual(cfg.inputShape, [24, 24, 3]);
    assert.equal(cfg.inputSize, 24);
    assert.equal(cfg.colorMode, 'rgb');
    assert.ok(cfg.split.train.includes('lonely/only.png'));
    assert.ok(![...cfg.split.val, ...cfg.split.test].some((id) => id.startsWith('lonely/')));
    assert.equal(cfg.split.train.length + cfg.split.val.length + cfg.split.test.length, 44, '14·3 + 1 gray + 1 lonely (the corrupt one left out)');
    assert.ok(!JSON.stringify(cfg.split).includes('broken.png'));
    assert.deepEqual(cfg.balance.find((b) => b.className === 'green'), { className: 'green', train: 8, val: 3, test: 3 });
    assert.match(await readFile(paths.metrics, 'utf8'), /^epoch,time,train\/loss,train\/accuracy,val\/loss,val\/accuracy,lr\/pg0\n/);
    assert.ok(existsSync(join(paths.last, 'model.json')) && existsSync(join(paths.best, 'model.json')));
    assert.ok(!existsSync(paths.evalJson), 'a cancelled run is not evaluated');

    // Resume: same split, epochs 4..10, optimizer state restored.
    const resumed: ClassifierTrainerEvent[] = [];
    const sup2 = new TrainerSupervisor<ClassifierTrainerEvent>({ task: 'classify', project: data, resume: 'shapes' });
    sup2.onEvent((ev) => resumed.push(ev));
    const second = await sup2.done;
    assert.equal(second.type, 'finished', JSON.stringify(second.payload));
    assert.equal(second.payload.status, 'completed');
    assert.equal(second.payload.epochsDone, 10);
    const resumedLogs = resumed.filter((e) => e.type === 'log').map((e) => e.payload.message).join('\n');
    assert.match(resumedLogs, /split restored from config\.json/);
    assert.match(resumedLogs, /resumed from epoch 3 \(optimizer state restored\)/);
    assert.deepEqual(resumed.filter((e) => e.type === 'epoch').map((e) => e.payload.epoch), [4, 5, 6, 7, 8, 9, 10]);
    const cfg2 = JSON.parse(await readFile(paths.config, 'utf8')) as ClassifierRunConfigFile;
    assert.deepEqual(cfg2.split, cfg.split);
    assert.deepEqual((await readClassifierMetricsCsv(paths.metrics)).map((m) => m.epoch), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);

    const info = await readRun(data, 'shapes');
    assert.equal(info.status, 'completed');
    assert.deepEqual(info.metrics, [], 'no detector rows for a classifier run');
    assert.deepEqual(info.classifierMetrics?.map((m) => m.epoch), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    assert.ok(info.hasBest && info.hasLast);

    const report = JSON.parse(await readFile(paths.evalJson, 'utf8')) as ClassifierEvalReport;
    assert.equal(report.split, 'test');
    assert.equal(report.images, cfg.split.test.length);
    assert.ok(report.accuracy >= 0.75, `test accuracy ${report.accuracy} (chance ≈ 0.33)`);
    assert.equal(second.payload.testAccuracy, report.accuracy);
    assert.deepEqual(report.confusion.labels, cfg.classes);
    assert.equal(report.confusion.matrix.flat().reduce((a, b) => a + b, 0), report.images);
    assert.deepEqual(report.perClass.map((c) => c.className), cfg.classes);
    for (const k of ['precision', 'recall', 'F1'] as const) assert.ok(report.macro[k] >= 0 && report.macro[k] <= 1);

    // The CLI predicts with the saved model (top-k, JSON) and re-evaluates the run.
    const { stdout, code } = await detectaAny(['predict', '--model', paths.best.replace(/weights.best$/, ''), '--source', join(data, 'green'), '--top', '2', '--json']);
    const out = JSON.parse(stdout) as { classes: string[]; results: { file: string; top: { className: string; score: number }[] | null; error?: string }[] };
    assert.equal(code, 1, 'one image could not be classified: exit code 1');
    assert.deepEqual(out.classes, cfg.classes);
    const ok = out.results.filter((r) => r.top);
    assert.equal(ok.length, 14);
    assert.ok(ok.every((r) => r.top!.length === 2 && r.top![0]!.score >= r.top![1]!.score));
    assert.ok(ok.filter((r) => r.top![0]!.className === 'green').length >= 12, 'most green discs are classified green');
    const bad = out.results.filter((r) => !r.top);
    assert.equal(bad.length, 1);
    assert.match(bad[0]!.file, /broken\.png$/);
    const ev = await detecta(['eval', '--run', paths.best.replace(/[/\\]weights[/\\]best$/, '')]);
    assert.match(ev.stdout, /test accuracy [\d.]+ on \d+ image\(s\)/);
    assert.match(ev.stdout, /confusion matrix/);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});
