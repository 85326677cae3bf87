/** Handlers for opening and closing projects, recent projects, the sample project and the folder browser. */
import { promises as fs } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { ApiError } from '../../shared/api/contract';
import type { projectMethods } from '../../shared/api/project';
import { forwardDatasetEvents } from './dataset';
import type { HandlersFor } from './handler';
import { writeSampleProject } from '../sample/write-sample-project';
import { fsApiError } from '../dataset/fs-errors';
import { isImageName } from '../dataset/folder-scan';
import { naturalCompare } from '../../shared/dataset/natural-sort';


/** How long project.open waits for the background parse, so small projects open with final counts. */
const OPEN_WAIT_MS = 1500;

/** First free folder `<base>`, `<base>-2`, ... that does not exist yet. */
async function freeFolder(base: string): Promise<string> {
  for (let n = 1; ; n++) {
    const candidate = n === 1 ? base : `${base}-${n}`;
    const exists = await fs.stat(candidate).then(() => true, () => false);
    if (!exists) return candidate;
  }
}

export const projectHandlers: HandlersFor<typeof projectMethods> = {
  'project.open': async ({ dir, recursive }, ctx) => {
    const { project, isNew } = await ctx.services.projects.openProject(dir, { recursive });
    if (isNew) forwardDatasetEvents(project, ctx.emit);
    await Promise.race([project.ready(), new Promise((r) => setTimeout(r, OPEN_WAIT_MS))]);
    const opened = project.summary();
    await ctx.services.recent.touch(project.root, opened.name);
    if (isNew) ctx.emit('project.opened', opened);
    return opened;
  },
  'project.close': async ({ project }, ctx) => {
    const closed = await ctx.services.projects.close(project);
    if (closed) ctx.emit('project.closed', { root: project });
    return { closed };
  },
  'project.list': async (_params, ctx) => ctx.services.projects.list().map((p) => p.summary()),
  'project.recent': async (_params, ctx) => ctx.services.recent.list(),
  'project.forgetRecent': async ({ dir }, ctx) => {
    await ctx.services.recent.forget(dir);
    return ctx.services.recent.list();
  },
  'project.createSample': async ({ dir, images, seed }) => {
    const target = dir ? resolve(dir) : await freeFolder(join(homedir(), 'Detecta Studio', 'sample-bricks'));
    // The sample project goes into a new or empty folder only: it never writes among someone's files.
    const existing = await fs.readdir(target).catch((err: unknown) => {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw fsApiError(err, target, 'cannot create the sample project in');
    });
    if (existing.length > 0) throw new ApiError('conflict', `${target} is not empty: the sample project is written into a new or empty folder`);
    const written = await writeSampleProject(target, { images: images ?? 60, seed: seed ?? 1 });
    return { dir: target, images: written.images, boxes: written.boxes };
  },
  'project.pickFolder': async (_params, ctx) => {
    if (!ctx.services.pickFolder) throw new ApiError('unavailable', 'the native folder dialog exists only in the desktop app');
    return ctx.services.pickFolder();
  },
  'fs.listDir': async ({ path }) => {
    const dir = resolve(path ?? homedir());
    const entries = await fs.readdir(dir, { withFileTypes: true }).catch((err: unknown) => {
      throw fsApiError(err, dir, 'cannot list folder');
    });
    const dirs = entries.filter((e) => e.isDirectory() && !e.name.startsWith('.')).map((e) => e.name).sort(naturalCompare);
    const imageFiles = entries.filter((e) => e.isFile() && isImageName(e.name)).length;
    const parent = dirname(dir) === dir ? null : dirname(dir);
    return { path: dir, parent, dirs, imageFiles };
  },
};
