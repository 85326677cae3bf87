/**
 * Matrix helpers on the wasm heap: the fast XNNPACK matrix product and a blocked 2-D transpose.
 *
 * The wasm backend's BatchMatMul only reaches XNNPACK (≈25–30 GFLOP/s single-threaded here) when
 * neither operand is transposed and the batch is 1; every other case runs a naive C++ loop that is
 * about 10× slower. The training kernels therefore lay their operands out so that they can always
 * call `matMulNN`.
 */
import type * as tf from '@tensorflow/tfjs';
import { runBands } from './bands';
import { heapF32, wasmKernel, withShape, type BackendWasm } from './wasm-backend';

/**
 * C[M, N] = A[M, K] · B[K, N] through the wasm BatchMatMul kernel's XNNPACK path.
 * `a` and `b` may have any shape with the right element count; the result has shape [M, N] and is
 * owned by the caller. XNNPACK packs `b` as the "weights" operand, so put the smaller or reused
 * matrix there when there is a choice.
 */
export function matMulNN(backend: BackendWasm, a: tf.TensorInfo, b: tf.TensorInfo, m: number, k: number, n: number): tf.TensorInfo {
  const out = wasmKernel('BatchMatMul')({
    inputs: { a: withShape(a, [1, m, k]), b: withShape(b, [1, k, n]) },
    backend,
    attrs: { transposeA: false, transposeB: false },
  });
  return withShape(out, [m, n]);
}

/** Source rows per band of a threaded transpose (a multiple of the 32-row block). */
const BAND_ROWS = 128;

/**
 * Band loop of transpose2d. args: src, dst byte offsets, rows, cols, rows per band. Band = source
 * rows [band·perBand, …) in 32×32 blocks; every element is written once, by a copy.
 */
export function transposeBand(heap: ArrayBufferLike, a: ArrayLike<number>, band: number): void {
  const rows = a[2], cols = a[3], perBand = a[4];
  const src = new Float32Array(heap, a[0], rows * cols);
  const dst = new Float32Array(heap, a[1], rows * cols);
  const lo = band * perBand;
  const hi = Math.min(rows, lo + perBand);
  for (let r0 = lo; r0 < hi; r0 += 32) {
    const r1 = Math.min(hi, r0 + 32);
    for (let c0 = 0; c0 < cols; c0 += 32) {
      const c1 = Math.min(cols, c0 + 32);
      for (let r = r0; r < r1; r++) {
        const s = r * cols;
        for (let c = c0; c < c1; c++) dst[c * rows + r] = src[s + c];
      }
    }
  }
}

/**
 * dst[c, r] = src[r, c] for a rows×cols row-major matrix, in cache-friendly 32×32 blocks. Both
 * must be views of one buffer (the wasm heap); bands of rows run on the kernels' threads (./bands).
 */
export function transpose2d(src: Float32Array, rows: number, cols: number, dst: Float32Array): void {
  if (src.buffer !== dst.buffer) throw new Error('transpose (wasm training kernels): both arrays must be views of the wasm heap');
  runBands(transposeBand, src.buffer, [src.byteOffset, dst.byteOffset, rows, cols, BAND_ROWS], Math.ceil(rows / BAND_ROWS));
}

/** A new [cols, rows] tensor holding the transpose of the [rows, cols] matrix `t` (caller owns it). */
export function transposed(backend: BackendWasm, t: tf.TensorInfo, rows: number, cols: number): tf.TensorInfo {
  const out = backend.makeOutput([cols, rows], 'float32');
  transpose2d(heapF32(backend, t), rows, cols, heapF32(backend, out));
  return out;
}
