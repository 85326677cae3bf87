/**
 * Conv2DBackpropInput for the wasm backend, replacing the stock kernel, which is a naive
 * single-loop C++ implementation (several times slower than the convolution it differentiates).
 *
 * Formulation: cols[P, KH·KW·CI] = dy[P, CO] · Wᵀ[CO, KH·KW·CI] on XNNPACK's fast matmul path
 * (Wᵀ is the HWIO filter flattened to [KH·KW·CI, CO] and transposed in JS: it is small), then a
 * col2im scatter-add of cols into the zeroed dx. P = B·OH·OW.
 *
 * Supports: NHWC, any strides, 'same' / 'valid' / numeric / explicit padding, dimRoundingMode.
 * Rejects NCHW and non-float32. Memory: one temporary of B·OH·OW·KH·KW·CI floats.
 */
import type * as tf from '@tensorflow/tfjs';
import { assertDyShape, convGeometry, type ConvAttrs } from './conv-geometry';
import { col2imAdd } from './im2col';
import { matMulNN, transposed } from './matmul';
import { asWasmBackend, assertFloat32, heapF32, release } from './wasm-backend';

export const CONV2D_BACKPROP_INPUT = 'Conv2DBackpropInput';

interface Attrs extends ConvAttrs { inputShape: [number, number, number, number] }

export function conv2DBackpropInput(args: { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap }): tf.TensorInfo {
  const backend = asWasmBackend(args.backend);
  const { dy, filter } = args.inputs as { dy: tf.TensorInfo; filter: tf.TensorInfo };
  const attrs = args.attrs as unknown as Attrs;
  assertFloat32(CONV2D_BACKPROP_INPUT, dy, filter);
  const g = convGeometry(CONV2D_BACKPROP_INPUT, attrs.inputShape, filter.shape, attrs, false);
  assertDyShape(CONV2D_BACKPROP_INPUT, dy.shape, g);
  const P = g.batch * g.outH * g.outW;
  const T = g.kH * g.kW * g.inC;
  const wT = transposed(backend, filter, T, g.outC);
  const cols = matMulNN(backend, dy, wT, P, g.outC, T);
  release(backend, wT);
  const dx = backend.makeOutput([...attrs.inputShape], 'float32');
  const dxHeap = heapF32(backend, dx);
  dxHeap.fill(0);
  col2imAdd(heapF32(backend, cols), g, dxHeap);
  release(backend, cols);
  return dx;
}
