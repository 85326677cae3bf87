/**
 * THE EXIF ORIENTATION RULE (one rule for the UI, the trainer and every file we write):
 *
 *   Box coordinates and `<size>` are in the frame of the image *as displayed*, i.e. after its
 *   EXIF Orientation tag (JPEG APP1; also WebP/PNG eXIf) has been applied.
 *
 * - UI: browsers apply EXIF orientation to <img> and createImageBitmap by default
 *   (`image-orientation: from-image`); the Label view must not turn it off.
 * - Trainer / Node: decode with orientation applied (sharp `.rotate()` with no argument, or
 *   createImageBitmap({ imageOrientation: 'from-image' })), and size boxes with `orientedSize`.
 * - Files we write: `<size>` holds the oriented width/height; YOLO/COCO exports normalise by it.
 * This is what OpenCV's imread, Ultralytics, CVAT and Roboflow do. LabelImg (Qt QImage without
 * auto-transform) shows such photos unrotated, so `dataset.validate` warns about images with an
 * orientation of 2..8, and about files whose `<size>` matches the raw (unrotated) size instead.
 */

/** Orientations 5..8 swap width and height. */
export function swapsAxes(orientation: number | undefined): boolean {
  return orientation !== undefined && orientation >= 5 && orientation <= 8;
}

export function orientedSize(width: number, height: number, orientation?: number): { width: number; height: number } {
  return swapsAxes(orientation) ? { width: height, height: width } : { width, height };
}
