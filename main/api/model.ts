/** Handlers of the active-model API (shared/api/model.ts). */
import { join } from 'node:path';
import { promises as fs } from 'node:fs';
import { ApiError } from '../../shared/api/contract';
import type { ActiveModel, ModelTask, modelMethods } from '../../shared/api/model';
import { runPaths } from '../training/run-folder';
import { readRun } from '../training/run-files';
import type { HandlersFor } from './handler';

/** Resolves a run's weights into an ActiveModel; null when the run or its weights are missing. */
async function resolveActive(root: string, run: string, weights: 'best' | 'last'): Promise<ActiveModel | null> {
  let info;
  try {
    info = await readRun(root, run);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  const dir = runPaths(info.dir)[weights];
  const modelJson = join(dir, 'model.json');
  try {
    await fs.access(modelJson);
  } catch {
    return null; // weights not written (yet), or deleted
  }
  const config = info.config;
  if (!config) return null; // no config.json: the run cannot be used (train.list says why)
  const inputSize = config.task === 'detect' ? config.detector.inputSize : config.inputSize;
  const task: ModelTask = config.task;
  return { run, weights, task, dir, modelJson, classes: config.classes, inputSize };
}

export const modelHandlers: HandlersFor<typeof modelMethods> = {
  'model.getActive': async (p, ctx) => {
    const project = ctx.services.projects.get(p.project);
    const stored = project.activeModel(); // validated with project.json (project-config.ts)
    if (stored === null) return null;
    return resolveActive(project.root, stored.run, stored.weights);
  },
  'model.setActive': async (p, ctx) => {
    const project = ctx.services.projects.get(p.project);
    const active = await resolveActive(project.root, p.run, p.weights);
    if (!active) throw new ApiError('not_found', `run "${p.run}" has no ${p.weights} weights`, { run: p.run });
    await project.setActiveModel({ run: p.run, weights: p.weights });
    ctx.emit('model.activeChanged', { project: p.project, active });
    return active;
  },
  'model.clearActive': async (p, ctx) => {
    const project = ctx.services.projects.get(p.project);
    await project.setActiveModel(null);
    ctx.emit('model.activeChanged', { project: p.project, active: null });
    return { cleared: true };
  },
};
