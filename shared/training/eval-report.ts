/**
 * eval.json of a detector run (written by main/training/evaluate.ts buildEvalReport for the
 * weights/best epoch, read by train.report and the Train view's evaluation report).
 */
import { z } from 'zod';

/** One box of a gallery image, in original image pixels. */
export const galleryBoxSchema = z.object({ className: z.string(), x1: z.number(), y1: z.number(), x2: z.number(), y2: z.number() });
export type GalleryBox = z.infer<typeof galleryBoxSchema>;

/**
 * A validation image of the report's gallery: its ground truth (with `matched`: found by a
 * detection ≥ the report's confidence at IoU .5) and its detections above GALLERY_MIN_SCORE, best
 * first (≤ GALLERY_MAX_DETECTIONS), each marked tp / fp at the report's confidence, or `low` below it.
 */
export const galleryImageSchema = z.object({
  imageId: z.string(),
  groundTruth: z.array(galleryBoxSchema.extend({ difficult: z.boolean(), matched: z.boolean() })),
  detections: z.array(galleryBoxSchema.extend({ score: z.number(), outcome: z.enum(['tp', 'fp', 'low']) })),
  falsePositives: z.number().int().min(0),
  misses: z.number().int().min(0),
});
export type GalleryImage = z.infer<typeof galleryImageSchema>;

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
const apSchema = z.number().nullable();
export const perSizeAPSchema = z.object({
  small: apSchema, medium: apSchema, large: apSchema,
  counts: z.object({ small: z.number().int().min(0), medium: z.number().int().min(0), large: z.number().int().min(0) }),
});
export type PerSizeAP = z.infer<typeof perSizeAPSchema>;

/** Row/column labels (the last one `background`) and matrix[trueIndex][predictedIndex], as shared/metrics ConfusionMatrix. */
const confusionSchema = z.object({ labels: z.array(z.string()), matrix: z.array(z.array(z.number())) });

/** eval.json: per-class AP (VOC .5 and COCO .50:.95), AP per object size, PR points (≤ 200 per class), F1 vs confidence, confusion matrix, gallery. */
export const evalReportSchema = z.object({
  epoch: z.number().int().min(0),
  classes: z.array(z.object({
    className: z.string(),
    numGroundTruth: z.number().int().min(0),
    ap50: apSchema,
    'ap50-95': apSchema,
    precision: z.number(),
    recall: z.number(),
    pr: z.object({ recall: z.array(z.number()), precision: z.array(z.number()) }),
  })),
  mAP50: apSchema,
  'mAP50-95': apSchema,
  /** Absent in eval.json files written before per-size AP was part of the report. */
  perSize: perSizeAPSchema.optional(),
  confidence: z.number(),
  confusion: confusionSchema,
  /**
   * F1 versus confidence threshold on a 0..1 grid (101 points): per class with ground truth and
   * averaged over those classes (with the averaged precision and recall); `best` is the threshold
   * of the highest averaged F1 (null without ground truth). Absent in eval.json files written before F1 curves.
   */
  f1: z.object({
    thresholds: z.array(z.number()),
    perClass: z.array(z.object({ className: z.string(), f1: z.array(z.number()) })),
    f1: z.array(z.number()),
    precision: z.array(z.number()),
    recall: z.array(z.number()),
    best: z.object({ threshold: z.number(), f1: z.number(), precision: z.number(), recall: z.number() }).nullable(),
  }).optional(),
  /** Absent in eval.json files written before the gallery. */
  gallery: z.array(galleryImageSchema).optional(),
});
export type EvalReport = z.infer<typeof evalReportSchema>;
