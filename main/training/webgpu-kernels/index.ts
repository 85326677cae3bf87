/**
 * Fixes to tfjs-backend-webgpu kernels that training needs (issue 17), registered over the stock
 * ones when the trainer's webgpu backend starts (webgpu-backend.ts). Like ../wasm-kernels, each
 * fix is a kernel of ours; its test compares the result with the cpu backend.
 * - Cast: int32/bool → float32 gives a float32 buffer (the stock kernel relabels the int32 one,
 *   which breaks Transpose and any kernel indexing its input's raw array); see cast.ts.
 *
 * Browser-safe: imports only tfjs. Call after '@tensorflow/tfjs-backend-webgpu' is imported (it
 * registers the stock kernels then).
 */
import * as tf from '@tensorflow/tfjs';
import { CAST, makeCast } from './cast';

const BACKEND = 'webgpu';
const displaced = new Map<string, tf.KernelConfig>();

/** Replaces the stock webgpu kernels with ours (idempotent). Returns the kernel names now ours. */
export function registerWebGpuTrainingKernels(): string[] {
  if (!displaced.has(CAST)) {
    const stock = tf.getKernel(CAST, BACKEND);
    if (stock == null) throw new Error(`webgpu kernels: stock webgpu kernel '${CAST}' is not registered; import @tensorflow/tfjs-backend-webgpu first`);
    tf.unregisterKernel(CAST, BACKEND);
    tf.registerKernel({ ...stock, kernelFunc: makeCast(stock.kernelFunc) });
    displaced.set(CAST, stock);
  }
  return [...displaced.keys()];
}

/** Puts the stock kernels back. */
export function unregisterWebGpuTrainingKernels(): void {
  for (const [name, stock] of displaced) {
    tf.unregisterKernel(name, BACKEND);
    tf.registerKernel(stock);
  }
  displaced.clear();
}
