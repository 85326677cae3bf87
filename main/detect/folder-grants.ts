/**
 * Folders outside the opened projects that the user explicitly chose in the Detect view: model
 * folders (served read-only to the renderer so it can load the model) and output folders (where
 * annotated images, videos and detection files may be written). Kept per app instance.
 *
 * Same rule as ProjectRegistry.resolveInside: paths are resolved with symlinks followed and must
 * lie inside a granted folder, otherwise ApiError('forbidden') whether or not they exist.
 */
import { realpath, stat } from 'node:fs/promises';
import { dirname, basename, join, relative, resolve, isAbsolute } from 'node:path';
import { ApiError } from '../../shared/api/contract';
import type { Services } from '../api/services';
import { fsApiError } from '../dataset/fs-errors';

const inside = (root: string, p: string): boolean => {
  const r = relative(root, p);
  return r === '' || (!r.startsWith('..') && !isAbsolute(r));
};

export class FolderGrants {
  private readonly models = new Set<string>();
  private readonly outputs = new Set<string>();

  constructor(private readonly services: Services) {}

  private async realDir(path: string, what: string): Promise<string> {
    let real: string;
    try {
      real = await realpath(resolve(path));
    } catch (err) {
      throw fsApiError(err, path, `cannot open ${what}`);
    }
    if (!(await stat(real)).isDirectory()) throw new ApiError('bad_request', `${path} is not a folder`);
    return real;
  }

  /** Grants read access to a model folder; returns its real path. */
  async grantModelFolder(path: string): Promise<string> {
    const real = await this.realDir(path, 'model folder');
    this.models.add(real);
    return real;
  }

  /** Grants write access to an output folder; returns its real path. */
  async grantOutputFolder(path: string): Promise<string> {
    const real = await this.realDir(path, 'output folder');
    this.outputs.add(real);
    return real;
  }

  /** A file inside a granted model folder (for the web host's /model-files route). */
  async resolveModelFile(path: string): Promise<string> {
    const abs = resolve(path);
    const real = await realpath(abs).catch(() => null);
    if (real === null || ![...this.models].some((d) => inside(d, real))) {
      throw new ApiError('forbidden', `refused: ${path} is not in a model folder opened in the Detect view`);
    }
    return real;
  }

  /**
   * Where a new file may be written: inside an opened project or a granted output folder (the
   * folder must exist; the file need not). Returns the absolute target path.
   */
  async resolveWritable(path: string): Promise<string> {
    if (!isAbsolute(path)) throw new ApiError('bad_request', `output path must be absolute: ${path}`);
    const dir = await realpath(dirname(resolve(path))).catch((err: unknown) => { throw fsApiError(err, dirname(path), 'cannot write into'); });
    const target = join(dir, basename(path));
    const allowed = [...this.outputs].some((d) => inside(d, dir)) || this.services.projects.list().some((p) => p.contains(dir));
    if (!allowed) throw new ApiError('forbidden', `refused: ${dir} is neither inside an opened project nor an output folder you chose`);
    return target;
  }
}

const grants = new WeakMap<Services, FolderGrants>();

/** The grants of one app instance (created on first use). */
export function folderGrants(services: Services): FolderGrants {
  let g = grants.get(services);
  if (!g) grants.set(services, (g = new FolderGrants(services)));
  return g;
}
