/** Handlers of the Detect view API (shared/api/detect.ts). */
import { readFile, readdir } from 'node:fs/promises';
import { dirname, join, posix } from 'node:path';
import { ApiError } from '../../shared/api/contract';
import type { LoadableModel, detectMethods } from '../../shared/api/detect';
import { parseAdapterMetadata } from '../../shared/ml/adapters/metadata';
import { writeFileAtomic } from '../dataset/atomic-write';
import { fsApiError } from '../dataset/fs-errors';
import { writeResultFile } from '../detect/write-result';
import { fileStamp } from '../../shared/dataset/result-files';
import type { HandlersFor } from './handler';

/** Optional adapter file in a model folder, for third-party models. */
export const ADAPTER_FILE = 'detecta-adapter.json';

async function readJson(file: string, what: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw fsApiError(err, file, `cannot read ${what}`);
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new ApiError('unreadable', `${file} is not JSON: ${(err as Error).message}`);
  }
}

async function describeFolder(dir: string): Promise<LoadableModel> {
  const names = await readdir(dir).catch((err: unknown) => { throw fsApiError(err, dir, 'cannot list'); });
  const jsonName = names.includes('model.json') ? 'model.json' : names.find((n) => n.endsWith('.json') && n !== ADAPTER_FILE);
  if (!jsonName) throw new ApiError('not_found', `${dir} has no model.json (a tfjs model folder holds model.json and its weight files)`);
  const modelJson = join(dir, jsonName);
  const json = (await readJson(modelJson, 'the model')) as { format?: string; modelTopology?: { class_name?: string; model_config?: unknown; node?: unknown }; weightsManifest?: unknown };
  if (!json.modelTopology || !Array.isArray(json.weightsManifest)) throw new ApiError('unreadable', `${modelJson} is not a tfjs model (no modelTopology/weightsManifest)`);
  const format: 'layers' | 'graph' = json.format === 'graph-model' || Array.isArray(json.modelTopology.node) ? 'graph' : 'layers';
  let adapter = null;
  if (names.includes(ADAPTER_FILE)) {
    try {
      adapter = parseAdapterMetadata(await readJson(join(dir, ADAPTER_FILE), 'the adapter'), join(dir, ADAPTER_FILE));
    } catch (err) {
      if (err instanceof ApiError) throw err;
      throw new ApiError('unreadable', (err as Error).message);
    }
  }
  if (format === 'graph' && !adapter) {
    throw new ApiError('unreadable', `${dir} holds a GraphModel without ${ADAPTER_FILE}: add one describing its input and outputs (see the model-zoo adapters)`);
  }
  const model: LoadableModel = { source: 'folder', id: dir, title: adapter?.name ?? posix.basename(dir.split('\\').join('/')), dir, modelJson, format, adapter, downloaded: false };
  if (format === 'layers' && !adapter) {
    // a run's weights folder (<run>/weights/best): the class names are in <run>/config.json
    const config = await readFile(join(dir, '..', '..', 'config.json'), 'utf8').then((t) => JSON.parse(t) as { classes?: unknown }, () => null);
    if (config && Array.isArray(config.classes) && config.classes.every((c) => typeof c === 'string')) {
      model.classes = config.classes as string[];
      model.title = `${posix.basename(join(dir, '..', '..').split('\\').join('/'))} (${posix.basename(dir.split('\\').join('/'))})`;
    }
  }
  return model;
}

export const detectHandlers: HandlersFor<typeof detectMethods> = {
  'detect.zooList': async (_p, ctx) => ctx.services.modelCache.listDetectors(),
  'detect.zooEnsure': async (p, ctx) => {
    const { entry, cached } = await ctx.services.modelCache.ensureDetector(p.id);
    await ctx.services.grants.grantModelFolder(cached.dir);
    return { source: 'zoo', id: entry.id, title: entry.title, dir: cached.dir, modelJson: cached.modelJsonPath, format: entry.adapter.format, adapter: entry.adapter, downloaded: cached.downloaded };
  },
  'detect.openModelFolder': async (p, ctx) => {
    const dir = await ctx.services.grants.grantModelFolder(p.path);
    return describeFolder(dir);
  },
  'detect.chooseOutputFolder': async (p, ctx) => ({ dir: await ctx.services.grants.grantOutputFolder(p.path) }),
  'detect.writeFile': async (p, ctx) => writeResultFile(ctx.services.grants, p.path, p.data),
  'detect.addSnapshot': async (p, ctx) => {
    const project = ctx.services.projects.get(p.project);
    const bytes = p.jpeg;
    if (bytes.length < 4 || bytes[0] !== 0xff || bytes[1] !== 0xd8) throw new ApiError('bad_request', 'the snapshot is not a JPEG');
    // Next to the project's images (its first image's folder), so the folder scan finds it.
    const first = project.listImages({ limit: 1 }).items[0];
    const relDir = first ? posix.dirname(first.id) : '.';
    const stamp = fileStamp(new Date());
    let name = `snapshot-${stamp}.jpg`;
    const existing = new Set(project.listImages({ limit: 5000, search: 'snapshot-' }).items.map((i) => i.id));
    for (let n = 2; existing.has(relDir === '.' ? name : `${relDir}/${name}`); n++) name = `snapshot-${stamp}-${n}.jpg`;
    const imageId = relDir === '.' ? name : `${relDir}/${name}`;
    const imagePath = join(project.root, ...imageId.split('/'));
    try {
      await writeFileAtomic(imagePath, bytes);
    } catch (err) {
      throw fsApiError(err, imagePath, 'cannot write the snapshot');
    }
    await project.refresh();
    try {
      project.getImage(imageId);
    } catch {
      throw new ApiError('io', `wrote ${imagePath} but the project does not list it (is ${dirname(imagePath)} scanned?)`);
    }
    const saved = await project.saveAnnotation(imageId, { boxes: p.boxes.map((b) => ({ ...b, draft: true })), verified: false });
    return { imageId, imagePath, annotationPath: join(project.root, ...saved.annotation.annotationPath.split('/')), boxes: saved.annotation.boxes.length };
  },
};
