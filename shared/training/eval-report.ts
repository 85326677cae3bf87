/**
 * eval.json of a detector run (written by main/training/evaluate.ts buildEvalReport for the
 * weights/best epoch, read by train.report and the Train view's evaluation report).
 */
import type { ConfusionMatrix } from '../metrics';

/** One box of a gallery image, in original image pixels. */
export interface GalleryBox {
  className: string;
  x1: number;
  y1: number;
  x2: number;
  y2: number;
}

/**
 * A validation image of the report's gallery: its ground truth (with `matched`: found by a
 * detection ≥ the report's confidence at IoU .5) and its detections above GALLERY_MIN_SCORE, best
 * first (≤ GALLERY_MAX_DETECTIONS), each marked tp / fp at the report's confidence, or `low` below it.
 */
export interface GalleryImage {
  imageId: string;
  groundTruth: (GalleryBox & { difficult: boolean; matched: boolean })[];
  detections: (GalleryBox & { score: number; outcome: 'tp' | 'fp' | 'low' })[];
  falsePositives: number;
  misses: number;
}

export const GALLERY_MAX_IMAGES = 60;
export const GALLERY_MAX_DETECTIONS = 50;
export const GALLERY_MIN_SCORE = 0.01;

/** The three COCO object sizes, by box area in original-image pixels (COCO_AREA_RANGES). */
export const OBJECT_SIZES = ['small', 'medium', 'large'] as const;
export type ObjectSize = (typeof OBJECT_SIZES)[number];

/**
 * COCO AP50-95 per object size (`COCOeval` APsmall / APmedium / APlarge: small area ≤ 32²,
 * medium 32²..96², large ≥ 96², in original-image pixels), averaged over the classes with ground
 * truth of that size; null for a size without ground truth. `counts`: the ground-truth boxes each
 * AP was computed over (difficult and crowd boxes excluded; a box of area exactly 32² or 96²
 * counts in both sizes, as in pycocotools).
 */
export interface PerSizeAP {
  small: number | null;
  medium: number | null;
  large: number | null;
  counts: Record<ObjectSize, number>;
}

/** eval.json: per-class AP (VOC .5 and COCO .50:.95), AP per object size, PR points (≤ 200 per class), F1 vs confidence, confusion matrix, gallery. */
export interface EvalReport {
  epoch: number;
  classes: {
    className: string;
    numGroundTruth: number;
    ap50: number | null;
    'ap50-95': number | null;
    precision: number;
    recall: number;
    pr: { recall: number[]; precision: number[] };
  }[];
  mAP50: number | null;
  'mAP50-95': number | null;
  /** Absent in eval.json files written before per-size AP was part of the report. */
  perSize?: PerSizeAP;
  confidence: number;
  confusion: ConfusionMatrix;
  /**
   * F1 versus confidence threshold on a 0..1 grid (101 points): per class with ground truth and
   * averaged over those classes (with the averaged precision and recall); `best` is the threshold
   * of the highest averaged F1 (null without ground truth).
   */
  f1: {
    thresholds: number[];
    perClass: { className: string; f1: number[] }[];
    f1: number[];
    precision: number[];
    recall: number[];
    best: { threshold: number; f1: number; precision: number; recall: number } | null;
  };
  gallery: GalleryImage[];
}

