/**
 * The library the exported package's example runs on, bundled into example/detecta-postprocess.mjs
 * (scripts/example-lib-build.mjs; only sharp stays an import, TensorFlow.js is left out): the
 * image preparation and decode + NMS of `detecta predict` (main/training/file-detections.ts,
 * shared/ml/detector/postprocess.ts) and the image decoding and top-k of `detecta classify`.
 */
import { topKFromProbabilities } from '../../../shared/ml/classifier/predict';
import { decodeImageFile } from '../../training/classifier/decode-image';

export { prepareImageFile, detectionsInFile } from '../../training/file-detections';

/** A classifier's input for one image file: [h, w, c] float32 pixels 0..255. */
export async function classifierInput(file: string, shape: [number, number, number]): Promise<Float32Array> {
  return Float32Array.from(await decodeImageFile(file, shape));
}

/** The `k` most probable classes, best first. */
export function topClasses(probs: ArrayLike<number>, classes: readonly string[], k: number): { rank: number; label: string; classId: number; score: number }[] {
  const [row] = topKFromProbabilities(probs, classes.length, classes, k);
  return row.map((c, i) => ({ rank: i + 1, label: c.className, classId: c.classId, score: Math.round(c.score * 1e4) / 1e4 }));
}
