/**
 * Upper bound on the temporary patch matrices (im2col / col2im) of the conv kernels. Large inputs
 * are processed in bands of output rows so that, e.g., Darknet-19 at 416 px (whose second layer
 * alone would need a 400 MB patch matrix) stays within the wasm heap.
 */
const DEFAULT_BUDGET_FLOATS = 1 << 24; // 64 MB of float32

let budgetFloats = DEFAULT_BUDGET_FLOATS;

/** Sets the patch budget in floats (tests use a small one to exercise banding); returns the previous value. */
export function setPatchBudgetFloats(floats: number): number {
  if (!Number.isInteger(floats) || floats < 1) throw new Error(`setPatchBudgetFloats: expected a positive integer, got ${floats}`);
  const previous = budgetFloats;
  budgetFloats = floats;
  return previous;
}

/** Output rows per band, at least 1, when one output row needs `floatsPerRow` floats of patches. */
export function rowsPerBand(floatsPerRow: number, totalRows: number): number {
  return Math.max(1, Math.min(totalRows, Math.floor(budgetFloats / Math.max(1, floatsPerRow))));
}
