/**
 * ResizeNearestNeighborGrad for the tfjs cpu backend (4.22), whose kernel reads `dy` at the image
 * batch offset (b · H_in · W_in · C) instead of dy's own (b · H_out · W_out · C): every image but
 * the first of a batch gets the gradient of the wrong pixels. UpSampling2D (the point head's FPN
 * top-down path, mobilenet-fpn) trains on it, so on cpu those layers' gradients were wrong for any
 * batch above 1 (wasm and webgpu compute it right).
 *
 * Each dy pixel adds to the input pixel the forward pass took it from, the mapping of the cpu
 * ResizeNearestNeighbor without half-pixel centres (what UpSampling2D uses); with halfPixelCenters
 * the stock kernel is used (its batch offset is only wrong in the same way, and nothing here uses it).
 * Browser-safe: imports only tfjs.
 */
import * as tf from '@tensorflow/tfjs';

export const RESIZE_NEAREST_NEIGHBOR_GRAD = 'ResizeNearestNeighborGrad';

interface CpuBackendLike {
  data: { get(dataId: object): { values: tf.TypedArray } };
  makeTensorInfo(shape: number[], dtype: tf.DataType, values: tf.TypedArray): tf.TensorInfo;
}

/** dx[b, r, c, d] = Σ dy[b, y, x, d] over the output pixels (y, x) whose nearest source is (r, c). */
export function resizeNearestNeighborGradInto(dy: ArrayLike<number>, dyShape: readonly number[], imageShape: readonly number[], alignCorners: boolean): Float32Array {
  const [batch, xHeight, xWidth, depth] = imageShape as [number, number, number, number];
  const [, yHeight, yWidth] = dyShape as [number, number, number, number];
  const effX = [alignCorners && yHeight > 1 ? xHeight - 1 : xHeight, alignCorners && yWidth > 1 ? xWidth - 1 : xWidth];
  const effY = [alignCorners && yHeight > 1 ? yHeight - 1 : yHeight, alignCorners && yWidth > 1 ? yWidth - 1 : yWidth];
  const heightScale = effX[0]! / effY[0]!;
  const widthScale = effX[1]! / effY[1]!;
  const source = (i: number, scale: number, size: number) => Math.min(size - 1, alignCorners ? Math.round(i * scale) : Math.floor(i * scale));
  const rows = Array.from({ length: yHeight }, (_, y) => source(y, heightScale, xHeight));
  const cols = Array.from({ length: yWidth }, (_, x) => source(x, widthScale, xWidth));
  const dx = new Float32Array(batch * xHeight * xWidth * depth);
  for (let b = 0; b < batch; b++) {
    for (let y = 0; y < yHeight; y++) {
      const outRow = (b * xHeight + rows[y]!) * xWidth;
      for (let x = 0; x < yWidth; x++) {
        const o = (outRow + cols[x]!) * depth;
        const i = ((b * yHeight + y) * yWidth + x) * depth;
        for (let d = 0; d < depth; d++) dx[o + d]! += dy[i + d]!;
      }
    }
  }
  return dx;
}

export function makeResizeNearestNeighborGrad(stock: tf.KernelFunc): tf.KernelFunc {
  return (args) => {
    const { images, dy } = args.inputs as { images: tf.TensorInfo; dy: tf.TensorInfo };
    const { alignCorners, halfPixelCenters } = args.attrs as { alignCorners: boolean; halfPixelCenters: boolean };
    if (halfPixelCenters) return stock(args);
    const backend = args.backend as CpuBackendLike;
    const dx = resizeNearestNeighborGradInto(backend.data.get(dy.dataId).values as ArrayLike<number>, dy.shape, images.shape, alignCorners);
    return backend.makeTensorInfo(images.shape, 'float32', dx);
  };
}
