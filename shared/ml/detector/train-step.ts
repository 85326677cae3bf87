/**
 * One optimisation step of the detector: forward in training mode (BatchNorm on batch
 * statistics), YOLOv2 loss, gradients on the model's trainable weights only (frozen layers are
 * left alone), optimizer update. Returns the loss terms as numbers for logging.
 */
import * as tf from '@tensorflow/tfjs';
import type { GridSpec } from './layout';
import type { YoloLossWeights } from './loss';
import { yoloLossTerms } from './loss';
import type { YoloTargets } from './target';

export interface LossValues {
  total: number;
  coord: number;
  objectness: number;
  noObject: number;
  class: number;
  prior: number;
}

/** The tf.Variables behind a model's currently trainable weights. */
export function trainableVariables(model: tf.LayersModel): tf.Variable[] {
  return model.trainableWeights.map((w) => w.read() as tf.Variable);
}

/**
 * tfjs optimizers keep their slots (Adam moments, momentum) by position in the variable list, so
 * reusing one after the trainable set changed (unfreezing) would apply a moment to the wrong weight
 * or fail on shapes. trainStep remembers the list each optimizer was used with and refuses a change.
 */
const optimizerVariables = new WeakMap<tf.Optimizer, string>();

export function trainStep(
  model: tf.LayersModel,
  optimizer: tf.Optimizer,
  images: tf.Tensor4D,
  targets: YoloTargets,
  spec: GridSpec,
  weights: Partial<YoloLossWeights> = {},
): LossValues {
  const varList = trainableVariables(model);
  if (varList.length === 0) throw new Error('trainStep: the model has no trainable weights');
  const signature = varList.map((v) => v.name).join('|');
  const previous = optimizerVariables.get(optimizer);
  if (previous !== undefined && previous !== signature) {
    throw new Error('trainStep: the trainable weights changed (freeze/unfreeze) since this optimizer was last used; create a new optimizer for the new phase');
  }
  optimizerVariables.set(optimizer, signature);
  let kept: tf.Scalar[] = [];
  const cost = optimizer.minimize(() => {
    const pred = model.apply(images, { training: true }) as tf.Tensor;
    const terms = yoloLossTerms(targets, pred, spec, weights);
    kept = [terms.coord, terms.objectness, terms.noObject, terms.class, terms.prior].map((t) => tf.keep(t));
    return terms.total;
  }, true, varList);
  if (!cost) throw new Error('trainStep: optimizer returned no cost');
  const [total, coord, objectness, noObject, cls, prior] = [cost, ...kept].map((t) => t.dataSync()[0]);
  cost.dispose();
  kept.forEach((t) => t.dispose());
  if (!Number.isFinite(total)) throw new Error(`trainStep: loss is ${total} (diverged; lower the learning rate)`);
  return { total, coord, objectness, noObject, class: cls, prior };
}

/** Loss terms without updating anything (validation loss), BatchNorm in inference mode. */
export function evaluateLoss(model: tf.LayersModel, images: tf.Tensor4D, targets: YoloTargets, spec: GridSpec, weights: Partial<YoloLossWeights> = {}): LossValues {
  return tf.tidy(() => {
    const pred = model.apply(images, { training: false }) as tf.Tensor;
    const t = yoloLossTerms(targets, pred, spec, weights);
    const v = (s: tf.Scalar): number => s.dataSync()[0];
    return { total: v(t.total), coord: v(t.coord), objectness: v(t.objectness), noObject: v(t.noObject), class: v(t.class), prior: v(t.prior) };
  });
}
