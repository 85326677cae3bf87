/**
 * Handlers of the training API (shared/api/train.ts). Runs live in trainer processes
 * (main/training/active-runs.ts), one per project; their events are forwarded with the project
 * root added. Run folders are read from disk (main/training/run-folder.ts).
 */
import { ApiError } from '../../shared/api/contract';
import type { RunDetail, RunSummary, trainMethods } from '../../shared/api/train';
import type { TrainerEvent } from '../../shared/training/types';
import { activeRun, startRun } from '../training/active-runs';
import { deleteRun, listRuns, nextRunName, readRun, type RunInfo } from '../training/run-folder';
import type { ApiContext, HandlersFor } from './handler';

function rootOf(ctx: ApiContext, project: string): string {
  return ctx.services.projects.get(project).root;
}

function running(ctx: ApiContext, project: string) {
  const sup = activeRun(rootOf(ctx, project));
  if (!sup) throw new ApiError('not_found', 'no training run is active in this project');
  return sup;
}

function summarize(info: RunInfo, root: string): RunSummary {
  const sup = activeRun(root);
  const active = sup !== undefined && sup.run === info.name;
  const maps = info.metrics.map((m) => m.mAP50).filter((v): v is number => v !== null);
  const maps95 = info.metrics.map((m) => m['mAP50-95']).filter((v): v is number => v !== null);
  return {
    name: info.name,
    status: active ? (sup.state === 'paused' ? 'paused' : 'running') : info.status === 'running' ? 'failed' : info.status,
    active,
    createdAt: info.config?.createdAt ?? null,
    preset: info.config?.train.preset ?? null,
    epochs: info.config?.train.epochs ?? null,
    epochsDone: (info.classifierMetrics ?? info.metrics).at(-1)?.epoch ?? 0,
    backend: info.env?.backend ?? null,
    mAP50: maps.length ? Math.max(...maps) : null,
    'mAP50-95': maps95.length ? Math.max(...maps95) : null,
    resumable: !active && info.hasLast && info.config !== null,
  };
}

function forward(ctx: ApiContext, project: string, ev: TrainerEvent): void {
  const { emit } = ctx;
  switch (ev.type) {
    case 'progress': emit('train.progress', { ...ev.payload, project }); break;
    case 'epoch': emit('train.epoch', { ...ev.payload, project }); break;
    case 'log': emit('train.log', { ...ev.payload, project }); break;
    case 'finished': emit('train.finished', { ...ev.payload, project }); break;
    case 'failed': emit('train.failed', { ...ev.payload, project }); break;
    case 'env': emit('train.log', { run: ev.payload.run, level: 'info', message: `backend ${ev.payload.backend}: ${ev.payload.device}`, project }); break;
  }
}

async function readRunOrThrow(root: string, run: string): Promise<RunInfo> {
  try {
    return await readRun(root, run);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new ApiError('not_found', `no run "${run}" in this project`, { run });
    throw err;
  }
}

export const trainHandlers: HandlersFor<typeof trainMethods> = {
  'train.start': async (p, ctx) => {
    const root = rootOf(ctx, p.project);
    if (activeRun(root)) throw new ApiError('conflict', 'a training run is already active in this project; cancel it first');
    if (p.resume) {
      const info = await readRunOrThrow(root, p.resume);
      if (!info.hasLast || !info.config) throw new ApiError('conflict', `run "${p.resume}" has no saved epoch to resume from`);
    }
    const name = p.resume ?? p.name ?? (await nextRunName(root));
    const sup = startRun(root, p.resume
      ? { project: root, resume: p.resume, ...(p.epochs ? { epochs: p.epochs } : {}) }
      : { project: root, name, config: p.config ?? {} });
    sup.run = name;
    sup.onEvent((ev) => forward(ctx, p.project, ev));
    return { run: name, started: true };
  },
  'train.pause': async (p, ctx) => { running(ctx, p.project).pause(); return { paused: true }; },
  'train.resume': async (p, ctx) => { running(ctx, p.project).resume(); return { paused: false }; },
  'train.cancel': async (p, ctx) => { running(ctx, p.project).cancel(); return { cancelling: true }; },
  'train.list': async (p, ctx) => {
    const root = rootOf(ctx, p.project);
    return (await listRuns(root)).map((info) => summarize(info, root));
  },
  'train.get': async (p, ctx) => {
    const root = rootOf(ctx, p.project);
    const info = await readRunOrThrow(root, p.run);
    const detail: RunDetail = { ...summarize(info, root), dir: info.dir, config: info.config, env: info.env, metrics: info.metrics };
    return detail;
  },
  'train.delete': async (p, ctx) => {
    const root = rootOf(ctx, p.project);
    if (activeRun(root)?.run === p.run) throw new ApiError('conflict', `run "${p.run}" is training; cancel it first`);
    await readRunOrThrow(root, p.run);
    await deleteRun(root, p.run);
    return { deleted: true };
  },
};
