/**
 * Messages between the supervisor (parent) and the trainer process (child), over the Node IPC
 * channel (child_process.fork) or an Electron utilityProcess port: plain JSON objects.
 */
import type { TrainRunOptions } from './detect-task';
import type { TrainerEvent } from '../../shared/training/types';
import type { ClassifierTrainerEvent } from '../../shared/training/classifier';
import type { ClassifierRunOptions } from './classifier/classify-task';

/** What a trainer process can be started with: a detector run (no task) or a classifier run. */
export type TrainerStartOptions =
  | (Omit<TrainRunOptions, 'progressIntervalMs'> & { task?: undefined; progressIntervalMs?: number })
  | ClassifierRunOptions;

export type ToTrainer =
  | { kind: 'start'; options: TrainerStartOptions }
  | { kind: 'pause' }
  | { kind: 'resume' }
  | { kind: 'cancel' };

export type FromTrainer =
  | { kind: 'ready' }
  | { kind: 'event'; event: TrainerEvent | ClassifierTrainerEvent }
  | { kind: 'paused'; paused: boolean };
