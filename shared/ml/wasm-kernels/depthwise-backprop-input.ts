/**
 * DepthwiseConv2dNativeBackpropInput for the wasm backend (missing there).
 *
 * Formulation, multiplier 1 (every depthwise layer of our presets): a forward depthwise convolution
 * on XNNPACK, dx = depthwiseConv2d(dy↑, W̃, stride 1, explicit pads [KH−1−top, …]) with W̃ the
 * filter rotated 180° and dy↑ dy with strideH−1 / strideW−1 zeros between its rows / columns (dy
 * itself at stride 1). XNNPACK's forward is about 7× faster than the loop below, so even a stride-2
 * layer's 4× larger dy↑ pays.
 *
 * Otherwise (multipliers > 1, pads a forward convolution cannot express): a direct scatter,
 * dx[b, ih, iw, c] += Σ_m dy[b, oh, ow, c·M + m] · W[kh, kw, c, m] over every output pixel and
 * in-image tap (ih = oh·strideH + kh − padTop, iw = ow·strideW + kw − padLeft), channels innermost
 * and contiguous.
 *
 * Threads (./bands): XNNPACK's own; dy↑ is written in bands of dy rows. The scatter: one band per
 * image and block of CHANNEL_BLOCK channels. Channels do not mix, so each band owns its dx elements
 * and adds their terms in the same order on any number of threads.
 *
 * Supports: NHWC, any strides, 'same' / 'valid' / numeric / explicit padding, dimRoundingMode, any
 * channel multiplier. Rejects dilations ≠ 1 and non-float32.
 */
import type * as tf from '@tensorflow/tfjs';
import { runBands } from './bands';
import { assertDyShape, convGeometry, type ConvAttrs, type ConvGeometry } from './conv-geometry';
import { asWasmBackend, assertFloat32, heapF32, release, wasmKernel, type BackendWasm } from './wasm-backend';

export const DEPTHWISE_BACKPROP_INPUT = 'DepthwiseConv2dNativeBackpropInput';

/** Channels per band (16 float32 = one 64-byte cache line of each pixel). */
const CHANNEL_BLOCK = 16;

interface Attrs extends ConvAttrs { inputShape: [number, number, number, number] }

/**
 * Band loop. args: dy, filter, dx byte offsets; batch, inH, inW, inC, outH, outW, kH, kW, strideH,
 * strideW, padTop, padLeft, M, channel block. Band = image · blocks + channel block. dx must be
 * zero-filled before.
 */
export function depthwiseInputBand(heap: ArrayBufferLike, a: ArrayLike<number>, band: number): void {
  const batch = a[3], inH = a[4], inW = a[5], inC = a[6], outH = a[7], outW = a[8], kH = a[9], kW = a[10];
  const strideH = a[11], strideW = a[12], padTop = a[13], padLeft = a[14], M = a[15], block = a[16];
  const CM = inC * M;
  const dys = new Float32Array(heap, a[0], batch * outH * outW * CM);
  const w = new Float32Array(heap, a[1], kH * kW * CM);
  const dx = new Float32Array(heap, a[2], batch * inH * inW * inC);
  const blocks = Math.ceil(inC / block);
  const b = Math.floor(band / blocks);
  const c0 = (band - b * blocks) * block;
  const c1 = Math.min(inC, c0 + block);
  for (let oh = 0; oh < outH; oh++) {
    for (let kh = 0; kh < kH; kh++) {
      const ih = oh * strideH + kh - padTop;
      if (ih < 0 || ih >= inH) continue;
      const dxRow = (b * inH + ih) * inW;
      for (let kw = 0; kw < kW; kw++) {
        const w0 = (kh * kW + kw) * CM;
        const owLo = Math.min(outW, Math.max(0, Math.ceil((padLeft - kw) / strideW)));
        const owHi = Math.max(owLo, Math.min(outW, Math.floor((inW - 1 + padLeft - kw) / strideW) + 1));
        if (M === 1) {
          // one channel at a time along the row (each dx element still gets its terms in the same
          // order: no two (ow, c) of one tap touch the same element), the weight in a register
          const dStep = strideW * inC;
          for (let c = c0; c < c1; c++) {
            const wv = w[w0 + c];
            for (let ow = owLo, d = (dxRow + owLo * strideW + kw - padLeft) * inC + c, di = ((b * outH + oh) * outW + owLo) * CM + c; ow < owHi; ow++, d += dStep, di += CM) {
              dx[d] += dys[di] * wv;
            }
          }
          continue;
        }
        for (let ow = owLo; ow < owHi; ow++) {
          const d = (dxRow + ow * strideW + kw - padLeft) * inC;
          const di = ((b * outH + oh) * outW + ow) * CM;
          for (let c = c0; c < c1; c++) {
            let s = 0;
            for (let m = 0; m < M; m++) s += dys[di + c * M + m] * w[w0 + c * M + m];
            dx[d + c] += s;
          }
        }
      }
    }
  }
}

export function depthwiseConv2dNativeBackpropInput(args: { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap }): tf.TensorInfo {
  const backend = asWasmBackend(args.backend);
  const { dy, filter } = args.inputs as { dy: tf.TensorInfo; filter: tf.TensorInfo };
  const attrs = args.attrs as unknown as Attrs;
  assertFloat32(DEPTHWISE_BACKPROP_INPUT, dy, filter);
  const g = convGeometry(DEPTHWISE_BACKPROP_INPUT, attrs.inputShape, filter.shape, attrs, true);
  assertDyShape(DEPTHWISE_BACKPROP_INPUT, dy.shape, g);
  if (g.multiplier === 1) {
    const viaForward = viaDepthwiseConvolution(backend, dy, filter, g);
    if (viaForward) return viaForward;
  }
  const out = backend.makeOutput([...attrs.inputShape], 'float32');
  const dx = heapF32(backend, out);
  dx.fill(0);
  const bandArgs = [
    heapF32(backend, dy).byteOffset, heapF32(backend, filter).byteOffset, dx.byteOffset,
    g.batch, g.inH, g.inW, g.inC, g.outH, g.outW, g.kH, g.kW, g.strideH, g.strideW, g.padTop, g.padLeft, g.multiplier, CHANNEL_BLOCK,
  ];
  runBands(depthwiseInputBand, dx.buffer, bandArgs, g.batch * Math.ceil(g.inC / CHANNEL_BLOCK));
  return out;
}

/**
 * Band loop: spreads dy [B, OH, OW, C] over a zero-filled [B, DH, DW, C] at strides (sH, sW).
 * args: dy, dst byte offsets; batch, OH, OW, C, DH, DW, sH, sW. Band = one dy row (b · OH + oh).
 */
export function dilateBand(heap: ArrayBufferLike, a: ArrayLike<number>, band: number): void {
  const batch = a[2], OH = a[3], OW = a[4], C = a[5], DH = a[6], DW = a[7], sH = a[8], sW = a[9];
  const src = new Int32Array(heap, a[0], batch * OH * OW * C);
  const dst = new Int32Array(heap, a[1], batch * DH * DW * C);
  const b = Math.floor(band / OH);
  const oh = band - b * OH;
  for (let ow = 0, s = band * OW * C, d = ((b * DH + oh * sH) * DW) * C; ow < OW; ow++, d += sW * C) {
    for (let c = 0; c < C; c++, s++) dst[d + c] = src[s];
  }
}

/** Multiplier 1: dx as XNNPACK's forward depthwise convolution of dy↑ with the rotated filter; null when the pads do not fit. */
function viaDepthwiseConvolution(backend: BackendWasm, dy: tf.TensorInfo, filter: tf.TensorInfo, g: ConvGeometry): tf.TensorInfo | null {
  const { kH, kW, inC: C, strideH: sH, strideW: sW } = g;
  const DH = (g.outH - 1) * sH + 1;
  const DW = (g.outW - 1) * sW + 1;
  const top = kH - 1 - g.padTop;
  const left = kW - 1 - g.padLeft;
  const bottom = g.inH + kH - 1 - DH - top;
  const right = g.inW + kW - 1 - DW - left;
  if (top < 0 || left < 0 || bottom < 0 || right < 0) return null;
  const rotated = backend.makeOutput([kH, kW, C, 1], 'float32');
  let spread = dy;
  if (sH > 1 || sW > 1) {
    spread = backend.makeOutput([g.batch, DH, DW, C], 'float32');
    const d = heapF32(backend, spread);
    d.fill(0);
    runBands(dilateBand, d.buffer, [heapF32(backend, dy).byteOffset, d.byteOffset, g.batch, g.outH, g.outW, C, DH, DW, sH, sW], g.batch * g.outH);
  }
  const w = heapF32(backend, filter);
  const r = heapF32(backend, rotated);
  // tap (kh, kw) of the rotated filter is tap (KH−1−kh, KW−1−kw) of the filter: the tap order reversed
  const taps = kH * kW;
  for (let t = 0; t < taps; t++) r.set(w.subarray((taps - 1 - t) * C, (taps - t) * C), t * C);
  try {
    return wasmKernel('DepthwiseConv2dNative')({
      inputs: { x: spread, filter: rotated },
      backend,
      attrs: { strides: [1, 1], dilations: [1, 1], dataFormat: 'NHWC', pad: [[0, 0], [top, bottom], [left, right], [0, 0]] },
    });
  } finally {
    release(backend, rotated);
    if (spread !== dy) release(backend, spread);
  }
}
