/**
 * YOLOv2 loss (Redmon & Farhadi 2017; darknet region layer; the seed's keras-yolo2) for one batch.
 *
 * Inputs: yTrue = encoded targets (target.ts), yPred = raw model output [B, g, g, A*(5+C)].
 * With p_xy = sigmoid(t_xy) + cell offset, p_wh = anchor · exp(t_wh) (grid units), p_o = sigmoid(t_o),
 * obj = target object mask, sums over cells × anchors, each term divided by the batch size:
 *
 *  coordinates  λ_coord · Σ obj · s · [ ‖p_xy − xy‖² + ‖t_wh − log(wh / anchor)‖² ],
 *               s = 2 − w·h / g² (darknet's weight: small boxes count more);
 *  objectness   λ_obj · Σ obj · (p_o − τ)², τ = IoU(predicted box, its true box) without gradient
 *               ("rescore", YOLOv2's default) or τ = 1 with `rescore: false`;
 *  no-object    λ_noobj · Σ (1 − obj) · [maxIoU(pred box, any true box of the image) < ignoreThresh] · p_o²,
 *               predictions that already overlap a real object well are not pushed to background;
 *  class        λ_class · Σ obj · CE(softmax(class logits), one-hot class);
 *  prior        λ_prior · Σ (1 − obj) · [ ‖sigmoid(t_xy) − ½‖² + ‖t_wh‖² ], darknet's warm-up term
 *               pulling idle anchors to their prior shape; 0 by default, the trainer enables it
 *               for the first images seen (darknet: 12 800 images, scale 0.01).
 * Defaults follow darknet's yolo-voc.cfg: λ_coord 1, λ_obj 5, λ_noobj 1, λ_class 1, ignore 0.6.
 */
import * as tf from '@tensorflow/tfjs';
import type { GridSpec } from './layout';
import { fieldsPerAnchor } from './layout';
import type { YoloTargets } from './target';

export interface YoloLossWeights {
  lambdaCoord: number;
  lambdaObj: number;
  lambdaNoObj: number;
  lambdaClass: number;
  lambdaPrior: number;
  /** A non-responsible prediction whose best IoU with a true box is ≥ this is not penalised as background. */
  ignoreThreshold: number;
  /** Objectness target = IoU of the predicted box with its true box (true) or 1 (false). */
  rescore: boolean;
}

export const DEFAULT_LOSS_WEIGHTS: YoloLossWeights = {
  lambdaCoord: 1,
  lambdaObj: 5,
  lambdaNoObj: 1,
  lambdaClass: 1,
  lambdaPrior: 0,
  ignoreThreshold: 0.6,
  rescore: true,
};

/** Scalar tensors of each term (already weighted) and their sum. */
export interface YoloLossTerms {
  total: tf.Scalar;
  coord: tf.Scalar;
  objectness: tf.Scalar;
  noObject: tf.Scalar;
  class: tf.Scalar;
  prior: tf.Scalar;
}

/** IoU of centre boxes (…, 2) xy and wh, broadcasting. */
export function centreBoxIou(xyA: tf.Tensor, whA: tf.Tensor, xyB: tf.Tensor, whB: tf.Tensor): tf.Tensor {
  const halfA = whA.div(2);
  const halfB = whB.div(2);
  const minA = xyA.sub(halfA);
  const maxA = xyA.add(halfA);
  const minB = xyB.sub(halfB);
  const maxB = xyB.add(halfB);
  const interWh = tf.relu(tf.minimum(maxA, maxB).sub(tf.maximum(minA, minB)));
  const [iw, ih] = tf.split(interWh, 2, -1);
  const inter = iw.mul(ih).squeeze([-1]);
  const [aw, ah] = tf.split(whA, 2, -1);
  const [bw, bh] = tf.split(whB, 2, -1);
  const union = aw.mul(ah).squeeze([-1]).add(bw.mul(bh).squeeze([-1])).sub(inter);
  return inter.div(tf.maximum(union, 1e-9));
}

/**
 * Evaluates f(...inputs) as a constant of the gradient tape: its value is used, no gradient flows
 * back into `inputs` (tfjs has no stopGradient op; ops run inside a custom-gradient kernel are not
 * recorded, so even non-differentiable ops like Less are fine there).
 */
export function withoutGradient(inputs: tf.Tensor[], f: (...xs: tf.Tensor[]) => tf.Tensor): tf.Tensor {
  const fn = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const xs = args.slice(0, inputs.length) as tf.Tensor[];
    return { value: f(...xs), gradFunc: () => xs.map((x) => tf.zerosLike(x)) };
  });
  return fn(...inputs);
}

/**
 * Cell offsets and anchor sizes per prediction, with the g × g cells and A anchors flattened to
 * N = g·g·A rows in the model's order (row, column, anchor): [1, N, 2] each.
 */
function gridPriors(g: number, anchors: readonly (readonly [number, number])[]): { offsets: tf.Tensor; anchorWh: tf.Tensor } {
  const A = anchors.length;
  const offsets = new Float32Array(g * g * A * 2);
  const sizes = new Float32Array(g * g * A * 2);
  for (let row = 0; row < g; row++) {
    for (let col = 0; col < g; col++) {
      for (let a = 0; a < A; a++) {
        const n = ((row * g + col) * A + a) * 2;
        offsets[n] = col;
        offsets[n + 1] = row;
        sizes[n] = anchors[a]![0];
        sizes[n + 1] = anchors[a]![1];
      }
    }
  }
  return { offsets: tf.tensor(offsets, [1, g * g * A, 2]), anchorWh: tf.tensor(sizes, [1, g * g * A, 2]) };
}

/**
 * Computes every loss term. Call inside tf.tidy or optimizer.minimize. The cells and anchors are
 * flattened to one axis, so no tensor has more than four dimensions (WebGPU's kernels, e.g. the
 * Select behind clipByValue's gradient, stop at rank 4).
 */
export function yoloLossTerms(yTrue: YoloTargets, yPred: tf.Tensor, spec: GridSpec, weights: Partial<YoloLossWeights> = {}): YoloLossTerms {
  const w = { ...DEFAULT_LOSS_WEIGHTS, ...weights };
  const { gridSize: g, anchors } = spec;
  const A = anchors.length;
  const F = fieldsPerAnchor(spec);
  const batch = yPred.shape[0];
  if (batch === undefined || yPred.size !== batch * g * g * A * F) {
    throw new Error(`yoloLoss: prediction shape ${JSON.stringify(yPred.shape)} does not match [batch, ${g}, ${g}, ${A * F}]`);
  }
  const tShape = yTrue.target.shape;
  if (tShape[0] !== batch || tShape[1] !== g || tShape[2] !== g || tShape[3] !== A || tShape[4] !== F) {
    throw new Error(`yoloLoss: target shape ${JSON.stringify(tShape)} does not match [${batch}, ${g}, ${g}, ${A}, ${F}]`);
  }
  const N = g * g * A;
  const pred = yPred.reshape([batch, N, F]);
  const target = yTrue.target.reshape([batch, N, F]);
  const { offsets, anchorWh } = gridPriors(g, anchors);

  const tXy = pred.slice([0, 0, 0], [-1, -1, 2]);
  const tWh = pred.slice([0, 0, 2], [-1, -1, 2]);
  const tObj = pred.slice([0, 0, 4], [-1, -1, 1]).squeeze([-1]);
  const classLogits = pred.slice([0, 0, 5], [-1, -1, -1]);

  const sigXy = tf.sigmoid(tXy);
  const predXy = sigXy.add(offsets);
  // Clip before exp so an early wild logit cannot overflow to Infinity.
  const predWh = tf.exp(tf.clipByValue(tWh, -10, 10)).mul(anchorWh);
  const predObj = tf.sigmoid(tObj);

  const trueXy = target.slice([0, 0, 0], [-1, -1, 2]);
  const trueWh = target.slice([0, 0, 2], [-1, -1, 2]);
  const objMask = target.slice([0, 0, 4], [-1, -1, 1]).squeeze([-1]);
  const classOneHot = target.slice([0, 0, 5], [-1, -1, -1]);
  const noObjMask = tf.scalar(1).sub(objMask);
  const perImage = tf.scalar(1 / batch);

  // Coordinates.
  const [tw, th] = tf.split(trueWh, 2, -1);
  const boxScale = tf.scalar(2).sub(tw.mul(th).squeeze([-1]).div(g * g));
  const trueTWh = tf.log(tf.maximum(trueWh, 1e-9).div(anchorWh));
  const xyErr = predXy.sub(trueXy).square().sum(-1);
  const whErr = tWh.sub(trueTWh).square().sum(-1);
  const coord = xyErr.add(whErr).mul(boxScale).mul(objMask).sum().mul(perImage).mul(w.lambdaCoord) as tf.Scalar;

  // Objectness of responsible predictions.
  const objTarget = w.rescore ? withoutGradient([predXy, predWh], (xy, wh) => centreBoxIou(xy, wh, trueXy, trueWh)) : tf.onesLike(objMask);
  const objectness = predObj.sub(objTarget).square().mul(objMask).sum().mul(perImage).mul(w.lambdaObj) as tf.Scalar;

  // No-object with ignore threshold: best IoU of each prediction with any true box of its image.
  const M = yTrue.trueBoxes.shape[1];
  const boxes = yTrue.trueBoxes.reshape([batch, 1, M, 4]);
  const boxXy = boxes.slice([0, 0, 0, 0], [-1, -1, -1, 2]);
  const boxWh = boxes.slice([0, 0, 0, 2], [-1, -1, -1, 2]);
  const background = withoutGradient([predXy, predWh], (xy, wh) => {
    const bestIou = centreBoxIou(xy.expandDims(2), wh.expandDims(2), boxXy, boxWh).max(-1);
    return noObjMask.mul(tf.cast(tf.less(bestIou, w.ignoreThreshold), 'float32'));
  });
  const noObject = predObj.square().mul(background).sum().mul(perImage).mul(w.lambdaNoObj) as tf.Scalar;

  // Classes: softmax cross-entropy at responsible predictions.
  const logProbs = tf.logSoftmax(classLogits);
  const ce = classOneHot.mul(logProbs).sum(-1).neg();
  const classTerm = ce.mul(objMask).sum().mul(perImage).mul(w.lambdaClass) as tf.Scalar;

  // Warm-up prior on idle anchors.
  const prior = (w.lambdaPrior > 0
    ? sigXy.sub(0.5).square().sum(-1).add(tWh.square().sum(-1)).mul(noObjMask).sum().mul(perImage).mul(w.lambdaPrior)
    : tf.scalar(0)) as tf.Scalar;

  const total = tf.addN([coord, objectness, noObject, classTerm, prior]) as tf.Scalar;
  return { total, coord, objectness, noObject, class: classTerm, prior };
}

/** The total loss as one scalar, for optimizer.minimize(() => yoloLoss(...)). */
export function yoloLoss(yTrue: YoloTargets, yPred: tf.Tensor, spec: GridSpec, weights: Partial<YoloLossWeights> = {}): tf.Scalar {
  return yoloLossTerms(yTrue, yPred, spec, weights).total;
}
