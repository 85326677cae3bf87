/**
 * The app's model cache (`Services.modelCache`, one per app instance): ready-made detectors are
 * fetched once (sha256-checked, see main/training/model-cache.ts) into `<dir>/<id>` and re-verified
 * on every reuse. Its folder is shared with the CLI (defaultModelCacheDir) unless the app was given
 * another: training runs started from the app keep their pretrained backbones there too
 * (train.start passes `dir` as the run's modelCacheDir).
 * The source is the entry's upstream URL, or the zoo mirror (zooMirror: files under
 * <base>/<entry.modelPath>; tests serve ../shared/models that way).
 */
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { ApiError } from '../../shared/api/contract';
import { MODEL_ZOO, zooEntryUrl, type DetectorZooEntry } from '../../shared/ml/model-zoo';
import { CACHE_MANIFEST, ModelChecksumError, ensureCachedModel, zooCacheName, zooMirror, type CachedModel } from '../training/model-cache';

const detectorEntries = (): DetectorZooEntry[] => MODEL_ZOO.filter((e): e is DetectorZooEntry => e.kind === 'detector');

async function isZooModelCached(cacheDir: string, entry: DetectorZooEntry): Promise<boolean> {
  return stat(join(cacheDir, zooCacheName(entry), CACHE_MANIFEST)).then(() => true, (err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return false;
    throw err;
  });
}

export class ModelCache {
  constructor(readonly dir: string) {}

  /** The ready-made detectors of the zoo, each with whether the cache holds it, and the download base. */
  async listDetectors(): Promise<{ entries: { id: string; title: string; bytes: number; labels: number; cached: boolean }[]; zooUrl: string }> {
    const entries = await Promise.all(detectorEntries().map(async (e) => ({ id: e.id, title: e.title, bytes: e.bytes, labels: e.adapter.labels.length, cached: await isZooModelCached(this.dir, e) })));
    return { entries, zooUrl: zooMirror() };
  }

  /** Downloads a zoo detector on first use, re-verifies it otherwise. */
  async ensureDetector(id: string): Promise<{ entry: DetectorZooEntry; cached: CachedModel }> {
    const detectors = detectorEntries();
    const entry = detectors.find((e) => e.id === id);
    if (!entry) throw new ApiError('not_found', `no ready-made model "${id}" (known: ${detectors.map((e) => e.id).join(', ')})`);
    const url = zooEntryUrl(entry, zooMirror());
    try {
      const cached = await ensureCachedModel({ url, cacheDir: this.dir, name: zooCacheName(entry), sha256: entry.sha256 });
      return { entry, cached };
    } catch (err) {
      if (err instanceof ModelChecksumError) throw new ApiError('unreadable', `${entry.title}: ${err.message} (the download was discarded; try again or check the model-zoo URL)`);
      throw new ApiError('unavailable', `cannot get ${entry.title} from ${url}: ${(err as Error).message}`);
    }
  }
}
