/**
 * The pretrained backbone of both tasks (the detector's mobilenet preset, the classifier's
 * mobilenet-embeddings), resolved in the trainer process through the model zoo:
 * - no `backbone` given, or a URL that is a backbone entry's upstream URL or its URL under the
 *   zoo mirror: the zoo entry, downloaded once from the mirror when one is set (zooMirror), else
 *   upstream, into the one model cache under the entry's id, every file checked against the zoo's
 *   sha256 (the detector and the classifier share that one copy);
 * - any other URL: refused (the trainer fetches only what the zoo lists);
 * - a local path: a tfjs LayersModel folder or its model.json; anything else is refused with what
 *   is wrong, never with the file's contents.
 * The cache folder: the run's `modelCacheDir` (the app's, for runs it starts), else the one model
 * cache (defaultModelCacheDir: DETECTA_MODEL_CACHE, else ~/.cache/detecta/models).
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type * as tf from '@tensorflow/tfjs';
import * as tfjs from '@tensorflow/tfjs';
import { DEFAULT_MOBILENET_ZOO_ID } from '../../shared/ml/backbone/zoo';
import { MODEL_MIRROR_ENV, MODEL_ZOO, zooEntry, zooEntryUrl, type ZooEntry } from '../../shared/ml/model-zoo';
import { defaultModelCacheDir, ensureCachedModel, fileModelHandler, zooCacheName, zooMirror } from './model-cache';

export interface PretrainedBackbone {
  model: tf.LayersModel;
  /** What was loaded, for the log: a path or a URL. */
  source: string;
}

/** The backbone zoo entry a URL names (its upstream URL or its URL under the mirror), else null. */
function zooEntryOfUrl(url: string, mirror: string): ZooEntry | null {
  return MODEL_ZOO.find((e) => e.kind === 'backbone' && (e.upstreamUrl === url || (mirror !== '' && zooEntryUrl(e, mirror) === url))) ?? null;
}

/** A local backbone: the model.json of a tfjs LayersModel folder (checked by its keys, never echoed). */
async function localModelJson(spec: string): Promise<string> {
  let file = path.resolve(spec);
  let stat;
  try {
    stat = await fs.stat(file);
  } catch (err) {
    throw new Error(`backbone ${file} cannot be opened (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  if (stat.isDirectory()) file = path.join(file, 'model.json');
  if (path.basename(file) !== 'model.json') throw new Error(`backbone ${file} is not a tfjs model: give its folder or its model.json`);
  let json: unknown;
  try {
    json = JSON.parse(await fs.readFile(file, 'utf8'));
  } catch (err) {
    throw new Error(`backbone ${file} is not a tfjs model: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'the folder has no model.json' : 'model.json is not valid JSON'}`);
  }
  const j = json as { modelTopology?: unknown; weightsManifest?: unknown };
  if (typeof j !== 'object' || j === null || typeof j.modelTopology !== 'object' || !Array.isArray(j.weightsManifest)) {
    throw new Error(`backbone ${file} is not a tfjs LayersModel (model.json needs modelTopology and weightsManifest)`);
  }
  return file;
}

export async function loadPretrainedBackbone(spec: string | undefined, options: { cacheDir?: string; log?: (m: string) => void } = {}): Promise<PretrainedBackbone> {
  const cacheDir = options.cacheDir ?? defaultModelCacheDir();
  const mirror = zooMirror();
  if (spec !== undefined && !/^https?:\/\//i.test(spec)) {
    const file = await localModelJson(spec);
    options.log?.(`pretrained backbone ${file}`);
    try {
      return { model: await tfjs.loadLayersModel(fileModelHandler(file)), source: file };
    } catch (err) {
      throw new Error(`cannot load the pretrained backbone ${file}: ${(err as Error).message}`);
    }
  }
  const entry = spec === undefined ? zooEntry(DEFAULT_MOBILENET_ZOO_ID) : zooEntryOfUrl(spec, mirror);
  if (!entry) {
    throw new Error(`backbone URL ${spec} is not in the model zoo (known: ${MODEL_ZOO.filter((e) => e.kind === 'backbone').map((e) => e.upstreamUrl).join(', ')}); set ${MODEL_MIRROR_ENV} to download the zoo from a mirror, or give a local model folder`);
  }
  const url = zooEntryUrl(entry, mirror);
  options.log?.(`pretrained backbone: ${entry.id} from ${url} (cache ${cacheDir})`);
  let cached;
  try {
    cached = await ensureCachedModel({ url, cacheDir, name: zooCacheName(entry), sha256: entry.sha256 });
  } catch (err) {
    throw new Error(`cannot get the pretrained backbone from ${url}: ${(err as Error).message}`);
  }
  options.log?.(`pretrained backbone ${cached.downloaded ? 'downloaded into' : 'loaded from the cache'} ${cached.dir}`);
  return { model: await tfjs.loadLayersModel(fileModelHandler(cached.modelJsonPath)), source: url };
}
