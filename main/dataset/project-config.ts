/**
 * `.detecta/project.json`: the class list (stable order, see shared/dataset/classes.ts), the
 * annotation folder, the default class, the split seed/ratios/overrides, whether to index
 * recursively, class colours and model class mappings, and the active model. Validated with zod
 * on load; keys this module does not know (written by a newer version of the app) are kept
 * untouched. Written atomically and only on change. The in-memory copy and its one writer are
 * ProjectConfigStore (project-config-store.ts).
 */
import { join } from 'node:path';
import { z } from 'zod';
import type { ProjectConfig } from '../../shared/dataset/types';
import { DEFAULT_SPLIT } from '../../shared/dataset/split';
import { writeIfChanged } from './atomic-write';
import { readJsonFile } from './json-file';
import { assertWriteInside } from './confine';

export const PROJECT_DIR = '.detecta';
export const PROJECT_FILE = 'project.json';

const splitName = z.enum(['train', 'val', 'test']);
const ratio = z.number().min(0).max(1);

/** The active model as project.json stores it: a run of this project and which of its weights. */
export const activeModelRefSchema = z.object({ run: z.string().min(1), weights: z.enum(['best', 'last']) });
export type ActiveModelRef = z.infer<typeof activeModelRefSchema>;

export const projectConfigSchema = z.looseObject({
  version: z.literal(1).default(1),
  classes: z.array(z.string().min(1)).default([]).refine((a) => new Set(a).size === a.length, 'class names must be unique'),
  annotationDir: z.string().min(1).nullable().default(null),
  defaultClass: z.string().nullable().default(null),
  recursive: z.boolean().default(false),
  split: z
    .looseObject({
      seed: z.number().int().default(DEFAULT_SPLIT.seed),
      train: ratio.default(DEFAULT_SPLIT.train),
      val: ratio.default(DEFAULT_SPLIT.val),
      test: ratio.default(DEFAULT_SPLIT.test),
      overrides: z.record(z.string(), splitName).default({}),
    })
    .default({ ...DEFAULT_SPLIT, overrides: {} }),
  classColors: z.record(z.string(), z.string().regex(/^#([0-9a-f]{3}|[0-9a-f]{6})$/i)).optional(),
  classMappings: z.record(z.string(), z.record(z.string(), z.string().nullable())).optional(),
  /** The model the Detect view and pre-labeling use (main/api/model.ts). */
  activeModel: activeModelRefSchema.optional(),
});

/** project.json in memory: the dataset keys, the active model, and keys of newer versions (kept). */
export type StoredProjectConfig = ProjectConfig & { activeModel?: ActiveModelRef } & Record<string, unknown>;

export function projectConfigPath(root: string): string {
  return join(root, PROJECT_DIR, PROJECT_FILE);
}

export function defaultProjectConfig(): StoredProjectConfig {
  return projectConfigSchema.parse({}) as StoredProjectConfig;
}

/** Loads project.json; null when the folder has none yet. Throws 'unreadable' with the reason. */
export async function loadProjectConfig(root: string): Promise<StoredProjectConfig | null> {
  const file = projectConfigPath(root);
  return (await readJsonFile(file, projectConfigSchema, 'fix or delete it')) as StoredProjectConfig | null;
}

/** Writes project.json (atomically, only when it changes). Returns true when it wrote. */
export async function saveProjectConfig(root: string, config: StoredProjectConfig): Promise<boolean> {
  await assertWriteInside(root, projectConfigPath(root));
  return writeIfChanged(projectConfigPath(root), JSON.stringify(config, null, 2) + '\n');
}
