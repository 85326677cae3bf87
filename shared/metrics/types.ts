/**
 * Input types of the metrics core. Pure data, no Node, no DOM.
 *
 * Boxes are corner coordinates `x1 ≤ x2`, `y1 ≤ y2` in pixels of the original image.
 * How they are compared (IoU) depends on the protocol, see `iou.ts`:
 * - VOC protocols treat them as inclusive pixel indices (width = x2 − x1 + 1), like the VOC devkit;
 * - the COCO protocol treats them as continuous coordinates (width = x2 − x1).
 *
 * Classes are identified by name (`className`); readers of formats that store class ids map them to
 * names (YOLO `classes.txt`, `voc.names`, COCO categories) before they reach the core.
 */

/** Axis-aligned box by its corners. */
export interface BoxCorners {
  x1: number;
  y1: number;
  x2: number;
  y2: number;
}

/** One ground-truth object. */
export interface GroundTruthBox extends BoxCorners {
  /** Any stable key of the image (a file stem, a COCO image id as a string...). */
  imageId: string;
  className: string;
  /**
   * VOC `difficult`: the box is neither required nor penalised. A detection whose best match is a
   * difficult box is ignored (neither TP nor FP); difficult boxes do not count in recall.
   * Under the COCO protocol a difficult box is an ignored (non-crowd) ground truth.
   */
  difficult?: boolean;
  /** COCO `iscrowd`: ignored ground truth that any number of detections may match (COCO only). */
  iscrowd?: boolean;
  /** COCO `area` field used for the small/medium/large split; default (x2 − x1)·(y2 − y1). */
  area?: number;
}

/** One detection (prediction) with its confidence. */
export interface Detection extends BoxCorners {
  imageId: string;
  className: string;
  /** Confidence; higher is more confident. Must not be NaN (±Infinity is allowed). */
  score: number;
}
