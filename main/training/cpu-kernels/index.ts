/**
 * Fixes to tfjs cpu backend kernels that training needs, registered over the stock ones when the
 * trainer selects the cpu backend (backend.ts); each is checked against a direct computation.
 * - ResizeNearestNeighborGrad: the stock kernel is wrong for every image after the first of a
 *   batch (resize-nearest-neighbor-grad.ts).
 * Browser-safe: imports only tfjs.
 */
import { kernelOverrides } from '../kernel-overrides';
import { RESIZE_NEAREST_NEIGHBOR_GRAD, makeResizeNearestNeighborGrad } from './resize-nearest-neighbor-grad';

const overrides = kernelOverrides('cpu', [{ name: RESIZE_NEAREST_NEIGHBOR_GRAD, make: makeResizeNearestNeighborGrad }]);

/** Replaces the stock cpu kernels with ours (idempotent). Returns the kernel names now ours. */
export const registerCpuTrainingKernels = (): string[] => overrides.register();

/** Puts the stock kernels back. */
export const unregisterCpuTrainingKernels = (): void => overrides.restore();
