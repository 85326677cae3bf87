/**
 * Loads the pretrained MobileNet for the mobilenet-embeddings preset: an http(s) URL is
 * downloaded once into the model cache (main/training/model-cache.ts, sha256-checked, the same
 * path as any model-zoo download) and loaded from disk; a local model.json (or its folder) is
 * loaded directly.
 */
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import type * as tf from '@tensorflow/tfjs';
import { loadMobileNet } from '../../../shared/ml/backbone/mobilenet';
import type { ClassifierConfig } from '../../../shared/training/classifier';
import { ensureCachedModel, fileModelHandler } from '../model-cache';

/** Google's tfjs-models MobileNet v1 0.25 at 224 (same layer names as ../shared/models). */
export const DEFAULT_MOBILENET_URL = 'https://storage.googleapis.com/tfjs-models/tfjs/mobilenet_v1_0.25_224/model.json';

export async function loadBackbone(cfg: ClassifierConfig, home: string, log: (message: string) => void): Promise<tf.LayersModel> {
  const source = cfg.backbone ?? DEFAULT_MOBILENET_URL;
  if (/^https?:\/\//i.test(source)) {
    const cacheDir = cfg.modelCacheDir ?? join(home, '.detecta', 'models');
    const cached = await ensureCachedModel({ url: source, cacheDir, ...(cfg.backboneSha256 ? { sha256: cfg.backboneSha256 } : {}) });
    log(`${cached.downloaded ? 'downloaded' : 'using the cached'} backbone ${source} (${cached.dir})`);
    return loadMobileNet(fileModelHandler(cached.modelJsonPath));
  }
  let file = source;
  try {
    if ((await fs.stat(source)).isDirectory()) file = join(source, 'model.json');
  } catch (err) {
    throw new Error(`backbone ${source}: ${(err as Error).message}`);
  }
  log(`backbone ${file}`);
  return loadMobileNet(fileModelHandler(file));
}
