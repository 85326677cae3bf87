/**
 * Classifying images with a saved classifier (pure tfjs, so the renderer can use it on <img>,
 * <video> and webcam frames through tf.browser.fromPixels, and Node on decoded pixels).
 *
 * Input: RGB (or grayscale) pixels 0..255 as a [h, w, 3|1] tensor of any size. They are resized
 * bilinearly to the model's input (skipped when already that size), converted to grayscale
 * (ITU-R BT.601 weights) or to RGB as the model expects, and scored; the model's own first layer
 * rescales the pixels. Output: the top-k classes with their softmax scores, best first.
 */
import * as tf from '@tensorflow/tfjs';
import type { ClassifierMetadata } from './metadata';

export interface ClassScore {
  className: string;
  classId: number;
  score: number;
}

/** Resizes and converts one image to the model's input; returns [h, w, c] float32 (0..255). */
export function toModelInput(image: tf.Tensor3D, inputShape: readonly [number, number, number]): tf.Tensor3D {
  return tf.tidy(() => {
    const [h, w, c] = inputShape;
    let x = image.toFloat();
    const ch = x.shape[2];
    if (ch === 4) x = x.slice([0, 0, 0], [-1, -1, 3]);
    if (ch !== 1 && ch !== 3 && ch !== 4) throw new Error(`classify: images need 1, 3 or 4 channels, got ${ch}`);
    if (x.shape[0] !== h || x.shape[1] !== w) x = tf.image.resizeBilinear(x, [h, w], true);
    const inCh = x.shape[2];
    if (c === 1 && inCh === 3) x = x.mul(tf.tensor1d([0.299, 0.587, 0.114])).sum(2, true);
    else if (c === 3 && inCh === 1) x = x.tile([1, 1, 3]);
    return x as tf.Tensor3D;
  });
}

/** Top-k classes per row of a [n, C] probability matrix. */
export function topKFromProbabilities(probs: ArrayLike<number>, numClasses: number, classes: readonly string[], k: number): ClassScore[][] {
  const rows = probs.length / numClasses;
  const out: ClassScore[][] = [];
  for (let r = 0; r < rows; r++) {
    const row = Array.from({ length: numClasses }, (_, i) => ({ classId: i, className: classes[i] ?? String(i), score: probs[r * numClasses + i]! }));
    row.sort((a, b) => b.score - a.score || a.classId - b.classId);
    out.push(row.slice(0, Math.max(1, Math.min(k, numClasses))));
  }
  return out;
}

/** Scores images (each [h, w, c] 0..255) in batches; the tensors passed in are not disposed. */
export async function classifyImages(model: tf.LayersModel, meta: ClassifierMetadata, images: readonly tf.Tensor3D[], options: { topK?: number; batchSize?: number } = {}): Promise<ClassScore[][]> {
  const k = options.topK ?? 3;
  const batchSize = options.batchSize ?? 32;
  const out: ClassScore[][] = [];
  for (let i = 0; i < images.length; i += batchSize) {
    const probs = tf.tidy(() => {
      const batch = tf.stack(images.slice(i, i + batchSize).map((im) => toModelInput(im, meta.inputShape)));
      return model.predict(batch) as tf.Tensor2D;
    });
    const data = await probs.data();
    const numClasses = probs.shape[1];
    probs.dispose();
    out.push(...topKFromProbabilities(data, numClasses, meta.classes, k));
  }
  return out;
}
