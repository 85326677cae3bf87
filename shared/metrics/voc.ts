/**
 * VOC-style evaluation: matching of detections to ground truth and AP per class.
 *
 * Matching (VOC devkit, Cartucho, Padilla), per class:
 * 1. pool the detections of all images and sort them by descending score with a *stable* sort, so
 *    equal scores keep their input order. Readers deliver the reference tools' reading order (files
 *    in ascending name order, lines in file order), which is what the published numbers need;
 * 2. for each detection take the ground-truth box of the same class and image with the highest IoU,
 *    matched or not (the first one on equal IoU);
 * 3. if that IoU ≥ t: a `difficult` box makes the detection ignored (neither TP nor FP); else an
 *    unmatched box makes it a TP (and marks the box), an already matched one a FP (duplicate);
 *    if the best IoU < t, or the image has no box of that class, the detection is a FP.
 * Recall is over the non-difficult boxes of the class (`npos`). IoU uses the "+1" inclusive pixel
 * convention by default (see `iou.ts`).
 */
import { allPointAP, elevenPointAP } from './ap';
import { iou, type PixelConvention } from './iou';
import type { Detection, GroundTruthBox } from './types';
import { resolveClasses, validateDetections, validateGroundTruth } from './validate';

export type ApMethod = 'all-point' | '11-point';

export interface VocOptions {
  /** IoU threshold t; a match needs IoU ≥ t. Default 0.5. */
  iouThreshold?: number;
  /** Default 'all-point' (VOC2010+); '11-point' is VOC2007. */
  method?: ApMethod;
  /** Default 'inclusive' (VOC's +1). */
  pixelConvention?: PixelConvention;
  /** Classes to report, in order; see `resolveClasses`. Default: the classes that have ground truth. */
  classes?: readonly string[];
}

/** Per-class result. Arrays run over the counted (non-ignored) detections in descending score. */
export interface VocClassResult {
  className: string;
  /** AP, or null when the class has no non-difficult ground truth (then excluded from mAP). */
  ap: number | null;
  /** Non-difficult ground-truth boxes (recall denominator). */
  numGroundTruth: number;
  /** Counted detections (TP + FP). */
  numDetections: number;
  tp: number;
  fp: number;
  /** Detections ignored because they matched a difficult box. */
  ignored: number;
  scores: Float64Array;
  /** 1 for a true positive, 0 for a false positive. */
  isTp: Uint8Array;
  /** Number of true positives among the first i + 1 detections. */
  cumulativeTp: Uint32Array;
  precision: Float64Array;
  recall: Float64Array;
}

export interface VocResult {
  iouThreshold: number;
  method: ApMethod;
  pixelConvention: PixelConvention;
  classes: VocClassResult[];
  /** Mean AP over the classes with ground truth; null when no class has any. */
  mAP: number | null;
  /** Detections of classes without ground truth, ignored (Cartucho behaviour): class → count. */
  ignoredDetectionClasses: Record<string, number>;
}

/** Outcome of matching one class: detection indices in processing order and their outcome. */
export interface ClassMatch {
  /** Indices into the detections array, sorted by descending score (stable). */
  order: number[];
  /** Per entry of `order`: 1 TP, 0 FP, −1 ignored (matched a difficult box). */
  outcome: Int8Array;
  numGroundTruth: number;
}

/**
 * Matches the detections of one class (indices into `dets`) against that class's ground truth,
 * grouped by image. See the module comment for the rules.
 */
export function matchClass(
  gtsByImage: ReadonlyMap<string, readonly GroundTruthBox[]>,
  dets: readonly Detection[],
  detIndices: readonly number[],
  iouThreshold: number,
  convention: PixelConvention,
): ClassMatch {
  let numGroundTruth = 0;
  const used = new Map<string, Uint8Array>();
  for (const [imageId, boxes] of gtsByImage) {
    used.set(imageId, new Uint8Array(boxes.length));
    for (const g of boxes) if (!g.difficult) numGroundTruth++;
  }
  // Array.prototype.sort is stable: equal scores keep their input order.
  const order = [...detIndices].sort((a, b) => dets[b]!.score - dets[a]!.score || 0);
  const outcome = new Int8Array(order.length);
  for (let k = 0; k < order.length; k++) {
    const d = dets[order[k]!]!;
    const boxes = gtsByImage.get(d.imageId);
    let best = -1;
    let bestIou = -Infinity;
    if (boxes) {
      for (let g = 0; g < boxes.length; g++) {
        const o = iou(d, boxes[g]!, convention);
        if (o > bestIou) { bestIou = o; best = g; }
      }
    }
    if (best < 0 || bestIou < iouThreshold) { outcome[k] = 0; continue; }
    if (boxes![best]!.difficult) { outcome[k] = -1; continue; }
    const flags = used.get(d.imageId)!;
    if (flags[best]) outcome[k] = 0;
    else { flags[best] = 1; outcome[k] = 1; }
  }
  return { order, outcome, numGroundTruth };
}

/** Groups ground truth by class, then by image (input order kept within an image). */
export function groupGroundTruth(gts: readonly GroundTruthBox[]): Map<string, Map<string, GroundTruthBox[]>> {
  const byClass = new Map<string, Map<string, GroundTruthBox[]>>();
  for (const g of gts) {
    let byImage = byClass.get(g.className);
    if (!byImage) byClass.set(g.className, (byImage = new Map()));
    const list = byImage.get(g.imageId);
    if (list) list.push(g);
    else byImage.set(g.imageId, [g]);
  }
  return byClass;
}

/** Groups detection indices by class, in input order. */
export function groupDetections(dets: readonly Detection[]): Map<string, number[]> {
  const byClass = new Map<string, number[]>();
  dets.forEach((d, i) => {
    const list = byClass.get(d.className);
    if (list) list.push(i);
    else byClass.set(d.className, [i]);
  });
  return byClass;
}

function classResult(className: string, m: ClassMatch, dets: readonly Detection[], method: ApMethod): VocClassResult {
  let n = 0;
  for (let k = 0; k < m.outcome.length; k++) if (m.outcome[k]! >= 0) n++;
  const scores = new Float64Array(n);
  const isTp = new Uint8Array(n);
  const cumulativeTp = new Uint32Array(n);
  const precision = new Float64Array(n);
  const recall = new Float64Array(n);
  let tp = 0;
  let fp = 0;
  let j = 0;
  for (let k = 0; k < m.outcome.length; k++) {
    const o = m.outcome[k]!;
    if (o < 0) continue;
    if (o === 1) tp++;
    else fp++;
    scores[j] = dets[m.order[k]!]!.score;
    isTp[j] = o;
    cumulativeTp[j] = tp;
    precision[j] = tp / (tp + fp);
    recall[j] = m.numGroundTruth > 0 ? tp / m.numGroundTruth : 0;
    j++;
  }
  const ap = m.numGroundTruth === 0 ? null : method === '11-point' ? elevenPointAP(recall, precision) : allPointAP(recall, precision);
  return {
    className, ap, numGroundTruth: m.numGroundTruth, numDetections: n, tp, fp,
    ignored: m.outcome.length - n, scores, isTp, cumulativeTp, precision, recall,
  };
}

/** VOC AP per class and mAP. Throws MetricsInputError on invalid input (see `validate.ts`). */
export function evaluateVoc(gts: readonly GroundTruthBox[], dets: readonly Detection[], options: VocOptions = {}): VocResult {
  const iouThreshold = options.iouThreshold ?? 0.5;
  const method = options.method ?? 'all-point';
  const pixelConvention = options.pixelConvention ?? 'inclusive';
  validateGroundTruth(gts);
  validateDetections(dets);
  const { classes, ignoredDetectionClasses } = resolveClasses(gts, dets, options.classes);
  const gtByClass = groupGroundTruth(gts);
  const detByClass = groupDetections(dets);
  const results = classes.map((c) => {
    const m = matchClass(gtByClass.get(c) ?? new Map(), dets, detByClass.get(c) ?? [], iouThreshold, pixelConvention);
    return classResult(c, m, dets, method);
  });
  const aps = results.flatMap((r) => (r.ap === null ? [] : [r.ap]));
  const mAP = aps.length ? aps.reduce((s, a) => s + a, 0) / aps.length : null;
  return { iouThreshold, method, pixelConvention, classes: results, mAP, ignoredDetectionClasses };
}

/** mAP50: VOC all-point AP at IoU 0.5 (+1 convention), difficult boxes ignored. */
export function mAP50(gts: readonly GroundTruthBox[], dets: readonly Detection[]): number | null {
  return evaluateVoc(gts, dets, { iouThreshold: 0.5, method: 'all-point' }).mAP;
}
