/**
 * Conv2DBackpropInput for the wasm backend, replacing the stock kernel, which is a naive C++ loop
 * (several times slower than the convolution it differentiates). Two formulations:
 *
 * - stride 1 (every 3×3 'same'/'valid' layer of our presets): a plain convolution on XNNPACK,
 *   dx = conv2d(dy, W̃, stride 1, explicit pads [KH−1−top, KH−1−bottom] × [KW−1−left, KW−1−right]),
 *   with W̃[kh, kw, co, ci] = W[KH−1−kh, KW−1−kw, ci, co] (the filter rotated 180° with its channel
 *   axes swapped; small, built in JS).
 * - any other stride: cols[P, KH·KW·CI] = dy[P, CO] · Wᵀ[CO, KH·KW·CI] on XNNPACK's fast matmul
 *   path (P = B·OH·OW), then a col2im scatter-add into the zeroed dx; in bands of output rows when
 *   cols would exceed the patch budget (./patch-budget).
 *
 * Supports: NHWC, any strides, 'same' / 'valid' / numeric / explicit padding, dimRoundingMode.
 * Rejects NCHW and non-float32.
 */
import type * as tf from '@tensorflow/tfjs';
import { assertDyShape, convGeometry, type ConvAttrs, type ConvGeometry } from './conv-geometry';
import { col2imAdd } from './im2col';
import { matMulNN, transposed } from './matmul';
import { rowsPerBand } from './patch-budget';
import { asWasmBackend, assertFloat32, heapF32, release, wasmKernel, type BackendWasm } from './wasm-backend';

export const CONV2D_BACKPROP_INPUT = 'Conv2DBackpropInput';

interface Attrs extends ConvAttrs { inputShape: [number, number, number, number] }

export function conv2DBackpropInput(args: { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap }): tf.TensorInfo {
  const backend = asWasmBackend(args.backend);
  const { dy, filter } = args.inputs as { dy: tf.TensorInfo; filter: tf.TensorInfo };
  const attrs = args.attrs as unknown as Attrs;
  assertFloat32(CONV2D_BACKPROP_INPUT, dy, filter);
  const g = convGeometry(CONV2D_BACKPROP_INPUT, attrs.inputShape, filter.shape, attrs, false);
  assertDyShape(CONV2D_BACKPROP_INPUT, dy.shape, g);
  const unitStride = g.strideH === 1 && g.strideW === 1;
  const padsFit = g.padTop < g.kH && g.padBottom < g.kH && g.padLeft < g.kW && g.padRight < g.kW;
  return unitStride && padsFit ? viaConvolution(backend, dy, filter, g) : viaCol2im(backend, dy, filter, g, attrs.inputShape);
}

/** Stride 1: dx as a forward convolution of dy with the rotated, channel-swapped filter. */
function viaConvolution(backend: BackendWasm, dy: tf.TensorInfo, filter: tf.TensorInfo, g: ConvGeometry): tf.TensorInfo {
  const { kH, kW, inC, outC } = g;
  const rotated = backend.makeOutput([kH, kW, outC, inC], 'float32');
  const w = heapF32(backend, filter);
  const r = heapF32(backend, rotated);
  for (let kh = 0; kh < kH; kh++) {
    for (let kw = 0; kw < kW; kw++) {
      const src = ((kH - 1 - kh) * kW + (kW - 1 - kw)) * inC * outC;
      const dst = (kh * kW + kw) * outC * inC;
      for (let ci = 0; ci < inC; ci++) {
        for (let co = 0; co < outC; co++) r[dst + co * inC + ci] = w[src + ci * outC + co];
      }
    }
  }
  try {
    return wasmKernel('Conv2D')({
      inputs: { x: dy, filter: rotated },
      backend,
      attrs: {
        strides: [1, 1], dilations: [1, 1], dataFormat: 'NHWC',
        pad: [[0, 0], [kH - 1 - g.padTop, kH - 1 - g.padBottom], [kW - 1 - g.padLeft, kW - 1 - g.padRight], [0, 0]],
      },
    });
  } finally {
    release(backend, rotated);
  }
}

/** Any stride: matrix product to patch columns, then col2im, in bands of output rows. */
function viaCol2im(backend: BackendWasm, dy: tf.TensorInfo, filter: tf.TensorInfo, g: ConvGeometry, inputShape: number[]): tf.TensorInfo {
  const rows = g.batch * g.outH;
  const T = g.kH * g.kW * g.inC;
  const CO = g.outC;
  const band = rowsPerBand(T * g.outW, rows);
  const wT = transposed(backend, filter, T, CO);
  const dx = backend.makeOutput([...inputShape], 'float32');
  heapF32(backend, dx).fill(0);
  for (let r0 = 0; r0 < rows; r0 += band) {
    const r1 = Math.min(rows, r0 + band);
    const P = (r1 - r0) * g.outW;
    let dyBand = dy;
    if (band < rows) {
      dyBand = backend.makeOutput([P, CO], 'float32');
      heapF32(backend, dyBand).set(heapF32(backend, dy).subarray(r0 * g.outW * CO, r1 * g.outW * CO));
    }
    const cols = matMulNN(backend, dyBand, wT, P, CO, T);
    col2imAdd(heapF32(backend, cols), g, heapF32(backend, dx), r0, r1);
    release(backend, cols);
    if (dyBand !== dy) release(backend, dyBand);
  }
  release(backend, wT);
  return dx;
}
