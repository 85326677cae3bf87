/**
 * Exports a run's weights (best or last) as a deployable package in a folder:
 *
 * - format 'tfjs': the TF.js LayersModel (model.json + weights), detecta-model.json, README.md;
 * - format 'onnx': the same plus model.onnx (tfjs-to-onnx.ts), example/ (detect.mjs, its bundled
 *   library detecta-postprocess.mjs, package.json, detect.py). The ONNX model is checked against
 *   the tfjs model on the run's validation images first (verify-export.ts); when the check fails
 *   nothing is written.
 *
 * Files are written one by one, each atomically (temp + rename): weights before model.json,
 * detecta-model.json last, so a reader that sees detecta-model.json sees a complete package.
 * `resolveTarget` lets the web API check every path against its folder grants.
 */
import { existsSync, promises as fs, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type * as tf from '@tensorflow/tfjs';
import type { ExportedModelInfo, ModelExportFormat, ExportResult, ExportVerification } from '../../shared/api/train';
import { isPointHead, type DetectorConfig } from '../../shared/ml/detector/config';
import { outputValuesPerImage } from '../../shared/ml/detector/head-ops';
import { readDetectorMetadata } from '../../shared/ml/detector/metadata';
import type { BackendChoice } from '../../shared/training/types';
import type { RunConfig } from '../../shared/training/run-files';
import { writeFileAtomic } from '../dataset/atomic-write';
import { openDatasetProject } from '../dataset/project';
import { loadClassifierDataset } from '../training/classifier/dataset';
import { loadSample, type Sample } from '../training/data';
import { runPaths } from '../training/run-folder';
import { readEvalJson, readRun, type RunInfo } from '../training/run-files';
import { loadModelFromFolder } from '../training/weights-io';
import { EXAMPLE_LIB_FILE, exampleLibSource } from './kit/example-lib-source';
import { tfjsToOnnx, type OnnxExport } from './onnx/tfjs-to-onnx';
import { openOnnxSession } from './onnx-session';
import { EXAMPLE_SCRIPT, examplePackageJson, packageReadme, PYTHON_EXAMPLE } from './package-docs';
import { assertVerified, verifyClassifierExport, verifyDetectorExport } from './verify-export';

export interface ExportRunOptions {
  projectDir: string;
  run: string;
  weights: 'best' | 'last';
  format: ModelExportFormat;
  /** The package folder (created when missing; its parent must exist). */
  dir: string;
  /** tfjs backend of the reference outputs (default 'auto'). */
  backend?: BackendChoice;
  /** Maps a path inside `dir` to the path to write (the web API checks its folder grants here). */
  resolveTarget?: (path: string) => Promise<string>;
  /** Called before `dir` is created, when it does not exist yet. */
  beforeCreateDir?: (dir: string) => Promise<void>;
  log?: (message: string) => void;
}

/** An error the caller can tell apart: a missing run or weights ('not_found') or a bad argument ('bad_request'). */
export class ExportError extends Error {
  override name = 'ExportError';
  constructor(readonly code: 'not_found' | 'bad_request' | 'unreadable', message: string) {
    super(message);
  }
}

const require = createRequire(import.meta.url);

/** An installed package's version (its package.json, found above its entry point: not every package exports ./package.json). */
function versionOf(pkg: string): string {
  let dir = dirname(require.resolve(pkg));
  for (;;) {
    const file = join(dir, 'package.json');
    if (existsSync(file)) {
      const json = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string };
      if (json.name === pkg && json.version) return json.version;
    }
    const up = dirname(dir);
    if (up === dir) throw new Error(`cannot find the version of ${pkg}`);
    dir = up;
  }
}

function detectorHead(config: DetectorConfig): NonNullable<ExportedModelInfo['head']> {
  const C = config.numClasses;
  if (isPointHead(config.head)) {
    const R = config.head.regBins;
    const n = outputValuesPerImage(config) / (C + 4 * R);
    return { kind: 'points', strides: [...config.head.strides], regBins: R, output: `float32 [batch, ${n}, ${C + 4 * R}]: per point ${C} class logits, then 4 × ${R} distance logits (left, top, right, bottom).` };
  }
  const g = config.inputSize / 32;
  const A = config.anchors.length;
  return { kind: 'yolov2', strides: [32], regBins: null, output: `float32 [batch, ${g}, ${g}, ${A * (5 + C)}]: per cell ${A} anchors × (tx, ty, tw, th, objectness logit, ${C} class logits).` };
}

async function packageInfo(info: RunInfo & { config: RunConfig }, weights: 'best' | 'last', model: tf.LayersModel | null): Promise<ExportedModelInfo> {
  const config = info.config;
  let bestF1Confidence: number | null = null;
  if (weights === 'best' && config.task === 'detect') {
    const report = await readEvalJson(info.dir).catch(() => null);
    bestF1Confidence = report && !('task' in report && report.task === 'classify') ? ((report as { f1?: { best?: { threshold?: number } } }).f1?.best?.threshold ?? null) : null;
  }
  if (config.task === 'detect') {
    // the model's own metadata when it is loaded (what it decodes with), else the run's config
    const det = model ? readDetectorMetadata(model) : config.detector;
    return {
      format: 'detecta-model', version: 1, task: 'detect', run: info.name, weights, classes: config.classes,
      inputSize: det.inputSize, anchors: det.anchors.map(([w, h]) => [w, h] as [number, number]), resizeMode: det.resizeMode,
      thresholds: { confidence: config.train.evalConfidence, iou: 0.45, bestF1Confidence },
      exportedAt: new Date().toISOString(),
      input: { layout: 'NHWC', dtype: 'float32', shape: ['batch', det.inputSize, det.inputSize, 3], channels: 'RGB', range: [0, 255] },
      normalization: det.backbone.kind === 'mobilenet' ? 'the model computes x / 127.5 − 1 itself'
        : det.backbone.kind === 'nanodet' ? "the model computes NanoDet's BGR (x − mean) / std itself"
        : 'the model computes x / 255 itself',
      head: detectorHead(det),
      detector: det,
    };
  }
  const [h, w, c] = config.inputShape;
  return {
    format: 'detecta-model', version: 1, task: 'classify', run: info.name, weights, classes: config.classes,
    inputSize: config.inputSize, anchors: null, resizeMode: 'fill',
    thresholds: { confidence: 0.25, iou: 0.45, bestF1Confidence: null },
    exportedAt: new Date().toISOString(),
    inputShape: [h, w, c],
    input: { layout: 'NHWC', dtype: 'float32', shape: ['batch', h, w, c], channels: c === 1 ? 'grayscale' : 'RGB', range: [0, 255] },
    normalization: config.train.preset === 'mobilenet-embeddings' ? 'the model computes x / 127.5 − 1 itself' : 'the model computes x / 255 itself',
  };
}

async function detectorValidation(projectDir: string, config: Extract<RunConfig, { task: 'detect' }>, det: DetectorConfig, log: (m: string) => void): Promise<Sample[]> {
  const project = await openDatasetProject(projectDir, { watch: false });
  try {
    await project.ready();
    const val: Sample[] = [];
    for (const id of config.split.val) {
      try {
        val.push(await loadSample(await project.sample(id), config.classes, det.inputSize, det.resizeMode));
      } catch (err) {
        log(`skipped validation image ${id}: ${(err as Error).message}`);
      }
    }
    return val;
  } finally {
    await project.close();
  }
}

async function verify(opts: ExportRunOptions, config: RunConfig, model: tf.LayersModel, onnx: OnnxExport, log: (m: string) => void): Promise<ExportVerification> {
  const session = await openOnnxSession(onnx.bytes, { input: onnx.input.name, output: onnx.output.name });
  try {
    if (config.task === 'detect') {
      const det = readDetectorMetadata(model);
      const val = await detectorValidation(opts.projectDir, config, det, log);
      if (val.length === 0) throw new ExportError('not_found', `run "${opts.run}" has no readable validation images to check the ONNX model on (${config.split.val.length} in its split)`);
      return await verifyDetectorExport(model, session, det, config.classes, val);
    }
    const data = await loadClassifierDataset(config.train.source, {
      preset: config.train.preset, colorMode: config.train.colorMode,
      fixed: { inputShape: config.inputShape, colorMode: config.colorMode, classes: config.classes },
    });
    const split = config.split.val.length > 0 ? 'val' : 'test';
    const ids = new Set(config.split[split]);
    const examples = data.samples.filter((s) => ids.has(s.id)).map((s) => ({ pixels: s.pixels, label: s.label }));
    if (examples.length === 0) throw new ExportError('not_found', `run "${opts.run}" has no readable ${split} images to check the ONNX model on`);
    return await verifyClassifierExport(model, session, config.inputShape, examples, split);
  } finally {
    await session.release();
  }
}

export async function exportRun(opts: ExportRunOptions): Promise<ExportResult> {
  const log = opts.log ?? (() => {});
  const info = await readRun(opts.projectDir, opts.run).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') throw new ExportError('not_found', `no run "${opts.run}" in ${opts.projectDir}`);
    throw err;
  });
  const config = info.config;
  if (!config) throw new ExportError('not_found', `run "${opts.run}" has no config.json`);
  const src = runPaths(info.dir)[opts.weights];
  const names = await fs.readdir(src).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') throw new ExportError('not_found', `run "${opts.run}" has no ${opts.weights} weights yet${opts.weights === 'best' ? ' (no validated epoch; try the last weights)' : ''}`);
    throw err;
  });
  if (!names.includes('model.json')) throw new ExportError('not_found', `run "${opts.run}" has no ${opts.weights} weights (model.json missing)`);
  const tfjsFiles = [...names.filter((n) => n !== 'model.json' && !n.startsWith('.')).sort(), 'model.json'];

  const written: Record<string, string | Uint8Array> = {};
  let meta: ExportedModelInfo;
  let verification: ExportVerification | null = null;
  if (opts.format === 'onnx') {
    // loaded here: importing the backends registers them with tfjs, which only an ONNX export needs
    const { selectBackend } = await import('../training/backend');
    const sel = await selectBackend(opts.backend ?? 'auto', log);
    log(`tfjs backend ${sel.backend}`);
    const model = await loadModelFromFolder(src);
    try {
      meta = await packageInfo({ ...info, config }, opts.weights, model);
      const onnx = tfjsToOnnx(model, { producerVersion: versionOf('@tensorflow/tfjs'), metadata: { 'detecta.run': opts.run, 'detecta.classes': JSON.stringify(config.classes) } });
      log(`ONNX model: opset ${onnx.opset}, ${(onnx.bytes.length / 1e6).toFixed(1)} MB, ${onnx.foldedBatchNorms} BatchNorm layers folded; checking it against tfjs…`);
      verification = await verify(opts, config, model, onnx, log);
      log(`checked on ${verification.images} ${verification.split} images: max |onnx − tfjs| ${verification.maxAbsDiff.toExponential(2)}, ${verification.metric} onnx ${verification.onnx?.toFixed(4) ?? '–'} tfjs ${verification.tfjs?.toFixed(4) ?? '–'}`);
      assertVerified(verification);
      meta.onnx = { file: 'model.onnx', opset: onnx.opset, irVersion: onnx.irVersion, input: onnx.input, output: onnx.output, foldedBatchNorms: onnx.foldedBatchNorms, verification };
      meta.formats = ['tfjs', 'onnx'];
      written['model.onnx'] = onnx.bytes;
      written[`example/${EXAMPLE_LIB_FILE}`] = await exampleLibSource();
      written['example/detect.mjs'] = EXAMPLE_SCRIPT;
      written['example/package.json'] = examplePackageJson({ onnxruntimeWeb: `^${versionOf('onnxruntime-web')}`, sharp: `^${versionOf('sharp')}` });
      written['example/detect.py'] = PYTHON_EXAMPLE;
    } finally {
      model.dispose();
    }
  } else {
    meta = await packageInfo({ ...info, config }, opts.weights, null);
    meta.formats = ['tfjs'];
    meta.onnx = null;
  }
  written['README.md'] = packageReadme(meta);

  const resolveTarget = opts.resolveTarget ?? (async (p: string) => p);
  const isDir = await fs.stat(opts.dir).then((st) => st.isDirectory(), (err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return false;
    throw err;
  });
  if (!isDir) {
    await opts.beforeCreateDir?.(opts.dir);
    await fs.mkdir(opts.dir);
  }
  if (Object.keys(written).some((n) => n.startsWith('example/'))) await fs.mkdir(await resolveTarget(join(opts.dir, 'example')), { recursive: true });
  const files: string[] = [];
  for (const name of tfjsFiles) {
    await writeFileAtomic(await resolveTarget(join(opts.dir, name)), await fs.readFile(join(src, name)));
    files.push(name);
  }
  for (const [name, data] of Object.entries(written)) {
    await writeFileAtomic(await resolveTarget(join(opts.dir, ...name.split('/'))), data);
    files.push(name);
  }
  await writeFileAtomic(await resolveTarget(join(opts.dir, 'detecta-model.json')), JSON.stringify(meta, null, 2) + '\n');
  files.push('detecta-model.json');
  return { dir: opts.dir, format: opts.format, files, verification };
}
