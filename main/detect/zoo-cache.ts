/**
 * Ready-made detector downloads: a zoo entry's files are fetched once (sha256-checked, see
 * main/training/model-cache.ts) into `<dataDir>/models/zoo-<id>` and re-verified on every reuse.
 * `<dataDir>/models` is the app's one model cache: training runs started from the app keep their
 * pretrained backbones there too (train.start passes it as the run's modelCacheDir).
 * The source is the entry's upstream URL, or the zoo mirror (zooMirror: files under
 * <base>/<entry.modelPath>; tests serve ../shared/models that way).
 */
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { ApiError } from '../../shared/api/contract';
import { MODEL_ZOO, zooEntryUrl, type DetectorZooEntry } from '../../shared/ml/model-zoo';
import { CACHE_MANIFEST, ModelChecksumError, ensureCachedModel, zooMirror, type CachedModel } from '../training/model-cache';
import type { Services } from '../api/services';

export const zooCacheDir = (services: Services): string => join(services.dataDir, 'models');
const cacheName = (entry: DetectorZooEntry): string => `zoo-${entry.id}`;

export async function isZooModelCached(cacheDir: string, entry: DetectorZooEntry): Promise<boolean> {
  return stat(join(cacheDir, cacheName(entry), CACHE_MANIFEST)).then(() => true, (err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return false;
    throw err;
  });
}

export async function ensureZooModel(services: Services, id: string): Promise<{ entry: DetectorZooEntry; cached: CachedModel }> {
  const detectors = MODEL_ZOO.filter((e): e is DetectorZooEntry => e.kind === 'detector');
  const entry = detectors.find((e) => e.id === id);
  if (!entry) throw new ApiError('not_found', `no ready-made model "${id}" (known: ${detectors.map((e) => e.id).join(', ')})`);
  const url = zooEntryUrl(entry, zooMirror());
  try {
    const cached = await ensureCachedModel({ url, cacheDir: zooCacheDir(services), name: cacheName(entry), sha256: entry.sha256 });
    return { entry, cached };
  } catch (err) {
    if (err instanceof ModelChecksumError) throw new ApiError('unreadable', `${entry.title}: ${err.message} (the download was discarded; try again or check the model-zoo URL)`);
    throw new ApiError('unavailable', `cannot get ${entry.title} from ${url}: ${(err as Error).message}`);
  }
}
