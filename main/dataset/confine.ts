/**
 * Writes of a project stay inside it: a folder on the way that is a link out of the project (an
 * annotation folder or `.detecta/backups` pointing elsewhere) makes the write fail instead of
 * landing outside what the user opened.
 */
import { realpath } from 'node:fs/promises';
import { dirname, isAbsolute, relative } from 'node:path';
import { ApiError } from '../../shared/api/contract';
import { errnoOf, fsApiError } from './fs-errors';

export function isInside(root: string, path: string): boolean {
  const r = relative(root, path);
  return r === '' || (!r.startsWith('..') && !isAbsolute(r));
}

/** Throws ApiError('forbidden') when the folder `file` goes into resolves outside `root` (a real path). */
export async function assertWriteInside(root: string, file: string): Promise<void> {
  for (let dir = dirname(file); ; dir = dirname(dir)) {
    const real = await realpath(dir).catch((err: unknown) => {
      if (errnoOf(err) === 'ENOENT') return null; // not made yet: its parent decides
      throw fsApiError(err, dir, 'cannot write into');
    });
    if (real !== null) {
      if (!isInside(root, real)) throw new ApiError('forbidden', `refused to write ${file}: ${dir} is a link to ${real}, outside the project`, { file });
      return;
    }
    if (dirname(dir) === dir) return;
  }
}
