/**
 * The training loop, pure of IPC: runs one detector training run in the current process and
 * reports through `hooks.emit` (the trainer entry forwards to its parent; tests may call it
 * directly). Writes the run folder (run-folder.ts) as it goes.
 *
 * Conventions:
 * - Epochs are 1-based. Before epoch 1 of a new run the untrained model is validated once and
 *   reported as a log event carrying `metrics` (the baseline a learning check compares with).
 * - Cancel and pause act at batch boundaries (`hooks.control`); the loop yields to the event
 *   loop after every batch so control messages get through.
 * - weights/last + state/ are saved at every epoch end; a cancelled or crashed run resumes from
 *   the last completed epoch (the interrupted epoch is redone with the same order and
 *   augmentation, both seeded by (seed, epoch)).
 * - weights/best follows fitness 0.1·mAP50 + 0.9·mAP50-95; eval.json describes weights/best.
 * - Progress events are throttled to one per `progressIntervalMs` (default 250 ms) plus the
 *   last batch of each epoch.
 * - Learning rate: per batch from shared/ml/train/lr-schedule (linear warm-up over warmupEpochs,
 *   then cosine / linear decay to learningRate·finalLrFactor, or constant), written into the Adam
 *   optimizer before each step; the epoch's last rate is reported as `lr`. Extending a run
 *   (resume with a larger `epochs`) stretches the decay over the new total.
 * - clipNorm: global-norm gradient clipping in the train step.
 * - patience > 0: the run stops after that many validated epochs without a better fitness and
 *   finishes as 'completed', with a log line saying it stopped early.
 * - Weights are initialised from `seed` (buildDetector's seeded initialisers): same config, same
 *   project, same backend → the same run.
 * - mobilenet preset: the ImageNet backbone (pretrained-backbone.ts) is frozen for
 *   `freezeEpochs` epochs (phase 'frozen': only the head trains), then unfrozen (phase 'full')
 *   with a new Adam state for the new set of trainable weights. The phase is saved with the
 *   optimizer state, so a resume restores the state only when it belongs to the phase it resumes in.
 *   The new optimizer warms up again (warmupEpochs) and the rate is multiplied by
 *   finetuneLrFactor from then on, so fine-tuning does not undo the pretrained features (with
 *   Adam at the head's rate, the raccoon bench lost half its mAP50 in the first unfrozen epoch).
 */
import * as tf from '@tensorflow/tfjs';
import { promises as fs } from 'node:fs';
import { openDatasetProject } from '../dataset/project';
import { buildDetector } from '../../shared/ml/detector/build';
import { defaultInputSize, detectorPreset, gridSizeOf, validateDetectorConfig, type DetectorConfig } from '../../shared/ml/detector/config';
import { kmeansAnchors } from '../../shared/ml/detector/anchors';
import { gridSpecOf } from '../../shared/ml/detector/layout';
import { encodeBatchTargets } from '../../shared/ml/detector/target';
import { imagesToTensor } from '../../shared/ml/detector/inference';
import { setOptimizerLearningRate, trainStep } from '../../shared/ml/detector/train-step';
import { readDetectorMetadata } from '../../shared/ml/detector/metadata';
import { parseAugmentOverrides, resolveAugmentConfig } from '../../shared/ml/augment';
import { setBackboneTrainable } from '../../shared/ml/backbone/freeze';
import { MOBILENET_CUT_LAYERS } from '../../shared/ml/backbone/mobilenet';
import { learningRateAt, warmupStepsOf, type LrScheduleConfig } from '../../shared/ml/train/lr-schedule';
import {
  fitnessOf, trainConfigSchema, type EpochMetrics, type FinishedEvent, type LogEvent, type LossParts, type RunConfigFile,
  type TrainConfig, type TrainConfigInput, type TrainerEvent,
} from '../../shared/training/types';
import { selectRunBackend } from './run-env';
import { batchesPerEpoch, epochOrder, loadTrainingData, makeBatch, type Sample } from './data';
import { buildEvalReport, lossParts, validate } from './evaluate';
import { EventLog, appendMetricsRow, nextRunName, readJson, runDir, runPaths, writeJson } from './run-folder';
import { folderSaveHandler, loadModelFromFolder, loadOptimizerState, nodeFileWriter, saveOptimizerState, type FileWriter } from './weights-io';
import { loadPretrainedBackbone } from './pretrained-backbone';
import { errorMessage } from '../../shared/error-message';

export interface TrainControl {
  shouldCancel(): boolean;
  /** Resolves when not paused (immediately when running). */
  waitIfPaused(): Promise<void>;
  /** Whether a pause was asked for (the trainer process answers; absent: never paused). */
  isPaused?(): boolean;
}

/**
 * The batch boundary where a run pauses: waits while paused and, when it did, writes the pause
 * and the resume into the run's log (events.jsonl), so a reloaded Train view shows them too.
 */
export async function pausePoint(control: TrainControl, log: (message: string) => void): Promise<void> {
  if (!control.isPaused?.()) return control.waitIfPaused();
  const t0 = Date.now();
  log('paused');
  await control.waitIfPaused();
  log(`resumed after ${((Date.now() - t0) / 1000).toFixed(0)} s`);
}

export interface TrainHooks {
  emit(event: TrainerEvent): void;
  control?: TrainControl;
  /** How run-folder weights and optimizer state are written (tests inject a failing writer). */
  writer?: FileWriter;
}

export interface TrainRunOptions {
  /** Project root folder. */
  project: string;
  /** New run: its config (defaults filled in) and optional name (default train, train2...). */
  config?: TrainConfigInput;
  name?: string;
  /** Resume this run from weights/last and its saved state (config comes from config.json). */
  resume?: string;
  /** Override the epoch count on resume (train further): the new total. */
  epochs?: number;
  /** On resume: train this many epochs past the last saved one (instead of `epochs`). */
  moreEpochs?: number;
  progressIntervalMs?: number;
  /** Pretrained-model cache folder (default: DETECTA_MODEL_CACHE or ~/.cache/detecta/models). */
  modelCacheDir?: string;
}

const NO_CONTROL: TrainControl = { shouldCancel: () => false, waitIfPaused: async () => {} };
const yieldToEvents = (): Promise<void> => new Promise((r) => setImmediate(r));

type Phase = 'frozen' | 'full';

function resolveDetectorConfig(train: TrainConfig, classes: string[], inputSize: number, samples: Sample[]): DetectorConfig {
  const base = detectorPreset(train.preset, { numClasses: classes.length, inputSize });
  const grid = gridSizeOf(base);
  let anchors = base.anchors;
  if (Array.isArray(train.anchors)) anchors = train.anchors as DetectorConfig['anchors'];
  else if (train.anchors === 'kmeans') {
    const sizes = samples.flatMap((s) => s.boxes.map((b) => ({ w: ((b.x2 - b.x1) / inputSize) * grid, h: ((b.y2 - b.y1) / inputSize) * grid }))).filter((s) => s.w > 0 && s.h > 0);
    const k = Math.min(train.numAnchors, sizes.length);
    if (k > 0) anchors = kmeansAnchors(sizes, k, { seed: train.seed }).anchors;
  }
  const config: DetectorConfig = { ...base, anchors };
  if (train.tinyWidths && config.backbone.kind === 'tiny') config.backbone = { kind: 'tiny', widths: train.tinyWidths };
  if (config.backbone.kind === 'mobilenet') {
    const cut = train.backboneCut ?? config.backbone.cutLayer;
    if (!(cut in MOBILENET_CUT_LAYERS)) throw new Error(`backboneCut '${cut}' is not a known MobileNet cut point (${Object.keys(MOBILENET_CUT_LAYERS).join(', ')})`);
    config.backbone = { ...config.backbone, cutLayer: cut, freezeEpochs: train.freezeEpochs };
  }
  validateDetectorConfig(config);
  return config;
}

function formatConfigError(err: unknown): Error {
  if (err && typeof err === 'object' && 'issues' in err) {
    const issues = (err as { issues: { path: (string | number)[]; message: string }[] }).issues;
    return new Error(`invalid training config: ${issues.map((i) => `${i.path.join('.') || '(config)'}: ${i.message}`).join('; ')}`);
  }
  return err instanceof Error ? err : new Error(String(err));
}

const zeroLoss = (): LossParts => ({ total: 0, box: 0, obj: 0, noobj: 0, cls: 0 });

/** Runs (or resumes) a training run to completion or cancellation. Throws on failure. */
export async function runTraining(options: TrainRunOptions, hooks: TrainHooks): Promise<FinishedEvent> {
  const control = hooks.control ?? NO_CONTROL;
  const writer = hooks.writer ?? nodeFileWriter;
  try {
    const project = await openDatasetProject(options.project, { watch: false });
    try {
      return await runInProject(project, options, hooks, control, writer);
    } finally {
      await project.close();
    }
  } catch (err) {
    // Failures before the run folder exists (bad config, no project) are reported here.
    if (!(err instanceof Object && reported.has(err))) {
      hooks.emit({ type: 'failed', payload: { run: options.resume ?? options.name ?? '', error: errorMessage(err), crashed: false } });
    }
    throw err;
  }
}

/** Errors already streamed as a 'failed' event (and logged in events.jsonl). */
const reported = new WeakSet<object>();

async function runInProject(project: Awaited<ReturnType<typeof openDatasetProject>>, options: TrainRunOptions, hooks: TrainHooks, control: TrainControl, writer: FileWriter): Promise<FinishedEvent> {
  const root = project.root;
  const resuming = options.resume !== undefined;
  const name = options.resume ?? options.name ?? (await nextRunName(root));
  const dir = runDir(root, name);
  const paths = runPaths(dir);
  let stored: RunConfigFile | null = null;
  let train: TrainConfig;
  let augment;
  // Everything that can be checked without training is checked before the run folder exists.
  if (resuming) {
    stored = await readJson<RunConfigFile>(paths.config).catch((err: unknown) => {
      throw new Error(`cannot resume run "${name}": ${(err as Error).message}`);
    });
    train = { ...stored.train };
  } else {
    try {
      train = trainConfigSchema.parse(options.config ?? {});
    } catch (err) {
      throw formatConfigError(err);
    }
  }
  try {
    augment = train.augment ? resolveAugmentConfig(train.augmentOps ? parseAugmentOverrides(train.augmentOps) : {}) : null;
  } catch (err) {
    throw new Error(`augmentOps: ${(err as Error).message}`);
  }
  if (!resuming) {
    try {
      await fs.mkdir(dir, { recursive: false });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') throw new Error(`run "${name}" already exists in ${root}; resume it or pick another name`);
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      await fs.mkdir(dir, { recursive: true });
    }
  }
  const events = new EventLog(paths.events);
  const emit = (event: TrainerEvent): void => {
    void events.append(event).catch((err: unknown) => process.emitWarning(`events.jsonl: ${(err as Error).message}`));
    hooks.emit(event);
  };
  const log = (message: string, level: LogEvent['level'] = 'info', metrics?: LogEvent['metrics']): void =>
    emit({ type: 'log', payload: { run: name, level, message, ...(metrics ? { metrics } : {}) } });

  let model: tf.LayersModel | null = null;
  let optimizer: tf.Optimizer | null = null;
  try {
    const { sel, env } = await selectRunBackend(train.backend, paths.env, (m) => log(m, 'warn'));
    emit({ type: 'env', payload: { run: name, ...env } });
    log(`${resuming ? 'resuming' : 'training'} run ${name} on ${sel.backend} (${sel.device})`);

    const inputSize = stored ? (stored.detector as DetectorConfig).inputSize : (train.inputSize ?? defaultInputSize(sel.backend === 'tensorflow-gpu'));
    const data = await loadTrainingData(project, {
      inputSize, resizeMode: 'letterbox', seed: train.seed, valFraction: train.valFraction, ...(stored ? { split: stored.split } : {}),
    });
    for (const s of data.skipped.slice(0, 20)) log(`skipped ${s.imageId}: ${s.reason}`, 'warn');
    if (data.skipped.length > 20) log(`… and ${data.skipped.length - 20} more images skipped`, 'warn');
    log(`data: ${data.train.length} train, ${data.val.length} val images (${data.splitSource} split), ${data.classes.length} classes`);
    if (stored && stored.classes.join('\n') !== data.classes.join('\n')) {
      throw new Error(`the project's classes changed since run "${name}" started (${stored.classes.join(', ')} → ${data.classes.join(', ')}); the model's outputs are fixed per class, so start a new run`);
    }
    if (!data.train.some((s) => s.boxes.length > 0)) {
      throw new Error(`the train images have no boxes (${data.train.length} image(s), 0 boxes): label some objects before training`);
    }

    let detector: DetectorConfig;
    let startEpoch = 1;
    let bestFitness = -Infinity;
    let best: EpochMetrics | null = null;
    let final: EpochMetrics | null = null;
    let sinceBest = 0;
    let savedState: Record<string, unknown> | null = null;
    if (stored) {
      model = await loadModelFromFolder(paths.last);
      detector = readDetectorMetadata(model);
      const meta = JSON.parse(await fs.readFile(`${paths.state}/optimizer.json`, 'utf8')) as Record<string, unknown>;
      savedState = meta;
      startEpoch = Number(meta.epoch) + 1;
      bestFitness = typeof meta.bestFitness === 'number' ? meta.bestFitness : -Infinity;
      best = (meta.best as EpochMetrics | null) ?? null;
      final = (meta.last as EpochMetrics | null) ?? null;
      sinceBest = typeof meta.sinceBest === 'number' ? meta.sinceBest : 0;
      const newTotal = options.moreEpochs !== undefined ? startEpoch - 1 + options.moreEpochs : options.epochs;
      if (newTotal !== undefined && newTotal !== train.epochs) {
        if (newTotal < startEpoch - 1) throw new Error(`run "${name}" already has ${startEpoch - 1} epochs; --epochs is the new total and must be at least that`);
        train = { ...train, epochs: newTotal };
        sinceBest = 0; // asked for more epochs: early stopping counts afresh
        await writeJson(paths.config, { ...stored, train });
      }
    } else {
      detector = resolveDetectorConfig(train, data.classes, inputSize, data.train);
      let pretrained: tf.LayersModel | undefined;
      if (detector.backbone.kind === 'mobilenet') {
        const loaded = await loadPretrainedBackbone(train.backbone, { ...(options.modelCacheDir ? { cacheDir: options.modelCacheDir } : {}), log: (m) => log(m) });
        pretrained = loaded.model;
      }
      try {
        model = buildDetector(detector, { seed: train.seed, ...(pretrained ? { pretrained } : {}) });
      } finally {
        pretrained?.dispose();
      }
      const config: RunConfigFile = {
        version: 1, task: 'detect', name, project: root, createdAt: new Date().toISOString(), train, detector, classes: data.classes,
        split: { train: data.train.map((s) => s.imageId), val: data.val.map((s) => s.imageId) },
      };
      await writeJson(paths.config, config);
    }
    const trainedModel = model;
    const freezeEpochs = detector.backbone.kind === 'mobilenet' ? detector.backbone.freezeEpochs : 0;
    const phaseOf = (epoch: number): Phase => (epoch <= freezeEpochs ? 'frozen' : 'full');
    const enterPhase = (phase: Phase): void => {
      if (detector.backbone.kind !== 'mobilenet') return;
      setBackboneTrainable(trainedModel, phase === 'full');
    };
    let phase = phaseOf(startEpoch);
    enterPhase(phase);
    optimizer = tf.train.adam(train.learningRate);
    if (savedState) {
      const savedPhase = (savedState.phase as Phase | undefined) ?? 'full';
      if (savedPhase === phase) {
        await loadOptimizerState(paths.state, optimizer);
        log(`resumed from epoch ${startEpoch - 1}`);
      } else {
        log(`resumed from epoch ${startEpoch - 1}; the backbone is unfrozen from this epoch on, so the optimizer starts a new state for the new trainable weights`);
      }
      if (startEpoch > train.epochs) log(`run ${name} already has ${train.epochs} epochs; nothing to train (give a larger --epochs, the new total, or --more N)`);
    }
    if (phase === 'frozen') log(`backbone frozen for epochs 1-${freezeEpochs}; the head trains alone`);
    const spec = gridSpecOf(detector);
    const valOptions = { batchSize: train.batchSize, confidence: train.evalConfidence, maxBoxes: train.maxBoxes };

    if (!stored && data.val.length > 0) {
      const v = await validate(model, detector, data.classes, data.val, valOptions);
      log(`untrained: mAP50 ${v.mAP50?.toFixed(4) ?? '-'}, mAP50-95 ${v['mAP50-95']?.toFixed(4) ?? '-'}`, 'info', {
        epoch: 0, mAP50: v.mAP50, 'mAP50-95': v['mAP50-95'], precision: v.precision, recall: v.recall, F1: v.F1, val: v.loss,
      });
    }

    const batches = batchesPerEpoch(data.train.length, train.trainTimes, train.batchSize);
    const totalSteps = train.epochs * batches;
    const schedule: LrScheduleConfig = {
      kind: train.lrSchedule, baseLr: train.learningRate, finalLrFactor: train.finalLrFactor,
      warmupSteps: warmupStepsOf(train.warmupEpochs, batches, totalSteps), totalSteps,
      ...(freezeEpochs > 0 ? { rewarmFromStep: freezeEpochs * batches } : {}),
    };
    const started = Date.now();
    const interval = options.progressIntervalMs ?? 250;
    let lastProgress = 0;
    let imagesDone = 0;
    let trainMs = 0;
    let cancelled = false;
    let stoppedEarly = false;
    for (let epoch = startEpoch; epoch <= train.epochs && !cancelled && !stoppedEarly; epoch++) {
      if (phaseOf(epoch) !== phase) {
        phase = phaseOf(epoch);
        enterPhase(phase);
        optimizer.dispose();
        optimizer = tf.train.adam(train.learningRate);
        log(`epoch ${epoch}: backbone unfrozen, fine-tuning the whole model (new optimizer state)`);
      }
      const order = epochOrder(data.train.length, train.trainTimes, train.seed, epoch);
      const sum = zeroLoss();
      let seen = 0;
      let lr = train.learningRate;
      for (let b = 0; b < batches; b++) {
        await pausePoint(control, log);
        if (control.shouldCancel()) { cancelled = true; break; }
        const t0 = Date.now();
        lr = learningRateAt(schedule, (epoch - 1) * batches + b) * (freezeEpochs > 0 && phase === 'full' ? train.finetuneLrFactor : 1);
        setOptimizerLearningRate(optimizer, lr);
        const batch = makeBatch(data.train, order, b, train.batchSize, augment, train.seed, epoch);
        const x = imagesToTensor(batch.images);
        const targets = encodeBatchTargets(batch.boxes, spec, train.maxBoxes);
        let l: LossParts;
        try {
          l = lossParts(trainStep(model, optimizer, x, targets, spec, { clipNorm: train.clipNorm }));
        } finally {
          tf.dispose([x, targets.target, targets.trueBoxes]);
        }
        const n = batch.images.length;
        for (const k of Object.keys(sum) as (keyof LossParts)[]) sum[k] += l[k] * n;
        seen += n;
        imagesDone += n;
        trainMs += Date.now() - t0;
        const now = Date.now();
        if (now - lastProgress >= interval || b === batches - 1) {
          lastProgress = now;
          const ips = imagesDone / Math.max(1e-3, trainMs / 1000);
          const remaining = (batches - b - 1) * train.batchSize + (train.epochs - epoch) * batches * train.batchSize;
          emit({ type: 'progress', payload: { run: name, epoch, epochs: train.epochs, batch: b + 1, batches, loss: l, imagesPerSecond: ips, etaSeconds: remaining / ips, lr } });
        }
        await yieldToEvents();
      }
      if (cancelled) break;
      const trainLoss: LossParts = { total: sum.total / seen, box: sum.box / seen, obj: sum.obj / seen, noobj: sum.noobj / seen, cls: sum.cls / seen };
      const doVal = data.val.length > 0 && (epoch % train.valEvery === 0 || epoch === train.epochs);
      const v = doVal ? await validate(model, detector, data.classes, data.val, valOptions) : null;
      const metrics: EpochMetrics = {
        epoch, time: (Date.now() - started) / 1000, train: trainLoss, val: v?.loss ?? null,
        precision: v?.precision ?? null, recall: v?.recall ?? null, F1: v?.F1 ?? null, mAP50: v?.mAP50 ?? null, 'mAP50-95': v?.['mAP50-95'] ?? null,
        lr,
      };
      const fitness = v ? fitnessOf(metrics) : -Infinity;
      const isBest = v !== null && fitness > bestFitness;
      if (isBest) {
        bestFitness = fitness;
        best = metrics;
        sinceBest = 0;
        await model.save(folderSaveHandler(paths.best, writer));
        if (v.groundTruth.length > 0) await writeJson(paths.evalJson, buildEvalReport(epoch, data.classes, v.groundTruth, v.detections, train.evalConfidence));
      } else if (v !== null) {
        sinceBest++;
      }
      final = metrics;
      await model.save(folderSaveHandler(paths.last, writer));
      await saveOptimizerState(paths.state, optimizer, {
        epoch, bestFitness: Number.isFinite(bestFitness) ? bestFitness : null, best, last: metrics, sinceBest, phase,
      }, writer);
      await appendMetricsRow(paths.metrics, metrics);
      emit({ type: 'epoch', payload: { run: name, epochs: train.epochs, best: isBest, ...metrics } });
      if (train.patience > 0 && sinceBest >= train.patience && epoch < train.epochs) {
        stoppedEarly = true;
        log(`stopped early after epoch ${epoch}: no better fitness for ${sinceBest} validated epoch(s) (patience ${train.patience}); best epoch ${best?.epoch ?? '-'}`);
      }
    }
    const epochsDone = final?.epoch ?? startEpoch - 1;
    const finished: FinishedEvent = { run: name, status: cancelled ? 'cancelled' : 'completed', epochsDone, final, best, runDir: dir };
    if (cancelled) log(`cancelled; weights/last holds epoch ${epochsDone} (resume with --resume ${name})`);
    emit({ type: 'finished', payload: finished });
    await events.flush();
    return finished;
  } catch (err) {
    const message = errorMessage(err);
    emit({ type: 'failed', payload: { run: name, error: message, crashed: false } });
    await events.flush();
    if (err instanceof Object) reported.add(err);
    throw err;
  } finally {
    model?.dispose();
    optimizer?.dispose();
  }
}
