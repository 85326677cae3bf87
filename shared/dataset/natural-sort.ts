/**
 * Natural ("human") order for file names: `img2.jpg` before `img10.jpg`, case-insensitive,
 * ties broken by plain code-unit order so the order is total and stable across machines.
 */
const collator = new Intl.Collator('en', { numeric: true, sensitivity: 'base' });

export function naturalCompare(a: string, b: string): number {
  return collator.compare(a, b) || (a < b ? -1 : a > b ? 1 : 0);
}

/** Sorts in place and returns the array. */
export function naturalSort<T extends string>(items: T[]): T[] {
  return items.sort(naturalCompare);
}
