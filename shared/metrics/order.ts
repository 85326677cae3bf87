/** Image ordering used to break score ties across images (COCO protocol). */

const NUMERIC = /^-?\d+(\.\d+)?$/;

/**
 * Ascending image order: numerically when both ids are numbers written in decimal (COCO image
 * ids: pycocotools sorts them), else by code units (file stems: ascending name order).
 * Numeric ids sort before the others.
 */
export function compareImageIds(a: string, b: string): number {
  const na = NUMERIC.test(a);
  const nb = NUMERIC.test(b);
  if (na && nb) return Number(a) - Number(b) || (a < b ? -1 : a > b ? 1 : 0);
  if (na !== nb) return na ? -1 : 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Rank of every image id: first the ids of `preferred` in that order, then the remaining ones of
 * `all` in `compareImageIds` order.
 */
export function rankImages(all: Iterable<string>, preferred?: readonly string[]): Map<string, number> {
  const rank = new Map<string, number>();
  for (const id of preferred ?? []) if (!rank.has(id)) rank.set(id, rank.size);
  const rest = [...new Set(all)].filter((id) => !rank.has(id)).sort(compareImageIds);
  for (const id of rest) rank.set(id, rank.size);
  return rank;
}
