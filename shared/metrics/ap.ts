/**
 * Average precision from a precision/recall sequence (detections in descending confidence).
 * `recall` must be non-decreasing.
 */

/**
 * All-point ("every point") interpolated AP of the VOC2010–2012 devkit (Cartucho's and Padilla's
 * default): with mrec = [0, rec…, 1] and mpre = [0, prec…, 0], make mpre non-increasing from the
 * right and sum (mrec[i] − mrec[i−1])·mpre[i] where recall changes.
 */
export function allPointAP(recall: ArrayLike<number>, precision: ArrayLike<number>): number {
  const n = recall.length;
  const mrec = new Float64Array(n + 2);
  const mpre = new Float64Array(n + 2);
  for (let i = 0; i < n; i++) { mrec[i + 1] = recall[i]!; mpre[i + 1] = precision[i]!; }
  mrec[n + 1] = 1;
  for (let i = n; i >= 0; i--) if (mpre[i + 1]! > mpre[i]!) mpre[i] = mpre[i + 1]!;
  let ap = 0;
  for (let i = 1; i < n + 2; i++) if (mrec[i] !== mrec[i - 1]) ap += (mrec[i]! - mrec[i - 1]!) * mpre[i]!;
  return ap;
}

/**
 * Recall levels of the VOC2007 11-point AP, bit-exact with the reference code (`np.arange(0, 1.1,
 * 0.1)` in the devkit port, `np.linspace(0, 1, 11)` in Padilla): r_i = i·0.1 (so 0.30000000000000004,
 * not 0.3), last level exactly 1.
 */
export const ELEVEN_RECALL_LEVELS: readonly number[] = Array.from({ length: 11 }, (_, i) => (i === 10 ? 1 : i * 0.1));

/** VOC2007 11-point AP: mean over r of max{precision(k) : recall(k) ≥ r} (0 if none). */
export function elevenPointAP(recall: ArrayLike<number>, precision: ArrayLike<number>): number {
  let sum = 0;
  for (const r of ELEVEN_RECALL_LEVELS) {
    let p = 0;
    for (let k = 0; k < recall.length; k++) if (recall[k]! >= r && precision[k]! > p) p = precision[k]!;
    sum += p;
  }
  return sum / 11;
}
