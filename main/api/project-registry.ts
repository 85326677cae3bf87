/**
 * The projects the user has opened. Every path the API touches must be inside one of them:
 * `resolveInside` is the single check the handlers and the web host's file route use.
 */
import { realpath } from 'node:fs/promises';
import { resolve } from 'node:path';
import { ApiError } from '../../shared/api/contract';
import { openDatasetProject, type DatasetProject } from '../dataset/project';
import { fsApiError } from '../dataset/fs-errors';

export class ProjectRegistry {
  private readonly open = new Map<string, DatasetProject>();
  private readonly opening = new Map<string, Promise<DatasetProject>>();

  /** Opens (or returns the already opened) project at `dir`. */
  async openProject(dir: string, options: { recursive?: boolean } = {}): Promise<{ project: DatasetProject; isNew: boolean }> {
    const real = await realpath(resolve(dir)).catch((err: unknown) => {
      throw fsApiError(err, dir, 'cannot open project');
    });
    const existing = this.open.get(real);
    if (existing) return { project: existing, isNew: false };
    let pending = this.opening.get(real);
    if (!pending) {
      pending = openDatasetProject(real, { ...options, recover: true }); // the app edits: it finishes what a crash left
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
   * otherwise throws ApiError('forbidden'), whether or not the path exists, so nothing outside the
   * projects can be probed. `contains` follows symlinks, so a link inside a project that points
   * outside is refused too.
   */
  async resolveInside(path: string): Promise<string> {
    const abs = resolve(path);
    if (!this.list().some((p) => p.contains(abs))) {
      throw new ApiError('forbidden', `refused: ${path} is outside the opened projects`);
    }
    return realpath(abs).catch((err: unknown) => {
      throw fsApiError(err, path, 'cannot read');
    });
  }
}
