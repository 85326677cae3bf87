/**
 * Input checks shared by every metric. Defined behaviour for bad input:
 * - a detection score that is NaN → MetricsInputError (±Infinity is ordered and allowed);
 * - a non-finite coordinate, or x2 < x1, or y2 < y1 → MetricsInputError;
 * - an empty imageId or className → MetricsInputError.
 * Other cases are not errors and are handled by the protocols themselves: a detection of a class
 * that has no ground truth anywhere is ignored and reported (unless a class list is given, then it
 * is an error, see `resolveClasses`), and detections on an image without ground truth are false
 * positives.
 */
import { MetricsInputError } from './errors';
import type { BoxCorners, Detection, GroundTruthBox } from './types';

function describe(kind: string, index: number, item: { imageId: string; className: string }): string {
  return `${kind} #${index} (image "${item.imageId}", class "${item.className}")`;
}

function checkBox(kind: string, index: number, item: BoxCorners & { imageId: string; className: string }): void {
  if (typeof item.imageId !== 'string' || item.imageId === '') {
    throw new MetricsInputError(`${kind} #${index}: imageId must be a non-empty string`);
  }
  if (typeof item.className !== 'string' || item.className === '') {
    throw new MetricsInputError(`${kind} #${index} (image "${item.imageId}"): className must be a non-empty string`);
  }
  const { x1, y1, x2, y2 } = item;
  if (![x1, y1, x2, y2].every(Number.isFinite)) {
    throw new MetricsInputError(`${describe(kind, index, item)}: coordinates must be finite numbers, got [${x1}, ${y1}, ${x2}, ${y2}]`);
  }
  if (x2 < x1 || y2 < y1) {
    throw new MetricsInputError(`${describe(kind, index, item)}: box has x2 < x1 or y2 < y1: [${x1}, ${y1}, ${x2}, ${y2}]`);
  }
}

export function validateGroundTruth(gts: readonly GroundTruthBox[]): void {
  for (let i = 0; i < gts.length; i++) checkBox('ground truth', i, gts[i]!);
}

export function validateDetections(dets: readonly Detection[]): void {
  for (let i = 0; i < dets.length; i++) {
    const d = dets[i]!;
    checkBox('detection', i, d);
    if (typeof d.score !== 'number' || Number.isNaN(d.score)) {
      throw new MetricsInputError(`${describe('detection', i, d)}: score is ${String(d.score)}, expected a number`);
    }
  }
}

/** Which classes a metric reports, and which detection classes it ignores. */
export interface ClassSelection {
  /** Classes reported, in order. */
  classes: string[];
  /** Detection classes outside `classes` (only possible without an explicit list) → detection count. */
  ignoredDetectionClasses: Record<string, number>;
}

/**
 * Without `explicit`: the classes that have ground truth, sorted by code unit order (as Cartucho's
 * tool sorts them); detections of any other class are ignored and counted.
 * With `explicit`: exactly those classes in that order (a class without ground truth gets AP null);
 * a ground truth or detection of a class outside the list is an error ("unknown class").
 */
export function resolveClasses(
  gts: readonly GroundTruthBox[],
  dets: readonly Detection[],
  explicit?: readonly string[],
): ClassSelection {
  if (explicit) {
    const known = new Set(explicit);
    if (known.size !== explicit.length) throw new MetricsInputError('class list has duplicate names');
    gts.forEach((g, i) => {
      if (!known.has(g.className)) throw new MetricsInputError(`${describe('ground truth', i, g)}: unknown class (not in the class list)`);
    });
    dets.forEach((d, i) => {
      if (!known.has(d.className)) throw new MetricsInputError(`${describe('detection', i, d)}: unknown class (not in the class list)`);
    });
    return { classes: [...explicit], ignoredDetectionClasses: {} };
  }
  const withGt = new Set<string>();
  for (const g of gts) withGt.add(g.className);
  const ignored: Record<string, number> = {};
  for (const d of dets) if (!withGt.has(d.className)) ignored[d.className] = (ignored[d.className] ?? 0) + 1;
  return { classes: [...withGt].sort(compareCodeUnits), ignoredDetectionClasses: ignored };
}

export function compareCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
