/** Folder listing and small shared helpers of the readers. */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import { FormatError } from './errors';

/**
 * Files of `dir` whose name ends with `ext` (case-insensitive), sorted by name in code-unit order
 * (Python's `sorted()`, what the reference tools do): this fixes the reading order that breaks
 * score ties.
 */
export function listFiles(dir: string, ext: string, exclude: readonly string[] = []): string[] {
  let st;
  try {
    st = statSync(dir);
  } catch (err) {
    throw new FormatError(dir, `cannot read: ${(err as Error).message}`);
  }
  if (!st.isDirectory()) throw new FormatError(dir, 'expected a folder');
  return readdirSync(dir)
    .filter((n) => n.toLowerCase().endsWith(ext) && !exclude.includes(n))
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
    .map((n) => join(dir, n));
}

/** Image key of a file: its name without folder and extension. */
export function stem(file: string): string {
  return basename(file, extname(file));
}

export function readText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    throw new FormatError(file, `cannot read: ${(err as Error).message}`);
  }
}

const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** Parses a decimal number token (`.88`, `12`, `1e-3`); anything else is a FormatError. */
export function parseNumber(token: string, what: string, file: string, line: number): number {
  if (!DECIMAL.test(token)) throw new FormatError(file, `${what} "${token}" is not a number`, line);
  return Number(token);
}

/**
 * Reads a class-names file (`voc.names`, `classes.txt`, `obj.names`): one name per line, blank
 * lines ignored; line i (0-based, not counting blanks) is class id i.
 */
export function readNames(file: string): string[] {
  return readText(file).split(/\r?\n/).map((l) => l.trim()).filter((l) => l !== '');
}

/** Maps a class token: an integer id when `names` is given, else the token itself. */
export function className(token: string, names: readonly string[] | undefined, file: string, line: number): string {
  if (!names) return token;
  if (!/^\d+$/.test(token)) {
    if (names.includes(token)) return token;
    throw new FormatError(file, `class "${token}" is neither a class id nor a name of the names file`, line);
  }
  const name = names[Number(token)];
  if (name === undefined) throw new FormatError(file, `class id ${token} is out of range (the names file has ${names.length} names)`, line);
  return name;
}

/** Image size in pixels. */
export interface ImageSize {
  width: number;
  height: number;
}
