/**
 * MaxPoolGrad for the wasm backend, replacing the stock C++ kernel, which for every input pixel
 * rescans every pooling window that covers it.
 *
 * Formulation: one pass over the pooling windows. For each output pixel, each channel's first
 * position (row-major) holding the window's maximum, the forward output, gets dx[argmax] += dy: the
 * same tie-breaking as tfjs's cpu backend (first strict maximum). Channels are innermost, so reads
 * and writes are contiguous.
 *
 * Threads (./bands): one band per image and block of CHANNEL_BLOCK channels; windows never mix
 * images or channels, so each band owns its dx elements and adds to them in one thread's order.
 *
 * SIMD: where the SIMD loops are installed (./simd-kernels) and the band's channels come in fours,
 * ./simd-wat's maxPoolGradBand does the same scan 4 channels at a time, with the same additions in
 * the same order (bit-identical).
 *
 * Supports: NHWC, any window size and strides, 'same' / 'valid' / numeric padding, dimRoundingMode.
 */
import type * as tf from '@tensorflow/tfjs';
import { runBands } from './bands';
import { poolGradGeometry, type PoolAttrs } from './pool-geometry';
import { simdKernels } from './simd-kernels';
import { asWasmBackend, assertFloat32, heapF32 } from './wasm-backend';

export const MAX_POOL_GRAD = 'MaxPoolGrad';

/** Channels per band (16 float32 = one 64-byte cache line of each pixel). */
const CHANNEL_BLOCK = 16;

/**
 * Band loop. args: input, dy, dx, output (the forward max pool) byte offsets; batch, inH, inW, C,
 * outH, outW, filterH, filterW, strideH, strideW, padTop, padLeft, channel block, SIMD (1) or not.
 * Band = image · blocks + channel block. dx must be zero-filled before.
 *
 * The window's maximum is already known (the forward output), so its first position is the first
 * tap equal to it: the taps are scanned last to first and each equal one replaces the index, with
 * a mask rather than a branch (the position of a maximum is random, and a mispredicted branch per
 * tap cost 3× the whole loop). A window whose maximum is NaN matches no tap and passes no gradient.
 */
export function maxPoolGradBand(heap: ArrayBufferLike, a: ArrayLike<number>, band: number): void {
  const batch = a[4], inHeight = a[5], inWidth = a[6], C = a[7], outHeight = a[8], outWidth = a[9];
  const filterHeight = a[10], filterWidth = a[11], strideHeight = a[12], strideWidth = a[13], padTop = a[14], padLeft = a[15], block = a[16];
  const x = new Float32Array(heap, a[0], batch * inHeight * inWidth * C);
  const g = new Float32Array(heap, a[1], batch * outHeight * outWidth * C);
  const dx = new Float32Array(heap, a[2], batch * inHeight * inWidth * C);
  const y = new Float32Array(heap, a[3], batch * outHeight * outWidth * C);
  const blocks = Math.ceil(C / block);
  const b = Math.floor(band / blocks);
  const c0 = (band - b * blocks) * block;
  const c1 = Math.min(C, c0 + block);
  if (a[17] === 1 && (c1 - c0) % 4 === 0) {
    const simd = (globalThis as { __detectaWasmSimdKernels?: { maxPoolGradBand(...args: number[]): void } }).__detectaWasmSimdKernels;
    if (!simd) throw new Error('MaxPoolGrad: a SIMD job reached a thread without the SIMD loops');
    simd.maxPoolGradBand(a[0], a[1], a[2], a[3], b, inHeight, inWidth, C, outHeight, outWidth, filterHeight, filterWidth, strideHeight, strideWidth, padTop, padLeft, c0, c1);
    return;
  }
  const rowStep = inWidth * C;
  for (let oh = 0; oh < outHeight; oh++) {
    const h0 = Math.max(0, oh * strideHeight - padTop);
    const h1 = Math.min(inHeight, oh * strideHeight - padTop + filterHeight);
    for (let ow = 0; ow < outWidth; ow++) {
      const w0 = Math.max(0, ow * strideWidth - padLeft);
      const w1 = Math.min(inWidth, ow * strideWidth - padLeft + filterWidth);
      const d = ((b * outHeight + oh) * outWidth + ow) * C;
      // the window's last tap of channel 0, then backwards: whole rows of rowStep, taps of C
      const last = ((b * inHeight + h1 - 1) * inWidth + w1 - 1) * C;
      for (let c = c0; c < c1; c++) {
        const m = y[d + c];
        let at = -1;
        for (let ih = h1 - 1, row = last + c; ih >= h0; ih--, row -= rowStep) {
          for (let iw = w1 - 1, p = row; iw >= w0; iw--, p -= C) at ^= (at ^ p) & -+(x[p] === m);
        }
        if (at >= 0) dx[at] += g[d + c];
      }
    }
  }
}

export function maxPoolGrad(args: { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap }): tf.TensorInfo {
  const backend = asWasmBackend(args.backend);
  const { dy, input, output } = args.inputs as { dy: tf.TensorInfo; input: tf.TensorInfo; output: tf.TensorInfo };
  assertFloat32(MAX_POOL_GRAD, dy, input, output);
  const { info, windowArgs } = poolGradGeometry(MAX_POOL_GRAD, input, dy, args.attrs as unknown as PoolAttrs, output);
  const out = backend.makeOutput([...input.shape], 'float32');
  const dx = heapF32(backend, out);
  dx.fill(0);
  const bandArgs = [heapF32(backend, input).byteOffset, heapF32(backend, dy).byteOffset, dx.byteOffset, heapF32(backend, output).byteOffset, ...windowArgs, CHANNEL_BLOCK, simdKernels() ? 1 : 0];
  runBands(maxPoolGradBand, dx.buffer, bandArgs, info.batchSize * Math.ceil(info.inChannels / CHANNEL_BLOCK));
  return out;
}
