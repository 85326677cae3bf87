/**
 * Validation of a detector on the val samples: val loss, detections (decode + per-class NMS at
 * score ≥ 0.005, multi-label, boxes back in original pixels) and the metrics from shared/metrics:
 * mAP50 (evaluateVoc, all-point, IoU .5), mAP50-95 (evaluateCoco stats.AP), micro precision /
 * recall / F1 at `confidence`, and for eval.json per-class AP, PR points and the confusion matrix.
 */
import * as tf from '@tensorflow/tfjs';
import type { DetectorConfig } from '../../shared/ml/detector/config';
import { headBatchLoss } from '../../shared/ml/detector/head-ops';
import { evaluateBatchLoss } from '../../shared/ml/detector/train-step';
import { imagesToTensor, rawPerImage } from '../../shared/ml/detector/inference';
import { postprocessDetectorOutput } from '../../shared/ml/detector/postprocess';
import {
  bestF1, COCO_AREA_RANGES, detectionConfusionMatrix, evaluateCoco, evaluateVoc, f1Curve, overallPrecisionRecallAt, precisionRecallAt, prCurve,
  type CocoResult, type Detection, type GroundTruthBox,
} from '../../shared/metrics';
import type { LossParts } from '../../shared/training/types';
import { matchDetections } from '../../shared/training/gallery-match';
import {
  GALLERY_MAX_DETECTIONS, GALLERY_MAX_IMAGES, GALLERY_MIN_SCORE, OBJECT_SIZES, type EvalReport, type GalleryBox, type GalleryImage, type PerSizeAP,
} from '../../shared/training/eval-report';
import type { Sample } from './data';
import { inputImages } from './fitted-image';

export interface ValidationResult {
  loss: LossParts;
  precision: number;
  recall: number;
  F1: number;
  mAP50: number | null;
  'mAP50-95': number | null;
  detections: Detection[];
  groundTruth: GroundTruthBox[];
}

/** The head's loss terms ([box, obj, noobj, cls, dfl], head-ops.ts) as the metrics' LossParts. */
export function lossParts(v: { total: number; terms: number[] }): LossParts {
  const [box = 0, obj = 0, noobj = 0, cls = 0, dfl = 0] = v.terms;
  return { total: v.total, box, obj, noobj, cls, dfl };
}

/** LossParts with every part 0: the start of a sum. */
export const zeroLoss = (): LossParts => ({ total: 0, box: 0, obj: 0, noobj: 0, cls: 0, dfl: 0 });

/** Each part of `sum` divided by `n`. */
export function meanLoss(sum: LossParts, n: number): LossParts {
  const out = zeroLoss();
  for (const k of Object.keys(out) as (keyof LossParts)[]) out[k] = sum[k] / n;
  return out;
}

/** One validation image's detections as the metrics take them: decode + per-class NMS at score ≥ 0.005, multi-label, at most 100, in original pixels. */
export function validationDetections(raw: ArrayLike<number>, config: DetectorConfig, classes: readonly string[], s: Sample): Detection[] {
  return postprocessDetectorOutput(raw, config, { scoreThreshold: 0.005, multiLabel: true, transform: s.transform, imageSize: s.originalSize, maxDetections: 100 })
    .map((d) => ({ imageId: s.imageId, className: classes[d.classId], score: d.score, x1: d.x1, y1: d.y1, x2: d.x2, y2: d.y2 }));
}

/** mAP50 of the VOC protocol (all-point AP, IoU .5) that validation reports. */
export function validationMap50(groundTruth: GroundTruthBox[], detections: Detection[], classes: string[]): number | null {
  if (groundTruth.length === 0) return null;
  return evaluateVoc(groundTruth, detections, { iouThreshold: 0.5, method: 'all-point', classes }).mAP;
}

export async function validate(model: tf.LayersModel, config: DetectorConfig, classes: string[], val: Sample[], options: { batchSize: number; confidence: number; maxBoxes: number }): Promise<ValidationResult> {
  const detections: Detection[] = [];
  const groundTruth = val.flatMap((s) => s.groundTruth);
  const sum = zeroLoss();
  for (let i = 0; i < val.length; i += options.batchSize) {
    const part = val.slice(i, i + options.batchSize);
    const x = imagesToTensor(await inputImages(part.map((s) => s.image)));
    const batchLoss = headBatchLoss(config, part.map((s) => s.boxes), options.maxBoxes);
    // one forward pass (inference mode) gives both the val loss and the detections
    const pred = model.predict(x) as tf.Tensor;
    try {
      const l = lossParts(await evaluateBatchLoss(pred, batchLoss.loss));
      for (const k of Object.keys(sum) as (keyof LossParts)[]) sum[k] += l[k] * part.length;
      const raws = await rawPerImage(pred, config);
      raws.forEach((raw, j) => detections.push(...validationDetections(raw, config, classes, part[j])));
    } finally {
      tf.dispose([x, pred]);
      batchLoss.dispose();
    }
  }
  const n = Math.max(1, val.length);
  const loss = meanLoss(sum, n);
  if (groundTruth.length === 0) return { loss, precision: 0, recall: 0, F1: 0, mAP50: null, 'mAP50-95': null, detections, groundTruth };
  const voc = evaluateVoc(groundTruth, detections, { iouThreshold: 0.5, method: 'all-point', classes });
  const coco = evaluateCoco(groundTruth, detections, { classes });
  const op = overallPrecisionRecallAt(voc, options.confidence);
  return {
    loss, precision: op.precision, recall: op.recall, F1: op.f1,
    mAP50: voc.mAP,
    'mAP50-95': coco.stats.AP < 0 ? null : coco.stats.AP,
    detections, groundTruth,
  };
}

export type { EvalReport, GalleryBox, GalleryImage } from '../../shared/training/eval-report';
export { GALLERY_MAX_DETECTIONS, GALLERY_MAX_IMAGES, GALLERY_MIN_SCORE } from '../../shared/training/eval-report';

function thin(values: Float64Array, keep: number[]): number[] {
  return keep.map((i) => Number(values[i].toFixed(5)));
}

const round = (v: number): number => Number(v.toFixed(5));
const boxOf = (b: GalleryBox): GalleryBox => ({ className: b.className, x1: round(b.x1), y1: round(b.y1), x2: round(b.x2), y2: round(b.y2) });

/**
 * Per image: greedy matching (best score first, same class, IoU ≥ .5, each ground-truth box once)
 * of the detections ≥ `confidence`, as the VOC protocol matches them. Images are the ones with
 * ground truth or detections, in image-id order, at most GALLERY_MAX_IMAGES.
 */
export function buildGallery(groundTruth: GroundTruthBox[], detections: Detection[], confidence: number): GalleryImage[] {
  const ids = [...new Set([...groundTruth.map((g) => g.imageId), ...detections.map((d) => d.imageId)])].sort().slice(0, GALLERY_MAX_IMAGES);
  const gtBy = new Map<string, GroundTruthBox[]>();
  for (const g of groundTruth) gtBy.set(g.imageId, [...(gtBy.get(g.imageId) ?? []), g]);
  const detBy = new Map<string, Detection[]>();
  for (const d of detections) if (d.score >= GALLERY_MIN_SCORE) detBy.set(d.imageId, [...(detBy.get(d.imageId) ?? []), d]);
  return ids.map((imageId) => {
    const gts = gtBy.get(imageId) ?? [];
    const dets = (detBy.get(imageId) ?? []).sort((a, b) => b.score - a.score).slice(0, GALLERY_MAX_DETECTIONS);
    const { outcomes, matched } = matchDetections(gts, dets, confidence);
    const gtOut = gts.map((g, k) => ({ ...boxOf(g), difficult: Boolean(g.difficult), matched: matched[k] }));
    return {
      imageId,
      groundTruth: gtOut,
      detections: dets.map((d, k) => ({ ...boxOf(d), score: round(d.score), outcome: outcomes[k] })),
      falsePositives: outcomes.filter((o) => o === 'fp').length,
      misses: gtOut.filter((g) => !g.matched && !g.difficult).length,
    };
  });
}

/**
 * AP50-95 per COCO object size from an evaluateCoco result (stats.APsmall / APmedium / APlarge,
 * −1 → null), and the ground-truth boxes of each size it counted: the evaluator's rule (area = the
 * box's `area` field, else its continuous area; inside [min, max] of the range; difficult and crowd
 * boxes are ignored).
 */
export function perSizeAP(coco: CocoResult, groundTruth: readonly GroundTruthBox[]): PerSizeAP {
  const counts = { small: 0, medium: 0, large: 0 };
  for (const size of OBJECT_SIZES) {
    const range = COCO_AREA_RANGES.find((r) => r.name === size)!;
    for (const g of groundTruth) {
      if (g.difficult || g.iscrowd) continue;
      const area = g.area ?? (g.x2 - g.x1) * (g.y2 - g.y1);
      if (area >= range.min && area <= range.max) counts[size]++;
    }
  }
  const ap = (v: number): number | null => (v < 0 ? null : v);
  return { small: ap(coco.stats.APsmall), medium: ap(coco.stats.APmedium), large: ap(coco.stats.APlarge), counts };
}

export function buildEvalReport(epoch: number, classes: string[], groundTruth: GroundTruthBox[], detections: Detection[], confidence: number): EvalReport {
  const voc = evaluateVoc(groundTruth, detections, { iouThreshold: 0.5, method: 'all-point', classes });
  const coco = evaluateCoco(groundTruth, detections, { classes });
  const f1 = f1Curve(voc);
  const best = bestF1(f1);
  return {
    epoch,
    classes: voc.classes.map((c, k) => {
      const pr = prCurve(c);
      const n = pr.recall.length;
      const step = Math.max(1, Math.ceil(n / 200));
      const keep = Array.from({ length: Math.ceil(n / step) }, (_, i) => i * step);
      if (n > 0 && keep[keep.length - 1] !== n - 1) keep.push(n - 1);
      const op = precisionRecallAt(c, confidence);
      return {
        className: c.className, numGroundTruth: c.numGroundTruth, ap50: c.ap, 'ap50-95': coco.classes[k]?.ap ?? null,
        precision: op.precision, recall: op.recall,
        pr: { recall: thin(pr.recall, keep), precision: thin(pr.interpolatedPrecision, keep) },
      };
    }),
    mAP50: voc.mAP,
    'mAP50-95': coco.stats.AP < 0 ? null : coco.stats.AP,
    perSize: perSizeAP(coco, groundTruth),
    confidence,
    confusion: detectionConfusionMatrix(groundTruth, detections, { classes, confidenceThreshold: confidence, iouThreshold: 0.45 }),
    f1: {
      thresholds: [...f1.thresholds],
      perClass: f1.perClass.map((c) => ({ className: c.className, f1: Array.from(c.f1, round) })),
      f1: Array.from(f1.f1, round),
      precision: Array.from(f1.precision, round),
      recall: Array.from(f1.recall, round),
      best: best ? { threshold: best.threshold, f1: round(best.f1), precision: round(best.precision), recall: round(best.recall) } : null,
    },
    gallery: buildGallery(groundTruth, detections, confidence),
  };
}
