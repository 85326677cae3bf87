/**
 * Matching of one gallery image's detections to its ground truth at a confidence threshold:
 * best score first, same class, IoU ≥ 0.5, each ground-truth box matched once (as the VOC protocol
 * matches). Used to build eval.json's gallery and by the report to re-mark it at another threshold.
 */
import { iou } from '../metrics';
import type { GalleryBox, GalleryImage } from './eval-report';

export type GalleryOutcome = 'tp' | 'fp' | 'low';

/** `dets` sorted by descending score. */
export function matchDetections(gts: readonly (GalleryBox & { difficult?: boolean })[], dets: readonly (GalleryBox & { score: number })[], confidence: number): { outcomes: GalleryOutcome[]; matched: boolean[] } {
  const matched = new Array<boolean>(gts.length).fill(false);
  const outcomes = dets.map((d): GalleryOutcome => {
    if (d.score < confidence) return 'low';
    let best = -1;
    let bestIou = 0.5;
    gts.forEach((g, k) => {
      if (g.className !== d.className || matched[k]) return;
      const v = iou(d, g, 'continuous');
      if (v >= bestIou) { bestIou = v; best = k; }
    });
    if (best < 0) return 'fp';
    matched[best] = true;
    return 'tp';
  });
  return { outcomes, matched };
}

/** The same image marked at another confidence threshold. */
export function rematchGalleryImage(g: GalleryImage, confidence: number): GalleryImage {
  const { outcomes, matched } = matchDetections(g.groundTruth, g.detections, confidence);
  const groundTruth = g.groundTruth.map((b, k) => ({ ...b, matched: matched[k]! }));
  return {
    ...g,
    groundTruth,
    detections: g.detections.map((d, k) => ({ ...d, outcome: outcomes[k]! })),
    falsePositives: outcomes.filter((o) => o === 'fp').length,
    misses: groundTruth.filter((b) => !b.matched && !b.difficult).length,
  };
}
