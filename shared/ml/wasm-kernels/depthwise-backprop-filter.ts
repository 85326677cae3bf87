/**
 * DepthwiseConv2dNativeBackpropFilter for the wasm backend (missing there).
 *
 * Formulation: a direct reduction, dW[kh, kw, c, m] = Σ_{b, oh, ow} x[b, ih, iw, c] · dy[b, oh, ow, c·M + m]
 * with ih = oh·strideH + kh − padTop, iw = ow·strideW + kw − padLeft. A depthwise filter has no
 * channel mixing, so there is no matrix product to hand to XNNPACK; the loop runs over contiguous
 * channels (innermost) and accumulates in float64. Its cost, KH·KW·B·OH·OW·C·M multiply-adds, is
 * small next to the pointwise convolutions that surround depthwise layers.
 *
 * Threads (./bands): one band per filter row (per tap when there are few channels) and block of
 * CHANNEL_BLOCK channels. Each band owns its filter elements and sums each over (b, oh, ow) in the
 * same order on any number of threads.
 *
 * SIMD: where the SIMD loops are installed (./simd-kernels: the Node trainer) a band with channel
 * multiplier 1 and a multiple of 4 channels runs ./simd-wat's dwFilterBand instead of the
 * JavaScript loop: the same order, 4 channels per instruction, float32 sums along each row added
 * into float64 (6-16× faster on one thread at mobilenet's shapes; within ~1e-4 relative of the
 * all-float64 loop). Every thread of the band pool has the same module, so results stay the same
 * for any number of threads.
 *
 * Supports: NHWC, any strides, 'same' / 'valid' / numeric / explicit padding, dimRoundingMode, any
 * channel multiplier. Rejects dilations ≠ 1 (tfjs's gradient never requests them, and the cpu
 * reference ignores them) and non-float32.
 */
import type * as tf from '@tensorflow/tfjs';
import { runBands } from './bands';
import { assertDyShape, convGeometry, type ConvAttrs } from './conv-geometry';
import { simdKernels } from './simd-kernels';
import { asWasmBackend, assertFloat32, heapF32, release } from './wasm-backend';

export const DEPTHWISE_BACKPROP_FILTER = 'DepthwiseConv2dNativeBackpropFilter';

/** Channels per band (16 float32 = one 64-byte cache line of each pixel). */
const CHANNEL_BLOCK = 16;
/** Below this many (filter row, channel block) bands, each filter tap gets its own band. */
const MIN_ROW_BANDS = 8;

interface Attrs extends ConvAttrs { filterShape: [number, number, number, number] }

/**
 * Band loop. args: x, dy, out byte offsets; batch, inH, inW, inC, outH, outW, kH, kW, strideH,
 * strideW, padTop, padLeft, M, channel block, taps per band (KW, or 1 for layers with few channels),
 * then the byte offset of the SIMD scratch (0: JavaScript loop only) and its bytes per band.
 * Band = (filter row kh · tap groups + tap group) · blocks + channel block: the filter elements
 * [kh, taps of the group, block] summed over (b, oh, ow) in that order, reading each input row once
 * per band row (its taps from cache).
 */
export function depthwiseFilterBand(heap: ArrayBufferLike, a: ArrayLike<number>, band: number): void {
  const batch = a[3], inH = a[4], inW = a[5], inC = a[6], outH = a[7], outW = a[8], kW = a[10];
  const strideH = a[11], strideW = a[12], padTop = a[13], padLeft = a[14], M = a[15], block = a[16];
  const CM = inC * M;
  const xs = new Float32Array(heap, a[0], batch * inH * inW * inC);
  const dys = new Float32Array(heap, a[1], batch * outH * outW * CM);
  const out = new Float32Array(heap, a[2], a[9] * kW * CM);
  const tapsPerBand = a[17];
  const blocks = Math.ceil(inC / block);
  const groups = Math.ceil(kW / tapsPerBand);
  const row = Math.floor(band / blocks);
  const kh = Math.floor(row / groups);
  const kwLo = (row - kh * groups) * tapsPerBand;
  const kwHi = Math.min(kW, kwLo + tapsPerBand);
  const c0 = (band - row * blocks) * block;
  const c1 = Math.min(inC, c0 + block);
  if (a[18] > 0 && M === 1 && (c1 - c0) % 4 === 0) {
    const simd = (globalThis as { __detectaWasmSimdKernels?: { dwFilterBand(...args: number[]): void } }).__detectaWasmSimdKernels;
    if (!simd) throw new Error('DepthwiseConv2dNativeBackpropFilter: a SIMD job reached a thread without the SIMD loops');
    simd.dwFilterBand(a[0], a[1], a[2], a[18] + band * a[19], batch, inH, inW, inC, outH, outW, kW, strideH, strideW, padTop, padLeft, kh, kwLo, kwHi, c0, c1);
    return;
  }
  const width = (c1 - c0) * M;
  const acc = new Float64Array(kW * width);
  for (let b = 0; b < batch; b++) {
    for (let oh = 0; oh < outH; oh++) {
      const ih = oh * strideH + kh - padTop;
      if (ih < 0 || ih >= inH) continue;
      const xRow = (b * inH + ih) * inW;
      const dyRow = (b * outH + oh) * outW;
      for (let kw = kwLo; kw < kwHi; kw++) {
        const a0 = kw * width - c0 * M;
        const owLo = Math.min(outW, Math.max(0, Math.ceil((padLeft - kw) / strideW)));
        const owHi = Math.max(owLo, Math.min(outW, Math.floor((inW - 1 + padLeft - kw) / strideW) + 1));
        if (M === 1) {
          // one channel at a time along the row: the running sum stays in a register
          const xStep = strideW * inC;
          for (let c = c0; c < c1; c++) {
            let sum = acc[a0 + c];
            for (let ow = owLo, xi = (xRow + owLo * strideW + kw - padLeft) * inC + c, di = (dyRow + owLo) * CM + c; ow < owHi; ow++, xi += xStep, di += CM) {
              sum += xs[xi] * dys[di];
            }
            acc[a0 + c] = sum;
          }
          continue;
        }
        for (let ow = owLo; ow < owHi; ow++) {
          const xi = (xRow + ow * strideW + kw - padLeft) * inC;
          const di = (dyRow + ow) * CM;
          for (let c = c0; c < c1; c++) {
            const xv = xs[xi + c];
            for (let m = 0; m < M; m++) acc[a0 + c * M + m] += xv * dys[di + c * M + m];
          }
        }
      }
    }
  }
  for (let kw = kwLo; kw < kwHi; kw++) out.set(acc.subarray(kw * width, (kw + 1) * width), (kh * kW + kw) * CM + c0 * M);
}

export function depthwiseConv2dNativeBackpropFilter(args: { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap }): tf.TensorInfo {
  const backend = asWasmBackend(args.backend);
  const { x, dy } = args.inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
  const attrs = args.attrs as unknown as Attrs;
  assertFloat32(DEPTHWISE_BACKPROP_FILTER, x, dy);
  const g = convGeometry(DEPTHWISE_BACKPROP_FILTER, x.shape, attrs.filterShape, attrs, true);
  assertDyShape(DEPTHWISE_BACKPROP_FILTER, dy.shape, g);
  const out = backend.makeOutput([...attrs.filterShape], 'float32');
  const blocks = Math.ceil(g.inC / CHANNEL_BLOCK);
  const tapsPerBand = g.kH * blocks < MIN_ROW_BANDS ? 1 : g.kW;
  const bands = g.kH * Math.ceil(g.kW / tapsPerBand) * blocks;
  // the SIMD loop's float64 accumulators: tapsPerBand · CHANNEL_BLOCK per band
  const scratchBytes = tapsPerBand * CHANNEL_BLOCK * 8;
  const scratch = simdKernels() && g.multiplier === 1 ? backend.makeOutput([(bands * scratchBytes) / 4], 'float32') : null;
  // views after the last allocation (an allocation may grow the heap)
  const xs = heapF32(backend, x);
  const bandArgs = [
    xs.byteOffset, heapF32(backend, dy).byteOffset, heapF32(backend, out).byteOffset,
    g.batch, g.inH, g.inW, g.inC, g.outH, g.outW, g.kH, g.kW, g.strideH, g.strideW, g.padTop, g.padLeft, g.multiplier, CHANNEL_BLOCK, tapsPerBand,
    scratch ? heapF32(backend, scratch).byteOffset : 0, scratchBytes,
  ];
  try {
    runBands(depthwiseFilterBand, xs.buffer, bandArgs, bands);
  } finally {
    if (scratch) release(backend, scratch);
  }
  return out;
}
