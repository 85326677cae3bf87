/**
 * Decode + per-class NMS of one image's raw output: the detection path shared by the renderer,
 * the evaluator and the tests.
 */
import type { Detection } from './box';
import type { DecodeOptions } from './decode';
import { decodeYoloOutput } from './decode';
import type { GridSpec } from './layout';
import type { DetectorConfig } from './config';
import { decodeDetectorOutput } from './head-ops';
import { nmsPerClass } from './nms';

export interface PostprocessOptions extends DecodeOptions {
  /** NMS IoU threshold (default 0.45). */
  iouThreshold?: number;
  /** Detections kept after NMS (default 100). */
  maxDetections?: number;
}

export function postprocessYoloOutput(raw: ArrayLike<number>, spec: GridSpec, options: PostprocessOptions = {}): Detection[] {
  const candidates = decodeYoloOutput(raw, spec, options);
  return nmsPerClass(candidates, { iouThreshold: options.iouThreshold ?? 0.45, maxOutput: options.maxDetections ?? 100 });
}

/** Decode (either head) + per-class NMS of one image's raw output. */
export function postprocessDetectorOutput(raw: ArrayLike<number>, config: DetectorConfig, options: PostprocessOptions = {}): Detection[] {
  const candidates = decodeDetectorOutput(raw, config, options);
  return nmsPerClass(candidates, { iouThreshold: options.iouThreshold ?? 0.45, maxOutput: options.maxDetections ?? 100 });
}
