/**
 * The mobilenet-embeddings preset's backbone: the model zoo's MobileNet through the one backbone
 * loader (../pretrained-backbone.ts: mirror, shared cache, sha256 checks), cached in the run's
 * `modelCacheDir` when the config names one, else where the trainer was told, else the default cache.
 */
import type * as tf from '@tensorflow/tfjs';
import type { ClassifierConfig } from '../../../shared/training/classifier';
import { loadPretrainedBackbone } from '../pretrained-backbone';

export async function loadBackbone(cfg: ClassifierConfig, cacheDir: string | undefined, log: (message: string) => void): Promise<tf.LayersModel> {
  const dir = cfg.modelCacheDir ?? cacheDir;
  return (await loadPretrainedBackbone(cfg.backbone, { ...(dir ? { cacheDir: dir } : {}), log })).model;
}
