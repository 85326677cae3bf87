/**
 * Upper bound on the temporary patch matrices (im2col / col2im) of the conv kernels. Large inputs
 * are processed in bands of output rows so that, e.g., Darknet-19 at 416 px (whose second layer
 * alone would need a 400 MB patch matrix) stays within the wasm heap.
 */
export const PATCH_BUDGET_FLOATS = 1 << 24; // 64 MB of float32

/** Output rows per band, at least 1, when one output row needs `floatsPerRow` floats of patches. */
export function rowsPerBand(floatsPerRow: number, totalRows: number): number {
  return Math.max(1, Math.min(totalRows, Math.floor(PATCH_BUDGET_FLOATS / Math.max(1, floatsPerRow))));
}
