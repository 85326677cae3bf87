/**
 * Fixes to tfjs cpu backend kernels that training needs, registered over the stock ones when the
 * trainer selects the cpu backend (backend.ts); each is checked against a direct computation.
 * - ResizeNearestNeighborGrad: the stock kernel is wrong for every image after the first of a
 *   batch (resize-nearest-neighbor-grad.ts).
 * Browser-safe: imports only tfjs.
 */
import * as tf from '@tensorflow/tfjs';
import { RESIZE_NEAREST_NEIGHBOR_GRAD, makeResizeNearestNeighborGrad } from './resize-nearest-neighbor-grad';

const BACKEND = 'cpu';
const displaced = new Map<string, tf.KernelConfig>();

/** Replaces the stock cpu kernels with ours (idempotent). Returns the kernel names now ours. */
export function registerCpuTrainingKernels(): string[] {
  if (!displaced.has(RESIZE_NEAREST_NEIGHBOR_GRAD)) {
    const stock = tf.getKernel(RESIZE_NEAREST_NEIGHBOR_GRAD, BACKEND);
    if (stock == null) throw new Error(`cpu kernels: stock cpu kernel '${RESIZE_NEAREST_NEIGHBOR_GRAD}' is not registered`);
    tf.unregisterKernel(RESIZE_NEAREST_NEIGHBOR_GRAD, BACKEND);
    tf.registerKernel({ ...stock, kernelFunc: makeResizeNearestNeighborGrad(stock.kernelFunc) });
    displaced.set(RESIZE_NEAREST_NEIGHBOR_GRAD, stock);
  }
  return [...displaced.keys()];
}

/** Puts the stock kernels back. */
export function unregisterCpuTrainingKernels(): void {
  for (const [name, stock] of displaced) {
    tf.unregisterKernel(name, BACKEND);
    tf.registerKernel(stock);
  }
  displaced.clear();
}
