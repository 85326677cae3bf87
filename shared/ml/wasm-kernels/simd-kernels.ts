/**
 * How band loops reach the SIMD loops of ./simd-wat: the instance's exports live in one global,
 * SIMD_KERNELS_GLOBAL, on every thread that runs bands (set by main/training/wasm-kernels/simd-init
 * on the trainer's thread, and by the band pool on its workers from the same compiled module). A
 * band loop is self-contained (see ./bands) and so reads the global itself; a kernel asks
 * `simdKernels()` whether to prepare a SIMD job (its scratch) at all.
 *
 * Where no module is installed (the browser, or DETECTA_WASM_SIMD_KERNELS=0) the JavaScript loops run.
 *
 * Browser-safe: no imports.
 */

export const SIMD_KERNELS_GLOBAL = '__detectaWasmSimdKernels';

/** The exports of the ./simd-wat module (byte offsets and sizes as i32 numbers). */
export interface SimdKernelExports {
  dwFilterBand(
    x: number, dy: number, out: number, acc: number,
    batch: number, inH: number, inW: number, inC: number, outH: number, outW: number,
    kW: number, strideH: number, strideW: number, padTop: number, padLeft: number,
    kh: number, kwLo: number, kwHi: number, c0: number, c1: number,
  ): void;
  atbBand(a: number, b: number, out: number, M: number, N: number, lda: number, ldb: number, k0: number, k1: number, accumulate: number): void;
  leakyReluGrad(dy: number, x: number, out: number, n: number, alpha: number): void;
  relu6Grad(dy: number, y: number, out: number, n: number): void;
  maxPoolGradBand(
    x: number, dy: number, dx: number, y: number, b: number,
    inH: number, inW: number, C: number, outH: number, outW: number,
    fH: number, fW: number, strideH: number, strideW: number, padTop: number, padLeft: number, c0: number, c1: number,
  ): void;
}

type WithSimd = { [SIMD_KERNELS_GLOBAL]?: SimdKernelExports | undefined };

/** Installs (or with null removes) this thread's SIMD loops. */
export function setSimdKernels(exports: SimdKernelExports | null): void {
  const g = globalThis as WithSimd;
  if (exports) g[SIMD_KERNELS_GLOBAL] = exports;
  else delete g[SIMD_KERNELS_GLOBAL];
}

/** This thread's SIMD loops, or null. */
export function simdKernels(): SimdKernelExports | null {
  return (globalThis as WithSimd)[SIMD_KERNELS_GLOBAL] ?? null;
}
