/**
 * Conv2DBackpropFilter for the wasm backend (the kernel is missing there; conv2d training needs it).
 *
 * Formulation: dW[KH·KW·CI, CO] = colsT[KH·KW·CI, P] · dy[P, CO], with P = B·OH·OW and colsT the
 * transposed im2col matrix of x, built in JS directly in the transposed layout so that the product
 * runs on XNNPACK's fast (untransposed, batch 1) matmul path. When colsT would exceed the patch
 * budget (./patch-budget) the output rows are processed in bands and the partial products summed.
 *
 * Supports: NHWC, any strides, 'same' / 'valid' / numeric / explicit padding, dimRoundingMode, any
 * batch and filter size. Rejects NCHW (the wasm Conv2D cannot run it either) and non-float32.
 */
import type * as tf from '@tensorflow/tfjs';
import { assertDyShape, convGeometry, type ConvAttrs } from './conv-geometry';
import { im2colTransposed } from './im2col';
import { matMulNN } from './matmul';
import { rowsPerBand } from './patch-budget';
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
  const rows = g.batch * g.outH;
  const T = g.kH * g.kW * g.inC;
  const CO = g.outC;
  const band = rowsPerBand(T * g.outW, rows);
  if (band >= rows) {
    const P = rows * g.outW;
    const colsT = backend.makeOutput([T, P], 'float32');
    im2colTransposed(heapF32(backend, x), g, heapF32(backend, colsT));
    const dW = matMulNN(backend, colsT, dy, T, P, CO);
    release(backend, colsT);
    return withShape(dW, [...attrs.filterShape]);
  }
  const sum = new Float64Array(T * CO);
  for (let r0 = 0; r0 < rows; r0 += band) {
    const r1 = Math.min(rows, r0 + band);
    const P = (r1 - r0) * g.outW;
    const colsT = backend.makeOutput([T, P], 'float32');
    // A fresh tensor per band: XNNPACK caches packed weights by tensor id, so a reused buffer with
    // new contents would be multiplied with stale weights.
    const dyBand = backend.makeOutput([P, CO], 'float32');
    heapF32(backend, dyBand).set(heapF32(backend, dy).subarray(r0 * g.outW * CO, r1 * g.outW * CO));
    im2colTransposed(heapF32(backend, x), g, heapF32(backend, colsT), r0, r1);
    const part = matMulNN(backend, colsT, dyBand, T, P, CO);
    const partHeap = heapF32(backend, part);
    for (let i = 0; i < sum.length; i++) sum[i] += partHeap[i];
    release(backend, colsT, dyBand, part);
  }
  const dW = backend.makeOutput([...attrs.filterShape], 'float32');
  heapF32(backend, dW).set(sum);
  return dW;
}
