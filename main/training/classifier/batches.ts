/** Batches of decoded classifier samples as float tensors (raw 0..255; the models rescale). */
import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../../../shared/ml/random';
import type { ClassifierSample } from './dataset';

/** [n, h, w, c] pixels of these samples; with `flip`, each is mirrored left-right with probability ½. */
export function pixelBatch(samples: readonly ClassifierSample[], shape: [number, number, number], indices: readonly number[], flip: boolean, rng: Rng | null): tf.Tensor4D {
  const [h, w, c] = shape;
  const size = h * w * c;
  const out = new Float32Array(indices.length * size);
  indices.forEach((idx, k) => {
    const px = samples[idx]!.pixels;
    const base = k * size;
    if (flip && rng && rng.chance(0.5)) {
      for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) for (let ch = 0; ch < c; ch++) out[base + (y * w + x) * c + ch] = px[(y * w + (w - 1 - x)) * c + ch]!;
    } else {
      for (let i = 0; i < size; i++) out[base + i] = px[i]!;
    }
  });
  return tf.tensor4d(out, [indices.length, h, w, c]);
}
