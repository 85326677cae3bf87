/**
 * Handlers of the training API (shared/api/train.ts). Runs live in trainer processes
 * (Services.trainers, main/training/trainer-registry.ts), one per project; their events are forwarded with the project
 * root added. Run folders are read from disk (main/training/run-folder.ts).
 */
import { spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import { isAbsolute, join, relative } from 'node:path';
import { ApiError } from '../../shared/api/contract';
import type { ExportedModelInfo, RunDetail, RunReport, RunSummary, StoredTrainerEvent, trainMethods } from '../../shared/api/train';
import type { EvalReport } from '../../shared/training/eval-report';
import type { ClassifierEvalReport } from '../../shared/training/classifier';
import type { AnyTrainerEvent } from '../training/supervisor';
import type { ActiveSupervisor } from '../training/trainer-registry';
import { computeProjectAnchors } from '../training/project-anchors';
import { deleteRun, nextRunName, runDir, runPaths } from '../training/run-folder';
import { listRuns, readEvalJson, readRun, type RunInfo } from '../training/run-files';
import { writeFileAtomic } from '../dataset/atomic-write';
import { fsApiError } from '../dataset/fs-errors';
import type { ApiContext, HandlersFor } from './handler';
import { errorMessage } from '../../shared/error-message';
import { exportRun, ExportError } from '../export/export-run';
import { ExportVerificationError } from '../export/verify-export';
import { UnsupportedLayerError } from '../export/onnx/tfjs-to-onnx';

function rootOf(ctx: ApiContext, project: string): string {
  return ctx.services.projects.get(project).root;
}

function running(ctx: ApiContext, project: string) {
  const sup = ctx.services.trainers.activeRun(rootOf(ctx, project));
  if (!sup) throw new ApiError('not_found', 'no training run is active in this project');
  return sup;
}

/** Runs from before run.json kept `seconds`: sums the parts of metrics.csv (its time restarts at 0 when a run is resumed). */
function durationOf(metrics: { time: number }[]): number | null {
  if (metrics.length === 0) return null;
  let total = 0;
  let prev = 0;
  for (const m of metrics) {
    if (m.time < prev) total += prev;
    prev = m.time;
  }
  return total + prev;
}

/** A run's list entry; `sup`: the project's active trainer, if any. */
function summarize(info: RunInfo, sup: ActiveSupervisor | undefined): RunSummary {
  const active = sup !== undefined && sup.run === info.name;
  const state = info.state;
  const best = state?.best ?? null;
  const det = state?.task === 'detect' ? (state.best?.metrics ?? null) : null;
  const cls = state?.task === 'classify' ? (state.best?.metrics ?? null) : null;
  // a run.json left 'running' by a process that is gone: the trainer died
  const status = active ? (sup.state === 'paused' ? 'paused' : 'running') : info.status === 'running' || info.status === 'paused' ? 'failed' : info.status;
  return {
    name: info.name,
    status,
    active,
    createdAt: state?.startedAt ?? info.config?.createdAt ?? null,
    preset: state?.preset ?? info.config?.train.preset ?? null,
    epochs: state?.epochs ?? info.config?.train.epochs ?? null,
    epochsDone: state?.epoch ?? 0,
    backend: state?.backend ?? info.env?.backend ?? null,
    task: info.config?.task ?? state?.task ?? 'detect',
    inputSize: state?.inputSize ?? null,
    bestEpoch: best?.epoch ?? null,
    mAP50: det?.mAP50 ?? null,
    'mAP50-95': det?.['mAP50-95'] ?? null,
    accuracy: cls ? (cls.val ?? cls.train).accuracy : null,
    resumable: !active && info.hasLast && info.config !== null && info.problem === null,
    durationSeconds: state?.seconds ?? durationOf(info.classifierMetrics ?? info.metrics),
    stopReason: status === 'failed' && !active && state?.status === 'running' ? 'crashed' : (state?.stopReason ?? null),
    error: state?.error ?? null,
    upgraded: info.upgraded,
    problem: info.problem,
  };
}

/** Pushes a run's run-list entry (read from run.json) to the listeners: no one polls train.list. */
async function pushRunState(ctx: ApiContext, project: string, root: string, run: string): Promise<void> {
  try {
    ctx.emit('train.run', { ...summarize(await readRun(root, run), ctx.services.trainers.activeRun(root)), project });
  } catch (err) {
    ctx.emit('train.log', { run, level: 'error', message: `cannot read the state of run "${run}": ${errorMessage(err)}`, project });
  }
}

/** Trainer events go out as they come (they carry their `task`); state changes push the run's entry. */
function forward(ctx: ApiContext, project: string, root: string, ev: AnyTrainerEvent): void {
  const { emit } = ctx;
  switch (ev.type) {
    case 'progress': emit('train.progress', { ...ev.payload, project }); break;
    case 'epoch': emit('train.epoch', { ...ev.payload, project }); break;
    case 'log': emit('train.log', { ...ev.payload, project }); break;
    case 'finished': emit('train.finished', { ...ev.payload, project }); break;
    case 'failed': emit('train.failed', { ...ev.payload, project }); break;
    case 'env': emit('train.log', { run: ev.payload.run, level: 'info', message: `backend ${ev.payload.backend}: ${ev.payload.device}`, project }); break;
  }
  // run.json changed (the trainer says so), or the supervisor recorded a crash into it
  if ((ev.type === 'state' || (ev.type === 'failed' && ev.payload.crashed)) && ev.payload.run) void pushRunState(ctx, project, root, ev.payload.run);
}

/**
 * Waits (≤ 5 s) until the trainer process confirms pause / resume, so train.list right after the
 * call shows the new state. A trainer still starting confirms once its loop runs.
 */
async function settle(sup: { state: string }, paused: boolean): Promise<void> {
  for (let waited = 0; waited < 5000; waited += 20) {
    if (sup.state === 'finished' || sup.state === 'failed' || (sup.state === 'paused') === paused) return;
    await new Promise((r) => setTimeout(r, 20));
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

async function readEvalReport(dir: string, run: string): Promise<EvalReport | ClassifierEvalReport> {
  let report;
  try {
    report = await readEvalJson(dir);
  } catch (err) {
    throw new ApiError('unreadable', `run "${run}": ${errorMessage(err)}`, { run });
  }
  if (!report) throw new ApiError('not_found', `run "${run}" has no evaluation report yet (eval.json is written when a validated epoch improves the best weights)`, { run });
  return report;
}

/** Opens a folder with the platform's opener on this machine (the web host runs where the user is). */
function openWithSystem(path: string): Promise<string> {
  const [cmd, args] = process.platform === 'darwin' ? ['open', [path]] : process.platform === 'win32' ? ['explorer', [path]] : ['xdg-open', [path]];
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { detached: true, stdio: 'ignore' });
    child.once('error', (err) => resolve(`${cmd} failed: ${err.message}`));
    child.once('spawn', () => { child.unref(); resolve(''); });
  });
}

function isClassifierReport(r: EvalReport | ClassifierEvalReport): r is ClassifierEvalReport {
  return 'task' in r && r.task === 'classify';
}

export const trainHandlers: HandlersFor<typeof trainMethods> = {
  'train.start': async (p, ctx) => {
    const root = rootOf(ctx, p.project);
    if (ctx.services.trainers.activeRun(root)) throw new ApiError('conflict', 'a training run is already active in this project; cancel it first');
    if (p.resume) {
      const info = await readRunOrThrow(root, p.resume);
      if (!info.hasLast || !info.config) throw new ApiError('conflict', `run "${p.resume}" has no saved epoch to resume from`);
    }
    let classify = p.classifier !== undefined;
    if (p.resume) {
      const info = await readRunOrThrow(root, p.resume);
      classify = info.config?.task === 'classify';
    }
    // Edits still waiting for their autosave go first; a detector trainer then gets the project's
    // samples as saved (the classifier's crops are read from the folder).
    const project = ctx.services.projects.get(p.project);
    await project.flush().catch((err: unknown) => {
      throw new ApiError('io', `cannot start training: pending annotation edits could not be saved (${errorMessage(err)}); nothing was started`);
    });
    const samples = classify ? undefined : await project.sampleList();
    const name = p.resume ?? p.name ?? (await nextRunName(root, classify ? 'classify' : 'train'));
    // the app's one model cache: backbones of both tasks beside the ready-made detectors
    const modelCacheDir = ctx.services.modelCache.dir;
    const resume = p.resume ? { project: root, resume: p.resume, modelCacheDir, ...(p.epochs ? { epochs: p.epochs } : {}), ...(p.backend ? { backend: p.backend } : {}) } : null;
    let sup;
    if (classify) {
      const c = p.classifier;
      // crops come from the opened project's boxes, whatever project the caller names
      const config = c && { ...c, task: 'classify' as const, source: c.source.kind === 'crops' ? { ...c.source, project: root } : c.source };
      sup = ctx.services.trainers.startRun(root, resume ? { task: 'classify', ...resume } : { task: 'classify', project: root, name, config, modelCacheDir });
    } else {
      sup = ctx.services.trainers.startRun(root, resume ? { ...resume, samples } : { project: root, name, config: p.config ?? {}, modelCacheDir, samples });
    }
    sup.onEvent((ev) => forward(ctx, p.project, root, ev));
    return { run: name, started: true };
  },
  'train.pause': async (p, ctx) => {
    const sup = running(ctx, p.project);
    sup.pause();
    await settle(sup, true);
    if (sup.run) await pushRunState(ctx, p.project, rootOf(ctx, p.project), sup.run);
    return { paused: true };
  },
  'train.resume': async (p, ctx) => {
    const sup = running(ctx, p.project);
    sup.resume();
    await settle(sup, false);
    if (sup.run) await pushRunState(ctx, p.project, rootOf(ctx, p.project), sup.run);
    return { paused: false };
  },
  'train.cancel': async (p, ctx) => { running(ctx, p.project).cancel(); return { cancelling: true }; },
  'train.list': async (p, ctx) => {
    const root = rootOf(ctx, p.project);
    return (await listRuns(root)).map((info) => summarize(info, ctx.services.trainers.activeRun(root)));
  },
  'train.get': async (p, ctx) => {
    const root = rootOf(ctx, p.project);
    const info = await readRunOrThrow(root, p.run);
    const detail: RunDetail = {
      ...summarize(info, ctx.services.trainers.activeRun(root)), dir: info.dir, config: info.config, env: info.env, metrics: info.metrics,
      ...(info.classifierMetrics ? { classifierMetrics: info.classifierMetrics } : {}),
    };
    return detail;
  },
  'train.delete': async (p, ctx) => {
    const root = rootOf(ctx, p.project);
    if (ctx.services.trainers.activeRun(root)?.run === p.run) throw new ApiError('conflict', `run "${p.run}" is training; cancel it first`);
    await readRunOrThrow(root, p.run);
    await deleteRun(root, p.run);
    return { deleted: true };
  },
  'train.anchors': async (p, ctx) => {
    const proj = ctx.services.projects.get(p.project);
    const grid = p.inputSize / 32;
    try {
      const a = await computeProjectAnchors(proj, { k: p.k, grid });
      return { anchors: a.anchors.map(([w, h]) => [w, h] as [number, number]), anchorsPx: a.anchorsPx, meanIoU: a.meanIoU, boxes: a.boxes, split: a.split, grid, inputSize: p.inputSize };
    } catch (err) {
      if (err instanceof ApiError) throw err;
      throw new ApiError('conflict', errorMessage(err));
    }
  },
  'train.report': async (p, ctx) => {
    const proj = ctx.services.projects.get(p.project);
    const info = await readRunOrThrow(proj.root, p.run);
    const report = await readEvalReport(info.dir, p.run);
    const imagePaths: Record<string, string> = {};
    if (isClassifierReport(report)) {
      // thumbnails only for files inside the project (the web host serves nothing else)
      for (const pair of report.mostConfused) {
        for (const ex of pair.examples) {
          const file = ex.thumbnail ?? ex.path; // the pixels the model saw, else the source image
          if (!file) continue;
          const rel = relative(proj.root, file);
          if (rel && !rel.startsWith('..') && !isAbsolute(rel)) imagePaths[ex.id] = file;
        }
      }
      const result: RunReport = { ...report, run: p.run, imagePaths };
      return result;
    }
    for (const g of report.gallery ?? []) imagePaths[g.imageId] = proj.resolveImage(g.imageId);
    const result: RunReport = { ...report, task: 'detect', f1: report.f1 ?? null, perSize: report.perSize ?? null, gallery: report.gallery ?? [], run: p.run, imagePaths };
    return result;
  },
  'train.events': async (p, ctx) => {
    const root = rootOf(ctx, p.project);
    const info = await readRunOrThrow(root, p.run);
    const file = runPaths(info.dir).events;
    const text = await fs.readFile(file, 'utf8').catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return '';
      throw fsApiError(err, file, 'cannot read');
    });
    const lines = text.split('\n');
    // the element after the last newline is '' or a line still being written: leave it for the next call
    const complete = lines.length - 1;
    const types = p.types ? new Set<string>(p.types) : null;
    const events: StoredTrainerEvent[] = [];
    let skipped = 0;
    let next = p.since;
    for (let i = p.since; i < complete && events.length < p.limit; i++) {
      next = i + 1;
      const line = lines[i];
      if (!line.trim()) continue;
      let ev: StoredTrainerEvent;
      try {
        ev = { ...(JSON.parse(line) as Omit<StoredTrainerEvent, 'line'>), line: i } as StoredTrainerEvent;
      } catch {
        skipped++; // a line torn by a crash mid-write; the run's status reads it as interrupted
        continue;
      }
      if (!types || types.has(ev.type)) events.push(ev);
    }
    return { events, next, skipped };
  },
  'train.export': async (p, ctx) => {
    const root = rootOf(ctx, p.project);
    if (!isAbsolute(p.dir)) throw new ApiError('bad_request', `export folder must be an absolute path, got "${p.dir}"`);
    await readRunOrThrow(root, p.run);
    // only inside an opened project or an output folder the user chose (folder-grants.ts)
    const grants = ctx.services.grants;
    try {
      return await exportRun({
        projectDir: root, run: p.run, weights: p.weights, format: p.format, dir: p.dir,
        resolveTarget: (path) => grants.resolveWritable(path, 'export'),
        beforeCreateDir: async (dir) => { await grants.resolveWritable(dir, 'export'); }, // a new folder: its parent must be allowed
      });
    } catch (err) {
      if (err instanceof ApiError) throw err;
      if (err instanceof ExportError) throw new ApiError(err.code, err.message, { run: p.run });
      if (err instanceof ExportVerificationError) throw new ApiError('conflict', err.message, { verification: err.verification });
      if (err instanceof UnsupportedLayerError) throw new ApiError('unavailable', `this model cannot be exported to ONNX: ${err.message}`);
      if ((err as NodeJS.ErrnoException).code) throw fsApiError(err, p.dir, 'cannot write');
      throw err;
    }
  },
  'train.openFolder': async (p, ctx) => {
    const root = rootOf(ctx, p.project);
    await readRunOrThrow(root, p.run);
    const path = runDir(root, p.run);
    const reason = ctx.services.openPath ? await ctx.services.openPath(path) : await openWithSystem(path);
    return reason ? { opened: false, path, reason } : { opened: true, path };
  },
};
