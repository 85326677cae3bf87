/**
 * Detection confusion matrix (classes + background), as Ultralytics builds it, per image:
 * 1. keep detections with score ≥ `confidenceThreshold`;
 * 2. pair every ground truth with every kept detection of any class whose IoU ≥ `iouThreshold`;
 * 3. take pairs greedily by descending IoU (ties: ground truth order, then detection order), each
 *    ground truth and detection at most once;
 * 4. a pair counts at [true class][predicted class]; an unpaired ground truth at
 *    [true class][background] (missed); an unpaired detection at [background][predicted class]
 *    (false alarm).
 * A pair involving a `difficult` box, and an unpaired difficult box, count nowhere.
 *
 * Rows are the ground truth, columns the prediction; the last row/column is background.
 * IoU defaults to the continuous convention.
 */
import { MetricsInputError } from './errors';
import { iou, type PixelConvention } from './iou';
import type { Detection, GroundTruthBox } from './types';
import { compareCodeUnits, validateDetections, validateGroundTruth } from './validate';

export interface DetectionConfusionOptions {
  /** Default 0.45. */
  iouThreshold?: number;
  /** Default 0.25. */
  confidenceThreshold?: number;
  /** Class order; default: every class seen in ground truth or detections, sorted. */
  classes?: readonly string[];
  /** Default 'continuous'. */
  pixelConvention?: PixelConvention;
}

export interface ConfusionMatrix {
  /** Row/column labels; for detection matrices the last one is `background`. */
  labels: string[];
  /** matrix[trueIndex][predictedIndex]. */
  matrix: number[][];
}

export const BACKGROUND = 'background';

export function detectionConfusionMatrix(
  gts: readonly GroundTruthBox[],
  dets: readonly Detection[],
  options: DetectionConfusionOptions = {},
): ConfusionMatrix {
  validateGroundTruth(gts);
  validateDetections(dets);
  const iouThreshold = options.iouThreshold ?? 0.45;
  const confidence = options.confidenceThreshold ?? 0.25;
  const convention = options.pixelConvention ?? 'continuous';
  const classes = options.classes ? [...options.classes] : [...new Set([...gts, ...dets].map((b) => b.className))].sort(compareCodeUnits);
  const index = new Map(classes.map((c, i) => [c, i]));
  const lookup = (name: string, what: string) => {
    const i = index.get(name);
    if (i === undefined) throw new MetricsInputError(`${what} has unknown class "${name}" (not in the class list)`);
    return i;
  };
  const bg = classes.length;
  const matrix = Array.from({ length: bg + 1 }, () => new Array<number>(bg + 1).fill(0));

  const byImage = new Map<string, { g: GroundTruthBox[]; d: Detection[] }>();
  const slot = (id: string) => {
    let s = byImage.get(id);
    if (!s) byImage.set(id, (s = { g: [], d: [] }));
    return s;
  };
  for (const g of gts) slot(g.imageId).g.push(g);
  for (const d of dets) if (d.score >= confidence) slot(d.imageId).d.push(d);

  for (const [imageId, { g, d }] of byImage) {
    const pairs: { gi: number; di: number; o: number }[] = [];
    for (let gi = 0; gi < g.length; gi++) {
      for (let di = 0; di < d.length; di++) {
        const o = iou(g[gi]!, d[di]!, convention);
        if (o >= iouThreshold) pairs.push({ gi, di, o });
      }
    }
    pairs.sort((a, b) => b.o - a.o); // stable: ties keep ground truth, then detection order
    const gUsed = new Uint8Array(g.length);
    const dUsed = new Uint8Array(d.length);
    for (const p of pairs) {
      if (gUsed[p.gi] || dUsed[p.di]) continue;
      gUsed[p.gi] = 1;
      dUsed[p.di] = 1;
      const gt = g[p.gi]!;
      if (gt.difficult) continue;
      matrix[lookup(gt.className, `ground truth in image "${imageId}"`)]![lookup(d[p.di]!.className, `detection in image "${imageId}"`)]!++;
    }
    g.forEach((gt, gi) => { if (!gUsed[gi] && !gt.difficult) matrix[lookup(gt.className, `ground truth in image "${imageId}"`)]![bg]!++; });
    d.forEach((det, di) => { if (!dUsed[di]) matrix[bg]![lookup(det.className, `detection in image "${imageId}"`)]!++; });
  }
  return { labels: [...classes, BACKGROUND], matrix };
}
