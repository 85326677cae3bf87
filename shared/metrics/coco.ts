/**
 * COCO bbox evaluation, a port of pycocotools `COCOeval` (iouType 'bbox', default parameters).
 *
 * - IoU on continuous coordinates (no +1); against a crowd box it is intersection / detection area.
 * - IoU thresholds .50:.05:.95 and 101 recall levels 0:.01:1, bit-exact with numpy's linspace.
 * - Per image and class the top `maxDets` (100) detections by score (stable sort), greedy matching
 *   in score order: each detection takes the unmatched ground truth of highest IoU ≥ t, preferring
 *   non-ignored boxes; crowd boxes may be matched again.
 * - Ignored ground truth: crowd, difficult, or area outside the range (area = the box's `area` field
 *   if given, else its continuous area). A detection matching an ignored box, or matching nothing
 *   while its own area (continuous) is outside the range, is ignored.
 * - Across images, equal scores keep image order: ascending image id (pycocotools sorts image ids;
 *   see `order.ts`), overridable with `imageOrder`.
 * - Averages skip classes without (non-ignored) ground truth; −1 when nothing is left.
 * Differences from pycocotools: detections on images without ground truth count as false
 * positives (pycocotools refuses such results), and `difficult` maps to an ignored box.
 */
import { MetricsInputError } from './errors';
import { rankImages } from './order';
import type { Detection, GroundTruthBox } from './types';
import { groupGroundTruth, groupDetections } from './voc';
import { resolveClasses, validateDetections, validateGroundTruth } from './validate';

export interface AreaRange {
  name: string;
  min: number;
  max: number;
}

export const COCO_AREA_RANGES: readonly AreaRange[] = [
  { name: 'all', min: 0, max: 1e5 ** 2 },
  { name: 'small', min: 0, max: 32 ** 2 },
  { name: 'medium', min: 32 ** 2, max: 96 ** 2 },
  { name: 'large', min: 96 ** 2, max: 1e5 ** 2 },
];

/** numpy.linspace(start, stop, num) bit for bit: i·step + start, last value exactly stop. */
export function linspace(start: number, stop: number, num: number): number[] {
  const step = (stop - start) / (num - 1);
  return Array.from({ length: num }, (_, i) => (i === num - 1 ? stop : i * step + start));
}

export const COCO_IOU_THRESHOLDS: readonly number[] = linspace(0.5, 0.95, 10);
export const COCO_RECALL_LEVELS: readonly number[] = linspace(0, 1, 101);
export const COCO_MAX_DETS: readonly number[] = [1, 10, 100];

export interface CocoOptions {
  /** Image order for score ties across images; ids not listed follow in `compareImageIds` order. */
  imageOrder?: readonly string[];
  /** Classes to report; see `resolveClasses`. Default: the classes that have ground truth. */
  classes?: readonly string[];
}

/** The twelve numbers of `COCOeval.summarize()`. −1 where no class has ground truth. */
export interface CocoStats {
  /** mAP50-95: AP over IoU .50:.05:.95, all areas, 100 detections. */
  AP: number;
  AP50: number;
  AP75: number;
  APsmall: number;
  APmedium: number;
  APlarge: number;
  AR1: number;
  AR10: number;
  AR100: number;
  ARsmall: number;
  ARmedium: number;
  ARlarge: number;
}

export interface CocoClassResult {
  className: string;
  /** Non-ignored ground truth, all areas. */
  numGroundTruth: number;
  /** AP over IoU .50:.05:.95 (all areas, 100 detections); null without ground truth. */
  ap: number | null;
  ap50: number | null;
  ap75: number | null;
  /** Recall averaged over the IoU thresholds, 100 detections. */
  ar100: number | null;
}

export interface CocoResult {
  stats: CocoStats;
  classes: CocoClassResult[];
  iouThresholds: readonly number[];
  recallLevels: readonly number[];
  areaRanges: readonly AreaRange[];
  maxDets: readonly number[];
  /**
   * pycocotools' `eval['precision']`, flattened row-major with dims [T][R][K][A][M]
   * (IoU threshold, recall level, class, area range, maxDets); −1 where a class has no ground truth.
   */
  precision: Float64Array;
  /** `eval['recall']`, dims [T][K][A][M]. */
  recall: Float64Array;
  ignoredDetectionClasses: Record<string, number>;
}

const EPS = 2.220446049250313e-16; // np.spacing(1)

interface ClassEval {
  /** Per detection kept (top maxDets per image), in image order then score order within the image. */
  scores: number[];
  rankInImage: number[];
  /** Flags per [area][threshold][detection]: bit 0 matched, bit 1 ignored. */
  flags: Uint8Array;
  /** Non-ignored ground truth per area range. */
  npig: number[];
}

function continuousIoU(d: Detection, g: GroundTruthBox): number {
  const iw = Math.min(d.x2, g.x2) - Math.max(d.x1, g.x1);
  if (iw <= 0) return 0;
  const ih = Math.min(d.y2, g.y2) - Math.max(d.y1, g.y1);
  if (ih <= 0) return 0;
  const inter = iw * ih;
  const da = (d.x2 - d.x1) * (d.y2 - d.y1);
  const denom = g.iscrowd ? da : da + (g.x2 - g.x1) * (g.y2 - g.y1) - inter;
  return denom > 0 ? inter / denom : 0;
}

function evaluateClass(
  gtsByImage: ReadonlyMap<string, readonly GroundTruthBox[]>,
  dets: readonly Detection[],
  detIndices: readonly number[],
  imageRank: ReadonlyMap<string, number>,
  areas: readonly AreaRange[],
  thresholds: readonly number[],
  maxDet: number,
): ClassEval {
  const detsByImage = new Map<string, number[]>();
  for (const i of detIndices) {
    const id = dets[i]!.imageId;
    const list = detsByImage.get(id);
    if (list) list.push(i);
    else detsByImage.set(id, [i]);
  }
  const images = [...new Set([...gtsByImage.keys(), ...detsByImage.keys()])].sort((a, b) => imageRank.get(a)! - imageRank.get(b)!);
  const kept: number[][] = [];
  let total = 0;
  for (const id of images) {
    const d = (detsByImage.get(id) ?? []).sort((a, b) => dets[b]!.score - dets[a]!.score || 0).slice(0, maxDet);
    kept.push(d);
    total += d.length;
  }
  const A = areas.length;
  const T = thresholds.length;
  const flags = new Uint8Array(A * T * total);
  const scores: number[] = new Array(total);
  const rankInImage: number[] = new Array(total);
  const npig = new Array<number>(A).fill(0);
  let offset = 0;
  images.forEach((id, imageIdx) => {
    const dIdx = kept[imageIdx]!;
    const gts = gtsByImage.get(id) ?? [];
    const D = dIdx.length;
    const G = gts.length;
    for (let k = 0; k < D; k++) { scores[offset + k] = dets[dIdx[k]!]!.score; rankInImage[offset + k] = k; }
    const ious = new Float64Array(D * G);
    for (let k = 0; k < D; k++) for (let g = 0; g < G; g++) ious[k * G + g] = continuousIoU(dets[dIdx[k]!]!, gts[g]!);
    const detArea = dIdx.map((i) => { const d = dets[i]!; return (d.x2 - d.x1) * (d.y2 - d.y1); });
    const gtArea = gts.map((g) => g.area ?? (g.x2 - g.x1) * (g.y2 - g.y1));
    const gtIg = new Uint8Array(G);
    const gtm = new Int8Array(G);
    for (let a = 0; a < A; a++) {
      const { min, max } = areas[a]!;
      for (let g = 0; g < G; g++) {
        const gg = gts[g]!;
        gtIg[g] = gg.iscrowd || gg.difficult || gtArea[g]! < min || gtArea[g]! > max ? 1 : 0;
        if (!gtIg[g]) npig[a]!++;
      }
      // Non-ignored boxes first, stable.
      const gOrder = Array.from({ length: G }, (_, g) => g).sort((x, y) => gtIg[x]! - gtIg[y]!);
      for (let t = 0; t < T; t++) {
        gtm.fill(0);
        const base = (a * T + t) * total + offset;
        for (let k = 0; k < D; k++) {
          let thr = Math.min(thresholds[t]!, 1 - 1e-10);
          let m = -1;
          for (const g of gOrder) {
            if (gtm[g] && !gts[g]!.iscrowd) continue;
            if (m > -1 && gtIg[m] === 0 && gtIg[g] === 1) break;
            const o = ious[k * G + g]!;
            if (o < thr) continue;
            thr = o;
            m = g;
          }
          let f = 0;
          if (m > -1) {
            gtm[m] = 1;
            f = 1 | (gtIg[m] ? 2 : 0);
          } else if (detArea[k]! < min || detArea[k]! > max) {
            f = 2;
          }
          flags[base + k] = f;
        }
      }
    }
    offset += D;
  });
  return { scores, rankInImage, flags, npig };
}

/** Accumulates one class into the precision/recall tensors (pycocotools `accumulate`). */
function accumulateClass(
  ev: ClassEval, k: number, K: number, T: number, R: number, A: number, maxDets: readonly number[],
  recallLevels: readonly number[], precision: Float64Array, recall: Float64Array,
): void {
  const M = maxDets.length;
  const total = ev.scores.length;
  const perm = Array.from({ length: total }, (_, i) => i).sort((x, y) => ev.scores[y]! - ev.scores[x]! || 0);
  const rc = new Float64Array(total);
  const pr = new Float64Array(total);
  for (let a = 0; a < A; a++) {
    const npig = ev.npig[a]!;
    if (npig === 0) continue;
    for (let mi = 0; mi < M; mi++) {
      const maxDet = maxDets[mi]!;
      for (let t = 0; t < T; t++) {
        const base = (a * T + t) * total;
        let tp = 0;
        let fp = 0;
        let n = 0;
        for (const i of perm) {
          if (ev.rankInImage[i]! >= maxDet) continue;
          const f = ev.flags[base + i]!;
          if (f & 2) continue; // ignored: contributes neither TP nor FP
          if (f & 1) tp++;
          else fp++;
          rc[n] = tp / npig;
          pr[n] = tp / (fp + tp + EPS);
          n++;
        }
        recall[((t * K + k) * A + a) * M + mi] = n ? rc[n - 1]! : 0;
        for (let i = n - 1; i > 0; i--) if (pr[i]! > pr[i - 1]!) pr[i - 1] = pr[i]!;
        let p = 0;
        for (let r = 0; r < R; r++) {
          while (p < n && rc[p]! < recallLevels[r]!) p++; // np.searchsorted(rc, level, 'left')
          precision[(((t * R + r) * K + k) * A + a) * M + mi] = p < n ? pr[p]! : 0;
        }
      }
    }
  }
}

function meanValid(values: Iterable<number>): number {
  let sum = 0;
  let n = 0;
  for (const v of values) if (v > -1) { sum += v; n++; }
  return n ? sum / n : -1;
}

function thresholdIndex(thresholds: readonly number[], value: number): number {
  const i = thresholds.findIndex((t) => Math.abs(t - value) < 1e-9);
  if (i < 0) throw new MetricsInputError(`IoU threshold ${value} is not among the evaluated thresholds`);
  return i;
}

/** COCO bbox metrics (mAP50-95 = `stats.AP`). Throws MetricsInputError on invalid input. */
export function evaluateCoco(gts: readonly GroundTruthBox[], dets: readonly Detection[], options: CocoOptions = {}): CocoResult {
  validateGroundTruth(gts);
  validateDetections(dets);
  const { classes, ignoredDetectionClasses } = resolveClasses(gts, dets, options.classes);
  const imageRank = rankImages([...gts.map((g) => g.imageId), ...dets.map((d) => d.imageId)], options.imageOrder);
  const thresholds = COCO_IOU_THRESHOLDS;
  const recallLevels = COCO_RECALL_LEVELS;
  const areas = COCO_AREA_RANGES;
  const maxDets = COCO_MAX_DETS;
  const T = thresholds.length, R = recallLevels.length, K = classes.length, A = areas.length, M = maxDets.length;
  const precision = new Float64Array(T * R * K * A * M).fill(-1);
  const recall = new Float64Array(T * K * A * M).fill(-1);
  const gtByClass = groupGroundTruth(gts);
  const detByClass = groupDetections(dets);
  const numGroundTruth: number[] = [];
  classes.forEach((c, k) => {
    const ev = evaluateClass(gtByClass.get(c) ?? new Map(), dets, detByClass.get(c) ?? [], imageRank, areas, thresholds, maxDets[M - 1]!);
    accumulateClass(ev, k, K, T, R, A, maxDets, recallLevels, precision, recall);
    numGroundTruth.push(ev.npig[0]!);
  });

  const pAt = (t: number, r: number, k: number, a: number, m: number) => precision[(((t * R + r) * K + k) * A + a) * M + m]!;
  const rAt = (t: number, k: number, a: number, m: number) => recall[((t * K + k) * A + a) * M + m]!;
  function* apValues(ts: number[], ks: number[], a: number, m: number) {
    for (const t of ts) for (let r = 0; r < R; r++) for (const k of ks) yield pAt(t, r, k, a, m);
  }
  function* arValues(ks: number[], a: number, m: number) {
    for (let t = 0; t < T; t++) for (const k of ks) yield rAt(t, k, a, m);
  }
  const allT = thresholds.map((_, i) => i);
  const allK = classes.map((_, i) => i);
  const t50 = [thresholdIndex(thresholds, 0.5)];
  const t75 = [thresholdIndex(thresholds, 0.75)];
  const last = M - 1;
  const stats: CocoStats = {
    AP: meanValid(apValues(allT, allK, 0, last)),
    AP50: meanValid(apValues(t50, allK, 0, last)),
    AP75: meanValid(apValues(t75, allK, 0, last)),
    APsmall: meanValid(apValues(allT, allK, 1, last)),
    APmedium: meanValid(apValues(allT, allK, 2, last)),
    APlarge: meanValid(apValues(allT, allK, 3, last)),
    AR1: meanValid(arValues(allK, 0, 0)),
    AR10: meanValid(arValues(allK, 0, 1)),
    AR100: meanValid(arValues(allK, 0, last)),
    ARsmall: meanValid(arValues(allK, 1, last)),
    ARmedium: meanValid(arValues(allK, 2, last)),
    ARlarge: meanValid(arValues(allK, 3, last)),
  };
  const orNull = (v: number) => (v > -1 ? v : null);
  const perClass = classes.map((className, k): CocoClassResult => ({
    className,
    numGroundTruth: numGroundTruth[k]!,
    ap: orNull(meanValid(apValues(allT, [k], 0, last))),
    ap50: orNull(meanValid(apValues(t50, [k], 0, last))),
    ap75: orNull(meanValid(apValues(t75, [k], 0, last))),
    ar100: orNull(meanValid(arValues([k], 0, last))),
  }));
  return { stats, classes: perClass, iouThresholds: thresholds, recallLevels, areaRanges: areas, maxDets, precision, recall, ignoredDetectionClasses };
}
