/**
 * Handlers of the dataset API (shared/api/dataset.ts). Each resolves the opened project through
 * the registry (ApiError 'not_found' when it is not open) and delegates to main/dataset.
 * Events: wire a project's events to the transport with `forwardDatasetEvents` when it opens.
 */
import { resolve } from 'node:path';
import { ApiError } from '../../shared/api/contract';
import type { DatasetEvents, datasetMethods } from '../../shared/api/dataset';
import type { AnnotationEdit, DatasetProject } from '../dataset/project';
import { exportDataset, importDataset } from '../dataset/exchange';
import { addVideoFrames } from '../dataset/video-frames';
import { sequenceOf } from '../dataset/video-index';
import type { ApiContext, HandlersFor } from './handler';

function projectOf(ctx: ApiContext, root: string): DatasetProject {
  return ctx.services.projects.get(root);
}

/**
 * Export/import folders: in the browser (web transport) only inside an opened project, like
 * every other path; in Electron the user picked the folder in the native dialog.
 */
function checkExchangePath(ctx: ApiContext, path: string): string {
  const abs = resolve(path);
  if (ctx.services.transport === 'web' && !ctx.services.projects.list().some((p) => p.contains(abs))) {
    throw new ApiError('forbidden', `refused: ${path} is outside the opened projects`);
  }
  return abs;
}

export const datasetHandlers: HandlersFor<typeof datasetMethods> = {
  'dataset.summary': async (p, ctx) => projectOf(ctx, p.project).summary(),
  'dataset.listImages': async (p, ctx) => {
    const q: Parameters<DatasetProject['listImages']>[0] = { offset: p.offset, limit: p.limit, filter: p.filter };
    if (p.search !== undefined) q.search = p.search;
    return projectOf(ctx, p.project).listImages(q);
  },
  'dataset.getImage': async (p, ctx) => projectOf(ctx, p.project).getImage(p.imageId),
  'dataset.getAnnotation': async (p, ctx) => projectOf(ctx, p.project).getAnnotation(p.imageId),
  'dataset.saveAnnotation': async (p, ctx) => projectOf(ctx, p.project).saveAnnotation(p.imageId, editOf(p)),
  'dataset.autosave': async (p, ctx) => {
    await projectOf(ctx, p.project).autosave(p.imageId, editOf(p));
    return { scheduled: true };
  },
  'dataset.flush': async (p, ctx) => {
    await projectOf(ctx, p.project).flush();
    return { flushed: true };
  },
  'dataset.removeAnnotation': async (p, ctx) => projectOf(ctx, p.project).removeAnnotation(p.imageId, p.baseVersion),
  'dataset.restoreBackup': async (p, ctx) => projectOf(ctx, p.project).restoreBackup(p.imageId),
  'dataset.addClass': async (p, ctx) => projectOf(ctx, p.project).addClass(p.name),
  'dataset.renameClass': async (p, ctx) => projectOf(ctx, p.project).renameClass(p.from, p.to),
  'dataset.classUsage': async (p, ctx) => projectOf(ctx, p.project).classUsage(),
  'dataset.deleteClass': async (p, ctx) => projectOf(ctx, p.project).deleteClass(p.name),
  'dataset.mergeClass': async (p, ctx) => projectOf(ctx, p.project).mergeClass(p.from, p.into),
  'dataset.undoClassChange': async (p, ctx) => projectOf(ctx, p.project).undoClassChange(p.undoId),
  'dataset.reorderClasses': async (p, ctx) => projectOf(ctx, p.project).reorderClasses(p.classes),
  'dataset.setClassColor': async (p, ctx) => projectOf(ctx, p.project).setClassColor(p.name, p.color),
  'dataset.classMapping': async (p, ctx) => projectOf(ctx, p.project).classMapping(p.model),
  'dataset.setClassMapping': async (p, ctx) => projectOf(ctx, p.project).setClassMapping(p.model, p.mapping),
  'dataset.setDefaultClass': async (p, ctx) => projectOf(ctx, p.project).setDefaultClass(p.name),
  'dataset.setSplit': async (p, ctx) => projectOf(ctx, p.project).setSplit(p.imageId, p.split),
  'dataset.config': async (p, ctx) => projectOf(ctx, p.project).getConfig(),
  'dataset.stats': async (p, ctx) => projectOf(ctx, p.project).stats(),
  'dataset.validate': async (p, ctx) => projectOf(ctx, p.project).validate(),
  'dataset.export': async (p, ctx) => {
    const project = projectOf(ctx, p.project);
    const out = checkExchangePath(ctx, p.outDir);
    if (project.contains(out) && resolve(out) === project.root) throw new ApiError('bad_request', 'export into a separate folder, not the project root');
    return exportDataset(project, p.format, out, { copyImages: p.copyImages });
  },
  'dataset.addVideo': async (p, ctx) => {
    const { project: _p, video, ...pick } = p;
    return addVideoFrames(projectOf(ctx, p.project), checkExchangePath(ctx, video), pick);
  },
  'dataset.videoFrames': async (p, ctx) => {
    const project = projectOf(ctx, p.project);
    project.getImage(p.imageId); // not_found for an image the project does not list
    const seq = await sequenceOf(project.root, p.imageId);
    return seq ? { stem: seq.stem, video: seq.index.video, fps: seq.index.fps, frames: seq.index.frames } : null;
  },
  'dataset.import': async (p, ctx) => importDataset(projectOf(ctx, p.project), p.format, checkExchangePath(ctx, p.sourceDir)),
};

/** Forwards a project's events to the transport; returns the unsubscribe function. */
export function forwardDatasetEvents(project: DatasetProject, emit: ApiContext['emit']): () => void {
  return project.onEvent((event, payload) => {
    if (event === 'dataset.changed') emit('dataset.changed', payload as DatasetEvents['dataset.changed']);
    else emit('dataset.saveState', payload as DatasetEvents['dataset.saveState']);
  });
}

/** The edit a save or autosave request carries (its version check only when it names a version). */
function editOf(p: { boxes: AnnotationEdit['boxes']; verified: boolean; baseVersion?: string | null | undefined; client?: string | undefined }): AnnotationEdit {
  return {
    boxes: p.boxes,
    verified: p.verified,
    ...(p.baseVersion !== undefined ? { baseVersion: p.baseVersion } : {}),
    ...(p.client !== undefined ? { client: p.client } : {}),
  };
}
