/**
 * `mkdir -p` that always ends. Node's `mkdir(path, { recursive: true })` loops forever at 100 %
 * CPU where mkdir answers ENOENT although the parent exists (e.g. under /proc): this walks up to
 * the first folder that exists and creates each missing one below it, once.
 */
import { mkdir, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { errnoOf, fsApiError } from './fs-errors';
import { ApiError } from '../../shared/api/contract';

export async function makeDirs(path: string): Promise<void> {
  const missing: string[] = [];
  for (let dir = resolve(path); ; dir = dirname(dir)) {
    const st = await stat(dir).catch((err: unknown) => {
      if (errnoOf(err) === 'ENOENT') return null;
      throw fsApiError(err, dir, 'cannot create folder');
    });
    if (st) {
      if (!st.isDirectory()) throw fsApiError(Object.assign(new Error('not a folder'), { code: 'ENOTDIR' }), dir, 'cannot create a folder in');
      break;
    }
    missing.push(dir);
    if (dirname(dir) === dir) break;
  }
  for (const dir of missing.reverse()) {
    await mkdir(dir).catch((err: unknown) => {
      if (errnoOf(err) === 'EEXIST') return;
      // ENOENT although the parent exists: a file system that takes no new folders (/proc, /sys)
      if (errnoOf(err) === 'ENOENT') throw new ApiError('io', `cannot create folder ${dir}: ${dirname(dir)} does not take new folders`, { file: dir });
      throw fsApiError(err, dir, 'cannot create folder');
    });
  }
}
