/**
 * Model-zoo downloads: a zoo entry's files are fetched once (sha256-checked, see
 * main/training/model-cache.ts) into `<dataDir>/models/zoo-<id>` and re-verified on every reuse.
 * The source is the entry's upstream URL, or a mirror whose base URL is DETECTA_MODEL_ZOO_URL
 * (files under <base>/<entry.modelPath>; tests serve ../shared/models that way).
 */
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { ApiError } from '../../shared/api/contract';
import { MODEL_ZOO, type ZooEntry } from '../../shared/ml/adapters/zoo';
import { CACHE_MANIFEST, ModelChecksumError, ensureCachedModel, type CachedModel } from '../training/model-cache';
import type { Services } from '../api/services';

export function zooBaseUrl(): string {
  return process.env.DETECTA_MODEL_ZOO_URL ?? '';
}

export function zooModelUrl(entry: ZooEntry): string {
  const base = zooBaseUrl();
  return base ? new URL(entry.modelPath, base.endsWith('/') ? base : `${base}/`).toString() : entry.upstreamUrl;
}

export const zooCacheDir = (services: Services): string => join(services.dataDir, 'models');
const cacheName = (entry: ZooEntry): string => `zoo-${entry.id}`;

export async function isZooModelCached(cacheDir: string, entry: ZooEntry): Promise<boolean> {
  return stat(join(cacheDir, cacheName(entry), CACHE_MANIFEST)).then(() => true, (err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return false;
    throw err;
  });
}

export async function ensureZooModel(services: Services, id: string): Promise<{ entry: ZooEntry; cached: CachedModel }> {
  const entry = MODEL_ZOO.find((e) => e.id === id);
  if (!entry) throw new ApiError('not_found', `no ready-made model "${id}" (known: ${MODEL_ZOO.map((e) => e.id).join(', ')})`);
  const url = zooModelUrl(entry);
  try {
    const cached = await ensureCachedModel({ url, cacheDir: zooCacheDir(services), name: cacheName(entry), sha256: entry.sha256 });
    return { entry, cached };
  } catch (err) {
    if (err instanceof ModelChecksumError) throw new ApiError('unreadable', `${entry.title}: ${err.message} (the download was discarded; try again or check the model-zoo URL)`);
    throw new ApiError('unavailable', `cannot get ${entry.title} from ${url}: ${(err as Error).message}`);
  }
}
