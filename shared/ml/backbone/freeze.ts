/**
 * Freezing and unfreezing the backbone of a detector. Head layers are named 'yolo_*' (see
 * detector/head.ts); every other layer with weights belongs to the backbone, except the fixed
 * preprocessing layers named 'pixel_*', which stay untrainable.
 */
import type * as tf from '@tensorflow/tfjs';

export const isHeadLayerName = (name: string): boolean => name.startsWith('yolo_');

/** Fixed preprocessing layers with weights ('pixel_*', e.g. NanoDet's BGR mean/std conv): never trained. */
export const isFixedLayerName = (name: string): boolean => name.startsWith('pixel_');

export interface UnfreezeOptions {
  /** Only make trainable the backbone layers from this one (inclusive) to the head; earlier ones stay frozen. */
  fromLayer?: string;
}

/** Sets `trainable` on the backbone layers; returns how many layers with weights changed state. */
export function setBackboneTrainable(model: tf.LayersModel, trainable: boolean, options: UnfreezeOptions = {}): number {
  const backbone = model.layers.filter((l) => !isHeadLayerName(l.name) && !isFixedLayerName(l.name));
  let start = 0;
  if (options.fromLayer !== undefined) {
    start = backbone.findIndex((l) => l.name === options.fromLayer);
    if (start < 0) throw new Error(`setBackboneTrainable: no backbone layer named '${options.fromLayer}'`);
  }
  let changed = 0;
  backbone.forEach((layer, i) => {
    if (layer.weights.length === 0) return;
    const want = trainable ? i >= start : false;
    if (layer.trainable !== want) changed++;
    layer.trainable = want;
  });
  return changed;
}

/** Number of trainable parameters (scalars) of a model. */
export function countTrainableParams(model: tf.LayersModel): number {
  return model.trainableWeights.reduce((n, w) => n + w.shape.reduce((a: number, b) => a * (b ?? 1), 1), 0);
}
