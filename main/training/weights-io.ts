/**
 * Saving and loading tfjs LayersModels (and optimizer state) as model.json + weights.bin folders
 * with plain fs, atomically: the files are written into a temporary sibling folder that then
 * replaces the target folder by rename, so a crash mid-save leaves the previous weights intact.
 * The format is the standard tfjs one (one weights shard), loadable by tf.loadLayersModel in the
 * renderer.
 */
import * as tf from '@tensorflow/tfjs';
import { promises as fs } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { optimizerManifestSchema, parseRunFile, type OptimizerManifest } from '../../shared/training/run-files';

export const MODEL_JSON = 'model.json';
export const WEIGHTS_BIN = 'weights.bin';

/** How files are written (tests inject a failing one to check that a failed save loses nothing). */
export interface FileWriter {
  writeFile(file: string, data: string | Uint8Array): Promise<void>;
}

export const nodeFileWriter: FileWriter = { writeFile: (file, data) => fs.writeFile(file, data) };

/**
 * Replaces `dir` with a folder holding `files`, atomically (temp folder + rename). When a write
 * fails (disk full, permissions) the temp folder is removed, `dir` is left as it was and the
 * error says which folder could not be saved.
 */
export async function writeFolderAtomic(dir: string, files: Record<string, string | Uint8Array>, writer: FileWriter = nodeFileWriter): Promise<void> {
  const stamp = `${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2, 8)}`;
  const tmp = join(dirname(dir), `.${basename(dir)}.tmp-${stamp}`);
  const old = join(dirname(dir), `.${basename(dir)}.old-${stamp}`);
  try {
    await fs.mkdir(dirname(dir), { recursive: true });
    await fs.mkdir(tmp, { recursive: true });
    for (const [name, data] of Object.entries(files)) await writer.writeFile(join(tmp, name), data);
  } catch (err) {
    await fs.rm(tmp, { recursive: true, force: true });
    const code = (err as NodeJS.ErrnoException).code;
    throw Object.assign(new Error(`cannot save ${dir}: ${(err as Error).message}${code === 'ENOSPC' ? ' (the disk is full)' : ''}; the previous copy is unchanged`), { code });
  }
  let hadOld = false;
  try {
    await fs.rename(dir, old);
    hadOld = true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  await fs.rename(tmp, dir);
  if (hadOld) await fs.rm(old, { recursive: true, force: true });
}

function concatBuffers(data: ArrayBuffer | ArrayBuffer[]): Uint8Array {
  const parts = Array.isArray(data) ? data : [data];
  const total = parts.reduce((n, p) => n + p.byteLength, 0);
  const out = new Uint8Array(total);
  let o = 0;
  for (const p of parts) { out.set(new Uint8Array(p), o); o += p.byteLength; }
  return out;
}

/** tfjs IOHandler writing model.json + weights.bin into `dir` atomically. */
export function folderSaveHandler(dir: string, writer: FileWriter = nodeFileWriter): tf.io.IOHandler {
  return {
    save: async (artifacts: tf.io.ModelArtifacts): Promise<tf.io.SaveResult> => {
      if (!artifacts.weightData || !artifacts.weightSpecs) throw new Error(`saving to ${dir}: the model has no weights`);
      const weights = concatBuffers(artifacts.weightData as ArrayBuffer | ArrayBuffer[]);
      const modelJson: Record<string, unknown> = {
        modelTopology: artifacts.modelTopology,
        format: artifacts.format ?? 'layers-model',
        generatedBy: artifacts.generatedBy,
        convertedBy: artifacts.convertedBy ?? null,
        weightsManifest: [{ paths: [`./${WEIGHTS_BIN}`], weights: artifacts.weightSpecs }],
      };
      if (artifacts.trainingConfig) modelJson.trainingConfig = artifacts.trainingConfig;
      if (artifacts.userDefinedMetadata) modelJson.userDefinedMetadata = artifacts.userDefinedMetadata;
      await writeFolderAtomic(dir, { [MODEL_JSON]: JSON.stringify(modelJson), [WEIGHTS_BIN]: weights }, writer);
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON', weightDataBytes: weights.byteLength } };
    },
  };
}

/**
 * Refuses weights holding NaN or Infinity: a damaged file (a run that diverges never saves such
 * weights: the engine stops before). Loading them would only show up later as a NaN loss that
 * reads like "training diverged".
 */
function assertFiniteWeights(dir: string, specs: tf.io.WeightsManifestEntry[], data: Uint8Array): void {
  let offset = 0;
  for (const spec of specs) {
    if (spec.dtype === 'string') return; // variable-length entries: the offsets of what follows are unknown
    const count = spec.shape.reduce((a, b) => a * b, 1);
    const q = spec.quantization?.dtype;
    const bytes = count * (q ? (q === 'uint8' ? 1 : 2) : spec.dtype === 'bool' ? 1 : spec.dtype === 'complex64' ? 8 : 4);
    if ((spec.dtype ?? 'float32') === 'float32' && !spec.quantization && offset + bytes <= data.byteLength) {
      const values = new Float32Array(data.buffer.slice(data.byteOffset + offset, data.byteOffset + offset + bytes));
      const bad = values.reduce((n, v) => (Number.isFinite(v) ? n : n + 1), 0);
      if (bad > 0) throw new Error(`${dir}: weight ${spec.name} holds ${bad} values that are not finite numbers (NaN or Infinity): the weights file is damaged and is not loaded`);
    }
    offset += bytes;
  }
}

/** Loads a LayersModel saved by `folderSaveHandler` (or any single-folder tfjs layers model). */
export async function loadModelFromFolder(dir: string): Promise<tf.LayersModel> {
  const json = JSON.parse(await fs.readFile(join(dir, MODEL_JSON), 'utf8')) as {
    modelTopology: object; weightsManifest: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[]; userDefinedMetadata?: Record<string, object>;
  };
  const specs = json.weightsManifest.flatMap((g) => g.weights);
  const buffers = await Promise.all(json.weightsManifest.flatMap((g) => g.paths).map((p) => fs.readFile(join(dir, p))));
  const weights = concatBuffers(buffers.map((b) => b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer));
  assertFiniteWeights(dir, specs, weights);
  const artifacts: tf.io.ModelArtifacts = { modelTopology: json.modelTopology, weightSpecs: specs, weightData: weights.buffer as ArrayBuffer };
  if (json.userDefinedMetadata) artifacts.userDefinedMetadata = json.userDefinedMetadata;
  return tf.loadLayersModel(tf.io.fromMemory(artifacts));
}

/** Names of the task's own state tensors in optimizer.bin (beside the optimizer's slots). */
const TASK_PREFIX = 'task/';

/** A task's own training state (e.g. the weights' EMA): tensors in optimizer.bin, `meta` in optimizer.json's `task`. */
export interface TaskState {
  tensors: { name: string; tensor: tf.Tensor }[];
  meta: Record<string, number | string>;
}

/** A task state read back: its tensors by name. */
export interface LoadedTaskState {
  tensors: tf.NamedTensorMap;
  meta: TaskState['meta'];
}

/**
 * Saves optimizer state (tf.Optimizer.getWeights) as optimizer.json + optimizer.bin into `dir`
 * (atomic), with the task's own state tensors (e.g. the weights' EMA) beside them under `task/`,
 * so both always describe the same epoch.
 */
export async function saveOptimizerState(dir: string, optimizer: tf.Optimizer, extra: Record<string, unknown>, writer: FileWriter = nodeFileWriter, task?: TaskState): Promise<void> {
  const named = await optimizer.getWeights();
  let encoded: Awaited<ReturnType<typeof tf.io.encodeWeights>>;
  try {
    encoded = await tf.io.encodeWeights([...named, ...(task?.tensors ?? []).map((t) => ({ name: TASK_PREFIX + t.name, tensor: t.tensor }))]);
  } finally {
    // getWeights returns the optimizer's slot variables plus a fresh 'iter' scalar: free the latter.
    for (const w of named) if (!(w.tensor instanceof tf.Variable)) w.tensor.dispose();
  }
  const { data, specs } = encoded;
  await writeFolderAtomic(dir, {
    'optimizer.json': JSON.stringify({ className: optimizer.getClassName(), specs, ...extra, ...(task ? { task: task.meta } : {}) }),
    'optimizer.bin': new Uint8Array(data as ArrayBuffer),
  }, writer);
}

async function decodeState(dir: string): Promise<{ meta: OptimizerManifest; specs: tf.io.WeightsManifestEntry[]; decoded: tf.NamedTensorMap }> {
  const meta = await readOptimizerManifest(dir);
  const bin = await fs.readFile(join(dir, 'optimizer.bin'));
  const specs = meta.specs as tf.io.WeightsManifestEntry[];
  return { meta, specs, decoded: tf.io.decodeWeights(bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength) as ArrayBuffer, specs) };
}

/** state/optimizer.json, through its schema (shared/training/run-files.ts): problems name the file and field. */
export async function readOptimizerManifest(dir: string): Promise<OptimizerManifest> {
  const file = join(dir, 'optimizer.json');
  return parseRunFile(optimizerManifestSchema, await fs.readFile(file, 'utf8'), file);
}

/** What a resume reads back from `state/`: the manifest's extra fields and the task's own state. */
export interface LoadedTrainingState {
  extra: Record<string, unknown>;
  /** The task's state tensors (names without the `task/` prefix; the caller disposes them); null when none was saved. */
  task: LoadedTaskState | null;
}

/**
 * Reads what saveOptimizerState wrote, decoding optimizer.bin once: restores the optimizer's slots
 * into `optimizer` (null: the optimizer starts afresh, e.g. a new phase has other trainable
 * weights) and returns the extra fields and the task's state.
 */
export async function loadTrainingState(dir: string, optimizer: tf.Optimizer | null): Promise<LoadedTrainingState> {
  const { meta, specs, decoded } = await decodeState(dir);
  const task: tf.NamedTensorMap = {};
  const slots: tf.NamedTensorMap = {};
  for (const [name, t] of Object.entries(decoded)) {
    if (name.startsWith(TASK_PREFIX)) task[name.slice(TASK_PREFIX.length)] = t;
    else slots[name] = t;
  }
  const taskMeta = (meta as { task?: unknown }).task;
  const hasTask = typeof taskMeta === 'object' && taskMeta !== null;
  try {
    if (optimizer) {
      if (meta.className !== optimizer.getClassName()) throw new Error(`optimizer state in ${dir} is for ${meta.className}, not ${optimizer.getClassName()}`);
      await optimizer.setWeights(specs.filter((s) => !s.name.startsWith(TASK_PREFIX)).map((s) => ({ name: s.name, tensor: slots[s.name]! })));
    }
  } catch (err) {
    tf.dispose(Object.values(task));
    throw err;
  } finally {
    // setWeights makes variables that share the data (ref-counted); the decoded slot tensors can go.
    tf.dispose(Object.values(slots));
  }
  if (!hasTask) tf.dispose(Object.values(task));
  const { className: _c, specs: _s, task: _t, ...extra } = meta as OptimizerManifest & { task?: unknown };
  return { extra, task: hasTask ? { meta: taskMeta as TaskState['meta'], tensors: task } : null };
}

/** Restores what saveOptimizerState wrote into `optimizer`; returns the extra fields. */
export async function loadOptimizerState(dir: string, optimizer: tf.Optimizer): Promise<Record<string, unknown>> {
  const { extra, task } = await loadTrainingState(dir, optimizer);
  if (task) tf.dispose(Object.values(task.tensors));
  return extra;
}

/** The task's state saved with the optimizer's (the caller disposes the tensors); null when none was saved. */
export async function loadTaskState(dir: string): Promise<LoadedTaskState | null> {
  return (await loadTrainingState(dir, null)).task;
}
