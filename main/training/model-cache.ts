/**
 * Pretrained-model cache (Node side): a tfjs LayersModel (model.json + weight shards) is downloaded
 * once from a model-zoo URL into `<cacheDir>/<name>/`, each file checked against an expected
 * sha256 when one is given, and then always loaded from disk through `fileModelHandler`, an fs
 * IOHandler (tfjs's own file:// handler lives in tfjs-node, which is optional here).
 *
 * The download goes to a temporary sibling folder that is renamed into place only when complete,
 * with `cache-manifest.json` (URL and sha256 of every file) written last; a folder without that
 * manifest is not a cache entry. On reuse, files are re-hashed against the manifest, so a corrupt
 * or tampered cache is reported instead of loaded.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { MODEL_MIRROR_ENV, type ZooEntry } from '../../shared/ml/model-zoo';

export const CACHE_MANIFEST = 'cache-manifest.json';

/**
 * The model-zoo mirror (shared/ml/model-zoo.ts): DETECTA_MODEL_MIRROR, or DETECTA_MODEL_ZOO_URL,
 * its name before backbones and detectors shared one zoo. Empty: download from upstream.
 */
export function zooMirror(): string {
  return process.env[MODEL_MIRROR_ENV] || process.env.DETECTA_MODEL_ZOO_URL || '';
}

/**
 * The one model cache of the CLI, the trainer and the app: DETECTA_MODEL_CACHE, else
 * $XDG_CACHE_HOME/detecta/models (~/.cache/detecta/models). The app may be given another one
 * (Services.modelCache.dir, `--model-cache` of the web host); training runs it starts use the same.
 */
export function defaultModelCacheDir(): string {
  if (process.env.DETECTA_MODEL_CACHE) return process.env.DETECTA_MODEL_CACHE;
  const base = process.env.XDG_CACHE_HOME || path.join(homedir(), '.cache');
  return path.join(base, 'detecta', 'models');
}

/** The folder of a zoo entry in the cache: its id, whoever downloads it (trainer, CLI, Detect view). */
export const zooCacheName = (entry: Pick<ZooEntry, 'id'>): string => entry.id;

export interface CacheManifest {
  url: string;
  /** File name → sha256 (hex) of every file of the model, model.json included. */
  files: Record<string, string>;
  downloadedAt: string;
}

export interface CachedModelSource {
  /** URL of model.json; shards are fetched relative to it. */
  url: string;
  /** Cache root, e.g. <userData>/models. */
  cacheDir: string;
  /** Folder name inside the cache (default: derived from the URL). */
  name?: string;
  /** Expected sha256 (hex) per file name ('model.json', 'group1-shard1of1', …). Files not listed are recorded, not checked. */
  sha256?: Record<string, string>;
  /** fetch implementation (default: global fetch). */
  fetchImpl?: typeof fetch;
}

export interface CachedModel {
  dir: string;
  modelJsonPath: string;
  /** True when this call downloaded the files, false when the cache already had them. */
  downloaded: boolean;
  manifest: CacheManifest;
}

export class ModelChecksumError extends Error {
  constructor(readonly file: string, readonly expected: string, readonly actual: string) {
    super(`Checksum mismatch for ${file}: expected sha256 ${expected}, got ${actual}`);
    this.name = 'ModelChecksumError';
  }
}

const sha256 = (data: Uint8Array): string => createHash('sha256').update(data).digest('hex');

/** Shard paths must be plain file names: a model.json cannot make us write outside its folder. */
const SAFE_FILE = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

export function cacheNameForUrl(url: string): string {
  const u = new URL(url);
  const stem = path.posix.basename(path.posix.dirname(u.pathname)) || 'model';
  return `${stem.replace(/[^A-Za-z0-9._-]/g, '_')}-${sha256(new TextEncoder().encode(url)).slice(0, 12)}`;
}

function shardPaths(modelJson: tf.io.ModelJSON, source: string): string[] {
  const manifest = modelJson.weightsManifest ?? [];
  const paths = manifest.flatMap((group) => group.paths);
  for (const p of paths) {
    if (!SAFE_FILE.test(p)) throw new Error(`${source}: weight shard path '${p}' is not a plain file name`);
  }
  return paths;
}

async function fetchBytes(fetchImpl: typeof fetch, url: string): Promise<Uint8Array> {
  const res = await fetchImpl(url);
  if (!res.ok) throw new Error(`Download failed: ${url} answered HTTP ${res.status} ${res.statusText}`);
  return new Uint8Array(await res.arrayBuffer());
}

async function exists(p: string): Promise<boolean> {
  try {
    await stat(p);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw e;
  }
}

function checkExpected(file: string, actual: string, expected: Record<string, string> | undefined): void {
  const want = expected?.[file];
  if (want !== undefined && want.toLowerCase() !== actual) throw new ModelChecksumError(file, want.toLowerCase(), actual);
}

/** Re-hashes the files of a cache entry against its manifest (and the expected sums). */
async function verifyCacheEntry(dir: string, source: CachedModelSource): Promise<CacheManifest> {
  const manifest = JSON.parse(await readFile(path.join(dir, CACHE_MANIFEST), 'utf8')) as CacheManifest;
  for (const [file, recorded] of Object.entries(manifest.files)) {
    if (!SAFE_FILE.test(file)) throw new Error(`Model cache ${dir}: bad file name '${file}' in ${CACHE_MANIFEST}`);
    const actual = sha256(await readFile(path.join(dir, file)));
    if (actual !== recorded) throw new ModelChecksumError(path.join(dir, file), recorded, actual);
    checkExpected(file, actual, source.sha256);
  }
  return manifest;
}

/**
 * Makes sure the model is in the cache (downloading it if needed) and returns where it is.
 * Throws ModelChecksumError (and leaves nothing behind) when a file does not match.
 */
export async function ensureCachedModel(source: CachedModelSource): Promise<CachedModel> {
  const name = source.name ?? cacheNameForUrl(source.url);
  if (!SAFE_FILE.test(name)) throw new Error(`Model cache name '${name}' must be a plain folder name`);
  const dir = path.join(source.cacheDir, name);
  const modelJsonPath = path.join(dir, 'model.json');
  if (await exists(path.join(dir, CACHE_MANIFEST))) {
    return { dir, modelJsonPath, downloaded: false, manifest: await verifyCacheEntry(dir, source) };
  }
  const fetchImpl = source.fetchImpl ?? fetch;
  await mkdir(source.cacheDir, { recursive: true });
  const tmp = path.join(source.cacheDir, `.${name}.download-${process.pid}-${randomBytes(4).toString('hex')}`);
  await mkdir(tmp);
  try {
    const files: Record<string, string> = {};
    const modelBytes = await fetchBytes(fetchImpl, source.url);
    files['model.json'] = sha256(modelBytes);
    checkExpected('model.json', files['model.json'], source.sha256);
    let modelJson: tf.io.ModelJSON;
    try {
      modelJson = JSON.parse(new TextDecoder().decode(modelBytes)) as tf.io.ModelJSON;
    } catch (e) {
      throw new Error(`${source.url} is not JSON: ${(e as Error).message}`);
    }
    if (!modelJson.modelTopology) throw new Error(`${source.url} has no modelTopology (not a tfjs LayersModel)`);
    await writeFile(path.join(tmp, 'model.json'), modelBytes);
    for (const shard of shardPaths(modelJson, source.url)) {
      const bytes = await fetchBytes(fetchImpl, new URL(shard, source.url).toString());
      files[shard] = sha256(bytes);
      checkExpected(shard, files[shard], source.sha256);
      await writeFile(path.join(tmp, shard), bytes);
    }
    const unknown = Object.keys(source.sha256 ?? {}).filter((f) => !(f in files));
    if (unknown.length > 0) throw new Error(`Expected checksums name files the model does not have: ${unknown.join(', ')}`);
    const manifest: CacheManifest = { url: source.url, files, downloadedAt: new Date().toISOString() };
    await writeFile(path.join(tmp, CACHE_MANIFEST), JSON.stringify(manifest, null, 2));
    try {
      await rename(tmp, dir);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      // Another process completed the same download first: use its copy.
      if ((code === 'ENOTEMPTY' || code === 'EEXIST') && (await exists(path.join(dir, CACHE_MANIFEST)))) {
        await rm(tmp, { recursive: true, force: true });
        return { dir, modelJsonPath, downloaded: false, manifest: await verifyCacheEntry(dir, source) };
      }
      throw e;
    }
    return { dir, modelJsonPath, downloaded: true, manifest };
  } catch (e) {
    await rm(tmp, { recursive: true, force: true });
    throw e;
  }
}

/**
 * fs IOHandler for a tfjs model folder. load(): model.json + its shards. save(): writes
 * model.json and one weights.bin atomically (temp files + rename), for run folders.
 */
export function fileModelHandler(modelJsonPath: string): tf.io.IOHandler {
  const dir = path.dirname(modelJsonPath);
  return {
    async load(): Promise<tf.io.ModelArtifacts> {
      const modelJson = JSON.parse(await readFile(modelJsonPath, 'utf8')) as tf.io.ModelJSON;
      return tf.io.getModelArtifactsForJSON(modelJson, async (manifest) => {
        const buffers: ArrayBuffer[] = [];
        for (const p of manifest.flatMap((g) => g.paths)) {
          if (!SAFE_FILE.test(p)) throw new Error(`${modelJsonPath}: weight shard path '${p}' is not a plain file name`);
          const bytes = await readFile(path.join(dir, p));
          buffers.push(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer);
        }
        return [tf.io.getWeightSpecs(manifest), tf.io.concatenateArrayBuffers(buffers)];
      });
    },
    async save(artifacts: tf.io.ModelArtifacts): Promise<tf.io.SaveResult> {
      if (artifacts.modelTopology instanceof ArrayBuffer) throw new Error('fileModelHandler: binary topologies are not supported');
      await mkdir(dir, { recursive: true });
      const weightData = artifacts.weightData === undefined ? new ArrayBuffer(0) : tf.io.CompositeArrayBuffer.join(artifacts.weightData);
      const modelJson: tf.io.ModelJSON = {
        modelTopology: artifacts.modelTopology ?? {},
        format: artifacts.format,
        generatedBy: artifacts.generatedBy,
        convertedBy: artifacts.convertedBy,
        weightsManifest: [{ paths: ['weights.bin'], weights: artifacts.weightSpecs ?? [] }],
        ...(artifacts.trainingConfig ? { trainingConfig: artifacts.trainingConfig } : {}),
        ...(artifacts.userDefinedMetadata ? { userDefinedMetadata: artifacts.userDefinedMetadata } : {}),
      };
      const suffix = `.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
      const weightsPath = path.join(dir, 'weights.bin');
      await writeFile(weightsPath + suffix, new Uint8Array(weightData));
      await writeFile(modelJsonPath + suffix, JSON.stringify(modelJson));
      await rename(weightsPath + suffix, weightsPath);
      await rename(modelJsonPath + suffix, modelJsonPath);
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON({ ...artifacts, weightData }) };
    },
  };
}
