/**
 * Copies a file to a path that must not exist yet, atomically: the bytes go to a temp file in
 * the destination folder (named as atomic-write.ts names them, so a crash's leftover is cleaned
 * up on the next open), which is then hard-linked to its name — link() refuses an existing file,
 * so nothing is overwritten and nobody sees half an image. Where links are not supported (FAT,
 * exFAT, some network shares) it falls back to an exclusive copy.
 */
import { copyFile, constants, link, rm, writeFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { dirname, join } from 'node:path';
import { errnoOf } from '../fs-errors';

/** `src`: the file to copy, or the bytes to write (a LabelMe file's embedded imageData). */
export async function copyNewFile(src: string | Uint8Array, dest: string): Promise<void> {
  const tmp = join(dirname(dest), `.~${randomBytes(6).toString('hex')}.detecta.tmp`);
  const put = (to: string, flags: number) => (typeof src === 'string' ? copyFile(src, to, flags | constants.COPYFILE_FICLONE) : writeFile(to, src, { flag: flags ? 'wx' : 'w' }));
  try {
    await put(tmp, 0);
    await link(tmp, dest);
  } catch (err) {
    if (!['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS'].includes(errnoOf(err) ?? '')) throw err;
    await put(dest, constants.COPYFILE_EXCL);
  } finally {
    await rm(tmp, { force: true });
  }
}
