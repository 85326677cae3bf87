/**
 * The `detecta` commands around a training run, spawned as a user would (node --import tsx
 * main/cli/detecta.ts …) on a small sample project: train --json (one JSON event per line),
 * continue a finished run with --more, eval (text, --json, --save), predict on an image, a folder
 * and a video (system ffmpeg) and without ffmpeg, anchors, and exit codes on failure.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import sharp from 'sharp';
import { writeSampleProject } from '../../main/sample/write-sample-project';
import { readRun } from '../../main/training/run-files';
import type { TrainerEvent } from '../../shared/training/types';
import { requireTool } from '../helpers/system-tools';

const ROOT = resolve(import.meta.dirname, '..', '..');
const detecta = (args: string[], env: NodeJS.ProcessEnv = process.env) =>
  promisify(execFile)(process.execPath, ['--import', 'tsx', 'main/cli/detecta.ts', ...args], { cwd: ROOT, env, maxBuffer: 64 << 20 });
const fails = (args: string[], code: number, pattern: RegExp, env?: NodeJS.ProcessEnv) =>
  assert.rejects(detecta(args, env), (err: { code: number; stderr: string }) => {
    assert.equal(err.code, code, err.stderr);
    assert.match(err.stderr, pattern);
    return true;
  });

let root = '';
let dir = '';
before(async () => {
  root = await mkdtemp(join(tmpdir(), 'detecta-cli-cmds-'));
  dir = join(root, 'project');
  await writeSampleProject(dir, { images: 16, seed: 9, width: 64, height: 64, classes: ['ball', 'cone'], minObjects: 1, maxObjects: 2, minSize: 0.3, maxSize: 0.5 });
});
after(async () => { await rm(root, { recursive: true, force: true }); });

const parseLines = (stdout: string): TrainerEvent[] => stdout.trim().split('\n').map((l) => JSON.parse(l) as TrainerEvent);

test('detecta train --json, then --resume --more on the finished run', { timeout: 180_000 }, async () => {
  const { stdout } = await detecta(['train', '--project', dir, '--preset', 'tiny', '--imgsz', '64', '--epochs', '2', '--batch', '8', '--backend', 'wasm', '--name', 'r1', '--json']);
  const events = parseLines(stdout);
  assert.ok(events.some((e) => e.type === 'env' && e.payload.backend === 'wasm'));
  assert.ok(events.some((e) => e.type === 'progress'));
  assert.deepEqual(events.filter((e) => e.type === 'epoch').map((e) => (e.type === 'epoch' ? e.payload.epoch : 0)), [1, 2]);
  const end = events.at(-1)!;
  assert.ok(end.type === 'finished' && end.payload.status === 'completed' && end.payload.epochsDone === 2);

  const more = parseLines((await detecta(['train', '--project', dir, '--resume', 'r1', '--more', '1', '--json'])).stdout);
  assert.ok(more.some((e) => e.type === 'log' && e.payload.message === 'resumed from epoch 2 (optimizer state restored)'), 'optimizer state restored');
  assert.deepEqual(more.filter((e) => e.type === 'epoch').map((e) => (e.type === 'epoch' ? [e.payload.epoch, e.payload.epochs] : [])), [[3, 3]]);
  const info = await readRun(dir, 'r1');
  assert.deepEqual(info.metrics.map((m) => m.epoch), [1, 2, 3]);
  assert.equal(info.config?.train.epochs, 3, 'config.json holds the new total');
  await fails(['train', '--project', dir, '--more', '2'], 2, /--more N needs --resume RUN/);
});

test('detecta eval: metrics and per-class table; writes only with --save', { timeout: 120_000 }, async () => {
  const runDir = join(dir, '.detecta', 'runs', 'r1');
  const evalJson = join(runDir, 'eval.json');
  const before = statSync(evalJson).mtimeMs;
  const listing = readdirSync(runDir).sort();
  const { stdout } = await detecta(['eval', '--project', dir, '--run', 'r1', '--backend', 'wasm']);
  assert.match(stdout, /run r1, weights\/best \(epoch \d\), \d+ validation images, backend wasm/);
  assert.match(stdout, /mAP50 [\d.]+ {2}mAP50-95 [\d.]+ {2}precision [\d.]+ {2}recall [\d.]+ {2}F1 [\d.]+/);
  assert.match(stdout, /^class\s+boxes\s+AP50\s+AP50-95/m);
  assert.match(stdout, /^ball\s+\d+\s+[\d.]+/m);
  assert.match(stdout, /^cone\s+\d+\s+[\d.]+/m);
  assert.match(stdout, /^AP50-95 by object size \(COCO areas\): {2}small ([\d.]+|-) \(\d+ boxes\) {2}medium ([\d.]+|-) \(\d+ boxes\) {2}large ([\d.]+|-) \(\d+ boxes\)$/m);
  assert.equal(statSync(evalJson).mtimeMs, before, 'eval.json untouched without --save');
  assert.deepEqual(readdirSync(runDir).sort(), listing, 'nothing new in the run folder');

  const j = JSON.parse((await detecta(['eval', '--project', dir, '--run', 'r1', '--weights', 'last', '--json', '--save', '--backend', 'wasm'])).stdout);
  assert.equal(j.weights, 'last');
  assert.equal(j.epoch, 3);
  assert.deepEqual(j.classes.map((c: { className: string }) => c.className), (await readRun(dir, 'r1')).config!.classes);
  const saved = JSON.parse(await readFile(evalJson, 'utf8'));
  assert.equal(saved.epoch, 3);
  assert.equal(saved.mAP50, j.mAP50);
  assert.deepEqual(saved.perSize, j.perSize);
  assert.deepEqual(Object.keys(j.perSize.counts), ['small', 'medium', 'large']);
  await fails(['eval', '--project', dir, '--run', 'nope'], 1, /no run "nope"/);
  await fails(['eval', '--project', dir, '--run', 'r1', '--weights', 'middle'], 2, /--weights must be best or last/);
});

test('detecta predict: image, folder, video through ffmpeg, and a clear message without ffmpeg', { timeout: 120_000 }, async () => {
  const model = join(dir, '.detecta', 'runs', 'r1');
  const src = join(root, 'src');
  await mkdir(src);
  const image = join(dir, 'bricks_0001.jpg');
  await writeFile(join(src, 'a.png'), await sharp(image).png().toBuffer());
  await writeFile(join(src, 'b.jpg'), await readFile(join(dir, 'bricks_0002.jpg')));
  const out = join(root, 'out');
  const one = await detecta(['predict', '--model', join(model, 'weights', 'best'), '--source', image, '--out', out, '--conf', '0.05', '--backend', 'wasm']);
  assert.match(one.stdout, /bricks_0001\.jpg: .* → .*bricks_0001_detected\.jpg/);
  const drawn = await sharp(join(out, 'bricks_0001_detected.jpg')).metadata();
  assert.equal(drawn.width, 64);
  const dets = JSON.parse(await readFile(join(out, 'detections.json'), 'utf8'));
  assert.deepEqual([...dets.classes].sort(), ['ball', 'cone']);
  assert.equal(dets.images.length, 1);
  assert.equal(dets.format, 'detecta-detections');
  for (const d of dets.images[0].detections) {
    assert.ok(['ball', 'cone'].includes(d.label) && d.score >= 0.05 && d.x2 > d.x1 && d.x2 <= 64, JSON.stringify(d));
  }
  const csvRows = (await readFile(join(out, 'detections.csv'), 'utf8')).trim().split('\n');
  assert.equal(csvRows[0], 'image,label,class_id,score,x1,y1,x2,y2');
  assert.equal(csvRows.length - 1, Math.max(1, dets.images[0].detections.length), 'a CSV row per box (one empty row when none)');

  const out2 = join(root, 'out2');
  const folder = await detecta(['predict', '--model', model, '--source', src, '--out', out2, '--json', '--backend', 'wasm']);
  const lines = folder.stdout.trim().split('\n').map((l) => JSON.parse(l));
  assert.deepEqual(lines.map((l) => l.type), ['image', 'image']);
  assert.ok(existsSync(join(out2, 'a_detected.png')) && existsSync(join(out2, 'b_detected.jpg')));
  // The drawn copy differs from the original where a box was drawn (a detection at a low threshold always exists here).
  const low = join(root, 'out3');
  await detecta(['predict', '--model', model, '--source', join(src, 'a.png'), '--out', low, '--conf', '0.001', '--backend', 'wasm']);
  const [orig, boxed] = await Promise.all([sharp(join(src, 'a.png')).raw().toBuffer(), sharp(join(low, 'a_detected.png')).removeAlpha().raw().toBuffer()]);
  assert.ok(!orig.equals(boxed), 'boxes are drawn');

  const video = join(root, 'clip.mp4');
  execFileSync(requireTool('ffmpeg'), ['-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', 'testsrc=size=64x48:rate=4', '-t', '1', '-pix_fmt', 'yuv420p', video]);
  const vout = join(root, 'vout');
  const v = await detecta(['predict', '--model', model, '--source', video, '--out', vout, '--conf', '0.001', '--backend', 'wasm']);
  assert.match(v.stdout, /clip\.mp4: 4 frames, \d+ detections → .*clip_detected\.mp4/);
  const perFrame = JSON.parse(await readFile(join(vout, 'clip_detections.json'), 'utf8'));
  assert.equal(perFrame.frames.length, 4);
  assert.equal(perFrame.fps, 4);
  const probe = execFileSync(requireTool('ffprobe'), ['-v', 'error', '-count_frames', '-select_streams', 'v:0', '-show_entries', 'stream=nb_read_frames,width,height', '-of', 'csv=p=0', join(vout, 'clip_detected.mp4')]).toString().trim();
  assert.equal(probe, '64,48,4');

  const emptyPath = join(root, 'nobin');
  await mkdir(emptyPath);
  await fails(['predict', '--model', model, '--source', video, '--out', join(root, 'vout2')], 1, /no ffmpeg was found/, { ...process.env, PATH: emptyPath });
  assert.ok(!existsSync(join(root, 'vout2')), 'nothing written');
});

test('detecta anchors: grid cells, pixels and mean IoU', { timeout: 60_000 }, async () => {
  const { stdout } = await detecta(['anchors', '--project', dir, '-k', '3', '--imgsz', '64']);
  assert.match(stdout, /3 anchors from \d+ .*boxes, grid 2×2 at 64 px/);
  const rows = stdout.split('\n').filter((l) => /^\s+\d\s+[\d.]+\s+[\d.]+\s+[\d.]+\s+[\d.]+$/.test(l));
  assert.equal(rows.length, 3);
  for (const r of rows) {
    const [, w, h, pw, ph] = r.trim().split(/\s+/).map(Number);
    assert.ok(Math.abs(pw - w * 32) < 0.1 && Math.abs(ph - h * 32) < 0.1, r);
  }
  assert.match(stdout, /mean IoU 0\.\d{4}/);
  const j = JSON.parse((await detecta(['anchors', '--project', dir, '-k', '2', '--json'])).stdout);
  assert.equal(j.grid, 13);
  assert.equal(j.anchors.length, 2);
  assert.ok(j.meanIoU > 0 && j.meanIoU <= 1);
  await fails(['anchors', '--project', dir, '-k', '500'], 1, /fewer than the 500 anchors/);
  await fails(['anchors', '--project', dir, '--imgsz', '100'], 2, /multiple of 32/);
});

test('detecta train on a terminal draws a progress bar redrawn in place', { timeout: 120_000, skip: !existsSync('/usr/bin/script') && 'needs util-linux script for a pseudo-terminal' }, async () => {
  const cmd = [process.execPath, '--import', 'tsx', 'main/cli/detecta.ts', 'train', '--project', dir, '--preset', 'tiny', '--imgsz', '64', '--epochs', '1', '--batch', '4', '--backend', 'wasm', '--name', 'tty']
    .map((a) => `'${a.replace(/'/g, "'\\''")}'`).join(' ');
  const { stdout } = await promisify(execFile)('/usr/bin/script', ['-qec', cmd, '/dev/null'], { cwd: ROOT, env: { ...process.env, COLUMNS: '100' } });
  assert.match(stdout, /\r\x1b\[2Kepoch 1\/1 \[[#.]+\] \d+\/\d+ {2}loss [\d.]+ {2}[\d.]+ img\/s {2}ETA \d+m\d\ds/);
  assert.doesNotMatch(stdout, /^epoch 1\/1 batch \d+/m, 'no line-per-batch output on a terminal');
  assert.match(stdout, /finished run tty after 1 epoch\(s\)/);
});

test('detecta train exits 1 with the reason when the run fails', { timeout: 60_000 }, async () => {
  await fails(['train', '--project', dir, '--preset', 'tiny', '--imgsz', '64', '--epochs', '1', '--backend', 'wasm', '--augment-ops', '{"rotate":{"p":1}}'], 1, /augmentOps: Invalid augmentation config: unknown op 'rotate'/);
  assert.ok(!existsSync(join(dir, '.detecta', 'runs', 'train')), 'no run folder for a config that cannot start');
});
