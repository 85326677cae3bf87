/**
 * Conv2DBackpropFilter for the wasm backend (the kernel is missing there; conv2d training needs it).
 *
 * Formulation: dW[KH·KW·CI, CO] = colsT[KH·KW·CI, P] · dy[P, CO], with P = B·OH·OW and colsT the
 * transposed im2col matrix of x, built in JS directly in the transposed layout so that the product
 * runs on XNNPACK's fast (untransposed, batch 1) matmul path.
 *
 * Supports: NHWC, any strides, 'same' / 'valid' / numeric / explicit padding, dimRoundingMode, any
 * batch and filter size. Rejects NCHW (the wasm Conv2D cannot run it either) and non-float32.
 * Memory: one temporary of KH·KW·CI·B·OH·OW floats.
 */
import type * as tf from '@tensorflow/tfjs';
import { assertDyShape, convGeometry, type ConvAttrs } from './conv-geometry';
import { im2colTransposed } from './im2col';
import { matMulNN } from './matmul';
import { asWasmBackend, assertFloat32, heapF32, release, withShape } from './wasm-backend';

export const CONV2D_BACKPROP_FILTER = 'Conv2DBackpropFilter';

interface Attrs extends ConvAttrs { filterShape: [number, number, number, number] }

export function conv2DBackpropFilter(args: { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap }): tf.TensorInfo {
  const backend = asWasmBackend(args.backend);
  const { x, dy } = args.inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
  const attrs = args.attrs as unknown as Attrs;
  assertFloat32(CONV2D_BACKPROP_FILTER, x, dy);
  const g = convGeometry(CONV2D_BACKPROP_FILTER, x.shape, attrs.filterShape, attrs, false);
  assertDyShape(CONV2D_BACKPROP_FILTER, dy.shape, g);
  const P = g.batch * g.outH * g.outW;
  const T = g.kH * g.kW * g.inC;
  const colsT = backend.makeOutput([T, P], 'float32');
  im2colTransposed(heapF32(backend, x), g, heapF32(backend, colsT));
  const dW = matMulNN(backend, colsT, dy, T, P, g.outC);
  release(backend, colsT);
  return withShape(dW, [...attrs.filterShape]);
}
