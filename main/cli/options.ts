/** Option values and figures shared by the `detecta` sub-commands. */

/** A numeric option: undefined when absent; anything that is not a finite number is an error naming the flag. */
export function numberOption(v: string | undefined, name: string): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n)) throw new Error(`--${name} must be a number, got "${v}"`);
  return n;
}

/** A metric with `digits` decimals, or '-' when there is none. */
export const fixed = (v: number | null | undefined, digits = 4): string => (v === null || v === undefined ? '-' : v.toFixed(digits));
