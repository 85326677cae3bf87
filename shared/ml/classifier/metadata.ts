/**
 * What a saved classifier model needs to be used: class names, input shape and colour mode,
 * stored in the tfjs model's userDefinedMetadata under `classifier`. Saved models take raw
 * 0..255 pixels (their first layer rescales), so nothing else is needed to preprocess.
 */
import type * as tf from '@tensorflow/tfjs';

export interface ClassifierMetadata {
  task: 'classify';
  classes: string[];
  /** [height, width, channels]; channels 1 = grayscale, 3 = rgb. */
  inputShape: [number, number, number];
  preset: string;
}

export function writeClassifierMetadata(model: tf.LayersModel, meta: ClassifierMetadata): void {
  const existing = (model.getUserDefinedMetadata() ?? {}) as Record<string, unknown>;
  model.setUserDefinedMetadata({ ...existing, classifier: meta });
}

export function readClassifierMetadata(model: tf.LayersModel): ClassifierMetadata {
  const raw = (model.getUserDefinedMetadata() as { classifier?: Partial<ClassifierMetadata> } | undefined)?.classifier;
  if (!raw || !Array.isArray(raw.classes) || !Array.isArray(raw.inputShape) || raw.inputShape.length !== 3) {
    throw new Error('this model is not a Detecta classifier (its model.json has no classifier metadata: classes and input shape)');
  }
  return { task: 'classify', classes: raw.classes.map(String), inputShape: raw.inputShape as [number, number, number], preset: String(raw.preset ?? '') };
}
