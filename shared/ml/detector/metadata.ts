/**
 * The detector config travels inside the saved model (model.json userDefinedMetadata), so the
 * renderer and the evaluator decode with exactly the anchors, classes and input size it was
 * trained with.
 */
import type * as tf from '@tensorflow/tfjs';
import type { DetectorConfig } from './config';
import { validateDetectorConfig } from './config';

export const METADATA_KEY = 'detectaDetector';
export const METADATA_VERSION = 1;

export function writeDetectorMetadata(model: tf.LayersModel, config: DetectorConfig): void {
  model.setUserDefinedMetadata({ [METADATA_KEY]: { version: METADATA_VERSION, config } });
}

export function readDetectorMetadata(model: tf.LayersModel): DetectorConfig {
  const meta = model.getUserDefinedMetadata() as Record<string, unknown> | undefined;
  const entry = meta?.[METADATA_KEY] as { version?: unknown; config?: DetectorConfig } | undefined;
  if (!entry || !entry.config) throw new Error(`readDetectorMetadata: model has no '${METADATA_KEY}' metadata (not a Detecta detector?)`);
  if (entry.version !== METADATA_VERSION) throw new Error(`readDetectorMetadata: unsupported metadata version ${String(entry.version)}`);
  validateDetectorConfig(entry.config);
  return entry.config;
}
