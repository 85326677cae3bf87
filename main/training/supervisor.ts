/**
 * TrainerSupervisor: starts one training run in its own process and turns its messages into
 * events. Under plain Node it forks trainer-entry (the .ts source through tsx when this module
 * runs from source, dist/main/trainer.js when bundled); in Electron the app passes a `spawn`
 * that uses utilityProcess.fork. Never the main thread, never worker_threads.
 *
 * Events (listener): every TrainerEvent from the trainer, plus a synthetic
 * { type: 'failed', payload: { crashed: true, ... } } when the process dies without a
 * 'finished'/'failed' of its own. `done` resolves with the last finished/failed event.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FailedEvent, TrainerEvent } from '../../shared/training/types';
import type { FromTrainer, ToTrainer, TrainerStartOptions } from './protocol';
import { recordCrash } from './crash-record';
import { errorMessage } from '../../shared/error-message';
import type { TrainRunOptions } from './detect-task';
import type { ClassifierRunOptions } from './classifier/classify-task';
import type { ClassifierTrainerEvent } from '../../shared/training/classifier';

/** Events of either run kind. */
export type AnyTrainerEvent = TrainerEvent | ClassifierTrainerEvent;
type FinishedOf<E> = E extends { type: 'finished'; payload: infer P } ? P : never;

/** The minimal process handle the supervisor needs (ChildProcess and a utilityProcess adapter). */
export interface TrainerProcess {
  send(message: ToTrainer): void;
  onMessage(listener: (message: FromTrainer) => void): void;
  onExit(listener: (code: number | null, signal: string | null) => void): void;
  onStderr?(listener: (text: string) => void): void;
  kill(): void;
}

export type SpawnTrainer = () => TrainerProcess;

const here = fileURLToPath(import.meta.url);

/** Path of the trainer entry and the Node flags to run it (tsx when running from source). */
export function trainerEntry(): { file: string; execArgv: string[] } {
  if (here.endsWith('.ts')) return { file: join(dirname(here), 'trainer-entry.ts'), execArgv: ['--import', 'tsx'] };
  // Bundles: dist/main/{serve,electron}.js sit beside trainer.js; dist/cli/detecta.js is one folder over.
  const candidates = [join(dirname(here), 'trainer.js'), join(dirname(here), '..', 'main', 'trainer.js')];
  const built = candidates.find((f) => existsSync(f));
  if (!built) throw new Error(`trainer bundle missing: ${candidates[0]} (run npm run build)`);
  return { file: built, execArgv: [] };
}

/** Spawns the trainer with child_process.fork (plain Node, the CLI, tests, the web host). */
export const forkTrainer: SpawnTrainer = () => {
  const { file, execArgv } = trainerEntry();
  const child: ChildProcess = fork(file, [], { execArgv, stdio: ['ignore', 'pipe', 'pipe', 'ipc'], env: { ...process.env, TF_CPP_MIN_LOG_LEVEL: '2' } });
  return {
    send: (m) => { if (child.connected) child.send(m); },
    onMessage: (l) => child.on('message', (m) => l(m as FromTrainer)),
    onExit: (l) => child.on('exit', (code, signal) => l(code, signal)),
    onStderr: (l) => {
      child.stderr?.on('data', (d: Buffer) => l(d.toString()));
      child.stdout?.on('data', (d: Buffer) => l(d.toString()));
    },
    kill: () => { child.kill('SIGKILL'); },
  };
};

export type TrainerState = 'starting' | 'running' | 'paused' | 'finished' | 'failed';

/**
 * E: the events of the run kind (detector runs: TrainerEvent; classifier runs, started with
 * `task: 'classify'` options: ClassifierTrainerEvent — `new TrainerSupervisor<ClassifierTrainerEvent>(...)`).
 */
export class TrainerSupervisor<E extends AnyTrainerEvent = TrainerEvent> {
  private readonly proc: TrainerProcess;
  private readonly listeners = new Set<(event: E) => void>();
  private terminal: FinishedOf<E> | FailedEvent | null = null;
  private stderrTail = '';
  state: TrainerState = 'starting';
  private runName: string | null;
  readonly done: Promise<{ type: 'finished'; payload: FinishedOf<E> } | { type: 'failed'; payload: FailedEvent }>;

  constructor(options: E extends ClassifierTrainerEvent ? ClassifierRunOptions : TrainRunOptions, spawn: SpawnTrainer = forkTrainer) {
    const start = options as TrainerStartOptions;
    // the run's name is known up front (the caller names a new run or the one to resume); the trainer confirms it in its events
    this.runName = start.resume ?? start.name ?? null;
    this.proc = spawn();
    this.done = new Promise((resolveDone) => {
      this.proc.onStderr?.((text) => { this.stderrTail = (this.stderrTail + text).slice(-4000); });
      this.proc.onMessage((msg) => {
        if (msg.kind === 'ready') {
          this.proc.send({ kind: 'start', options: start });
          this.state = 'running';
        } else if (msg.kind === 'paused') {
          if (this.state === 'running' || this.state === 'paused') this.state = msg.paused ? 'paused' : 'running';
        } else if (msg.kind === 'event') {
          const ev = msg.event as E;
          if ('run' in ev.payload && typeof ev.payload.run === 'string') this.runName = ev.payload.run;
          if (ev.type === 'finished' || ev.type === 'failed') {
            this.terminal = ev.payload as FinishedOf<E> | FailedEvent;
            this.state = ev.type === 'finished' ? 'finished' : 'failed';
          }
          this.dispatch(ev);
        }
      });
      this.proc.onExit((code, signal) => {
        if (this.terminal) {
          resolveDone(this.state === 'finished' ? { type: 'finished', payload: this.terminal as FinishedOf<E> } : { type: 'failed', payload: this.terminal as FailedEvent });
          return;
        }
        const tail = this.stderrTail.trim().split('\n').slice(-5).join(' | ');
        const payload: FailedEvent = {
          run: this.runName ?? '',
          error: `the trainer process stopped unexpectedly (${signal ? `signal ${signal}` : `exit code ${code}`})${tail ? `: ${tail}` : ''}; weights/last holds the last completed epoch`,
          crashed: true, exitCode: code, signal,
        };
        this.terminal = payload;
        this.state = 'failed';
        void recordCrash(start.project, payload)
          .catch((err: unknown) => process.emitWarning(`could not record the crash of run ${payload.run}: ${errorMessage(err)}`))
          .finally(() => {
            this.dispatch({ type: 'failed', payload } as E);
            resolveDone({ type: 'failed', payload });
          });
      });
    });
  }

  /** The run this process trains (null only for a new run the caller did not name, until the trainer names it). */
  get run(): string | null {
    return this.runName;
  }

  private dispatch(event: E): void {
    for (const l of this.listeners) l(event);
  }

  onEvent(listener: (event: E) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  pause(): void { this.proc.send({ kind: 'pause' }); }
  resume(): void { this.proc.send({ kind: 'resume' }); }
  /** Stops at the next batch boundary; the run ends with status 'cancelled'. */
  cancel(): void { this.proc.send({ kind: 'cancel' }); }
  /** Kills the process at once (no clean stop). */
  kill(): void { this.proc.kill(); }
}
