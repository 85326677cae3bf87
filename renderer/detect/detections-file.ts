/**
 * What the Detect view writes, in the one detections file format (shared/results/detections-file.ts,
 * the same as `detecta predict`): a Prediction becomes a file result; a processed video or the
 * list of run images becomes a detections file.
 */
import { classRecords, detectionRecords, frameResult, type DetectionsFile, type FrameResult as FileFrameResult, type ImageResult } from '../../shared/results/detections-file';
import type { Prediction } from './predict-frame';

/** A prediction's boxes or ranked classes as file records. */
export function predictionResult(p: Prediction, labels: readonly string[]): Pick<FileFrameResult, 'detections' | 'classes'> {
  return p.task === 'classify' ? { classes: classRecords(p.top, labels) } : { detections: detectionRecords(p.dets, labels) };
}

export function videoFrameResult(frame: number, time: number, p: Prediction, labels: readonly string[]): FileFrameResult {
  return frameResult(frame, time, predictionResult(p, labels));
}

export function videoDetectionsFile(meta: { source: string; model: string; task: Prediction['task']; width: number; height: number; fps: number }, labels: readonly string[], frames: FileFrameResult[]): DetectionsFile {
  return { format: 'detecta-detections', version: 1, kind: 'video', ...meta, classes: [...labels], frameCount: frames.length, frames };
}

export function imagesDetectionsFile(model: string, task: Prediction['task'], labels: readonly string[], images: readonly { image: string; width: number; height: number; prediction: Prediction }[]): DetectionsFile {
  const results: ImageResult[] = images.map(({ image, width, height, prediction }) => ({ image, width, height, ...predictionResult(prediction, labels) }));
  return { format: 'detecta-detections', version: 1, kind: 'images', task, model, classes: [...labels], images: results };
}
