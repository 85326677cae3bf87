/**
 * Ground truth from a folder of Pascal VOC XML files (LabelImg, VOC devkit), parsed with the
 * shared VOC model (`shared/voc`). Image key = XML file stem. Coordinates are kept as written
 * (VOC's 1-based inclusive pixel indices, which the VOC protocol's +1 IoU expects).
 */
import type { GroundTruthBox } from '../../shared/metrics';
import { parseVocXml } from '../../shared/voc/parse';
import { FormatError } from './errors';
import { listFiles, readText, stem, type ImageSize } from './files';
import type { GroundTruthSet } from './types';

export function readVocGroundTruth(dir: string): GroundTruthSet {
  const boxes: GroundTruthBox[] = [];
  const images: string[] = [];
  const imageSizes = new Map<string, ImageSize>();
  for (const file of listFiles(dir, '.xml')) {
    const imageId = stem(file);
    const ann = parseVocXml(readText(file), file); // throws VocParseError naming the file
    if (ann.warnings?.length) throw new FormatError(file, ann.warnings.join('; '));
    images.push(imageId);
    if (ann.size && ann.size.width > 0 && ann.size.height > 0) imageSizes.set(imageId, { width: ann.size.width, height: ann.size.height });
    ann.objects.forEach((o, i) => {
      const { xmin, ymin, xmax, ymax } = o.bndbox;
      if (xmax < xmin || ymax < ymin) {
        throw new FormatError(file, `object #${i + 1} ("${o.name}") has xmax < xmin or ymax < ymin: [${xmin}, ${ymin}, ${xmax}, ${ymax}]`);
      }
      const g: GroundTruthBox = { imageId, className: o.name, x1: xmin, y1: ymin, x2: xmax, y2: ymax };
      if (o.difficult) g.difficult = true;
      boxes.push(g);
    });
  }
  return { boxes, images, imageSizes };
}
