/**
 * How the training kernels' JavaScript loops run: split into bands that a runner executes, on the
 * calling thread alone (the default, and always when the wasm heap is not shared) or on a pool of
 * threads sharing the wasm heap (main/training/wasm-kernels/band-pool, installed by its node-init in Node's threaded build).
 *
 * A band loop is `(heap, args, band) => void`: it views the tensors it needs on `heap` (the wasm
 * heap's buffer) at the byte offsets in `args`, and computes band number `band`. Rules every band
 * loop follows, so that its results do not depend on the number of threads:
 *  - band boundaries are a function of the arguments only (never of the thread count);
 *  - no two bands write the same element, and each element is computed by one band with the same
 *    arithmetic in the same order as on one thread, so results are bit-identical for any count;
 *  - the loop is self-contained: it refers to nothing outside its own body but globals (typed
 *    arrays, Math), because the pool ships its source text to the worker threads
 *    (./band-kernels lists the loops that may run there).
 *
 * Browser-safe: no imports.
 */

/** A kernel's inner loop over one band. `heap` is the wasm heap's buffer (shared in the threaded build). */
export type BandLoop = (heap: ArrayBufferLike, args: ArrayLike<number>, band: number) => void;

/** Runs bands 0 … bands−1 of a loop; the call returns when every band is done. */
export interface BandRunner {
  /** Threads the runner computes on, the calling one included. */
  readonly threads: number;
  run(loop: BandLoop, heap: ArrayBufferLike, args: ArrayLike<number>, bands: number): void;
}

/** Every band on the calling thread, in order. */
export const SERIAL_RUNNER: BandRunner = {
  threads: 1,
  run(loop, heap, args, bands) {
    for (let b = 0; b < bands; b++) loop(heap, args, b);
  },
};

let current: BandRunner = SERIAL_RUNNER;

/** Installs the runner the kernels use from now on; `null` restores the serial one. */
export function setBandRunner(runner: BandRunner | null): void {
  current = runner ?? SERIAL_RUNNER;
}

/** The runner in use (SERIAL_RUNNER unless a pool is installed). */
export function bandRunner(): BandRunner {
  return current;
}

/**
 * Runs `loop` over `bands` bands with the installed runner. Only a shared heap can be handed to
 * other threads; any other heap, and a single band, run serially on the calling thread.
 */
export function runBands(loop: BandLoop, heap: ArrayBufferLike, args: ArrayLike<number>, bands: number): void {
  if (bands <= 0) return;
  const shared = typeof SharedArrayBuffer !== 'undefined' && heap instanceof SharedArrayBuffer;
  if (bands === 1 || !shared || current.threads <= 1) SERIAL_RUNNER.run(loop, heap, args, bands);
  else current.run(loop, heap, args, bands);
}

