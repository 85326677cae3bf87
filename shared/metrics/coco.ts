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
   * pycocotools' `eval['precision'][..., -1]` (maxDets = 100, the only slice summarize() reads),
   * flattened row-major with dims [T][R][K][A] (IoU threshold, recall level, class, area range);
   * −1 where a class has no ground truth in the range.
   */
  precision: Float64Array;
  /** `eval['recall']`, dims [T][K][A][M]. */
  recall: Float64Array;
  ignoredDetectionClasses: Record<string, number>;
}

const EPS = 2.220446049250313e-16; // np.spacing(1)

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

/** Stable counting sort of 0..n−1 by `key` (values in 0..buckets−1; negative keys dropped). */
function countingSort(order: Uint32Array, key: Int32Array, buckets: number): Uint32Array {
  const count = new Int32Array(buckets + 1);
  let kept = 0;
  for (let j = 0; j < order.length; j++) {
    const k = key[order[j]!]!;
    if (k >= 0) { count[k + 1]!++; kept++; }
  }
  for (let b = 0; b < buckets; b++) count[b + 1]! += count[b]!;
  const out = new Uint32Array(kept);
  for (let j = 0; j < order.length; j++) {
    const i = order[j]!;
    const k = key[i]!;
    if (k >= 0) out[count[k]!++] = i;
  }
  return out;
}

/** Indices of the items of reported classes, ordered by (class, image rank, input order). */
function groupOrder(cls: Int32Array, img: Int32Array, K: number, images: number): Uint32Array {
  const all = new Uint32Array(cls.length);
  for (let i = 0; i < all.length; i++) all[i] = i;
  return countingSort(countingSort(all, img, images), cls, K);
}

/** Within each (class, image) run of `order`: descending score, ties in input order (stable). */
function sortGroupsByScore(order: Uint32Array, cls: Int32Array, img: Int32Array, score: Float64Array): void {
  let start = 0;
  while (start < order.length) {
    let end = start + 1;
    const c = cls[order[start]!]!;
    const m = img[order[start]!]!;
    while (end < order.length && cls[order[end]!] === c && img[order[end]!] === m) end++;
    if (end - start <= 32) {
      for (let j = start + 1; j < end; j++) { // insertion sort: stable
        const v = order[j]!;
        const sv = score[v]!;
        let i = j - 1;
        while (i >= start && score[order[i]!]! < sv) { order[i + 1] = order[i]!; i--; }
        order[i + 1] = v;
      }
    } else {
      const run = Array.from(order.subarray(start, end)).sort((x, y) => score[y]! - score[x]! || x - y);
      order.set(run, start);
    }
    start = end;
  }
}

/** Result of matching every (class, image) group: flags per kept detection. */
interface Matching {
  /** Kept detections (top maxDet per image and class): score and rank within its image. */
  score: Float64Array;
  rank: Int32Array;
  /** Kept positions of class k: [classStart[k], classStart[k + 1]); image order, then score order. */
  classStart: Int32Array;
  /** Flags at (a·T + t)·stride + position: bit 0 matched, bit 1 ignored. */
  flags: Uint8Array;
  stride: number;
  /** Non-ignored ground truth per class and area range, at k·A + a. */
  npig: Int32Array;
}

/**
 * pycocotools `evaluateImg` for every (class, image) group, all area ranges and IoU thresholds.
 * `dOrder` lists detection indices by (class, image rank, descending score, input order); `gOrder`
 * ground-truth indices by (class, image rank, input order).
 */
function matchAll(
  gts: readonly GroundTruthBox[], dets: readonly Detection[],
  gCls: Int32Array, gImg: Int32Array, dCls: Int32Array, dImg: Int32Array,
  gOrderAll: Uint32Array, dOrderAll: Uint32Array, K: number,
  areas: readonly AreaRange[], thresholds: readonly number[], maxDet: number,
): Matching {
  const A = areas.length;
  const T = thresholds.length;
  const stride = dOrderAll.length;
  const score = new Float64Array(stride);
  const rank = new Int32Array(stride);
  const flags = new Uint8Array(A * T * stride);
  const npig = new Int32Array(K * A);
  const classStart = new Int32Array(K + 1);
  const thr0 = thresholds.map((t) => Math.min(t, 1 - 1e-10));
  // Scratch buffers, grown on demand and reused across groups.
  let ious = new Float64Array(256);
  let gtIg = new Uint8Array(16), gtm = new Uint8Array(16), crowd = new Uint8Array(16);
  let gOrd = new Int32Array(16), gtArea = new Float64Array(16), detArea = new Float64Array(16);
  const nD = dOrderAll.length;
  const nG = gOrderAll.length;
  let kept = 0;
  let di = 0;
  let gi = 0;
  for (let k = 0; k < K; k++) {
    classStart[k] = kept;
    for (;;) {
      const dIn = di < nD && dCls[dOrderAll[di]!] === k;
      const gIn = gi < nG && gCls[gOrderAll[gi]!] === k;
      if (!dIn && !gIn) break;
      const img = Math.min(dIn ? dImg[dOrderAll[di]!]! : Infinity, gIn ? gImg[gOrderAll[gi]!]! : Infinity);
      const d0 = di;
      while (di < nD && dCls[dOrderAll[di]!] === k && dImg[dOrderAll[di]!] === img) di++;
      const g0 = gi;
      while (gi < nG && gCls[gOrderAll[gi]!] === k && gImg[gOrderAll[gi]!] === img) gi++;
      const D = Math.min(di - d0, maxDet);
      const G = gi - g0;
      if (ious.length < D * G) ious = new Float64Array(2 * D * G);
      if (gtIg.length < G) {
        gtIg = new Uint8Array(2 * G); gtm = new Uint8Array(2 * G); crowd = new Uint8Array(2 * G);
        gOrd = new Int32Array(2 * G); gtArea = new Float64Array(2 * G);
      }
      if (detArea.length < D) detArea = new Float64Array(2 * D);
      for (let g = 0; g < G; g++) {
        const gg = gts[gOrderAll[g0 + g]!]!;
        gtArea[g] = gg.area ?? (gg.x2 - gg.x1) * (gg.y2 - gg.y1);
        crowd[g] = gg.iscrowd ? 1 : 0;
        gtIg[g] = gg.iscrowd || gg.difficult ? 1 : 0; // ignored in every area range
      }
      for (let j = 0; j < D; j++) {
        const d = dets[dOrderAll[d0 + j]!]!;
        score[kept + j] = d.score;
        rank[kept + j] = j;
        detArea[j] = (d.x2 - d.x1) * (d.y2 - d.y1);
        for (let g = 0; g < G; g++) ious[j * G + g] = continuousIoU(d, gts[gOrderAll[g0 + g]!]!);
      }
      for (let a = 0; a < A; a++) {
        const { min, max } = areas[a]!;
        // Ignore flags for this range; order: non-ignored boxes first, stable.
        let nOrder = 0;
        for (let g = 0; g < G; g++) {
          const ig = (gtIg[g]! & 1) | (gtArea[g]! < min || gtArea[g]! > max ? 2 : 0);
          gtIg[g] = ig;
          if (!ig) { gOrd[nOrder++] = g; npig[k * A + a]!++; }
        }
        for (let g = 0; g < G; g++) if (gtIg[g]) gOrd[nOrder++] = g;
        for (let t = 0; t < T; t++) {
          for (let g = 0; g < G; g++) gtm[g] = 0;
          const base = (a * T + t) * stride + kept;
          for (let j = 0; j < D; j++) {
            let thr = thr0[t]!;
            let m = -1;
            for (let o = 0; o < G; o++) {
              const g = gOrd[o]!;
              if (gtm[g] && !crowd[g]) continue;
              if (m > -1 && gtIg[m] === 0 && gtIg[g] !== 0) break;
              const v = ious[j * G + g]!;
              if (v < thr) continue;
              thr = v;
              m = g;
            }
            let f = 0;
            if (m > -1) {
              gtm[m] = 1;
              f = gtIg[m] ? 3 : 1;
            } else if (detArea[j]! < min || detArea[j]! > max) {
              f = 2;
            }
            flags[base + j] = f;
          }
        }
      }
      kept += D;
    }
  }
  classStart[K] = kept;
  return { score, rank, classStart, flags, stride, npig };
}

/**
 * pycocotools `accumulate`: fills precision [T][R][K][A] (maxDets = 100) and recall [T][K][A][M].
 * Ignored detections are skipped: their TP/FP increments are zero, so they only repeat the previous
 * (recall, precision) point, which changes neither the envelope nor the recall-level lookup.
 */
function accumulate(
  mt: Matching, K: number, T: number, A: number, maxDets: readonly number[],
  recallLevels: readonly number[], precision: Float64Array, recall: Float64Array,
): void {
  const M = maxDets.length;
  const R = recallLevels.length;
  const { score, rank: rankOf, flags, stride } = mt;
  for (let k = 0; k < K; k++) {
    const start = mt.classStart[k]!;
    const n = mt.classStart[k + 1]! - start;
    // Descending score; ties keep the concatenation order (image order, then rank in the image).
    const perm: number[] = new Array(n);
    for (let i = 0; i < n; i++) perm[i] = start + i;
    perm.sort((x, y) => score[y]! - score[x]! || x - y);
    const rank = new Int32Array(n);
    let maxRank = -1;
    for (let j = 0; j < n; j++) {
      rank[j] = rankOf[perm[j]!]!;
      if (rank[j]! > maxRank) maxRank = rank[j]!;
    }
    const f = new Uint8Array(n);
    const rc = new Float64Array(n);
    const pr = new Float64Array(n);
    for (let a = 0; a < A; a++) {
      const npig = mt.npig[k * A + a]!;
      if (npig === 0) continue;
      const recallOf = new Float64Array(npig + 1); // tp → tp / npig, as numpy divides
      for (let tp = 0; tp <= npig; tp++) recallOf[tp] = tp / npig;
      for (let t = 0; t < T; t++) {
        const base = (a * T + t) * stride;
        for (let j = 0; j < n; j++) f[j] = flags[base + perm[j]!]!;
        // Full precision / recall at maxDets = 100.
        let tp = 0;
        let fp = 0;
        let nd = 0;
        for (let j = 0; j < n; j++) {
          const fj = f[j]!;
          if (fj & 2) continue;
          if (fj & 1) tp++;
          else fp++;
          rc[nd] = recallOf[tp]!;
          pr[nd] = tp / (fp + tp + EPS);
          nd++;
        }
        recall[((t * K + k) * A + a) * M + M - 1] = nd ? rc[nd - 1]! : 0;
        for (let i = nd - 1; i > 0; i--) if (pr[i]! > pr[i - 1]!) pr[i - 1] = pr[i]!;
        let p = 0;
        for (let r = 0; r < R; r++) {
          while (p < nd && rc[p]! < recallLevels[r]!) p++; // np.searchsorted(rc, level, 'left')
          precision[((t * R + r) * K + k) * A + a] = p < nd ? pr[p]! : 0;
        }
        // Smaller maxDets: only the final recall is needed.
        for (let mi = M - 2; mi >= 0; mi--) {
          const maxDet = maxDets[mi]!;
          const at = ((t * K + k) * A + a) * M + mi;
          if (maxRank < maxDet) { recall[at] = recall[at + 1]!; continue; }
          let count = 0;
          for (let j = 0; j < n; j++) if (rank[j]! < maxDet && (f[j]! & 3) === 1) count++;
          recall[at] = recallOf[count]!;
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
  const precision = new Float64Array(T * R * K * A).fill(-1);
  const recall = new Float64Array(T * K * A * M).fill(-1);
  const classIndex = new Map(classes.map((c, k) => [c, k]));
  const gCls = new Int32Array(gts.length);
  const gImg = new Int32Array(gts.length);
  for (let i = 0; i < gts.length; i++) {
    gCls[i] = classIndex.get(gts[i]!.className) ?? -1;
    gImg[i] = imageRank.get(gts[i]!.imageId)!;
  }
  const dCls = new Int32Array(dets.length);
  const dImg = new Int32Array(dets.length);
  const dScore = new Float64Array(dets.length);
  for (let i = 0; i < dets.length; i++) {
    dCls[i] = classIndex.get(dets[i]!.className) ?? -1;
    dImg[i] = imageRank.get(dets[i]!.imageId)!;
    dScore[i] = dets[i]!.score;
  }
  const gOrder = groupOrder(gCls, gImg, K, imageRank.size);
  const dOrder = groupOrder(dCls, dImg, K, imageRank.size);
  sortGroupsByScore(dOrder, dCls, dImg, dScore);
  const matching = matchAll(gts, dets, gCls, gImg, dCls, dImg, gOrder, dOrder, K, areas, thresholds, maxDets[M - 1]!);
  accumulate(matching, K, T, A, maxDets, recallLevels, precision, recall);
  const numGroundTruth = classes.map((_, k) => matching.npig[k * A]!);

  const pAt = (t: number, r: number, k: number, a: number) => precision[((t * R + r) * K + k) * A + a]!;
  const rAt = (t: number, k: number, a: number, m: number) => recall[((t * K + k) * A + a) * M + m]!;
  function* apValues(ts: number[], ks: number[], a: number) {
    for (const t of ts) for (let r = 0; r < R; r++) for (const k of ks) yield pAt(t, r, k, a);
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
    AP: meanValid(apValues(allT, allK, 0)),
    AP50: meanValid(apValues(t50, allK, 0)),
    AP75: meanValid(apValues(t75, allK, 0)),
    APsmall: meanValid(apValues(allT, allK, 1)),
    APmedium: meanValid(apValues(allT, allK, 2)),
    APlarge: meanValid(apValues(allT, allK, 3)),
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
    ap: orNull(meanValid(apValues(allT, [k], 0))),
    ap50: orNull(meanValid(apValues(t50, [k], 0))),
    ap75: orNull(meanValid(apValues(t75, [k], 0))),
    ar100: orNull(meanValid(arValues([k], 0, last))),
  }));
  return { stats, classes: perClass, iouThresholds: thresholds, recallLevels, areaRanges: areas, maxDets, precision, recall, ignoredDetectionClasses };
}
