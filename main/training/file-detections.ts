/**
 * An image file → the detector's input tensor data, and the detector's raw output for it →
 * detections in the file's pixels. No tfjs: `detecta predict` (predict-files.ts) runs the tfjs
 * model between the two (through shared/ml/detector/inference, the same steps), the exported
 * package's example (main/export/kit) runs the ONNX model, and both print the same boxes.
 */
import type { Detection } from '../../shared/ml/detector/box';
import type { DetectorConfig } from '../../shared/ml/detector/config';
import { postprocessDetectorOutput } from '../../shared/ml/detector/postprocess';
import { fitToInput, type ImageTransform } from '../../shared/ml/preprocess';
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
