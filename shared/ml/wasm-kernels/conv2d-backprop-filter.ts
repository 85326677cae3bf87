/**
 * Conv2DBackpropFilter for the wasm backend (the kernel is missing there; conv2d training needs it).
 *
 * Formulation: dW[KH·KW·CI, CO] = colsT[KH·KW·CI, P] · dy[P, CO], with P = B·OH·OW and colsT the
 * transposed im2col matrix of x, built in JS directly in the transposed layout so that the product
 * runs on XNNPACK's fast (untransposed, batch 1) matmul path. When colsT would exceed the patch
 * budget (./patch-budget) the output rows are processed in bands and the partial products summed.
 *
 * 1×1 convolutions (stride 1, no padding) with at most 128·128 filter elements (channels rounded
 * up to 4 in, 8 out), where the SIMD loops are installed (./simd-kernels): x is already the [P, CI]
 * matrix, so dW = xᵀ·dy runs as ./simd-wat's atbBand over bands of rows of P (each band's partial
 * in float32, the bands' partials summed in band order in float64): no transposed copy of x, no
 * packing of dy, and the long P split over the threads (XNNPACK splits the small CI·CO instead).
 *
 * Other filter sizes with as few channels (the first convolution, a small CNN's 3×3 layers) run the
 * same loop once per tap (kh, kw) and output row, without an im2col: the row's input pixels that the
 * tap reads are the rows of A (stride·CI apart), the row of dy is B, and the products of a band of
 * output rows accumulate in the band's [taps, CI, CO] float32 partial (the bands' partials summed
 * in band order in float64). Bands are fixed by the shapes, so the result is the same on any number
 * of threads. FMNIST's 3×3 32→64 filter gradient at batch 64: 55 ms by im2col and XNNPACK.
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
  if (atbTiles(g.inC, g.outC).padded <= ATB_MAX_OUTPUTS && simdKernels()) {
    const dW = isPointwise(g) ? pointwiseFilterGradient(backend, x, dy, g, attrs.filterShape) : tapsFilterGradient(backend, x, dy, g, attrs.filterShape);
    if (dW) return dW;
  }
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
 * Per tap the same: the 3×3 filter gradients at 3→8 (mobilenet's stem, 224 px) 13 → 2 ms, 32→64
 * (FMNIST) 55 → 15 ms, 128→128 even, 256→256 (the YOLOv2 head) 24 ms by XNNPACK against 70.
 */
const ATB_MAX_OUTPUTS = 128 * 128;

/** A 1×1 convolution of stride 1 without padding: x [B, H, W, CI] is the [P, CI] matrix of its patches. */
function isPointwise(g: ConvGeometry): boolean {
  return g.kH === 1 && g.kW === 1 && g.strideH === 1 && g.strideW === 1 && g.padTop === 0 && g.padLeft === 0 && g.outH === g.inH && g.outW === g.inW;
}

/** The Aᵀ·B loop's output tiles: CI rounded up to 4, CO to 8, and the padded product. */
export function atbTiles(M: number, N: number): { M: number; N: number; padded: number } {
  const Mp = Math.ceil(M / 4) * 4;
  const Np = Math.ceil(N / 8) * 8;
  return { M: Mp, N: Np, padded: Mp * Np };
}

/** Rows of P per band of the Aᵀ·B loop: a band's rows of x and dy take about 256 KB. */
export function atbRowsPerBand(M: number, N: number): number {
  return Math.max(64, Math.floor(65536 / (M + N)));
}

/**
 * Band loop. args: a, b, partials byte offsets; M, N (the tiles' padded sizes), lda, ldb, K, rows
 * per band. Band i sums rows [i·rows, (i+1)·rows) of Aᵀ·B into its own [M×N] float32 partial
 * (./simd-wat atbBand).
 */
export function atbBand(heap: ArrayBufferLike, a: ArrayLike<number>, band: number): void {
  void heap;
  const simd = (globalThis as { __detectaWasmSimdKernels?: { atbBand(...args: number[]): void } }).__detectaWasmSimdKernels;
  if (!simd) throw new Error('Conv2DBackpropFilter: a SIMD job reached a thread without the SIMD loops');
  const M = a[3], N = a[4], K = a[7], rows = a[8];
  const k0 = band * rows;
  simd.atbBand(a[0], a[1], a[2] + band * M * N * 4, M, N, a[5], a[6], k0, Math.min(K, k0 + rows), 0);
}

/**
 * Runs an Aᵀ·B job that writes float32 partials (`partialFloats` of scratch at the byte offset it
 * gets), then sums them in float64 with `reduce` into a new dW. Null when x or dy lies too near the
 * heap's end for the tiles' over-read (`overread` floats past each): the caller takes another path.
 */
function atbIntoFilter(
  backend: BackendWasm, x: tf.TensorInfo, dy: tf.TensorInfo, overread: { x: number; dy: number }, partialFloats: number, filterShape: [number, number, number, number],
  run: (xAt: number, dyAt: number, partialsAt: number, heap: ArrayBufferLike) => void, reduce: (partials: Float32Array, sum: Float64Array) => void,
): tf.TensorInfo | null {
  const partials = backend.makeOutput([partialFloats], 'float32');
  const dW = backend.makeOutput([...filterShape], 'float32');
  let done = false;
  try {
    const xs = heapF32(backend, x);
    const dys = heapF32(backend, dy);
    const inHeap = (v: Float32Array, extra: number) => v.byteOffset + (v.length + extra) * 4 <= xs.buffer.byteLength;
    if (inHeap(xs, overread.x) && inHeap(dys, overread.dy)) {
      run(xs.byteOffset, dys.byteOffset, heapF32(backend, partials).byteOffset, xs.buffer);
      const out = heapF32(backend, dW);
      const sum = new Float64Array(out.length);
      reduce(heapF32(backend, partials), sum);
      out.set(sum);
      done = true;
    }
  } finally {
    release(backend, partials);
    if (!done) release(backend, dW);
  }
  return done ? dW : null;
}

/** dW of a 1×1 convolution by the Aᵀ·B loop; null when x or dy lies too near the heap's end for the tiles' over-read. */
function pointwiseFilterGradient(backend: BackendWasm, x: tf.TensorInfo, dy: tf.TensorInfo, g: ConvGeometry, filterShape: [number, number, number, number]): tf.TensorInfo | null {
  const M = g.inC, N = g.outC, K = g.batch * g.inH * g.inW;
  const tiles = atbTiles(M, N);
  const rows = atbRowsPerBand(tiles.M, tiles.N);
  const bands = Math.ceil(K / rows);
  // the last row's tiles read up to 3 (x) and 7 (dy) floats past the tensor: they must be on the heap
  return atbIntoFilter(backend, x, dy, { x: tiles.M - M, dy: tiles.N - N }, bands * tiles.padded, filterShape,
    (xAt, dyAt, partialsAt, heap) => runBands(atbBand, heap, [xAt, dyAt, partialsAt, tiles.M, tiles.N, M, N, K, rows], bands),
    (p, sum) => {
      for (let b = 0; b < bands; b++) {
        for (let m = 0; m < M; m++) {
          const from = b * tiles.padded + m * tiles.N;
          for (let n = 0; n < N; n++) sum[m * N + n] += p[from + n]!;
        }
      }
    });
}

/** Bands of output rows of the per-tap loop: at most this many (their partials are summed at the end). */
const TAP_BANDS = 32;

/**
 * Band loop of the per-tap filter gradient. args: x, dy, partials byte offsets; batch, inH, inW,
 * inC, outH, outW, kH, kW, strideH, strideW, padTop, padLeft, outC; M, N (padded CI, CO); output
 * rows (b·outH + oh) per band. Band i zeroes its [kH·kW, M, N] partial and adds, for each of its rows
 * and each tap whose input row lies inside the image, Aᵀ·B over the row's valid output columns.
 */
export function tapsFilterBand(heap: ArrayBufferLike, a: ArrayLike<number>, band: number): void {
  const simd = (globalThis as { __detectaWasmSimdKernels?: { atbBand(...args: number[]): void } }).__detectaWasmSimdKernels;
  if (!simd) throw new Error('Conv2DBackpropFilter: a SIMD job reached a thread without the SIMD loops');
  const batch = a[3], inH = a[4], inW = a[5], inC = a[6], outH = a[7], outW = a[8], kH = a[9], kW = a[10];
  const sH = a[11], sW = a[12], pT = a[13], pL = a[14], outC = a[15], M = a[16], N = a[17], perBand = a[18];
  const tile = M * N;
  const partial = a[2] + band * kH * kW * tile * 4;
  new Float32Array(heap, partial, kH * kW * tile).fill(0);
  const r0 = band * perBand;
  const r1 = Math.min(batch * outH, r0 + perBand);
  for (let r = r0; r < r1; r++) {
    const b = Math.floor(r / outH);
    const oh = r - b * outH;
    for (let kh = 0; kh < kH; kh++) {
      const ih = oh * sH + kh - pT;
      if (ih < 0 || ih >= inH) continue;
      for (let kw = 0; kw < kW; kw++) {
        const owLo = Math.min(outW, Math.max(0, Math.ceil((pL - kw) / sW)));
        const owHi = Math.min(outW, Math.floor((inW - 1 + pL - kw) / sW) + 1);
        if (owHi <= owLo) continue;
        const xAt = a[0] + (((b * inH + ih) * inW + owLo * sW + kw - pL) * inC) * 4;
        const dyAt = a[1] + ((r * outW + owLo) * outC) * 4;
        simd.atbBand(xAt, dyAt, partial + (kh * kW + kw) * tile * 4, M, N, sW * inC, outC, 0, owHi - owLo, 1);
      }
    }
  }
}

/** dW of any convolution with few channels by the per-tap Aᵀ·B loop; null when x or dy lies too near the heap's end for the tiles' over-read. */
function tapsFilterGradient(backend: BackendWasm, x: tf.TensorInfo, dy: tf.TensorInfo, g: ConvGeometry, filterShape: [number, number, number, number]): tf.TensorInfo | null {
  const tiles = atbTiles(g.inC, g.outC);
  const taps = g.kH * g.kW;
  const rows = g.batch * g.outH;
  const perBand = Math.ceil(rows / TAP_BANDS);
  const bands = Math.ceil(rows / perBand);
  const CI = g.inC, CO = g.outC;
  return atbIntoFilter(backend, x, dy, { x: tiles.M - CI, dy: tiles.N - CO }, bands * taps * tiles.padded, filterShape,
    (xAt, dyAt, partialsAt, heap) => runBands(tapsFilterBand, heap, [
      xAt, dyAt, partialsAt, g.batch, g.inH, g.inW, g.inC, g.outH, g.outW, g.kH, g.kW, g.strideH, g.strideW, g.padTop, g.padLeft, g.outC, tiles.M, tiles.N, perBand,
    ], bands),
    (p, sum) => {
      for (let b = 0; b < bands; b++) {
        for (let t = 0; t < taps; t++) {
          for (let m = 0; m < CI; m++) {
            const from = (b * taps + t) * tiles.padded + m * tiles.N;
            const to = (t * CI + m) * CO;
            for (let n = 0; n < CO; n++) sum[to + n] += p[from + n]!;
          }
        }
      }
    });
}
