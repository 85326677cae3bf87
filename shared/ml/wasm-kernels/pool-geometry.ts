/**
 * The pooling gradients' shared geometry (./max-pool-grad, ./avg-pool-grad): attributes, the
 * checks on input and dy, and the window arguments their band loops take. Browser-safe.
 */
import * as tf from '@tensorflow/tfjs';

export interface PoolAttrs {
  filterSize: number | [number, number];
  strides: number | [number, number];
  pad: 'valid' | 'same' | number;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

/**
 * The pool's geometry after checking that input is rank 4 and dy (and `output`, for MaxPoolGrad)
 * has the pooled shape, with the band loops' window arguments: batch, inH, inW, C, outH, outW,
 * filterH, filterW, strideH, strideW, padTop, padLeft.
 */
export function poolGradGeometry(kernel: string, input: tf.TensorInfo, dy: tf.TensorInfo, attrs: PoolAttrs, output?: tf.TensorInfo): { info: tf.backend_util.Conv2DInfo; windowArgs: number[] } {
  if (input.shape.length !== 4) throw new Error(`${kernel} (wasm training kernels): input must be rank 4, got [${input.shape}]`);
  const info = tf.backend_util.computePool2DInfo(
    input.shape as [number, number, number, number], attrs.filterSize, attrs.strides, 1, attrs.pad, attrs.dimRoundingMode);
  const want = [info.batchSize, info.outHeight, info.outWidth, info.inChannels];
  for (const [name, t] of [['dy', dy], ['output', output]] as const) {
    if (t && (t.shape.length !== 4 || t.shape.some((d, i) => d !== want[i]))) {
      throw new Error(`${kernel} (wasm training kernels): ${name} has shape [${t.shape}], expected [${want}]`);
    }
  }
  const windowArgs = [
    info.batchSize, info.inHeight, info.inWidth, info.inChannels, info.outHeight, info.outWidth,
    info.filterHeight, info.filterWidth, info.strideHeight, info.strideWidth, info.padInfo.top, info.padInfo.left,
  ];
  return { info, windowArgs };
}
