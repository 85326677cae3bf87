/**
 * Our fixes over stock tfjs kernels of one backend: each fix wraps the stock kernel function and
 * is registered in its place; `restore` puts the stock kernels back. Used by cpu-kernels and
 * webgpu-kernels. Browser-safe: imports only tfjs.
 */
import * as tf from '@tensorflow/tfjs';

export interface KernelFix {
  name: string;
  make(stock: tf.KernelFunc): tf.KernelFunc;
}

export function kernelOverrides(backend: string, fixes: readonly KernelFix[], missingHint = ''): { register(): string[]; restore(): void } {
  const displaced = new Map<string, tf.KernelConfig>();
  return {
    /** Replaces the stock kernels with ours (idempotent). Returns the kernel names now ours. */
    register() {
      for (const fix of fixes) {
        if (displaced.has(fix.name)) continue;
        const stock = tf.getKernel(fix.name, backend);
        if (stock == null) throw new Error(`${backend} kernels: stock ${backend} kernel '${fix.name}' is not registered${missingHint}`);
        tf.unregisterKernel(fix.name, backend);
        tf.registerKernel({ ...stock, kernelFunc: fix.make(stock.kernelFunc) });
        displaced.set(fix.name, stock);
      }
      return [...displaced.keys()];
    },
    restore() {
      for (const [name, stock] of displaced) {
        tf.unregisterKernel(name, backend);
        tf.registerKernel(stock);
      }
      displaced.clear();
    },
  };
}
