/**
 * Backups: before an annotation file we did not just write is overwritten, its previous content
 * is copied to `.detecta/backups/<path relative to the root>` (one previous version per file,
 * written atomically). `restoreBackup` swaps it back.
 */
import { join, relative, sep } from 'node:path';
import { readFile } from 'node:fs/promises';
import { readTextIfExists, writeFileAtomic } from './atomic-write';
import { fsApiError } from './fs-errors';

export function backupPathFor(root: string, file: string): string {
  return join(root, '.detecta', 'backups', relative(root, file).split(sep).join('/'));
}

/** Copies the current content of `file` (when it exists) to its backup path. */
export async function backupFile(root: string, file: string, current?: string): Promise<string | null> {
  const text = current ?? (await readTextIfExists(file));
  if (text === null) return null;
  const dest = backupPathFor(root, file);
  await writeFileAtomic(dest, text, { fsync: false });
  return dest;
}

/** Puts the backup of `file` back in place (the current content becomes the new backup). */
export async function restoreBackup(root: string, file: string): Promise<void> {
  const dest = backupPathFor(root, file);
  let previous: string;
  try {
    previous = await readFile(dest, 'utf8');
  } catch (err) {
    throw fsApiError(err, dest, 'no backup to restore:');
  }
  const current = await readTextIfExists(file);
  if (current !== null) await writeFileAtomic(dest, current, { fsync: false });
  await writeFileAtomic(file, previous);
}
