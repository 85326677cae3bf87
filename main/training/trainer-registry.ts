/**
 * The trainer processes one app instance runs, one per project at most. Built once per app by
 * createServices with the spawner of its shell (Electron: utilityProcess; the web host and tests:
 * a forked Node child), so two app instances in one process never see each other's runs.
 */
import { TrainerSupervisor, type AnyTrainerEvent, type SpawnTrainer } from './supervisor';
import type { TrainRunOptions } from './detect-task';
import type { ClassifierRunOptions } from './classifier/classify-task';

/** A detector run's supervisor or a classifier run's (events discriminated by their payload's `task`). */
export type ActiveSupervisor = TrainerSupervisor<AnyTrainerEvent>;

export class TrainerRegistry {
  private readonly active = new Map<string, ActiveSupervisor>();

  constructor(private readonly spawn: SpawnTrainer) {}

  /** The run training in this project now, if any. */
  activeRun(projectRoot: string): ActiveSupervisor | undefined {
    return this.active.get(projectRoot);
  }

  /**
   * Starts a supervisor for the project (detector options, or classifier options with
   * `task: 'classify'`); throws when one is already running there.
   */
  startRun(projectRoot: string, options: TrainRunOptions | ClassifierRunOptions): ActiveSupervisor {
    if (this.active.has(projectRoot)) throw new Error(`a training run is already active in ${projectRoot}`);
    const sup = new TrainerSupervisor<AnyTrainerEvent>(options, this.spawn);
    this.active.set(projectRoot, sup);
    const forget = (): void => { if (this.active.get(projectRoot) === sup) this.active.delete(projectRoot); };
    // Forget the run as soon as it reports its end (the process exits a moment later).
    sup.onEvent((ev) => { if (ev.type === 'finished' || ev.type === 'failed') forget(); });
    void sup.done.then(forget);
    return sup;
  }
}
