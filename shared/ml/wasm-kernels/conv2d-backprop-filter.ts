/**
 * Conv2DBackpropFilter for the wasm backend (the kernel is missing there; conv2d training needs it).
 *
 * Formulation: dW[KH·KW·CI, CO] = colsT[KH·KW·CI, P] · dy[P, CO], with P = B·OH·OW and colsT the
 * transposed im2col matrix of x, built in JS directly in the transposed layout so that the product
 * runs on XNNPACK's fast (untransposed, batch 1) matmul path. When colsT would exceed the patch
 * budget (./patch-budget) the output rows are processed in bands and the partial products summed.
 *
 * 1×1 convolutions (stride 1, no padding) with input channels in fours, output channels in eights
 * and at most 128·128 filter elements, where the SIMD loops are installed (./simd-kernels): x is already the [P, CI] matrix, so
 * dW = xᵀ·dy runs as ./simd-wat's atbBand over bands of rows of P (each band's partial [CI, CO] in
 * float32, the bands' partials summed in band order in float64): no transposed copy of x, no
 * packing of dy, and the long P split over the threads (XNNPACK splits the small CI·CO instead).
 *
 * Supports: NHWC, any strides, 'same' / 'valid' / numeric / explicit padding, dimRoundingMode, any
 * batch and filter size. Rejects NCHW (the wasm Conv2D cannot run it either) and non-float32.
 */
import type * as tf from '@tensorflow/tfjs';
import { assertDyShape, convGeometry, type ConvAttrs } from './conv-geometry';
import { im2colTransposed } from './im2col';
import { matMulNN } from './matmul';
import { rowsPerBand } from './patch-budget';
import { runBands } from './bands';
import { simdKernels } from './simd-kernels';
import { asWasmBackend, assertFloat32, heapF32, release, withShape, type BackendWasm } from './wasm-backend';
import type { ConvGeometry } from './conv-geometry';

export const CONV2D_BACKPROP_FILTER = 'Conv2DBackpropFilter';

interface Attrs extends ConvAttrs { filterShape: [number, number, number, number] }

export function conv2DBackpropFilter(args: { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap }): tf.TensorInfo {
  const backend = asWasmBackend(args.backend);
  const { x, dy } = args.inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
  const attrs = args.attrs as unknown as Attrs;
  assertFloat32(CONV2D_BACKPROP_FILTER, x, dy);
  const g = convGeometry(CONV2D_BACKPROP_FILTER, x.shape, attrs.filterShape, attrs, false);
  assertDyShape(CONV2D_BACKPROP_FILTER, dy.shape, g);
  if (isPointwise(g) && g.inC % 4 === 0 && g.outC % 8 === 0 && g.inC * g.outC <= ATB_MAX_OUTPUTS && simdKernels()) return pointwiseFilterGradient(backend, x, dy, g, attrs.filterShape);
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

/**
 * Largest CI·CO for the Aᵀ·B loop: measured at mobilenet's pointwise shapes (batch 16), it is 1.5-3×
 * faster than XNNPACK up to 128→128 and slower from 128→256 on, where XNNPACK's larger tiles win.
 */
const ATB_MAX_OUTPUTS = 128 * 128;

/** A 1×1 convolution of stride 1 without padding: x [B, H, W, CI] is the [P, CI] matrix of its patches. */
function isPointwise(g: ConvGeometry): boolean {
  return g.kH === 1 && g.kW === 1 && g.strideH === 1 && g.strideW === 1 && g.padTop === 0 && g.padLeft === 0 && g.outH === g.inH && g.outW === g.inW;
}

/** Rows of P per band of the Aᵀ·B loop: a band's rows of x and dy take about 256 KB. */
export function atbRowsPerBand(M: number, N: number): number {
  return Math.max(64, Math.floor(65536 / (M + N)));
}

/**
 * Band loop. args: a, b, partials byte offsets; M, N, K, rows per band. Band i sums rows
 * [i·rows, (i+1)·rows) of Aᵀ·B into its own [M×N] float32 partial (./simd-wat atbBand).
 */
export function atbBand(heap: ArrayBufferLike, a: ArrayLike<number>, band: number): void {
  void heap;
  const simd = (globalThis as { __detectaWasmSimdKernels?: { atbBand(...args: number[]): void } }).__detectaWasmSimdKernels;
  if (!simd) throw new Error('Conv2DBackpropFilter: a SIMD job reached a thread without the SIMD loops');
  const M = a[3], N = a[4], K = a[5], rows = a[6];
  const k0 = band * rows;
  simd.atbBand(a[0], a[1], a[2] + band * M * N * 4, M, N, k0, Math.min(K, k0 + rows));
}

function pointwiseFilterGradient(backend: BackendWasm, x: tf.TensorInfo, dy: tf.TensorInfo, g: ConvGeometry, filterShape: [number, number, number, number]): tf.TensorInfo {
  const M = g.inC, N = g.outC, K = g.batch * g.inH * g.inW;
  const rows = atbRowsPerBand(M, N);
  const bands = Math.ceil(K / rows);
  const partials = backend.makeOutput([bands * M * N], 'float32');
  const dW = backend.makeOutput([...filterShape], 'float32');
  try {
    const xs = heapF32(backend, x);
    runBands(atbBand, xs.buffer, [xs.byteOffset, heapF32(backend, dy).byteOffset, heapF32(backend, partials).byteOffset, M, N, K, rows], bands);
    const p = heapF32(backend, partials);
    const out = heapF32(backend, dW);
    const sum = new Float64Array(M * N);
    for (let b = 0; b < bands; b++) {
      const base = b * M * N;
      for (let i = 0; i < sum.length; i++) sum[i] += p[base + i]!;
    }
    out.set(sum);
  } catch (e) {
    release(backend, dW);
    throw e;
  } finally {
    release(backend, partials);
  }
  return dW;
}
