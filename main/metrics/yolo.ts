/**
 * YOLO (darknet / Ultralytics) label files: one txt per image, class ids 0-based, boxes relative to
 * the image size:
 *   ground truth: <id> <x-center> <y-center> <width> <height>
 *   detections:   <id> <x-center> <y-center> <width> <height> <confidence>   (Ultralytics save_conf)
 * Converted to continuous pixel corners without rounding: x1 = (xc − w/2)·W, x2 = (xc + w/2)·W.
 * Class names come from the names option or a `classes.txt` in the folder; without either the id
 * itself is the class name. Image sizes must be known (ground truth sizes, --img-size, --images).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Detection, GroundTruthBox } from '../../shared/metrics';
import { FormatError } from './errors';
import { className, listFiles, parseNumber, readNames, readText, stem, type ImageSize } from './files';
import type { DetectionSet, GroundTruthSet } from './types';

export interface YoloOptions {
  names?: readonly string[];
  imageSize?: (imageId: string) => ImageSize | undefined;
}

interface Row {
  imageId: string;
  className: string;
  box: { x1: number; y1: number; x2: number; y2: number };
  confidence?: number;
}

function readRows(dir: string, withConfidence: boolean, options: YoloOptions): { rows: Row[]; images: string[] } {
  const namesFile = join(dir, 'classes.txt');
  const names = options.names ?? (existsSync(namesFile) ? readNames(namesFile) : undefined);
  const files = listFiles(dir, '.txt', ['classes.txt']);
  const rows: Row[] = [];
  for (const file of files) {
    const imageId = stem(file);
    readText(file).split(/\r?\n/).forEach((text, i) => {
      const line = i + 1;
      const t = text.trim().split(/\s+/).filter((x) => x !== '');
      if (t.length === 0) return;
      const want = withConfidence ? 6 : 5;
      if (t.length !== want) {
        throw new FormatError(file, `expected "<id> <xc> <yc> <w> <h>${withConfidence ? ' <confidence>' : ''}", got "${t.join(' ')}"`, line);
      }
      const size = options.imageSize?.(imageId);
      if (!size) throw new FormatError(file, `image size of "${imageId}" is unknown (give --img-size W,H or --images DIR)`, line);
      const [xc, yc, w, h] = t.slice(1, 5).map((x) => parseNumber(x, 'coordinate', file, line)) as [number, number, number, number];
      if (w < 0 || h < 0) throw new FormatError(file, `negative width or height: ${w} ${h}`, line);
      const box = { x1: (xc - w / 2) * size.width, y1: (yc - h / 2) * size.height, x2: (xc + w / 2) * size.width, y2: (yc + h / 2) * size.height };
      const row: Row = { imageId, className: className(t[0]!, names, file, line), box };
      if (withConfidence) row.confidence = parseNumber(t[5]!, 'confidence', file, line);
      rows.push(row);
    });
  }
  return { rows, images: files.map(stem) };
}

export function readYoloGroundTruth(dir: string, options: YoloOptions = {}): GroundTruthSet {
  const { rows, images } = readRows(dir, false, options);
  const boxes = rows.map((r): GroundTruthBox => ({ imageId: r.imageId, className: r.className, ...r.box }));
  return { boxes, images, imageSizes: new Map() };
}

export function readYoloDetections(dir: string, options: YoloOptions = {}): DetectionSet {
  const { rows, images } = readRows(dir, true, options);
  const detections = rows.map((r): Detection => ({ imageId: r.imageId, className: r.className, score: r.confidence!, ...r.box }));
  return { detections, images };
}
