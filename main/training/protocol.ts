/**
 * Messages between the supervisor (parent) and the trainer process (child), over the Node IPC
 * channel (child_process.fork) or an Electron utilityProcess port: plain JSON objects.
 */
import type { TrainRunOptions } from './train-loop';
import type { TrainerEvent } from '../../shared/training/types';

export type ToTrainer =
  | { kind: 'start'; options: Omit<TrainRunOptions, 'progressIntervalMs'> & { progressIntervalMs?: number } }
  | { kind: 'pause' }
  | { kind: 'resume' }
  | { kind: 'cancel' };

export type FromTrainer =
  | { kind: 'ready' }
  | { kind: 'event'; event: TrainerEvent }
  | { kind: 'paused'; paused: boolean }
  | { kind: 'done'; ok: boolean };
