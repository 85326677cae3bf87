/**
 * One optimisation step of the detector: forward in training mode (BatchNorm on batch
 * statistics), the head's loss, gradients on the model's trainable weights only (frozen layers are
 * left alone), optional global-norm clipping, optimizer update. Returns the loss terms (and the
 * gradient norm) as numbers for logging.
 */
import * as tf from '@tensorflow/tfjs';
import type { GridSpec } from './layout';
import type { YoloLossWeights } from './loss';
import { yoloLossTerms } from './loss';
import type { YoloTargets } from './target';
import { fuseConvLayers } from '../train/fused-conv-layers';
import { FusedAdamOptimizer } from '../train/fused-adam';

export interface LossValues {
  total: number;
  coord: number;
  objectness: number;
  noObject: number;
  class: number;
  prior: number;
  /** Global gradient norm before clipping (training steps only). */
  gradNorm?: number;
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

export interface TrainStepOptions {
  /** Loss term weights. */
  weights?: Partial<YoloLossWeights>;
  /** Global-norm gradient clipping: when the norm of all gradients together exceeds this, they are scaled down to it. */
  clipNorm?: number | null;
}

/**
 * Sets the learning rate an Adam (or SGD/momentum/RMSProp) optimizer uses from its next step on.
 * tfjs optimizers read their `learningRate` field on every applyGradients but expose no setter,
 * so it is written through a typed cast; the field exists on every tfjs optimizer that takes one.
 */
export function setOptimizerLearningRate(optimizer: tf.Optimizer, lr: number): void {
  const o = optimizer as unknown as { learningRate?: number };
  if (typeof o.learningRate !== 'number') throw new Error(`setOptimizerLearningRate: ${optimizer.getClassName()} has no learningRate field`);
  o.learningRate = lr;
}

/** A batch loss: the total to minimise and the terms to report (scalars), from the raw output. */
export type BatchLoss = (pred: tf.Tensor) => { total: tf.Scalar; terms: tf.Scalar[] };

/**
 * One optimizer step of any head's loss: forward in training mode, gradients of the trainable
 * weights, optional global-norm clipping, update. Returns the total, the terms and the gradient
 * norm as numbers. Asynchronous because it reads them back with `data()`: WebGPU has no
 * synchronous read-back in Node, and an async read lets other work run meanwhile.
 */
export async function optimizeStep(model: tf.LayersModel, optimizer: tf.Optimizer, images: tf.Tensor4D, loss: BatchLoss, clipNorm?: number | null): Promise<{ total: number; terms: number[]; gradNorm: number }> {
  const varList = trainableVariables(model);
  if (varList.length === 0) throw new Error('trainStep: the model has no trainable weights');
  const signature = varList.map((v) => v.name).join('|');
  const previous = optimizerVariables.get(optimizer);
  if (previous !== undefined && previous !== signature) {
    throw new Error('trainStep: the trainable weights changed (freeze/unfreeze) since this optimizer was last used; create a new optimizer for the new phase');
  }
  optimizerVariables.set(optimizer, signature);
  fuseConvLayers(model);
  let kept: tf.Scalar[] = [];
  const { value: cost, grads } = tf.variableGrads(() => {
    const pred = model.apply(images, { training: true }) as tf.Tensor;
    const l = loss(pred);
    kept = l.terms.map((t) => tf.keep(t));
    return l.total;
  }, varList);
  const names = Object.keys(grads);
  try {
    // summed pairwise, not with addN: WebGPU's AddN binds every input at once and adapters allow
    // as few as 8 storage buffers per shader
    const norm = tf.tidy(() => tf.sqrt(names.map((n) => tf.sum(tf.square(grads[n]))).reduce((a, b) => tf.add(a, b))));
    const gradNorm = (await norm.data())[0]!;
    norm.dispose();
    const total = (await cost.data())[0]!;
    if (!Number.isFinite(total) || !Number.isFinite(gradNorm)) {
      throw new Error(`trainStep: loss is ${total}, gradient norm ${gradNorm} (diverged; lower the learning rate)`);
    }
    const factor = clipNorm != null && gradNorm > clipNorm ? clipNorm / gradNorm : 1;
    if (optimizer instanceof FusedAdamOptimizer) optimizer.applyScaledGradients(grads, factor);
    else {
      if (factor !== 1) {
        for (const n of names) {
          const g = grads[n];
          grads[n] = tf.mul(g, factor);
          g.dispose();
        }
      }
      optimizer.applyGradients(grads);
    }
    const terms = (await Promise.all(kept.map((t) => t.data()))).map((d) => d[0]!);
    return { total, terms, gradNorm };
  } finally {
    tf.dispose(grads);
    cost.dispose();
    kept.forEach((t) => t.dispose());
  }
}

/** One optimizer step of the YOLOv2 head on a batch (see optimizeStep). */
export async function trainStep(
  model: tf.LayersModel,
  optimizer: tf.Optimizer,
  images: tf.Tensor4D,
  targets: YoloTargets,
  spec: GridSpec,
  opts: TrainStepOptions = {},
): Promise<LossValues> {
  const r = await optimizeStep(model, optimizer, images, (pred) => {
    const t = yoloLossTerms(targets, pred, spec, opts.weights ?? {});
    return { total: t.total, terms: [t.coord, t.objectness, t.noObject, t.class, t.prior] };
  }, opts.clipNorm);
  const [coord, objectness, noObject, cls, prior] = r.terms as [number, number, number, number, number];
  return { total: r.total, coord, objectness, noObject, class: cls, prior, gradNorm: r.gradNorm };
}

/** A batch loss's total and terms on a prediction already made (validation: the same forward pass also gives the detections). */
export async function evaluateBatchLoss(pred: tf.Tensor, loss: BatchLoss): Promise<{ total: number; terms: number[] }> {
  const packed = tf.tidy(() => {
    const l = loss(pred);
    return tf.stack([l.total, ...l.terms]);
  });
  try {
    const [total, ...terms] = Array.from(await packed.data());
    return { total: total!, terms };
  } finally {
    packed.dispose();
  }
}
