/**
 * Evaluation metrics for object detection and classification. Pure TypeScript (no Node, no DOM).
 *
 * Named metrics: mAP50 = VOC all-point AP at IoU 0.5 (+1 pixel convention, difficult ignored),
 * `evaluateVoc`; mAP50-95 = COCO 101-point AP over IoU .50:.05:.95, `evaluateCoco(...).stats.AP`;
 * VOC2007 11-point AP with `evaluateVoc(..., { method: '11-point' })`.
 * Format readers live in main/metrics (Node side), not here.
 */
export type { BoxCorners, Detection, GroundTruthBox } from './types';
export { MetricsInputError } from './errors';
export { validateDetections, validateGroundTruth, resolveClasses, type ClassSelection } from './validate';
export { iou, boxArea, type PixelConvention } from './iou';
export { allPointAP, elevenPointAP, ELEVEN_RECALL_LEVELS } from './ap';
export { compareImageIds, rankImages } from './order';
export {
  evaluateVoc, mAP50, matchClass, type ApMethod, type VocOptions, type VocResult, type VocClassResult, type ClassMatch,
} from './voc';
export {
  evaluateCoco, linspace, COCO_AREA_RANGES, COCO_IOU_THRESHOLDS, COCO_RECALL_LEVELS, COCO_MAX_DETS,
  type CocoOptions, type CocoResult, type CocoStats, type CocoClassResult, type AreaRange,
} from './coco';
export {
  prCurve, precisionRecallAt, overallPrecisionRecallAt, f1Curve, bestF1, DEFAULT_CONFIDENCE_GRID,
  type PrCurve, type OperatingPoint, type F1Curve, type BestF1,
} from './curves';
export { detectionConfusionMatrix, BACKGROUND, type ConfusionMatrix, type DetectionConfusionOptions } from './confusion';
export { classificationReport, type ClassificationReport, type ClassScores, type AveragedScores } from './classification';
