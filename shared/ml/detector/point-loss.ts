/**
 * Loss of the point head (GFL style), on the [B, N, C + 4R] raw output (points.ts):
 *   cls  quality focal loss: BCE(logit, q) · |q − sigmoid(logit)|², q = the task-aligned soft
 *        target (point-assign.ts; 0 on background points), summed over points and classes;
 *   box  1 − GIoU(predicted box, assigned box) on positive points, weighted by Σ_c q;
 *   dfl  distribution focal loss: cross-entropy of each side's distance distribution with the two
 *        bins around the true distance (in strides), weighted like box.
 * Each term is divided by max(1, Σ q) over the batch; total = λ_cls·cls + λ_box·box + λ_dfl·dfl.
 * The assignment reads the predictions but passes no gradient (a customGrad with zero gradients).
 */
import * as tf from '@tensorflow/tfjs';
import type { LabeledBox } from './box';
import { pointGrid, type PointSpec } from './points';
import { taskAlignedAssign, type AssignOptions } from './point-assign';

export interface PointLossWeights {
  cls: number;
  box: number;
  dfl: number;
}

/** GFL's weights (quality focal 1, GIoU 2, DFL 0.25). */
export const DEFAULT_POINT_LOSS_WEIGHTS: PointLossWeights = { cls: 1, box: 2, dfl: 0.25 };

export interface PointTargets {
  /** [B, M, 4] boxes x1, y1, x2, y2 in input pixels; padding rows are zeros. */
  boxes: tf.Tensor3D;
  /** [B, M, C] one-hot classes. */
  classes: tf.Tensor3D;
  /** [B, M] 1 for real boxes. */
  valid: tf.Tensor2D;
}

/** Pads the batch's boxes (input pixels) to the most boxes of any image, keeping at most maxBoxes per image (at least 2 rows, padding included). */
export function encodePointTargets(boxes: readonly (readonly LabeledBox[])[], numClasses: number, maxBoxes = 100): PointTargets {
  const B = boxes.length;
  const M = Math.max(2, Math.min(maxBoxes, Math.max(0, ...boxes.map((b) => b.length))));
  const xy = new Float32Array(B * M * 4);
  const cls = new Float32Array(B * M * numClasses);
  const valid = new Float32Array(B * M);
  boxes.forEach((list, b) => {
    list.slice(0, Math.min(M, maxBoxes)).forEach((box, m) => {
      if (!(box.classId >= 0 && box.classId < numClasses)) throw new Error(`encodePointTargets: class ${box.classId} outside 0..${numClasses - 1}`);
      const o = b * M + m;
      xy.set([box.x1, box.y1, box.x2, box.y2], o * 4);
      cls[o * numClasses + box.classId] = 1;
      valid[o] = box.x2 > box.x1 && box.y2 > box.y1 ? 1 : 0;
    });
  });
  return { boxes: tf.tensor3d(xy, [B, M, 4]), classes: tf.tensor3d(cls, [B, M, numClasses]), valid: tf.tensor2d(valid, [B, M]) };
}

export function disposePointTargets(t: PointTargets): void {
  tf.dispose([t.boxes, t.classes, t.valid]);
}

export interface PointLossTerms {
  total: tf.Scalar;
  cls: tf.Scalar;
  box: tf.Scalar;
  dfl: tf.Scalar;
}

/** Predicted boxes (input pixels) and each side's log-distribution, from the raw output. */
export function decodePointBoxes(pred: tf.Tensor3D, spec: PointSpec, centers: tf.Tensor2D, strides: tf.Tensor2D): { boxes: tf.Tensor3D; logDist: tf.Tensor4D } {
  const [B, N] = pred.shape;
  const C = spec.numClasses;
  const R = spec.regBins;
  const logDist = tf.logSoftmax(pred.slice([0, 0, C], [B, N, 4 * R]).reshape([B, N, 4, R])) as tf.Tensor4D;
  const bins = tf.range(0, R, 1, 'float32');
  const dist = tf.exp(logDist).mul(bins).sum(3).mul(strides.reshape([1, N, 1])); // [B, N, 4] pixels
  const [l, t, r, b] = tf.split(dist, 4, 2);
  const cx = centers.slice([0, 0], [N, 1]).reshape([1, N, 1]);
  const cy = centers.slice([0, 1], [N, 1]).reshape([1, N, 1]);
  const boxes = tf.concat([cx.sub(l!), cy.sub(t!), cx.add(r!), cy.add(b!)], 2) as tf.Tensor3D;
  return { boxes, logDist };
}

/** GIoU of matching rows of two [.., 4] corner-box tensors. */
export function giou(a: tf.Tensor, b: tf.Tensor): tf.Tensor {
  const [ax1, ay1, ax2, ay2] = tf.split(a, 4, -1);
  const [bx1, by1, bx2, by2] = tf.split(b, 4, -1);
  const inter = tf.relu(tf.minimum(ax2!, bx2!).sub(tf.maximum(ax1!, bx1!))).mul(tf.relu(tf.minimum(ay2!, by2!).sub(tf.maximum(ay1!, by1!))));
  const areaA = tf.relu(ax2!.sub(ax1!)).mul(tf.relu(ay2!.sub(ay1!)));
  const areaB = tf.relu(bx2!.sub(bx1!)).mul(tf.relu(by2!.sub(by1!)));
  const union = areaA.add(areaB).sub(inter).add(1e-7);
  const hull = tf.maximum(ax2!, bx2!).sub(tf.minimum(ax1!, bx1!)).mul(tf.maximum(ay2!, by2!).sub(tf.minimum(ay1!, by1!))).add(1e-7);
  return inter.div(union).sub(hull.sub(union).div(hull)).squeeze([-1]);
}

/** The grid constants of a spec as tensors (centres [N, 2], strides [N, 1]); the caller disposes them. */
export function pointGridTensors(spec: PointSpec): { centers: tf.Tensor2D; strides: tf.Tensor2D } {
  const g = pointGrid(spec);
  return { centers: tf.tensor2d(g.centers, [g.strides.length, 2]), strides: tf.tensor2d(g.strides, [g.strides.length, 1]) };
}

/** The loss terms of a batch; call inside a gradient scope (trainStep) or tf.tidy (which free the intermediates). */
export function pointLossTerms(targets: PointTargets, pred: tf.Tensor, spec: PointSpec, weights: Partial<PointLossWeights> = {}, assign: AssignOptions = {}): PointLossTerms {
  const w = { ...DEFAULT_POINT_LOSS_WEIGHTS, ...weights };
  const p = pred as tf.Tensor3D;
  const [B, N] = p.shape;
  const C = spec.numClasses;
  const R = spec.regBins;
  const grid = pointGridTensors(spec);
  const { centers, strides } = grid;
  const logits = p.slice([0, 0, 0], [B, N, C]);
  const { boxes, logDist } = decodePointBoxes(p, spec, centers, strides);
  const scores = tf.sigmoid(logits);
  // the assignment looks at the predictions but must not train them: zero gradients
  const assignNoGrad = tf.customGrad((s, bx) => ({
    value: taskAlignedAssign({ scores: s as tf.Tensor3D, boxes: bx as tf.Tensor3D, gtBoxes: targets.boxes, gtClasses: targets.classes, valid: targets.valid, centers }, assign),
    gradFunc: () => [tf.zerosLike(s as tf.Tensor), tf.zerosLike(bx as tf.Tensor)],
  }));
  const packed = assignNoGrad(scores, boxes);
  const q = packed.slice([0, 0, 0], [B, N, C]);
  const tBoxes = packed.slice([0, 0, C], [B, N, 4]);
  const norm = tf.maximum(q.sum(), 1);

  // quality focal loss (stable BCE with logits)
  const bce = tf.relu(logits).sub(logits.mul(q)).add(tf.log1p(tf.exp(tf.neg(tf.abs(logits)))));
  const cls = bce.mul(tf.square(q.sub(scores))).sum().div(norm) as tf.Scalar;

  const weight = q.sum(2); // [B, N], 0 on background points
  const box = tf.scalar(1).sub(giou(boxes, tBoxes)).mul(weight).sum().div(norm) as tf.Scalar;

  const [tx1, ty1, tx2, ty2] = tf.split(tBoxes, 4, 2);
  const cx = centers.slice([0, 0], [N, 1]).reshape([1, N, 1]);
  const cy = centers.slice([0, 1], [N, 1]).reshape([1, N, 1]);
  const tDist = tf.concat([cx.sub(tx1!), cy.sub(ty1!), tx2!.sub(cx), ty2!.sub(cy)], 2).div(strides.reshape([1, N, 1])).clipByValue(0, R - 1 - 0.01); // [B, N, 4]
  const left = tf.floor(tDist);
  const wLeft = left.add(1).sub(tDist);
  const leftIdx = left.cast('int32');
  const logLeft = logDist.mul(tf.oneHot(leftIdx, R).cast('float32')).sum(3);
  const logRight = logDist.mul(tf.oneHot(leftIdx.add(tf.scalar(1, 'int32')), R).cast('float32')).sum(3);
  const ce = tf.neg(logLeft.mul(wLeft).add(logRight.mul(tf.scalar(1).sub(wLeft)))).mean(2); // [B, N]
  const dfl = ce.mul(weight).sum().div(norm) as tf.Scalar;

  const total = cls.mul(w.cls).add(box.mul(w.box)).add(dfl.mul(w.dfl)) as tf.Scalar;
  return { total, cls, box, dfl };
}
