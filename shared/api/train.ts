/**
 * Training API: start / pause / resume / cancel a detector training run of an opened project,
 * list and read runs (config + metrics rows + env), delete a run. `project` is the project root
 * as returned when it was opened; `run` is a run folder name under .detecta/runs/.
 * Events stream from the trainer process (throttled progress, a few per second).
 */
import { z } from 'zod';
import { method } from './contract';
import {
  trainConfigSchema, type EpochEvent, type EpochMetrics, type FailedEvent, type FinishedEvent, type LogEvent, type ProgressEvent,
  type RunConfigFile, type RunEnv,
} from '../training/types';

const project = z.string().min(1).max(4096);
const run = z.string().min(1).max(200).regex(/^[A-Za-z0-9._-]+$/, 'run names use letters, digits, . _ - only');

export type RunStatus = 'running' | 'paused' | 'completed' | 'cancelled' | 'failed' | 'unknown';

export interface RunSummary {
  name: string;
  status: RunStatus;
  /** True while this app's trainer process runs it. */
  active: boolean;
  createdAt: string | null;
  preset: string | null;
  epochs: number | null;
  epochsDone: number;
  backend: string | null;
  /** Best validation mAP50 / mAP50-95 over the epochs so far. */
  mAP50: number | null;
  'mAP50-95': number | null;
  resumable: boolean;
}

export interface RunDetail extends RunSummary {
  dir: string;
  config: RunConfigFile | null;
  env: RunEnv | null;
  metrics: EpochMetrics[];
}

export const trainMethods = {
  /** Starts a new run (config) or resumes one (`resume`: a run name; `epochs` may raise its total). */
  'train.start': method<{ run: string | null; started: true }>()(
    z.object({ project, config: trainConfigSchema.partial().optional(), name: run.optional(), resume: run.optional(), epochs: z.number().int().min(1).max(10_000).optional() }).strict(),
  ),
  'train.pause': method<{ paused: true }>()(z.object({ project }).strict()),
  'train.resume': method<{ paused: false }>()(z.object({ project }).strict()),
  /** Stops at the next batch boundary; the run stays resumable from its last saved epoch. */
  'train.cancel': method<{ cancelling: true }>()(z.object({ project }).strict()),
  'train.list': method<RunSummary[]>()(z.object({ project }).strict()),
  'train.get': method<RunDetail>()(z.object({ project, run }).strict()),
  'train.delete': method<{ deleted: true }>()(z.object({ project, run }).strict()),
};

export interface TrainEvents {
  'train.progress': ProgressEvent & { project: string };
  'train.epoch': EpochEvent & { project: string };
  'train.log': LogEvent & { project: string };
  'train.finished': FinishedEvent & { project: string };
  'train.failed': FailedEvent & { project: string };
}
