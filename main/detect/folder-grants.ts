/**
 * The one confinement rule for paths that requests read or write outside the dataset API.
 * Besides the opened projects, the user can choose folders in the Detect view: model folders
 * (served read-only to the renderer so it can load the model) and output folders (where annotated
 * images, videos and detection files may be written). One FolderGrants per app instance, built
 * by createServices, so two app instances in one process never share a grant.
 *
 * Every path is resolved with symlinks followed and must lie inside a project or a granted
 * folder, otherwise ApiError('forbidden') whether or not it exists. Grants are scoped to their
 * use: files are served only with the types the page loads (served-files.ts), and result writes
 * only create result files (images, videos, JSON, CSV), never hidden files or anything else.
 */
import { realpath, stat } from 'node:fs/promises';
import { dirname, basename, extname, join, resolve, isAbsolute } from 'node:path';
import { ApiError } from '../../shared/api/contract';
import type { ProjectRegistry } from '../api/project-registry';
import { fsApiError } from '../dataset/fs-errors';
import { isInside } from '../dataset/confine';
import { refusedTypeMessage, servedContentType, type ServedRoute } from '../transport/served-files';

/** The file types the Detect view writes as results. */
const RESULT_EXTENSIONS = new Set(['.jpg', '.jpeg', '.png', '.webp', '.webm', '.mp4', '.json', '.csv']);


export class FolderGrants {
  private readonly models = new Set<string>();
  private readonly outputs = new Set<string>();

  constructor(private readonly projects: ProjectRegistry) {}

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
    if (real === null || ![...this.models].some((d) => isInside(d, real))) {
      throw new ApiError('forbidden', `refused: ${path} is not in a model folder opened in the Detect view`);
    }
    return real;
  }

  /**
   * A file the page may load, for the file routes of both transports: inside an opened project
   * (route 'project') or a granted model folder (route 'model'), of a type that route serves.
   */
  async resolveServed(path: string, route: ServedRoute): Promise<{ file: string; contentType: string }> {
    const file = route === 'model' ? await this.resolveModelFile(path) : await this.projects.resolveInside(path);
    const contentType = servedContentType(file, route);
    if (!contentType) throw new ApiError('forbidden', refusedTypeMessage(file, route));
    return { file, contentType };
  }

  /**
   * Where a new file may be written: inside an opened project or a granted output folder (the
   * folder must exist; the file need not). Returns the absolute target path. `use` scopes the
   * write: 'result' (the Detect view's files) allows only result types and no hidden names;
   * 'export' (a model or dataset export) allows any name in such a folder.
   */
  async resolveWritable(path: string, use: 'result' | 'export' = 'result'): Promise<string> {
    if (!isAbsolute(path)) throw new ApiError('bad_request', `output path must be absolute: ${path}`);
    const name = basename(path);
    if (use === 'result' && (name.startsWith('.') || !RESULT_EXTENSIONS.has(extname(name).toLowerCase()))) {
      throw new ApiError('forbidden', `refused: ${name} is not a result file (${[...RESULT_EXTENSIONS].join(', ')})`);
    }
    const dir = await realpath(dirname(resolve(path))).catch((err: unknown) => { throw fsApiError(err, dirname(path), 'cannot write into'); });
    const target = join(dir, name);
    const allowed = [...this.outputs].some((d) => isInside(d, dir)) || this.projects.list().some((p) => p.contains(dir));
    if (!allowed) throw new ApiError('forbidden', `refused: ${dir} is neither inside an opened project nor an output folder you chose`);
    const existing = await realpath(target).catch(() => null);
    if (existing !== null && existing !== target) throw new ApiError('forbidden', `refused: ${target} is a link; results are never written through links`);
    return target;
  }
}
