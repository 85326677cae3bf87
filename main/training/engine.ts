/**
 * The training engine (in the spirit of Ultralytics' BaseTrainer): runs one run of any task in the
 * current process and owns everything a run has whatever it trains:
 * - the run folder (.detecta/runs/<name>/), config.json for a new run, env.json, the event log
 *   (events.jsonl), run.json (the run's typed state, rewritten at every change), metrics.csv (one
 *   row appended per epoch);
 * - the backend ladder, throttled progress events, pause / resume / cancel at batch boundaries;
 * - weights/best (best fitness; equal fitness: lower loss when the task gives one) and weights/last
 *   + state/ (optimizer slots) at every epoch end, saved atomically through the injectable writer;
 * - patience (early stopping), resume from the last completed epoch, and "--more N" / a new
 *   `epochs` total on resume;
 * - the finite-loss guard (a NaN or infinite batch loss stops the run with a clear error);
 * - optimizer phases (a mobilenet detector's frozen → full: a new optimizer state, restored on
 *   resume only when it belongs to the phase resumed in);
 * - the time budget (a config with `minutes`): a clock from the engine's start (paused time not
 *   counted; a resumed run continues with what budget.json says is left); before every batch the
 *   session may re-plan the run's total epochs (TaskSession.replan: config.json and run.json
 *   follow), and when the budget is spent anyway the run stops at that batch boundary, the epoch
 *   in progress is validated and saved as it is, and the run completes with a log line saying so.
 * A task (main/training/detect-task.ts, main/training/classifier/classify-task.ts) is an adapter:
 * it parses its config, loads its data, builds or loads its model (seeded), trains one batch,
 * validates an epoch into metrics and a fitness, and evaluates at the end.
 *
 * Epochs are 1-based; the interrupted epoch of a cancelled or crashed run is redone on resume with
 * the same order and augmentation (both seeded by seed and epoch).
 */
import * as tf from '@tensorflow/tfjs';
import { promises as fs } from 'node:fs';
import { join, resolve } from 'node:path';
import type { RunConfig, RunState, RunTask } from '../../shared/training/run-files';
import type { BackendChoice, LogEvent, RunEnv } from '../../shared/training/types';
import { errorMessage } from '../../shared/error-message';
import { backendFault, type BackendSelection } from './backend';
import { selectRunBackend } from './run-env';
import { EventLog, nextRunName, runDir, runPaths, runsRoot, writeJson, type RunPaths } from './run-folder';
import { readRunConfig, readRunState, writeRunState } from './run-files';
import { appendCsvRow, keepCsvRowsThrough } from './metrics-csv';
import { folderSaveHandler, loadTrainingState, nodeFileWriter, readOptimizerManifest, saveOptimizerState, type FileWriter, type LoadedTaskState, type TaskState } from './weights-io';
import type { SampleList } from '../dataset/sample-list';

export interface TrainControl {
  shouldCancel(): boolean;
  /** Resolves when not paused (immediately when running). */
  waitIfPaused(): Promise<void>;
  /** Whether a pause was asked for (the trainer process answers; absent: never paused). */
  isPaused?(): boolean;
}

/** What every run can be started with, whatever its task. */
export interface EngineOptions {
  /** The folder whose .detecta/runs/ holds the run (a detection project, a class-folder dataset...). */
  project: string;
  /** New run: its name (default train, train2... / classify, classify2...). */
  name?: string;
  /** Resume this run from weights/last, state/ and run.json (its config comes from config.json). */
  resume?: string;
  /** On resume: the run's new total of epochs. */
  epochs?: number;
  /** On resume: train this many epochs past the last completed one. */
  moreEpochs?: number;
  /** On resume: the backend of this part (default: the run's own), e.g. wasm after a GPU failed; env.json records it. */
  backend?: BackendChoice;
  progressIntervalMs?: number;
  /** Pretrained-model cache folder (default: the model cache, main/training/model-cache.ts). */
  modelCacheDir?: string;
  /**
   * The project's labeled samples, read by the app from its open project after its pending
   * autosaves were written: a task that trains on a detection project uses them instead of
   * indexing the folder again. Absent (`detecta train`): the task reads the folder itself.
   */
  samples?: SampleList;
  /** The time budget's clock in milliseconds (default Date.now; tests step it). */
  clock?: () => number;
}

export interface EngineHooks<E> {
  emit(event: E): void;
  control?: TrainControl;
  /** How weights and optimizer state are written (tests inject a failing writer). */
  writer?: FileWriter;
}

/** The common fields of every task's config. */
export interface TaskConfigBase {
  epochs: number;
  /** Time budget in minutes: the session re-plans `epochs` (TaskSession.replan) and the engine stops when it is spent. */
  minutes?: number | undefined;
  patience: number;
  seed: number;
  backend: BackendChoice;
  preset: string;
}

/** What weights/best follows: higher `value`; at equal value a lower `loss` (when given). */
export interface Fitness {
  value: number;
  loss: number | null;
}

export interface EpochMetricsBase {
  epoch: number;
  time: number;
  lr: number;
}

export type OptimizerPhase = 'frozen' | 'full';

/** The time budget of a run, as the engine counts it. */
export interface BudgetClock {
  /** The whole budget in seconds. */
  seconds: number;
  /** The clock's now, in milliseconds (sessions time their batches with it). */
  now(): number;
  /** Budget seconds spent: earlier parts of a resumed run plus this part (paused time not counted). */
  used(): number;
  left(): number;
}

/** Where a run with a time budget is, before one of its batches. */
export interface BudgetPoint {
  /** The epoch in progress (1-based) and the batches of it already trained (0: about to start it; `batches`: about to validate it). */
  epoch: number;
  batchesDone: number;
  batches: number;
  secondsUsed: number;
  secondsLeft: number;
}

/** One run of a task, set up: its model, data and steps. */
export interface TaskSession<M extends EpochMetricsBase, P> {
  /** config.json of the run (a new run: what the engine writes). */
  config: RunConfig;
  /** The model saved as weights/best and weights/last. */
  model: tf.LayersModel;
  inputSize: number;
  newOptimizer(): tf.Optimizer;
  /** Optimizer phase of an epoch (default: always 'full'); a new phase gets a new optimizer state. */
  phaseOf?(epoch: number): OptimizerPhase;
  enterPhase?(phase: OptimizerPhase, epoch: number, atStart: boolean): void;
  batchesPerEpoch(epoch: number): number;
  /** Trains batch `batch` (0-based): images in it, its loss (checked finite) and the task's progress fields. */
  trainBatch(epoch: number, batch: number, optimizer: tf.Optimizer): Promise<{ images: number; loss: number; progress: P }>;
  /** Closes the epoch: its metrics (validation included) and fitness (null: not validated). */
  endEpoch(epoch: number, time: number): Promise<{ metrics: M; fitness: Fitness | null }>;
  /** Runs fn with the weights that are validated and saved as weights/best in the model (e.g. the EMA of the weights); default: the trained weights. */
  withBestWeights?<T>(fn: () => Promise<T>): Promise<T>;
  /** weights/best was just saved from this epoch. */
  onBest?(epoch: number): Promise<void>;
  /**
   * Training state of the task's own (e.g. the weights' EMA), kept in state/ with the optimizer's
   * at every epoch: `save` gives tensors the engine writes and then disposes; on resume `restore`
   * gets them back (an older run without them: not called).
   */
  checkpoint?: {
    save(): TaskState;
    restore(state: LoadedTaskState): void;
  };
  /** A new run, before epoch 1 (e.g. validating the untrained model). */
  beforeFirstEpoch?(): Promise<void>;
  /** After the last epoch of a run that was not cancelled: the final evaluation; extra fields of 'finished'. */
  finish?(best: M | null): Promise<Record<string, unknown>>;
  /**
   * Time budget: called before every batch of a run with `minutes` and after an epoch's last one; the session may re-plan the
   * run's total epochs from what it measured. When it does, it has already updated its `config`
   * (config.json: epochs and whatever else it re-planned) and its schedule, and returns the new
   * total (never below `at.epoch`) with a line for the log ('' for none); null: the plan stands.
   */
  replan?(at: BudgetPoint): { epochs: number; message: string } | null;
  /** The budget ran out: the run ends after epoch `epochs` (its schedule and `config` follow). */
  endAt?(epochs: number): void;
  dispose(): Promise<void>;
}

export interface TaskContext<C> {
  name: string;
  dir: string;
  paths: RunPaths;
  /** The folder holding .detecta/runs. */
  home: string;
  config: C;
  /** A new run: the caller's config input as given (tells the values the user gave from the schema's defaults). */
  input?: unknown;
  /** Resumed runs: their config.json. */
  stored: RunConfig | null;
  /** A run with a time budget: its clock (the first plan subtracts what setting up used). */
  budget?: BudgetClock;
  backend: BackendSelection;
  log(message: string, level?: LogEvent['level'], metrics?: LogEvent['metrics']): void;
  modelCacheDir?: string;
  /** EngineOptions.samples, when the caller handed them over. */
  samples?: SampleList;
}

export interface TaskAdapter<C extends TaskConfigBase, M extends EpochMetricsBase, P> {
  task: RunTask;
  /** New runs are named runBase, runBase2... */
  runBase: string;
  /** What weights/best and patience follow, for log lines ("fitness", "validation accuracy"). */
  fitnessName: string;
  metricsColumns: readonly string[];
  metricsCells(m: M): string[];
  /** A new run's config from the caller's input (defaults filled; a clear error on bad input). */
  parseConfig(input: unknown): C;
  /** A stored run's config (config.json of this task). */
  configOf(stored: RunConfig): C;
  withEpochs(config: C, stored: RunConfig, epochs: number): { config: C; stored: RunConfig };
  /** Loads data, builds (new run) or loads (resume: weights/last) the model. */
  open(ctx: TaskContext<C>): Promise<TaskSession<M, P>>;
}

const NO_CONTROL: TrainControl = { shouldCancel: () => false, waitIfPaused: async () => {} };
const yieldToEvents = (): Promise<void> => new Promise((r) => setImmediate(r));
/** A loss this much lower at the same fitness value counts as better. */
const MIN_LOSS_DELTA = 1e-4;

/** A GPU fault is the real error of a failed batch: tfjs reports a lost device as a bare AbortError, and an out-of-memory one not at all. */
function gpuFailure(fault: string, epoch: number, batch: number): Error {
  return new Error(`${fault} at epoch ${epoch}, batch ${batch + 1}; weights/last holds epoch ${epoch - 1}: resume the run (on another backend, e.g. --backend wasm, if it happens again)`);
}

function better(f: Fitness, best: RunState['best']): boolean {
  if (!best) return true;
  if (f.value !== best.fitness) return f.value > best.fitness;
  return f.loss !== null && best.loss !== null && f.loss < best.loss - MIN_LOSS_DELTA;
}

async function projectHome(project: string): Promise<string> {
  try {
    return await fs.realpath(resolve(project));
  } catch (err) {
    throw new Error(`the project folder ${project} cannot be opened: ${(err as Error).message}`);
  }
}

/** Errors already streamed as a 'failed' event. */
const reported = new WeakSet<object>();

/** Runs (or resumes) one run of `adapter`'s task to completion, early stop or cancellation. Throws on failure. */
export async function runEngine<C extends TaskConfigBase, M extends EpochMetricsBase, P, E>(
  adapter: TaskAdapter<C, M, P>, options: EngineOptions & { config?: unknown }, hooks: EngineHooks<E>,
): Promise<Record<string, unknown>> {
  const emitRaw = (event: unknown): void => hooks.emit(event as E);
  try {
    return await runInFolder(adapter, options, hooks, emitRaw);
  } catch (err) {
    if (!(err instanceof Object && reported.has(err))) {
      emitRaw({ type: 'failed', payload: { run: options.resume ?? options.name ?? '', error: errorMessage(err), crashed: false } });
    }
    throw err;
  }
}

async function runInFolder<C extends TaskConfigBase, M extends EpochMetricsBase, P>(
  adapter: TaskAdapter<C, M, P>, options: EngineOptions & { config?: unknown }, hooks: EngineHooks<unknown>, emitRaw: (e: unknown) => void,
): Promise<Record<string, unknown>> {
  const control = hooks.control ?? NO_CONTROL;
  const writer = hooks.writer ?? nodeFileWriter;
  const clock = options.clock ?? Date.now;
  const clockStart = clock();
  let pausedMs = 0;
  const home = await projectHome(options.project);
  const resuming = options.resume !== undefined;
  await fs.mkdir(runsRoot(home), { recursive: true });
  const name = options.resume ?? options.name ?? (await nextRunName(home, adapter.runBase));
  const dir = runDir(home, name);
  const paths = runPaths(dir);

  // Everything that can be checked without training is checked before a new run folder exists.
  let stored: RunConfig | null = null;
  let config: C;
  let state: RunState;
  let prior: RunState | null = null;
  let configChanged = false;
  let budgetDropped = false;
  if (resuming) {
    try {
      stored = await readRunConfig(dir);
      if (!stored) throw new Error('config.json is missing');
      if (stored.task !== adapter.task) throw new Error(`it is a ${stored.task === 'classify' ? 'classifier' : 'detector'} run`);
      prior = (await readRunState(dir, stored))?.state ?? null;
      if ((prior?.epoch ?? 0) > 0) {
        await fs.access(`${paths.last}/model.json`).catch(() => { throw new Error('it has no saved weights (weights/last/model.json is missing)'); });
        await fs.access(`${paths.state}/optimizer.bin`).catch(() => { throw new Error('its optimizer state is missing (state/optimizer.bin)'); });
      }
    } catch (err) {
      throw new Error(`cannot resume run "${name}": ${errorMessage(err)}`);
    }
    config = adapter.configOf(stored);
    const done = prior?.epoch ?? 0;
    state = prior ? { ...prior } : freshState(adapter.task, name, config, null);
    const total = options.moreEpochs !== undefined ? done + options.moreEpochs : options.epochs;
    if (total !== undefined && total !== config.epochs) {
      configChanged = true;
      if (total < done) throw new Error(`run "${name}" already has ${done} epochs; --epochs is the new total and must be at least that`);
      const hadBudget = config.minutes !== undefined;
      ({ config, stored } = adapter.withEpochs(config, stored, total));
      budgetDropped = hadBudget && config.minutes === undefined;
      state.sinceBest = 0; // more epochs asked for: early stopping counts afresh
    }
    // this part's backend only: config.json keeps the run's own
    if (options.backend !== undefined) config = { ...config, backend: options.backend };
    state = { ...state, status: 'running', phase: 'preparing', epochs: config.epochs, finishedAt: null, stopReason: null, error: null };
  } else {
    config = adapter.parseConfig(options.config ?? {});
    try {
      await fs.mkdir(dir);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') throw new Error(`run "${name}" already exists in ${home}; resume it or pick another name`);
      throw err;
    }
    state = freshState(adapter.task, name, config, null);
  }

  const budgetFile = join(dir, BUDGET_FILE);
  let budget: BudgetClock | null = null;
  if (config.minutes !== undefined) {
    const before = resuming ? await readBudgetUsed(budgetFile) : 0;
    const seconds = config.minutes * 60;
    const used = (): number => before + (clock() - clockStart - pausedMs) / 1000;
    budget = { seconds, now: clock, used, left: () => seconds - used() };
  }

  const events = new EventLog(paths.events);
  const emit = (event: { type: string; payload: object }): void => {
    void events.append(event).catch((err: unknown) => process.emitWarning(`events.jsonl: ${errorMessage(err)}`));
    emitRaw(event);
  };
  const log = (message: string, level: LogEvent['level'] = 'info', metrics?: LogEvent['metrics']): void =>
    emit({ type: 'log', payload: { run: name, level, message, ...(metrics ? { metrics } : {}) } });
  const saveState = async (patch: Partial<RunState>): Promise<void> => {
    state = { ...state, ...patch } as RunState;
    await writeRunState(dir, state);
    emitRaw({ type: 'state', payload: { run: name, status: state.status, phase: state.phase, epoch: state.epoch } });
  };
  const pausePoint = async (): Promise<void> => {
    if (!control.isPaused?.()) return control.waitIfPaused();
    const t0 = Date.now();
    const c0 = clock();
    log('paused');
    await saveState({ status: 'paused' });
    await control.waitIfPaused();
    pausedMs += clock() - c0; // the time budget does not count paused time
    log(`resumed after ${((Date.now() - t0) / 1000).toFixed(0)} s`);
    await saveState({ status: 'running' });
  };

  let session: TaskSession<M, P> | null = null;
  let optimizer: tf.Optimizer | null = null;
  try {
    await saveState({});
    const { sel, env } = await selectRunBackend(config.backend, paths.env, (m) => log(m, 'warn'));
    emit({ type: 'env', payload: { run: name, ...env } satisfies RunEnv & { run: string } });
    await saveState({ backend: sel.backend });
    log(`${resuming ? 'resuming' : 'training'} ${adapter.task === 'classify' ? 'classifier ' : ''}run ${name} (${config.preset}) on ${sel.backend} (${sel.device})`);
    if (budgetDropped) log(`the run's time budget no longer applies: it trains to the ${config.epochs} epochs asked for`);
    if (budget && resuming) log(`time budget: ${formatMinutes(budget.left())} left of ${formatMinutes(budget.seconds)}`);

    session = await adapter.open({
      name, dir, paths, home, config, stored, backend: sel, log, ...(options.modelCacheDir ? { modelCacheDir: options.modelCacheDir } : {}),
      ...(!resuming ? { input: options.config ?? {} } : {}), ...(budget ? { budget } : {}), ...(options.samples ? { samples: options.samples } : {}),
    });
    // a time budget's plan (epochs...) is the session's config from here on
    if (budget && !resuming) config = adapter.configOf(session.config);
    if (!resuming || configChanged) await writeJson(paths.config, session.config);
    if (resuming) await keepCsvRowsThrough(paths.metrics, state.epoch, adapter.metricsColumns);
    const s = session;
    const startEpoch = state.epoch + 1;
    const phaseOf = (epoch: number): OptimizerPhase => s.phaseOf?.(epoch) ?? 'full';
    let phase = phaseOf(startEpoch);
    s.enterPhase?.(phase, startEpoch, true);
    optimizer = s.newOptimizer();
    if (resuming && state.epoch > 0) {
      const samePhase = (await readOptimizerManifest(paths.state)).phase === phase;
      const saved = await loadTrainingState(paths.state, samePhase ? optimizer : null);
      if (samePhase) log(`resumed from epoch ${state.epoch} (optimizer state restored)`);
      else log(`resumed from epoch ${state.epoch}; the backbone is unfrozen from this epoch on, so the optimizer starts a new state for the new trainable weights`);
      try {
        if (saved.task && s.checkpoint) s.checkpoint.restore(saved.task);
      } finally {
        if (saved.task) tf.dispose(Object.values(saved.task.tensors));
      }
      if (startEpoch > config.epochs) log(`run ${name} already has ${config.epochs} epochs; nothing to train (give a larger --epochs, the new total, or --more N)`);
    }
    await saveState({ phase: 'training', inputSize: s.inputSize, epochs: config.epochs });
    if (!resuming) await s.beforeFirstEpoch?.();

    const started = Date.now();
    const secondsBefore = state.seconds ?? 0;
    const interval = options.progressIntervalMs ?? 250;
    let lastProgress = 0;
    let imagesDone = 0;
    let trainMs = 0;
    let cancelled = false;
    let stoppedEarly = false;
    // time budget: a new total of epochs (the session re-planned, or the budget ended the run) goes to config.json and run.json
    const applyTotal = async (total: number, message: string | null): Promise<void> => {
      config = adapter.configOf(s.config);
      if (config.epochs !== total) {
        const w = adapter.withEpochs(config, s.config, total);
        config = w.config;
        s.config = w.stored;
      }
      await writeJson(paths.config, s.config);
      await saveState({ epochs: total });
      if (message) log(message);
    };
    const budgetText = budget ? `the time budget of ${formatMinutes(budget.seconds)}` : '';
    let budgetEnded = false;
    let budgetSpent = false;
    if (budget && startEpoch <= config.epochs && budget.left() <= 0) {
      budgetSpent = true;
      log(`${budgetText} is spent (${formatMinutes(budget.used())} used); nothing to train (give --epochs or --more to train on without it)`);
      if (state.epoch >= 1) await applyTotal(state.epoch, null);
    }
    for (let epoch = startEpoch; epoch <= config.epochs && !cancelled && !stoppedEarly && !budgetSpent; epoch++) {
      if (phaseOf(epoch) !== phase) {
        phase = phaseOf(epoch);
        s.enterPhase?.(phase, epoch, false);
        optimizer.dispose();
        optimizer = s.newOptimizer();
      }
      const batches = s.batchesPerEpoch(epoch);
      let epochImages = 0;
      let trained = 0;
      for (let b = 0; b < batches; b++) {
        await pausePoint();
        if (control.shouldCancel()) { cancelled = true; break; }
        if (budget) {
          const left = budget.left();
          // the first batch of a run's part always trains; after it the budget is a hard stop at a batch boundary
          if (left <= 0 && (b > 0 || epoch > startEpoch)) { budgetEnded = true; break; }
          const r = s.replan?.({ epoch, batchesDone: b, batches, secondsUsed: budget.used(), secondsLeft: left });
          if (r) await applyTotal(Math.max(epoch, r.epochs), r.message);
        }
        const t0 = Date.now();
        let r;
        try {
          r = await s.trainBatch(epoch, b, optimizer);
        } catch (err) {
          const fault = backendFault();
          throw fault ? gpuFailure(fault, epoch, b) : err;
        }
        const fault = backendFault();
        if (fault) throw gpuFailure(fault, epoch, b);
        if (!Number.isFinite(r.loss)) throw new Error(`the loss is ${r.loss} at epoch ${epoch}, batch ${b + 1} (training diverged; lower the learning rate); weights/last holds epoch ${epoch - 1}`);
        epochImages += r.images;
        imagesDone += r.images;
        trainMs += Date.now() - t0;
        trained = b + 1;
        const now = Date.now();
        if (now - lastProgress >= interval || b === batches - 1) {
          lastProgress = now;
          const ips = imagesDone / Math.max(1e-3, trainMs / 1000);
          const perBatch = epochImages / (b + 1);
          const remaining = (batches - b - 1) * perBatch + (config.epochs - epoch) * batches * perBatch;
          emit({ type: 'progress', payload: { task: adapter.task, run: name, epoch, epochs: config.epochs, batch: b + 1, batches, ...r.progress, imagesPerSecond: ips, etaSeconds: remaining / ips } });
        }
        await yieldToEvents();
      }
      if (cancelled) break;
      if (budget && !budgetEnded) {
        // the epoch's batches are trained: a plan that ends here may still grow (e.g. a first guess of 1 epoch)
        const r = s.replan?.({ epoch, batchesDone: batches, batches, secondsUsed: budget.used(), secondsLeft: budget.left() });
        if (r) await applyTotal(Math.max(epoch, r.epochs), r.message);
      }
      if (budgetEnded) {
        const end = trained > 0 ? epoch : epoch - 1;
        if (end !== config.epochs) {
          s.endAt?.(end);
          await applyTotal(end, null);
        }
        log(trained > 0
          ? `${budgetText} ended the run in epoch ${epoch} after ${trained}/${batches} batches; the epoch is validated and saved as it is`
          : `${budgetText} ended the run after epoch ${end}`);
        if (trained === 0) break;
      }
      const elapsed = (Date.now() - started) / 1000;
      const { metrics, fitness } = await s.endEpoch(epoch, elapsed);
      const isBest = fitness !== null && better(fitness, state.best);
      let { best, sinceBest } = state;
      if (isBest) {
        const saveBest = () => s.model.save(folderSaveHandler(paths.best, writer));
        await (s.withBestWeights ? s.withBestWeights(saveBest) : saveBest());
        best = { epoch, fitness: fitness.value, loss: fitness.loss, metrics } as unknown as RunState['best'];
        sinceBest = 0;
        await s.onBest?.(epoch);
      } else if (fitness !== null) {
        sinceBest++;
      }
      await s.model.save(folderSaveHandler(paths.last, writer));
      const taskState = s.checkpoint?.save();
      try {
        await saveOptimizerState(paths.state, optimizer, { epoch, phase }, writer, taskState);
      } finally {
        if (taskState) tf.dispose(taskState.tensors.map((t) => t.tensor));
      }
      await appendCsvRow(paths.metrics, adapter.metricsColumns, adapter.metricsCells(metrics));
      await saveState({ epoch, best, sinceBest, last: metrics, seconds: secondsBefore + elapsed } as unknown as Partial<RunState>);
      if (budget) await writeJson(budgetFile, { minutes: config.minutes, secondsUsed: budget.used() } satisfies BudgetFile);
      emit({ type: 'epoch', payload: { task: adapter.task, run: name, epochs: config.epochs, best: isBest, ...metrics } });
      await events.flush();
      if (config.patience > 0 && sinceBest >= config.patience && epoch < config.epochs) {
        stoppedEarly = true;
        log(`stopped early after epoch ${epoch}: no better ${adapter.fitnessName} for ${sinceBest} validated epoch(s) (patience ${config.patience}); best epoch ${state.best?.epoch ?? '-'}`);
      }
    }
    const bestMetrics = (state.best?.metrics as M | undefined) ?? null;
    const budgetEnd = budget ? { budget: { minutes: budget.seconds / 60, secondsUsed: Math.round(budget.used() * 10) / 10, endedRun: budgetEnded } } : {};
    let extra: Record<string, unknown> = {};
    if (!cancelled && s.finish) {
      await saveState({ phase: 'evaluating' });
      extra = await s.finish(bestMetrics);
    }
    const epochsDone = state.epoch;
    if (cancelled) log(`cancelled; weights/last holds epoch ${epochsDone} (resume with --resume ${name})`);
    const finished = {
      task: adapter.task, run: name, status: cancelled ? 'cancelled' : 'completed', epochsDone, stoppedEarly,
      final: state.last, best: bestMetrics, runDir: dir, ...budgetEnd, ...extra,
    };
    await saveState({ status: cancelled ? 'cancelled' : 'completed', phase: 'done', finishedAt: new Date().toISOString(), stopReason: cancelled ? 'cancelled' : stoppedEarly ? 'patience' : null });
    emit({ type: 'finished', payload: finished });
    await events.flush();
    return finished;
  } catch (err) {
    // a GPU fault outside a batch (validation, saving): name it instead of tfjs's bare AbortError
    const fault = backendFault();
    const message = fault && !errorMessage(err).startsWith(fault) ? `${fault} (${errorMessage(err)}); weights/last holds the last saved epoch: resume the run, on another backend if it happens again` : errorMessage(err);
    // A resume refused while preparing leaves the run as it was (with the reason); a failure while training fails it.
    const end: Partial<RunState> = prior && state.phase === 'preparing'
      ? { ...prior, error: `resume refused: ${message}` }
      : { status: 'failed', phase: 'done', finishedAt: new Date().toISOString(), stopReason: 'failed', error: message };
    await saveState(end).catch((e: unknown) => log(`run.json: ${errorMessage(e)}`, 'error'));
    emit({ type: 'failed', payload: { run: name, error: message, crashed: false } });
    await events.flush();
    if (err instanceof Object) reported.add(err);
    throw err;
  } finally {
    optimizer?.dispose();
    await session?.dispose();
  }
}

/** budget.json of a run with a time budget: the budget seconds used up to its last saved epoch (what a resume continues from). */
const BUDGET_FILE = 'budget.json';
interface BudgetFile {
  minutes: number | undefined;
  secondsUsed: number;
}

async function readBudgetUsed(file: string): Promise<number> {
  try {
    const v = JSON.parse(await fs.readFile(file, 'utf8')) as Partial<BudgetFile>;
    return typeof v.secondsUsed === 'number' && Number.isFinite(v.secondsUsed) && v.secondsUsed >= 0 ? v.secondsUsed : 0;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 0; // no epoch saved yet
    throw new Error(`budget.json: ${errorMessage(err)}`);
  }
}

export function formatMinutes(seconds: number): string {
  const m = seconds / 60;
  return `${Number.isInteger(m) ? m : m >= 10 ? m.toFixed(1) : Number(m.toFixed(2))} min`;
}

function freshState(task: RunTask, name: string, config: TaskConfigBase, inputSize: number | null): RunState {
  return {
    version: 2, task, name, status: 'running', phase: 'preparing', epoch: 0, epochs: config.epochs, sinceBest: 0,
    preset: config.preset, inputSize, backend: null, startedAt: new Date().toISOString(), finishedAt: null, stopReason: null, error: null,
    best: null, last: null,
  } as RunState;
}
