/**
 * ONNX export of trained runs (short, in-process trainings on the wasm backend): a tiny YOLOv2
 * detector, a mobilenet-backbone detector, the default mobilenet-fpn point detector (MobileNet v1
 * 0.25 from a local mirror of the model zoo) and the Fashion-MNIST classifier (real IDX files).
 * Each package's model.onnx is loaded here in onnxruntime-web and its outputs compared with the
 * package's TF.js model (max |diff| ≤ 1e-4), and the export's own check must report mAP50 (or
 * accuracy) within 0.005 of tfjs. The package's example (node example/detect.mjs) must print the
 * boxes `detecta predict` prints for the same image. `detecta export` is run as a user would.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, readdir, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import * as ort from 'onnxruntime-web';
import { writeSampleProject } from '../../main/sample/write-sample-project';
import { runTraining } from '../../main/training/detect-task';
import { runClassifierTraining } from '../../main/training/classifier/classify-task';
import { loadModelFromFolder } from '../../main/training/weights-io';
import { selectBackend } from '../../main/training/backend';
import { exportRun } from '../../main/export/export-run';
import { assertVerified, ExportVerificationError } from '../../main/export/verify-export';
import type { ExportedModelInfo, ExportVerification } from '../../shared/api/train';
import type { TrainConfigInput } from '../../shared/training/types';
import { serveFolder, type ServedFolder } from '../helpers/static-server';

const ROOT = resolve(import.meta.dirname, '..', '..');
const ZOO = resolve(ROOT, '../shared/models');
const FASHION = resolve(ROOT, '../shared/datasets/classification/fashion-mnist');
const run = promisify(execFile);
const detecta = (args: string[]) => run(process.execPath, ['--import', 'tsx', 'main/cli/detecta.ts', ...args], { cwd: ROOT, maxBuffer: 64 << 20 });

let root = '';
let project = '';
let server: ServedFolder;
const quiet = { emit: () => {}, control: { shouldCancel: () => false, waitIfPaused: async () => {} } };

before(async () => {
  root = await mkdtemp(join(tmpdir(), 'detecta-onnx-'));
  project = join(root, 'project');
  await writeSampleProject(project, { images: 16, seed: 5, width: 96, height: 96, classes: ['ball', 'cone'], minObjects: 1, maxObjects: 2, minSize: 0.3, maxSize: 0.6 });
  server = await serveFolder(ZOO);
  process.env.DETECTA_MODEL_MIRROR = server.url;
  await selectBackend('wasm');
  ort.env.wasm.numThreads = 1;
});

after(async () => {
  delete process.env.DETECTA_MODEL_MIRROR;
  await server.close();
  await rm(root, { recursive: true, force: true });
});

async function train(name: string, config: TrainConfigInput): Promise<void> {
  const r = await runTraining({ project, name, config: { epochs: 1, batchSize: 8, backend: 'wasm', seed: 3, augment: false, ...config }, modelCacheDir: join(root, 'cache') }, quiet);
  assert.equal(r.status, 'completed', `${name} trained`);
}

/** Runs the package's model.onnx (onnxruntime-web) and its model.json (tfjs) on `inputs`; returns max |diff| and the output size. */
async function compareOutside(dir: string, input: Float32Array, dims: number[]): Promise<{ diff: number; values: number }> {
  const meta = JSON.parse(await readFile(join(dir, 'detecta-model.json'), 'utf8')) as ExportedModelInfo;
  const session = await ort.InferenceSession.create(await readFile(join(dir, 'model.onnx')));
  const out = await session.run({ [meta.onnx!.input.name]: new ort.Tensor('float32', input, dims) });
  const onnx = out[meta.onnx!.output.name].data as Float32Array;
  await session.release();
  const model = await loadModelFromFolder(dir);
  const ref = tf.tidy(() => model.predict(tf.tensor(input, dims)) as tf.Tensor);
  const values = (await ref.data()) as Float32Array;
  assert.deepEqual(ref.shape, out[meta.onnx!.output.name].dims.map(Number), 'same output shape');
  ref.dispose();
  model.dispose();
  let diff = 0;
  for (let i = 0; i < values.length; i++) diff = Math.max(diff, Math.abs(values[i] - onnx[i]));
  return { diff, values: values.length };
}

/** Deterministic pseudo-image pixels 0..255. */
const pixels = (n: number): Float32Array => Float32Array.from({ length: n }, (_, i) => (i * 2654435761) % 256);

function checkVerification(v: ExportVerification | null, metric: 'mAP50' | 'accuracy'): void {
  assert.ok(v, 'an ONNX export carries its check');
  assert.equal(v.metric, metric);
  assert.ok(v.images > 0);
  assert.ok(v.maxAbsDiff <= 1e-4, `max |onnx − tfjs| ${v.maxAbsDiff}`);
  assert.ok(v.tfjs !== null && v.onnx !== null && Math.abs(v.tfjs - v.onnx) <= 0.005, `${metric} onnx ${v.onnx} tfjs ${v.tfjs}`);
}

async function exportDetector(runName: string): Promise<{ dir: string; meta: ExportedModelInfo }> {
  const dir = join(root, `pkg-${runName}`);
  const r = await exportRun({ projectDir: project, run: runName, weights: 'last', format: 'onnx', dir, backend: 'wasm' });
  checkVerification(r.verification, 'mAP50');
  assert.ok(r.files.includes('model.onnx') && r.files.includes('model.json') && r.files.includes('example/detect.mjs'), r.files.join(', '));
  const meta = JSON.parse(await readFile(join(dir, 'detecta-model.json'), 'utf8')) as ExportedModelInfo;
  assert.deepEqual(meta.onnx?.verification, r.verification, 'the numbers are in detecta-model.json');
  assert.equal(meta.onnx?.opset, 17);
  assert.deepEqual([...meta.classes].sort(), ['ball', 'cone']);
  const size = meta.inputSize!;
  const { diff } = await compareOutside(dir, pixels(2 * size * size * 3), [2, size, size, 3]);
  assert.ok(diff <= 1e-4, `${runName}: max |onnx − tfjs| ${diff} outside the export`);
  return { dir, meta };
}

test('tiny detector → ONNX: matches tfjs, and the example prints the boxes of detecta predict', { timeout: 240_000 }, async () => {
  await train('tiny', { preset: 'tiny', inputSize: 64, epochs: 2, numAnchors: 3 });
  const { dir, meta } = await exportDetector('tiny');
  assert.equal(meta.head?.kind, 'yolov2');
  assert.equal(meta.onnx?.foldedBatchNorms, 6, 'every BatchNorm of the tiny backbone is folded');

  await exampleMatchesPredict(dir, 'tiny');
});

/** The package's example, as a user runs it after `npm install` in example/ (node_modules linked here), prints the boxes of `detecta predict`. */
async function exampleMatchesPredict(dir: string, runName: string): Promise<void> {
  await symlink(join(ROOT, 'node_modules'), join(dir, 'example', 'node_modules'), 'dir');
  const image = join(project, (await readdir(project)).filter((f) => f.endsWith('.jpg')).sort()[0]!);
  const args = ['--conf', '0.005', '--iou', '0.45'];
  const example = JSON.parse((await run(process.execPath, [join(dir, 'example', 'detect.mjs'), image, ...args, '--json'])).stdout) as { detections: Box[] };
  const predicted = JSON.parse((await detecta(['predict', '--model', join(project, '.detecta', 'runs', runName, 'weights', 'last'), '--source', image, '--out', join(root, `pred-${runName}`), '--backend', 'wasm', ...args, '--json'])).stdout.trim().split('\n')[0]!) as { detections: Box[] };
  assert.ok(predicted.detections.length > 0, `${runName}: detecta predict finds boxes at --conf 0.005`);
  sameBoxes(example.detections, predicted.detections);
  const text = (await run(process.execPath, [join(dir, 'example', 'detect.mjs'), image, ...args])).stdout.trim().split('\n');
  assert.equal(text.length, predicted.detections.length);
  assert.match(text[0]!, /^(ball|cone) \d\.\d{4} [\d.]+ [\d.]+ [\d.]+ [\d.]+$/);
}

interface Box { classId: number; score: number; x1: number; y1: number; x2: number; y2: number }

/** Same boxes, up to float noise; boxes whose scores tie to 4 decimals may come in either order (an untrained head scores many points alike). */
function sameBoxes(a0: Box[], b0: Box[]): void {
  assert.equal(a0.length, b0.length, `${a0.length} boxes vs ${b0.length}`);
  const order = (x: Box, y: Box): number => y.score - x.score || x.classId - y.classId || x.x1 - y.x1 || x.y1 - y.y1 || x.x2 - y.x2 || x.y2 - y.y2;
  const a = [...a0].sort(order);
  const b = [...b0].sort(order);
  a.forEach((d, i) => {
    const e = b[i]!;
    assert.equal(d.classId, e.classId);
    assert.ok(Math.abs(d.score - e.score) <= 2e-4, `score ${d.score} vs ${e.score}`);
    for (const k of ['x1', 'y1', 'x2', 'y2'] as const) assert.ok(Math.abs(d[k] - e[k]) <= 0.05, `${k} ${d[k]} vs ${e[k]}`);
  });
}

test('mobilenet and mobilenet-fpn detectors → ONNX: match tfjs within 1e-4, mAP50 within 0.005; the default preset\'s example prints the boxes of detecta predict', { timeout: 300_000 }, async () => {
  await train('mn', { preset: 'mobilenet', inputSize: 96, freezeEpochs: 1, numAnchors: 2 });
  const mn = await exportDetector('mn');
  assert.equal(mn.meta.head?.kind, 'yolov2');
  await train('fpn', { preset: 'mobilenet-fpn', inputSize: 96, freezeEpochs: 1 });
  const fpn = await exportDetector('fpn');
  assert.equal(fpn.meta.head?.kind, 'points');
  assert.deepEqual(fpn.meta.head?.strides, [8, 16, 32]);
  assert.ok((fpn.meta.onnx?.foldedBatchNorms ?? 0) > 20, 'the neck and head BatchNorms are folded');
  await exampleMatchesPredict(fpn.dir, 'fpn');
});

test('Fashion-MNIST classifier → ONNX via detecta export: probabilities match tfjs, accuracy within 0.005', { timeout: 240_000 }, async () => {
  const home = join(root, 'fm');
  await mkdir(home);
  const r = await runClassifierTraining({
    task: 'classify', project: home, name: 'fm',
    config: { source: { kind: 'idx', dir: FASHION, trainLimit: 400, testLimit: 100 }, preset: 'fashion-mnist-cnn', epochs: 1, batchSize: 32, valFraction: 0.25, backend: 'wasm', seed: 1 },
  }, { emit: () => {} });
  assert.equal(r.status, 'completed');
  const dir = join(root, 'pkg-fm');
  const { stdout } = await detecta(['export', '--project', home, '--run', 'fm', '--format', 'onnx', '--out', dir, '--backend', 'wasm', '--json']);
  const result = JSON.parse(stdout) as { files: string[]; verification: ExportVerification };
  checkVerification(result.verification, 'accuracy');
  assert.equal(result.verification.split, 'val');
  assert.equal(result.verification.images, 100, 'a quarter of the 400 training images is val');
  const meta = JSON.parse(await readFile(join(dir, 'detecta-model.json'), 'utf8')) as ExportedModelInfo;
  assert.deepEqual(meta.inputShape, [28, 28, 1]);
  assert.equal(meta.classes[9], 'Ankle boot');
  const { diff, values } = await compareOutside(dir, pixels(4 * 28 * 28), [4, 28, 28, 1]);
  assert.equal(values, 40);
  assert.ok(diff <= 1e-4, `max |onnx − tfjs| ${diff}`);
  assert.match(await readFile(join(dir, 'README.md'), 'utf8'), /NHWC.*\[batch, 28, 28, 1\]/);

  // tfjs format: no ONNX, no example; bad arguments exit 2 and write nothing
  const tfjsDir = join(root, 'pkg-fm-tfjs');
  await detecta(['export', '--project', home, '--run', 'fm', '--format', 'tfjs', '--out', tfjsDir]);
  assert.deepEqual((await readdir(tfjsDir)).sort(), ['README.md', 'detecta-model.json', 'model.json', 'weights.bin']);
  await assert.rejects(detecta(['export', '--project', home, '--run', 'fm', '--format', 'caffe', '--out', join(root, 'x')]), (e: { code: number; stderr: string }) => e.code === 2 && /--format must be tfjs or onnx/.test(e.stderr));
  await assert.rejects(detecta(['export', '--project', home, '--run', 'nope', '--format', 'onnx', '--out', join(root, 'y')]), (e: { code: number; stderr: string }) => e.code === 1 && /no run "nope"/.test(e.stderr));
  assert.ok(!existsSync(join(root, 'x')) && !existsSync(join(root, 'y')));
});

test('a check above the tolerances fails the export with the numbers', () => {
  const base: ExportVerification = { runtime: 'r', tfjsBackend: 'wasm', split: 'val', images: 3, maxAbsDiff: 2e-5, tolerance: 1e-4, metric: 'mAP50', tfjs: 0.5, onnx: 0.503, metricTolerance: 0.005 };
  assert.doesNotThrow(() => assertVerified(base));
  assert.throws(() => assertVerified({ ...base, maxAbsDiff: 3e-4 }), (e: unknown) => e instanceof ExportVerificationError && /differ from tfjs by up to 3\.00e-4/.test(e.message));
  assert.throws(() => assertVerified({ ...base, maxAbsDiff: NaN }), ExportVerificationError);
  assert.throws(() => assertVerified({ ...base, onnx: 0.51 }), (e: unknown) => e instanceof ExportVerificationError && /mAP50 of the ONNX model is 0\.5100, tfjs 0\.5000/.test(e.message));
});
