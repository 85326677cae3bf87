/**
 * Copies a folder of ../shared into a test's own folder as a user's copy of a dataset would be:
 * writable. ../shared is read-only, cpSync keeps modes, and the app refuses to overwrite a
 * read-only annotation (it leaves it untouched), so edits of a plain copy would be refused.
 */
import { chmodSync, cpSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

function makeWritable(path: string): void {
  const st = statSync(path);
  chmodSync(path, st.mode | 0o200);
  if (st.isDirectory()) for (const name of readdirSync(path)) makeWritable(join(path, name));
}

export function copyWritable(src: string, dest: string): void {
  cpSync(src, dest, { recursive: true });
  makeWritable(dest);
}
