/**
 * Backups: before an annotation file we did not just write is overwritten, its previous bytes
 * are copied to `.detecta/backups/<path relative to the root>` (one previous version per file,
 * written atomically), exactly as they were: whatever their encoding. `restoreBackup` swaps it back.
 */
import { join, relative, sep } from 'node:path';
import { readFile } from 'node:fs/promises';
import { writeFileAtomic } from './atomic-write';
import { errnoOf, fsApiError } from './fs-errors';
import { assertWriteInside } from './confine';

export function backupPathFor(root: string, file: string): string {
  return join(root, '.detecta', 'backups', relative(root, file).split(sep).join('/'));
}

async function bytesIfExists(file: string): Promise<Buffer | null> {
  try {
    return await readFile(file);
  } catch (err) {
    if (errnoOf(err) === 'ENOENT') return null;
    throw fsApiError(err, file, 'cannot read');
  }
}

/** Copies the current bytes of `file` (when it exists) to its backup path. */
export async function backupFile(root: string, file: string): Promise<string | null> {
  const bytes = await bytesIfExists(file);
  if (bytes === null) return null;
  const dest = backupPathFor(root, file);
  await assertWriteInside(root, dest);
  await writeFileAtomic(dest, bytes, { fsync: false });
  return dest;
}

/** Puts the backup of `file` back in place (the current bytes become the new backup). */
export async function restoreBackup(root: string, file: string): Promise<void> {
  const dest = backupPathFor(root, file);
  let previous: Buffer;
  try {
    previous = await readFile(dest);
  } catch (err) {
    throw fsApiError(err, dest, 'no backup to restore:');
  }
  await assertWriteInside(root, dest);
  await assertWriteInside(root, file);
  const current = await bytesIfExists(file);
  if (current !== null) await writeFileAtomic(dest, current, { fsync: false });
  await writeFileAtomic(file, previous);
}
