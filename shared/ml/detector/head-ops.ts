/**
 * What differs between the detector heads, behind one set of functions, so the trainer, the
 * evaluator, `detecta predict` and the Detect view never branch on the head themselves:
 * - the batch loss (targets encoded from the batch's boxes) with its terms in one order,
 *   [box, obj, noobj, cls, dfl] (the columns of metrics.csv);
 * - the values per image of the raw output, and decoding one image's raw output into candidates.
 * YOLOv2: box = coord, obj / noobj = objectness terms, cls = class, dfl = 0. Point head
 * (anchor-free): box = λ_box·GIoU, dfl = λ_dfl·distribution focal loss, cls = λ_cls·quality focal
 * loss, and obj / noobj are 0 (no objectness: the class scores carry the box quality).
 */
import type * as tf from '@tensorflow/tfjs';
import type { Detection, LabeledBox } from './box';
import { isPointHead, type DetectorConfig } from './config';
import { decodeYoloOutput, type DecodeOptions } from './decode';
import { gridSpecOf, valuesPerImage } from './layout';
import { yoloLossTerms } from './loss';
import { DEFAULT_POINT_LOSS_WEIGHTS, disposePointTargets, encodePointTargets, pointLossTerms } from './point-loss';
import { decodePointOutput, pointCount, pointSpecOf, valuesPerPoint } from './points';
import { encodeBatchTargets } from './target';
import type { BatchLoss } from './train-step';

export interface HeadBatchLoss {
  loss: BatchLoss;
  dispose(): void;
}

/** The loss of a batch with these boxes (input pixels); terms are [box, obj, noobj, cls, dfl]. */
export function headBatchLoss(config: DetectorConfig, boxes: readonly (readonly LabeledBox[])[], maxBoxes: number): HeadBatchLoss {
  if (isPointHead(config.head)) {
    const spec = pointSpecOf(config);
    const targets = encodePointTargets(boxes, config.numClasses, maxBoxes);
    const w = DEFAULT_POINT_LOSS_WEIGHTS;
    return {
      loss: (pred: tf.Tensor) => {
        const t = pointLossTerms(targets, pred, spec, w);
        const zero = t.cls.mul(0) as tf.Scalar;
        return { total: t.total, terms: [t.box.mul(w.box) as tf.Scalar, zero, zero, t.cls.mul(w.cls) as tf.Scalar, t.dfl.mul(w.dfl) as tf.Scalar] };
      },
      dispose: () => disposePointTargets(targets),
    };
  }
  const spec = gridSpecOf(config);
  const targets = encodeBatchTargets(boxes.map((b) => [...b]), spec, maxBoxes);
  return {
    loss: (pred: tf.Tensor) => {
      const t = yoloLossTerms(targets, pred, spec);
      return { total: t.total, terms: [t.coord, t.objectness, t.noObject, t.class] };
    },
    dispose: () => { targets.target.dispose(); targets.trueBoxes.dispose(); },
  };
}

/** Number of raw output values per image. */
export function outputValuesPerImage(config: DetectorConfig): number {
  if (isPointHead(config.head)) {
    const spec = pointSpecOf(config);
    return pointCount(spec) * valuesPerPoint(spec);
  }
  return valuesPerImage(gridSpecOf(config));
}

/** One image's raw output → scored candidates (before NMS), boxes mapped back by options.transform. */
export function decodeDetectorOutput(raw: ArrayLike<number>, config: DetectorConfig, options: DecodeOptions = {}): Detection[] {
  return isPointHead(config.head) ? decodePointOutput(raw, pointSpecOf(config), options) : decodeYoloOutput(raw, gridSpecOf(config), options);
}
