/**
 * Thin, typed access to the tfjs wasm backend from inside a kernel function: allocating outputs,
 * viewing tensor memory on the wasm heap, running another wasm kernel and freeing intermediates.
 *
 * Browser-safe: imports only tfjs (types from the wasm package are erased at compile time).
 */
import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

export type { BackendWasm };

/** Narrows the `backend` a kernel function receives; throws if it is not the wasm backend. */
export function asWasmBackend(backend: unknown): BackendWasm {
  const b = backend as Partial<BackendWasm> | null;
  if (b == null || typeof b.makeOutput !== 'function' || typeof b.typedArrayFromHeap !== 'function' || b.wasm == null) {
    throw new Error('wasm training kernels: expected the tfjs wasm backend as kernel backend');
  }
  return b as BackendWasm;
}

/** Throws unless every tensor is float32 (the only dtype these kernels compute in). */
export function assertFloat32(kernel: string, ...infos: tf.TensorInfo[]): void {
  for (const t of infos) {
    if (t.dtype !== 'float32') throw new Error(`${kernel} (wasm training kernels): dtype ${t.dtype} is not supported, only float32`);
  }
}

/**
 * Float32 view of a tensor's memory on the wasm heap. Views are invalidated when the heap grows,
 * i.e. by any allocation (makeOutput, another kernel): take views only after the last allocation.
 */
export function heapF32(backend: BackendWasm, t: tf.TensorInfo): Float32Array {
  return backend.typedArrayFromHeap(t) as Float32Array;
}

/** Same storage, different shape (no copy, no reference count): never dispose the alias itself. */
export function withShape(t: tf.TensorInfo, shape: number[]): tf.TensorInfo {
  return { dataId: t.dataId, shape, dtype: t.dtype };
}

/** Frees an intermediate made inside a kernel (outputs returned to the engine must not be freed). */
export function release(backend: BackendWasm, ...infos: tf.TensorInfo[]): void {
  for (const t of infos) backend.disposeData(t.dataId);
}

/** A kernel function of the wasm backend, captured by name. */
export type WasmKernelFunc = (args: { inputs: tf.NamedTensorInfoMap; backend: BackendWasm; attrs?: tf.NamedAttrMap }) => tf.TensorInfo;

/** Looks up the kernel currently registered for 'wasm'; throws a clear error when absent. */
export function wasmKernel(name: string): WasmKernelFunc {
  const k = tf.getKernel(name, 'wasm');
  if (k == null) throw new Error(`wasm training kernels: the wasm backend has no '${name}' kernel`);
  return k.kernelFunc as unknown as WasmKernelFunc;
}
