/**
 * Where the mobilenet preset's pretrained backbone comes from, resolved in the trainer process:
 * - a run config `backbone` that is an http(s) URL: downloaded once into the model cache (files
 *   recorded with their sha256 and re-checked on every reuse);
 * - any other `backbone`: a local model.json path, loaded from disk as-is;
 * - none: the model-zoo entry (shared/ml/backbone/zoo.ts), downloaded once into the cache with
 *   every file checked against the zoo's sha256, from the zoo mirror when one is set (zooMirror).
 * The cache folder: `modelCacheDir` option, else DETECTA_MODEL_CACHE, else
 * $XDG_CACHE_HOME/detecta/models (~/.cache/detecta/models).
 */
import { homedir } from 'node:os';
import path from 'node:path';
import type * as tf from '@tensorflow/tfjs';
import * as tfjs from '@tensorflow/tfjs';
import { DEFAULT_MOBILENET_ZOO_ID } from '../../shared/ml/backbone/zoo';
import { zooEntry, zooEntryUrl } from '../../shared/ml/model-zoo';
import { ensureCachedModel, fileModelHandler, zooMirror } from './model-cache';

export function defaultModelCacheDir(): string {
  if (process.env.DETECTA_MODEL_CACHE) return process.env.DETECTA_MODEL_CACHE;
  const base = process.env.XDG_CACHE_HOME || path.join(homedir(), '.cache');
  return path.join(base, 'detecta', 'models');
}

export interface PretrainedBackbone {
  model: tf.LayersModel;
  /** What was loaded, for the log: a path, or a URL plus whether it was downloaded now. */
  source: string;
}

export async function loadPretrainedBackbone(spec: string | undefined, options: { cacheDir?: string; log?: (m: string) => void } = {}): Promise<PretrainedBackbone> {
  const cacheDir = options.cacheDir ?? defaultModelCacheDir();
  if (spec === undefined || /^https?:\/\//i.test(spec)) {
    const zoo = spec === undefined;
    const entry = zooEntry(DEFAULT_MOBILENET_ZOO_ID);
    const url = zoo ? zooEntryUrl(entry, zooMirror()) : spec;
    if (zoo) options.log?.(`pretrained backbone: ${DEFAULT_MOBILENET_ZOO_ID} from ${url} (cache ${cacheDir})`);
    let cached;
    try {
      cached = await ensureCachedModel({ url, cacheDir, ...(zoo ? { name: entry.id, sha256: entry.sha256 } : {}) });
    } catch (err) {
      throw new Error(`cannot get the pretrained backbone from ${url}: ${(err as Error).message}`);
    }
    options.log?.(`pretrained backbone ${cached.downloaded ? 'downloaded into' : 'loaded from'} ${cached.dir}`);
    return { model: await tfjs.loadLayersModel(fileModelHandler(cached.modelJsonPath)), source: url };
  }
  const file = path.resolve(spec);
  try {
    return { model: await tfjs.loadLayersModel(fileModelHandler(file)), source: file };
  } catch (err) {
    throw new Error(`cannot load the pretrained backbone ${file}: ${(err as Error).message}`);
  }
}
