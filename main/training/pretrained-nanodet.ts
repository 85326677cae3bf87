/**
 * The COCO weights of the nanodet-m preset, resolved in the trainer process like the mobilenet
 * backbone (pretrained-backbone.ts): the model zoo's NanoDet-m GraphModel (entry
 * 'nanodet-m-416-coco', the one the Detect view runs), downloaded once from the mirror
 * (DETECTA_MODEL_MIRROR) or upstream into the one model cache, every file checked against the
 * zoo's sha256; or `backbone` (`detecta train --backbone`): a local folder holding the GraphModel
 * (nanodet-m.json or model.json, with its .bin), its JSON file, or the zoo entry's URL.
 * Returns the conv weights by graph node (shared/ml/backbone/nanodet-graph.ts).
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { nanodetConvWeights, type NanodetWeights } from '../../shared/ml/backbone/nanodet-graph';
import { MODEL_MIRROR_ENV, zooEntry, zooEntryUrl } from '../../shared/ml/model-zoo';
import { defaultModelCacheDir, ensureCachedModel, fileModelHandler, zooCacheName, zooMirror } from './model-cache';

/** The model-zoo entry whose weights the nanodet-m preset starts from. */
export const NANODET_ZOO_ID = 'nanodet-m-416-coco';

const JSON_NAMES = ['nanodet-m.json', 'model.json'];

async function statOf(file: string) {
  try {
    return await fs.stat(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'error';
    throw new Error(`NanoDet weights ${file} cannot be opened (${code}): give the folder of the NanoDet-m GraphModel (nanodet-m.json and nanodet-m.bin), its JSON file, or leave the backbone out to use the model zoo's ${NANODET_ZOO_ID}`);
  }
}

/** The GraphModel JSON of a local spec: the file itself, or nanodet-m.json / model.json in the folder. */
async function localGraphJson(spec: string): Promise<string> {
  const file = path.resolve(spec);
  if (!(await statOf(file)).isDirectory()) return file;
  for (const name of JSON_NAMES) {
    const candidate = path.join(file, name);
    try {
      await fs.access(candidate);
      return candidate;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
  }
  throw new Error(`NanoDet weights: the folder ${file} has neither ${JSON_NAMES.join(' nor ')}`);
}

async function readWeights(jsonPath: string): Promise<NanodetWeights> {
  let artifacts;
  const handler = fileModelHandler(jsonPath);
  try {
    if (!handler.load) throw new Error('the file handler cannot load');
    artifacts = await handler.load();
  } catch (err) {
    throw new Error(`cannot read the NanoDet weights ${jsonPath}: ${(err as Error).message}`);
  }
  return nanodetConvWeights(artifacts, jsonPath);
}

export interface PretrainedNanodet {
  weights: NanodetWeights;
  /** What was loaded, for the log: a path or a URL. */
  source: string;
}

export async function loadPretrainedNanodet(spec: string | undefined, options: { cacheDir?: string; log?: (m: string) => void } = {}): Promise<PretrainedNanodet> {
  if (spec !== undefined && !/^https?:\/\//i.test(spec)) {
    const file = await localGraphJson(spec);
    options.log?.(`NanoDet-m COCO weights ${file}`);
    return { weights: await readWeights(file), source: file };
  }
  const entry = zooEntry(NANODET_ZOO_ID);
  const mirror = zooMirror();
  const url = zooEntryUrl(entry, mirror);
  if (spec !== undefined && spec !== entry.upstreamUrl && spec !== url) {
    throw new Error(`NanoDet weights URL ${spec} is not the model zoo's ${NANODET_ZOO_ID} (${entry.upstreamUrl}); set ${MODEL_MIRROR_ENV} to download the zoo from a mirror, or give a local folder`);
  }
  const cacheDir = options.cacheDir ?? defaultModelCacheDir();
  options.log?.(`NanoDet-m COCO weights: ${entry.id} from ${url} (cache ${cacheDir})`);
  let cached;
  try {
    cached = await ensureCachedModel({ url, cacheDir, name: zooCacheName(entry), sha256: entry.sha256 });
  } catch (err) {
    throw new Error(`cannot get the NanoDet-m COCO weights from ${url}: ${(err as Error).message}; set ${MODEL_MIRROR_ENV} to a mirror of the model zoo, or give the folder of nanodet-m.json with --backbone`);
  }
  options.log?.(`NanoDet-m COCO weights ${cached.downloaded ? 'downloaded into' : 'loaded from the cache'} ${cached.dir}`);
  return { weights: await readWeights(cached.modelJsonPath), source: url };
}
