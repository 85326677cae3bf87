/**
 * The projects the user has opened. Every path the API touches must be inside one of them:
 * `resolveInside` is the single check the handlers and the web host's file route use.
 */
import { realpath } from 'node:fs/promises';
import { resolve } from 'node:path';
import { ApiError } from '../../shared/api/contract';
import { openDatasetProject, type DatasetProject } from '../dataset/project';

export class ProjectRegistry {
  private readonly open = new Map<string, DatasetProject>();
  private readonly opening = new Map<string, Promise<DatasetProject>>();

  /** Opens (or returns the already opened) project at `dir`. */
  async openProject(dir: string, options: { recursive?: boolean } = {}): Promise<{ project: DatasetProject; isNew: boolean }> {
    const real = await realpath(resolve(dir)).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') throw new ApiError('not_found', `folder not found: ${dir}`);
      if (err.code === 'EACCES' || err.code === 'EPERM') throw new ApiError('forbidden', `permission denied: ${dir}`);
      throw err;
    });
    const existing = this.open.get(real);
    if (existing) return { project: existing, isNew: false };
    let pending = this.opening.get(real);
    if (!pending) {
      pending = openDatasetProject(real, options);
      this.opening.set(real, pending);
    }
    try {
      const project = await pending;
      this.open.set(project.root, project);
      return { project, isNew: true };
    } finally {
      this.opening.delete(real);
    }
  }

  get(root: string): DatasetProject {
    const project = this.open.get(root);
    if (!project) throw new ApiError('not_found', `project is not open: ${root}`);
    return project;
  }

  list(): DatasetProject[] {
    return [...this.open.values()];
  }

  async close(root: string): Promise<boolean> {
    const project = this.open.get(root);
    if (!project) return false;
    this.open.delete(root);
    await project.close();
    return true;
  }

  async closeAll(): Promise<void> {
    await Promise.all(this.list().map((p) => this.close(p.root)));
  }

  /**
   * Resolves `path` (following symlinks) and returns it when it lies inside an opened project;
   * otherwise throws ApiError('forbidden'). A symlink inside a project pointing outside is refused.
   */
  async resolveInside(path: string): Promise<string> {
    const lexical = resolve(path);
    if (!this.list().some((p) => p.contains(lexical))) {
      throw new ApiError('forbidden', `refused: ${path} is outside the opened projects`);
    }
    const real = await realpath(lexical).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') throw new ApiError('not_found', `no such file: ${path}`);
      throw err;
    });
    if (!this.list().some((p) => p.contains(real))) {
      throw new ApiError('forbidden', `refused: ${path} is outside the opened projects`);
    }
    return real;
  }
}
