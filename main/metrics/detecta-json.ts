/**
 * Detections in Detecta's own detections file (shared/results/detections-file.ts: what
 * `detecta predict` and the Detect view write), so a model's predictions on any folder can be
 * scored with `detecta map`. Image key = the image's file-name stem (as VOC and txt ground truth).
 */
import type { Detection } from '../../shared/metrics';
import { DETECTIONS_FORMAT, parseDetectionsFile } from '../../shared/results/detections-file';
import { FormatError } from './errors';
import { readText, stem } from './files';
import type { DetectionSet } from './types';

/** True when a .json file's opening says it is a detections file (format key in the first 4 KB). */
export function looksLikeDetectaDetections(text: string): boolean {
  return new RegExp(`"format"\\s*:\\s*"${DETECTIONS_FORMAT}"`).test(text.slice(0, 4096));
}

export function readDetectaDetections(file: string): DetectionSet {
  let doc;
  try {
    doc = parseDetectionsFile(readText(file), file);
  } catch (err) {
    if (err instanceof FormatError) throw err;
    throw new FormatError(file, (err as Error).message.replace(`${file} `, ''));
  }
  if (doc.kind !== 'images') throw new FormatError(file, "holds one video's detections per frame; mAP needs detections per image (detecta predict on images or a folder)");
  if (doc.task !== 'detect') throw new FormatError(file, 'holds a classifier\'s ranked classes, not boxes');
  const images = doc.images.map((im) => stem(im.image.split('\\').join('/').split('/').pop()!));
  const detections = doc.images.flatMap((im, i): Detection[] => (im.detections ?? []).map((d) => ({ imageId: images[i]!, className: d.label, score: d.score, x1: d.x1, y1: d.y1, x2: d.x2, y2: d.y2 })));
  return { detections, images };
}
