import type { Detection, GroundTruthBox } from '../../shared/metrics';
import type { ImageSize } from './files';

/** Ground truth read from disk. */
export interface GroundTruthSet {
  boxes: GroundTruthBox[];
  /** Every image of the set in reading order, including images without objects. */
  images: string[];
  /** Sizes known from the files (VOC `<size>`, COCO `width`/`height`). */
  imageSizes: Map<string, ImageSize>;
  /** Image order for COCO score ties (COCO files: ascending image id). */
  imageOrder?: string[];
  /** COCO files: image id → image key, to resolve `image_id` in COCO results. */
  cocoImages?: Map<number, string>;
  /** COCO files: category id → class name. */
  cocoCategories?: Map<number, string>;
}

/** Detections read from disk, in reading order (files by name, lines in order). */
export interface DetectionSet {
  detections: Detection[];
  /** Images that had a detection file (possibly empty), in reading order. */
  images: string[];
}
