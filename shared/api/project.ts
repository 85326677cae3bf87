/**
 * Project-level methods: open and close a project folder, recent projects, the sample project,
 * and the folder browser the project picker uses where no native dialog exists (a browser).
 */
import { z } from 'zod';
import { method } from './contract';
import type { DatasetSummary } from '../dataset/types';

/**
 * An opened project: the dataset summary. `root` (absolute, real path) is the `project` param of
 * every dataset method. While `indexing` is true the counts still grow; 'dataset.changed' events
 * carry the updated summary.
 */
export type OpenedProject = DatasetSummary;

export interface RecentProject {
  root: string;
  name: string;
  openedAt: string;
  /** False when the folder no longer exists or cannot be read. */
  exists: boolean;
}

export interface DirListing {
  path: string;
  parent: string | null;
  /** Sub-folders only (names, sorted); files are not listed. */
  dirs: string[];
  /** How many image files this folder holds directly (a hint for the picker). */
  imageFiles: number;
}

const absPath = z.string().min(1, 'a folder path is required').max(4096);

export const projectMethods = {
  'project.open': method<OpenedProject>()(z.object({ dir: absPath, recursive: z.boolean().optional() }).strict()),
  'project.close': method<{ closed: boolean }>()(z.object({ project: absPath }).strict()),
  'project.list': method<OpenedProject[]>()(z.object({}).strict()),
  'project.recent': method<RecentProject[]>()(z.object({}).strict()),
  'project.forgetRecent': method<RecentProject[]>()(z.object({ dir: absPath }).strict()),
  'project.createSample': method<{ dir: string; images: number; boxes: number }>()(
    z.object({
      dir: absPath.optional(),
      images: z.number().int().min(1).max(2000).optional(),
      seed: z.number().int().optional(),
    }).strict(),
  ),
  /** Native folder dialog (Electron only; 'unavailable' elsewhere). Null when cancelled. */
  'project.pickFolder': method<string | null>()(z.object({}).strict()),
  'fs.listDir': method<DirListing>()(z.object({ path: absPath.optional() }).strict()),
};

export interface ProjectEvents {
  'project.opened': OpenedProject;
  'project.closed': { root: string };
}
