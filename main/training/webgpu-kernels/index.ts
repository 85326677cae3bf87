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
import { kernelOverrides } from '../kernel-overrides';
import { CAST, makeCast } from './cast';

const overrides = kernelOverrides('webgpu', [{ name: CAST, make: makeCast }], '; import @tensorflow/tfjs-backend-webgpu first');

/** Replaces the stock webgpu kernels with ours (idempotent). Returns the kernel names now ours. */
export const registerWebGpuTrainingKernels = (): string[] => overrides.register();

/** Puts the stock kernels back. */
export const unregisterWebGpuTrainingKernels = (): void => overrides.restore();
