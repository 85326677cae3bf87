/**
 * An image file → the detector's input tensor data, and the detector's raw output for it →
 * detections in the file's pixels. No tfjs: `detecta predict` (predict-files.ts) runs the tfjs
 * model between the two (through shared/ml/detector/inference, the same steps), the exported
 * package's example (main/export/kit) runs the ONNX model, and both print the same boxes.
 * Tiled detection (`detecta predict --tile`) decodes the file once (decodeFullFile) and prepares
 * each tile of shared/ml/detector/tiles.ts like a small file (prepareTile).
 */
import type { Detection } from '../../shared/ml/detector/box';
import type { DetectorConfig } from '../../shared/ml/detector/config';
import { postprocessDetectorOutput } from '../../shared/ml/detector/postprocess';
import { fitToInput, type ImageTransform } from '../../shared/ml/preprocess';
import type { TileRect } from '../../shared/ml/detector/tiles';
import sharp from 'sharp';
import { decodeFitted } from './data';

export interface DetectThresholds {
  confidence: number;
  iou: number;
}

export interface PreparedImage {
  /** [1, inputSize, inputSize, 3] float32, RGB 0..255 (the model rescales itself). */
  input: Float32Array;
  inputSize: number;
  /** The decoded (shrunk) image → model input. */
  transform: ImageTransform;
  decoded: { width: number; height: number };
  /** The file's (EXIF-oriented) size. */
  original: { width: number; height: number };
}

type ImageConfig = Pick<DetectorConfig, 'inputSize' | 'resizeMode'>;

/** Decodes a file (EXIF orientation applied), shrinks it with sharp and fits it to the input (letterbox or stretch). */
export async function prepareImageFile(file: string, config: ImageConfig): Promise<PreparedImage> {
  const dec = await decodeFitted(file, config.inputSize);
  const fitted = fitToInput({ width: dec.width, height: dec.height, data: dec.data }, config.inputSize, { mode: config.resizeMode });
  return {
    input: fitted.image.data, inputSize: config.inputSize, transform: fitted.transform,
    decoded: { width: dec.width, height: dec.height }, original: { width: dec.origWidth, height: dec.origHeight },
  };
}

/**
 * Decode + per-class NMS of one image's raw output (shared/ml/detector/postprocess.ts, as
 * `detecta predict` does it); boxes in the file's (EXIF-oriented) pixels, best score first.
 */
export function detectionsInFile(raw: ArrayLike<number>, config: DetectorConfig, image: PreparedImage, options: DetectThresholds): Detection[] {
  const found = postprocessDetectorOutput(raw, config, { scoreThreshold: options.confidence, iouThreshold: options.iou, transform: image.transform, imageSize: image.decoded });
  const sx = image.original.width / image.decoded.width;
  const sy = image.original.height / image.decoded.height;
  return found.map((d) => ({ ...d, x1: d.x1 * sx, y1: d.y1 * sy, x2: d.x2 * sx, y2: d.y2 * sy }));
}

/** A file decoded once at full size (EXIF orientation applied), for cutting tiles from. */
export interface DecodedFile {
  data: Buffer;
  width: number;
  height: number;
}

/** Decodes a whole image file to RGB bytes at its own (EXIF-oriented) size. */
export async function decodeFullFile(file: string): Promise<DecodedFile> {
  const { data, info } = await sharp(file, { failOn: 'error' }).rotate().removeAlpha().toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
  if (info.channels !== 3) throw new Error(`${file}: decoded to ${info.channels} channels, expected 3`);
  return { data, width: info.width, height: info.height };
}

/**
 * One tile (or the whole image) of a decoded file as the detector's input, shrunk by sharp like
 * prepareImageFile does a whole file; detectionsInFile then gives boxes in the tile's pixels.
 */
export async function prepareTile(image: DecodedFile, tile: TileRect, config: ImageConfig): Promise<PreparedImage> {
  let pipeline = sharp(image.data, { raw: { width: image.width, height: image.height, channels: 3 } });
  if (tile.x !== 0 || tile.y !== 0 || tile.width !== image.width || tile.height !== image.height) {
    pipeline = pipeline.extract({ left: tile.x, top: tile.y, width: tile.width, height: tile.height });
  }
  const { data, info } = await pipeline
    .resize({ width: config.inputSize, height: config.inputSize, fit: 'inside', withoutEnlargement: true, kernel: 'linear' })
    .raw()
    .toBuffer({ resolveWithObject: true });
  const fitted = fitToInput({ width: info.width, height: info.height, data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) }, config.inputSize, { mode: config.resizeMode });
  return {
    input: fitted.image.data, inputSize: config.inputSize, transform: fitted.transform,
    decoded: { width: info.width, height: info.height }, original: { width: tile.width, height: tile.height },
  };
}
