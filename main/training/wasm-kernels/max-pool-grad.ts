/**
 * MaxPoolGrad for the wasm backend, replacing the stock C++ kernel, which for every input pixel
 * rescans every pooling window that covers it.
 *
 * Formulation: one pass over the pooling windows. For each output pixel the window is scanned in
 * row-major order for each channel's first strict maximum (the same tie-breaking as tfjs's cpu
 * backend: `value > best`, so NaNs never win and an all-NaN window passes no gradient), then
 * dx[argmax] += dy. Channels are innermost, so reads and writes are contiguous.
 *
 * Supports: NHWC, any window size and strides, 'same' / 'valid' / numeric padding, dimRoundingMode.
 */
import * as tf from '@tensorflow/tfjs';
import { asWasmBackend, assertFloat32, heapF32 } from './wasm-backend';

export const MAX_POOL_GRAD = 'MaxPoolGrad';

interface Attrs {
  filterSize: number | [number, number];
  strides: number | [number, number];
  pad: 'valid' | 'same' | number;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

export function maxPoolGrad(args: { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap }): tf.TensorInfo {
  const backend = asWasmBackend(args.backend);
  const { dy, input } = args.inputs as { dy: tf.TensorInfo; input: tf.TensorInfo };
  const attrs = args.attrs as unknown as Attrs;
  assertFloat32(MAX_POOL_GRAD, dy, input);
  if (input.shape.length !== 4) throw new Error(`${MAX_POOL_GRAD} (wasm training kernels): input must be rank 4, got [${input.shape}]`);
  const info = tf.backend_util.computePool2DInfo(
    input.shape as [number, number, number, number], attrs.filterSize, attrs.strides, 1, attrs.pad, attrs.dimRoundingMode);
  const { batchSize, inHeight, inWidth, inChannels: C, outHeight, outWidth, strideHeight, strideWidth, filterHeight, filterWidth } = info;
  const want = [batchSize, outHeight, outWidth, C];
  if (dy.shape.length !== 4 || dy.shape.some((d, i) => d !== want[i])) {
    throw new Error(`${MAX_POOL_GRAD} (wasm training kernels): dy has shape [${dy.shape}], expected [${want}]`);
  }
  const padTop = info.padInfo.top;
  const padLeft = info.padInfo.left;
  const out = backend.makeOutput([...input.shape], 'float32');
  const dx = heapF32(backend, out);
  dx.fill(0);
  const x = heapF32(backend, input);
  const g = heapF32(backend, dy);
  const best = new Float32Array(C);
  const arg = new Int32Array(C);
  for (let b = 0; b < batchSize; b++) {
    for (let oh = 0; oh < outHeight; oh++) {
      const h0 = Math.max(0, oh * strideHeight - padTop);
      const h1 = Math.min(inHeight, oh * strideHeight - padTop + filterHeight);
      for (let ow = 0; ow < outWidth; ow++) {
        const w0 = Math.max(0, ow * strideWidth - padLeft);
        const w1 = Math.min(inWidth, ow * strideWidth - padLeft + filterWidth);
        best.fill(-Infinity);
        arg.fill(-1);
        for (let ih = h0; ih < h1; ih++) {
          for (let iw = w0; iw < w1; iw++) {
            const p = ((b * inHeight + ih) * inWidth + iw) * C;
            for (let c = 0; c < C; c++) {
              const v = x[p + c];
              if (v > best[c]) { best[c] = v; arg[c] = p + c; }
            }
          }
        }
        const d = ((b * outHeight + oh) * outWidth + ow) * C;
        for (let c = 0; c < C; c++) if (arg[c] >= 0) dx[arg[c]] += g[d + c];
      }
    }
  }
  return out;
}
