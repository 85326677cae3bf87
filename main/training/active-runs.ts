/**
 * The trainer processes this app runs, one per project at most. The Electron app may install a
 * spawner that uses utilityProcess (`setTrainerSpawner`); the default forks a Node child.
 */
import { forkTrainer, TrainerSupervisor, type SpawnTrainer } from './supervisor';
import type { TrainRunOptions } from './train-loop';

let spawner: SpawnTrainer = forkTrainer;
const active = new Map<string, TrainerSupervisor>();

export function setTrainerSpawner(spawn: SpawnTrainer): void {
  spawner = spawn;
}

export function activeRun(projectRoot: string): TrainerSupervisor | undefined {
  return active.get(projectRoot);
}

/** Starts a supervisor for the project; throws when one is already running there. */
export function startRun(projectRoot: string, options: TrainRunOptions): TrainerSupervisor {
  if (active.has(projectRoot)) throw new Error(`a training run is already active in ${projectRoot}`);
  const sup = new TrainerSupervisor(options, spawner);
  active.set(projectRoot, sup);
  const forget = (): void => { if (active.get(projectRoot) === sup) active.delete(projectRoot); };
  // Forget the run as soon as it reports its end (the process exits a moment later).
  sup.onEvent((ev) => { if (ev.type === 'finished' || ev.type === 'failed') forget(); });
  void sup.done.then(forget);
  return sup;
}
