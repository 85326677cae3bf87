/**
 * MaxPoolGrad for the wasm backend, replacing the stock C++ kernel, which for every input pixel
 * rescans every pooling window that covers it.
 *
 * Formulation: one pass over the pooling windows. For each output pixel the window is scanned in
 * row-major order for each channel's first strict maximum (the same tie-breaking as tfjs's cpu
 * backend: `value > best`, so NaNs never win and an all-NaN window passes no gradient), then
 * dx[argmax] += dy. Channels are innermost, so reads and writes are contiguous.
 *
 * Threads (./bands): one band per image and block of CHANNEL_BLOCK channels; windows never mix
 * images or channels, so each band owns its dx elements and adds to them in one thread's order.
 *
 * Supports: NHWC, any window size and strides, 'same' / 'valid' / numeric padding, dimRoundingMode.
 */
import * as tf from '@tensorflow/tfjs';
import { runBands } from './bands';
import { asWasmBackend, assertFloat32, heapF32 } from './wasm-backend';

export const MAX_POOL_GRAD = 'MaxPoolGrad';

/** Channels per band (16 float32 = one 64-byte cache line of each pixel). */
const CHANNEL_BLOCK = 16;

/**
 * Band loop. args: input, dy, dx byte offsets; batch, inH, inW, C, outH, outW, filterH, filterW,
 * strideH, strideW, padTop, padLeft, channel block. Band = image · blocks + channel block. dx must
 * be zero-filled before.
 */
export function maxPoolGradBand(heap: ArrayBufferLike, a: ArrayLike<number>, band: number): void {
  const batch = a[3], inHeight = a[4], inWidth = a[5], C = a[6], outHeight = a[7], outWidth = a[8];
  const filterHeight = a[9], filterWidth = a[10], strideHeight = a[11], strideWidth = a[12], padTop = a[13], padLeft = a[14], block = a[15];
  const x = new Float32Array(heap, a[0], batch * inHeight * inWidth * C);
  const g = new Float32Array(heap, a[1], batch * outHeight * outWidth * C);
  const dx = new Float32Array(heap, a[2], batch * inHeight * inWidth * C);
  const blocks = Math.ceil(C / block);
  const b = Math.floor(band / blocks);
  const c0 = (band - b * blocks) * block;
  const c1 = Math.min(C, c0 + block);
  const best = new Float32Array(c1 - c0);
  const arg = new Int32Array(c1 - c0);
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
          for (let c = c0; c < c1; c++) {
            const v = x[p + c];
            if (v > best[c - c0]) { best[c - c0] = v; arg[c - c0] = p + c; }
          }
        }
      }
      const d = ((b * outHeight + oh) * outWidth + ow) * C;
      for (let c = c0; c < c1; c++) if (arg[c - c0] >= 0) dx[arg[c - c0]] += g[d + c];
    }
  }
}

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
  const out = backend.makeOutput([...input.shape], 'float32');
  const dx = heapF32(backend, out);
  dx.fill(0);
  const bandArgs = [
    heapF32(backend, input).byteOffset, heapF32(backend, dy).byteOffset, dx.byteOffset,
    batchSize, inHeight, inWidth, C, outHeight, outWidth, filterHeight, filterWidth, strideHeight, strideWidth,
    info.padInfo.top, info.padInfo.left, CHANNEL_BLOCK,
  ];
  runBands(maxPoolGradBand, dx.buffer, bandArgs, batchSize * Math.ceil(C / CHANNEL_BLOCK));
  return out;
}
