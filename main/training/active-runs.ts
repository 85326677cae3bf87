/**
 * The trainer processes this app runs, one per project at most. The Electron app may install a
 * spawner that uses utilityProcess (`setTrainerSpawner`); the default forks a Node child.
 */
import { forkTrainer, TrainerSupervisor, type AnyTrainerEvent, type SpawnTrainer } from './supervisor';
import type { TrainRunOptions } from './detect-task';
import type { ClassifierRunOptions } from './classifier/classify-task';

/** A detector run's supervisor or a classifier run's (events discriminated by their payload's `task`). */
export type ActiveSupervisor = TrainerSupervisor<AnyTrainerEvent>;

let spawner: SpawnTrainer = forkTrainer;
const active = new Map<string, ActiveSupervisor>();

export function setTrainerSpawner(spawn: SpawnTrainer): void {
  spawner = spawn;
}

export function activeRun(projectRoot: string): ActiveSupervisor | undefined {
  return active.get(projectRoot);
}

/**
 * Starts a supervisor for the project (detector options, or classifier options with
 * `task: 'classify'`); throws when one is already running there.
 */
export function startRun(projectRoot: string, options: TrainRunOptions | ClassifierRunOptions): ActiveSupervisor {
  if (active.has(projectRoot)) throw new Error(`a training run is already active in ${projectRoot}`);
  const sup = new TrainerSupervisor<AnyTrainerEvent>(options, spawner);
  active.set(projectRoot, sup);
  const forget = (): void => { if (active.get(projectRoot) === sup) active.delete(projectRoot); };
  // Forget the run as soon as it reports its end (the process exits a moment later).
  sup.onEvent((ev) => { if (ev.type === 'finished' || ev.type === 'failed') forget(); });
  void sup.done.then(forget);
  return sup;
}
