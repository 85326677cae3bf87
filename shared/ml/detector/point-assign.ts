/**
 * Task-aligned label assignment (TOOD; the assigner of YOLOv8) for the point head, in tensor ops
 * so it runs on the training backend (no read-back) inside the training step.
 *
 * For every ground-truth box g and point p whose centre lies inside g:
 *   align(g, p) = score(p, class of g)^α · IoU(box(p), g)^β
 * Each box takes the top-k points by align; a point claimed by several boxes keeps the one its
 * predicted box overlaps most. The point's class target is its box's class with a soft score:
 * align normalised so the box's best point gets the best IoU any of its points reached (quality-
 * aware classification). Boxes are corner boxes in input pixels.
 */
import * as tf from '@tensorflow/tfjs';

export interface AssignOptions {
  /** Points per box (default 10, YOLOv8's). */
  topk?: number;
  /** Exponent of the class score (default 0.5). */
  alpha?: number;
  /** Exponent of the IoU (default 6). */
  beta?: number;
}

export interface AssignInputs {
  /** [B, N, C] predicted class probabilities (sigmoid). */
  scores: tf.Tensor3D;
  /** [B, N, 4] predicted boxes x1, y1, x2, y2. */
  boxes: tf.Tensor3D;
  /** [B, M, 4] ground-truth boxes (padding rows are masked by `valid`). */
  gtBoxes: tf.Tensor3D;
  /** [B, M, C] one-hot classes of the ground-truth boxes. */
  gtClasses: tf.Tensor3D;
  /** [B, M] 1 for real boxes, 0 for padding. */
  valid: tf.Tensor2D;
  /** [N, 2] point centres x, y. */
  centers: tf.Tensor2D;
}

const EPS = 1e-9;

/** One-hot along a new last axis as float32; depth 1 (tf.oneHot needs ≥ 2) is all ones. */
function oneHotF(indices: tf.Tensor, depth: number): tf.Tensor {
  return depth === 1 ? tf.onesLike(indices).cast('float32').expandDims(-1) : tf.oneHot(indices, depth).cast('float32');
}

/**
 * Returns [B, N, C + 5]: per point the soft class targets (C), the assigned box (4) and 1 for a
 * positive point (else 0; its class targets are then 0 too).
 */
export function taskAlignedAssign(inp: AssignInputs, options: AssignOptions = {}): tf.Tensor3D {
  const alpha = options.alpha ?? 0.5;
  const beta = options.beta ?? 6;
  return tf.tidy(() => {
    const [B, N] = inp.scores.shape;
    const M = inp.gtBoxes.shape[1];
    const [gx1, gy1, gx2, gy2] = tf.split(inp.gtBoxes, 4, 2) as tf.Tensor3D[]; // [B, M, 1]
    const cx = inp.centers.slice([0, 0], [N, 1]).reshape([1, 1, N]);
    const cy = inp.centers.slice([0, 1], [N, 1]).reshape([1, 1, N]);
    const dmin = tf.minimum(tf.minimum(cx.sub(gx1), cy.sub(gy1)), tf.minimum(gx2.sub(cx), gy2.sub(cy))); // [B, M, N]
    const inside = tf.greater(dmin, EPS).cast('float32').mul(inp.valid.reshape([B, M, 1]));

    const [px1, py1, px2, py2] = (tf.split(inp.boxes, 4, 2) as tf.Tensor3D[]).map((t) => t.reshape([B, 1, N]));
    const iw = tf.relu(tf.minimum(gx2, px2!).sub(tf.maximum(gx1, px1!)));
    const ih = tf.relu(tf.minimum(gy2, py2!).sub(tf.maximum(gy1, py1!)));
    const inter = iw.mul(ih);
    const areaG = gx2.sub(gx1).mul(gy2.sub(gy1));
    const areaP = tf.relu(px2!.sub(px1!)).mul(tf.relu(py2!.sub(py1!)));
    const iou = inter.div(areaG.add(areaP).sub(inter).add(EPS)).mul(inside); // [B, M, N]

    const clsScore = tf.matMul(inp.gtClasses, inp.scores, false, true); // [B, M, N]
    const align = tf.pow(clsScore.add(EPS), alpha).mul(tf.pow(iou, beta)).mul(inside);

    // exactly the top k points per box (ties go to the lower index, as tf.topk orders them), and only those with align > 0
    const k = Math.min(options.topk ?? 10, N);
    const top = tf.topk(align, k).indices; // [B, M, k]
    const bIdx = tf.range(0, B, 1, 'int32').reshape([B, 1, 1]).tile([1, M, k]);
    const mIdx = tf.range(0, M, 1, 'int32').reshape([1, M, 1]).tile([B, 1, k]);
    const picked = tf.scatterND(tf.stack([bIdx, mIdx, top], 3).reshape([B * M * k, 3]), tf.ones([B * M * k], 'float32'), [B, M, N]);
    let maskPos = picked.mul(tf.greater(align, 0).cast('float32'));

    // a point claimed by several boxes keeps the box its prediction overlaps most
    const claims = maskPos.sum(1); // [B, N]
    const multi = tf.greater(claims, 1).cast('float32').reshape([B, 1, N]);
    const bestGt = oneHotF(tf.argMax(iou, 1), M).transpose([0, 2, 1]); // [B, M, N]
    maskPos = multi.mul(bestGt).add(tf.scalar(1).sub(multi).mul(maskPos));

    const fg = maskPos.sum(1); // [B, N], 0 or 1
    const assigned = oneHotF(tf.argMax(maskPos, 1), M).mul(fg.reshape([B, N, 1])) as tf.Tensor3D; // [B, N, M]
    const targetBoxes = tf.matMul(assigned, inp.gtBoxes); // [B, N, 4]
    const targetClasses = tf.matMul(assigned, inp.gtClasses); // [B, N, C]

    const alignPos = align.mul(maskPos);
    const bestAlign = alignPos.max(2, true); // [B, M, 1]
    const bestIou = iou.mul(maskPos).max(2, true);
    const quality = alignPos.mul(bestIou).div(bestAlign.add(EPS)).max(1); // [B, N]
    const targetScores = targetClasses.mul(quality.reshape([B, N, 1]));
    return tf.concat([targetScores, targetBoxes, fg.reshape([B, N, 1])], 2) as tf.Tensor3D;
  });
}
