/**
 * One frame through a loaded classifier: the whole frame is stretched onto a canvas of the model's
 * input size (as training stretched its images), turned into the model's colour mode by the same
 * function the CLI and the evaluator use, and scored. All class probabilities are read back, so the
 * top-k setting re-ranks them without running the model again. Every tensor made here is disposed.
 */
import * as tf from '@tensorflow/tfjs';
import { toModelInput } from '../../shared/ml/classifier/predict';
import type { LoadedClassifier } from './load-model';
import { inputCanvas, type FrameSource } from './run-frame';

export interface ClassifiedFrame {
  /** Softmax probability of every class, in class-id order. */
  probs: Float32Array;
  /** Time from pixels to probabilities read back, in ms. */
  inferMs: number;
}

export async function classifyFrame(model: LoadedClassifier, source: FrameSource, width: number, height: number): Promise<ClassifiedFrame> {
  const t0 = performance.now();
  const shape = model.classifier.inputShape;
  const ctx = inputCanvas(shape[1], shape[0]);
  ctx.imageSmoothingQuality = 'high';
  ctx.drawImage(source, 0, 0, width, height, 0, 0, shape[1], shape[0]);
  const probs = tf.tidy(() => model.layers.predict(toModelInput(tf.browser.fromPixels(ctx.canvas), shape).expandDims(0)) as tf.Tensor);
  try {
    return { probs: (await probs.data()) as Float32Array, inferMs: performance.now() - t0 };
  } finally {
    probs.dispose();
  }
}
