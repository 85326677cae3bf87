/**
 * Plain-text formats of the Cartucho (github.com/Cartucho/mAP) and Padilla
 * (github.com/rafaelpadilla/Object-Detection-Metrics) tools: one file per image, named after it.
 *
 *   ground truth: <class> <b1> <b2> <b3> <b4> [difficult]
 *   detections:   <class> <confidence> <b1> <b2> <b3> <b4>
 *
 * The class may contain spaces (the last tokens are read from the right); with a names file an
 * integer class is an id into it. The four box numbers are read according to `TxtBoxFormat`:
 * - `xyxy`: left top right bottom (Cartucho);
 * - `xywh`: left top width height, right = left + width (Padilla's absolute files);
 * - `rel`:  x-center y-center width height relative to the image (Padilla's `*_rel` files),
 *   converted as Padilla's tool does: x1 = round((2·xc − w)·W/2), x2 = x1 + round(w·W), with Python's
 *   round-half-to-even.
 */
import type { Detection, GroundTruthBox } from '../../shared/metrics';
import { FormatError } from './errors';
import { className, listFiles, parseNumber, readText, stem, type ImageSize } from './files';
import type { DetectionSet, GroundTruthSet } from './types';

export type TxtBoxFormat = 'xyxy' | 'xywh' | 'rel';

export interface TxtOptions {
  box?: TxtBoxFormat;
  /** Class names for integer class ids. */
  names?: readonly string[];
  /** Image sizes for `rel` boxes: per image key, or one size for all. */
  imageSize?: (imageId: string) => ImageSize | undefined;
}

/** Python 3 `round()`: half to even. */
export function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** Converts four box numbers to corners; `file`/`line` label errors. */
export function toCorners(
  v: readonly number[], format: TxtBoxFormat, size: ImageSize | undefined, file: string, line: number,
): { x1: number; y1: number; x2: number; y2: number } {
  const [a, b, c, d] = v as [number, number, number, number];
  let box;
  if (format === 'xyxy') box = { x1: a, y1: b, x2: c, y2: d };
  else if (format === 'xywh') box = { x1: a, y1: b, x2: a + c, y2: b + d };
  else {
    if (!size) throw new FormatError(file, 'relative box but the image size is unknown (give --img-size W,H or --images DIR)', line);
    const x1 = roundHalfEven(((2 * a - c) * size.width) / 2);
    const y1 = roundHalfEven(((2 * b - d) * size.height) / 2);
    box = { x1, y1, x2: x1 + roundHalfEven(c * size.width), y2: y1 + roundHalfEven(d * size.height) };
  }
  if (box.x2 < box.x1 || box.y2 < box.y1) {
    throw new FormatError(file, `box has right < left or bottom < top: [${box.x1}, ${box.y1}, ${box.x2}, ${box.y2}]`, line);
  }
  return box;
}

interface Line {
  tokens: string[];
  line: number;
}

function lines(file: string): Line[] {
  return readText(file)
    .split(/\r?\n/)
    .map((text, i) => ({ tokens: text.trim().split(/\s+/).filter((t) => t !== ''), line: i + 1 }))
    .filter((l) => l.tokens.length > 0);
}

export function parseTxtGroundTruth(file: string, imageId: string, options: TxtOptions = {}): GroundTruthBox[] {
  const format = options.box ?? 'xyxy';
  return lines(file).map(({ tokens, line }) => {
    const t = [...tokens];
    const difficult = t[t.length - 1]?.toLowerCase() === 'difficult';
    if (difficult) t.pop();
    if (t.length < 5) throw new FormatError(file, `expected "<class> <4 numbers> [difficult]", got "${tokens.join(' ')}"`, line);
    const nums = t.splice(t.length - 4).map((x) => parseNumber(x, 'coordinate', file, line));
    const box = toCorners(nums, format, options.imageSize?.(imageId), file, line);
    const g: GroundTruthBox = { imageId, className: className(t.join(' '), options.names, file, line), ...box };
    if (difficult) g.difficult = true;
    return g;
  });
}

export function parseTxtDetections(file: string, imageId: string, options: TxtOptions = {}): Detection[] {
  const format = options.box ?? 'xyxy';
  return lines(file).map(({ tokens, line }) => {
    if (tokens.length < 6) throw new FormatError(file, `expected "<class> <confidence> <4 numbers>", got "${tokens.join(' ')}"`, line);
    const t = [...tokens];
    const nums = t.splice(t.length - 4).map((x) => parseNumber(x, 'coordinate', file, line));
    const score = parseNumber(t.pop()!, 'confidence', file, line);
    const box = toCorners(nums, format, options.imageSize?.(imageId), file, line);
    return { imageId, className: className(t.join(' '), options.names, file, line), score, ...box };
  });
}

/** Reads a folder of ground-truth txt files (one per image, image key = file stem). */
export function readTxtGroundTruth(dir: string, options: TxtOptions = {}): GroundTruthSet {
  const files = listFiles(dir, '.txt', ['classes.txt']);
  const boxes = files.flatMap((f) => parseTxtGroundTruth(f, stem(f), options));
  return { boxes, images: files.map(stem), imageSizes: new Map() };
}

/** Reads a folder of detection txt files (one per image, image key = file stem). */
export function readTxtDetections(dir: string, options: TxtOptions = {}): DetectionSet {
  const files = listFiles(dir, '.txt', ['classes.txt']);
  return { detections: files.flatMap((f) => parseTxtDetections(f, stem(f), options)), images: files.map(stem) };
}
