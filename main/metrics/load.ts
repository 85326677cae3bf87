/**
 * Loads ground truth and detections for an evaluation, in any supported pair of formats.
 * Formats are inferred when not given: a `.json` file is Detecta's detections file when it says so, else COCO; a folder with `.xml` files is VOC,
 * otherwise txt.
 */
import { readdirSync, statSync } from 'node:fs';
import { readCocoDetections, readCocoGroundTruth } from './coco-json';
import { looksLikeDetectaDetections, readDetectaDetections } from './detecta-json';
import { readText } from './files';
import { FormatError } from './errors';
import type { ImageSize } from './files';
import { readImageSizes } from './image-sizes';
import { readTxtDetections, readTxtGroundTruth, type TxtBoxFormat } from './txt';
import type { DetectionSet, GroundTruthSet } from './types';
import { readVocGroundTruth } from './voc-xml';
import { readYoloDetections, readYoloGroundTruth } from './yolo';

export const GT_FORMATS = ['voc', 'yolo', 'coco', 'txt'] as const;
export const DET_FORMATS = ['txt', 'coco', 'yolo', 'detecta'] as const;
export type GroundTruthFormat = (typeof GT_FORMATS)[number];
export type DetectionFormat = (typeof DET_FORMATS)[number];

export interface LoadOptions {
  gtFormat?: GroundTruthFormat;
  detFormat?: DetectionFormat;
  /** Box layout of txt files (both sides). Default xyxy. */
  box?: TxtBoxFormat;
  /** Class names for integer class ids (txt and YOLO). */
  names?: readonly string[];
  /** One size for every image (relative boxes). */
  imageSize?: ImageSize;
  /** Folder of the images, to read sizes for relative boxes. */
  imagesDir?: string;
}

export interface EvaluationInput {
  gt: GroundTruthSet;
  det: DetectionSet;
  gtFormat: GroundTruthFormat;
  detFormat: DetectionFormat;
  /** Things worth telling the user (e.g. detections on images without ground truth). */
  warnings: string[];
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch (err) {
    throw new FormatError(path, `cannot read: ${(err as Error).message}`);
  }
}

export function inferGroundTruthFormat(path: string): GroundTruthFormat {
  if (!isDirectory(path)) return path.toLowerCase().endsWith('.json') ? 'coco' : 'txt';
  return readdirSync(path).some((n) => n.toLowerCase().endsWith('.xml')) ? 'voc' : 'txt';
}

/** A .json file is Detecta's detections file when it says so (detecta predict's detections.json), else COCO; anything else txt. */
export function inferDetectionFormat(path: string): DetectionFormat {
  if (isDirectory(path) || !path.toLowerCase().endsWith('.json')) return 'txt';
  return looksLikeDetectaDetections(readText(path)) ? 'detecta' : 'coco';
}

export async function loadEvaluationInput(gtPath: string, detPath: string, options: LoadOptions = {}): Promise<EvaluationInput> {
  const gtFormat = options.gtFormat ?? inferGroundTruthFormat(gtPath);
  const detFormat = options.detFormat ?? inferDetectionFormat(detPath);
  const folderSizes = options.imagesDir ? await readImageSizes(options.imagesDir) : new Map<string, ImageSize>();
  let gtSizes = new Map<string, ImageSize>();
  const imageSize = (id: string) => options.imageSize ?? gtSizes.get(id) ?? folderSizes.get(id);
  const txt = { box: options.box, names: options.names, imageSize };

  let gt: GroundTruthSet;
  if (gtFormat === 'voc') gt = readVocGroundTruth(gtPath);
  else if (gtFormat === 'coco') gt = readCocoGroundTruth(gtPath);
  else if (gtFormat === 'yolo') gt = readYoloGroundTruth(gtPath, { names: options.names, imageSize });
  else gt = readTxtGroundTruth(gtPath, txt);
  gtSizes = gt.imageSizes;

  let det: DetectionSet;
  if (detFormat === 'coco') det = readCocoDetections(detPath, gt);
  else if (detFormat === 'detecta') det = readDetectaDetections(detPath);
  else if (detFormat === 'yolo') det = readYoloDetections(detPath, { names: options.names, imageSize });
  else det = readTxtDetections(detPath, txt);

  const warnings: string[] = [];
  const gtImages = new Set(gt.images);
  const orphans = det.detections.filter((d) => !gtImages.has(d.imageId));
  if (orphans.length) {
    const ids = [...new Set(orphans.map((d) => d.imageId))];
    warnings.push(`${orphans.length} detections on ${ids.length} images without ground truth (${ids.slice(0, 3).join(', ')}${ids.length > 3 ? ', …' : ''}) count as false positives`);
  }
  return { gt, det, gtFormat, detFormat, warnings };
}
