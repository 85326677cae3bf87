/**
 * The detector task of the training engine (engine.ts): a YOLOv2-style detector on a labeling
 * project's boxes.
 * - Data: the project's images with boxes, split by the project's persisted split (else seeded
 *   valFraction), letterboxed to inputSize; the split is stored in config.json and reused on resume.
 * - Model: buildDetector with seeded initialisers (anchors by k-means on the train boxes unless
 *   given); the mobilenet preset starts from the ImageNet backbone of the model zoo, frozen for
 *   `freezeEpochs` epochs (phase 'frozen': only the head trains), then unfrozen (phase 'full') with
 *   a new Adam state, a new warm-up and the rate times finetuneLrFactor.
 * - Before epoch 1 the untrained model is validated once, reported as a log event with `metrics`.
 * - Learning rate per batch from shared/ml/train/lr-schedule (warm-up, then cosine / linear decay
 *   or constant); clipNorm: global-norm gradient clipping.
 * - Fitness: 0.1·mAP50 + 0.9·mAP50-95 on validated epochs (valEvery; the last epoch always);
 *   eval.json describes weights/best (written when an epoch becomes the best).
 * - Time budget (`minutes`, shared/training/time-budget.ts): a new run plans the input size from
 *   the project's box and photo sizes (before the images are loaded), then batch size, frozen
 *   epochs and epochs from the loaded split and a conservative speed guess; values the caller
 *   gave (its raw config input) win. It times its batches (the first batch of each phase left
 *   out), its validation passes (the untrained one first) and each epoch's fixed cost, and
 *   re-plans before every batch once a phase is measured (3 batches or one epoch): epochs, and
 *   the frozen epochs while the backbone is still frozen; the LR schedule and mosaic closing are
 *   rebuilt for the new total, so the cosine still ends on the last batch.
 */
import * as tf from '@tensorflow/tfjs';
import type { z } from 'zod';
import { readSampleList } from '../dataset/project';
import { wasmBatchLimit, wasmStepMegabytes } from '../../shared/ml/detector/wasm-batch-limit';
import { buildDetector } from '../../shared/ml/detector/build';
import { defaultInputSize, detectorPreset, gridSizeOf, isPointHead, isPretrainedBackbone, validateDetectorConfig, type DetectorConfig } from '../../shared/ml/detector/config';
import { kmeansAnchors } from '../../shared/ml/detector/anchors';
import { headBatchLoss } from '../../shared/ml/detector/head-ops';
import { imagesToTensor } from '../../shared/ml/detector/inference';
import { optimizeStep, setOptimizerLearningRate } from '../../shared/ml/detector/train-step';
import { readDetectorMetadata, writeDetectorMetadata } from '../../shared/ml/detector/metadata';
import { DEFAULT_AUGMENT_CONFIG, FPN_AUGMENT_CONFIG, parseAugmentOverrides, resolveAugmentConfig } from '../../shared/ml/augment';
import { WeightEma } from '../../shared/ml/train/ema';
import { fusedAdam } from '../../shared/ml/train/fused-adam';
import { errorMessage } from '../../shared/error-message';
import { setBackboneTrainable } from '../../shared/ml/backbone/freeze';
import { MOBILENET_CUT_LAYERS } from '../../shared/ml/backbone/mobilenet';
import { learningRateAt, warmupStepsOf, type LrScheduleConfig } from '../../shared/ml/train/lr-schedule';
import {
  fitnessOf, trainConfigSchema, type EpochMetrics, type FinishedEvent, type LossParts, type TrainConfig, type TrainConfigInput, type TrainerEvent,
} from '../../shared/training/types';
import type { DetectRunConfig, RunConfig } from '../../shared/training/run-files';
import { frozenCostOf, guessSpeed, planTimeBudget, replanEpochs, scaledLearningRate, type RunShape, type SpeedModel } from '../../shared/training/time-budget';
import type { SampleList } from '../dataset/sample-list';
import { batchesPerEpoch, loadTrainingData, type Sample } from './data';
import { BatchPipeline, chooseBatchWorkers } from './batch-pipeline';
import { countCached, describeImageCache, ImageCache, imageCacheBudget } from './image-cache';
import { buildEvalReport, lossParts, meanLoss, validate, zeroLoss } from './evaluate';
import { writeJson } from './run-folder';
import { loadModelFromFolder } from './weights-io';
import { loadPretrainedBackbone } from './pretrained-backbone';
import { loadPretrainedNanodet } from './pretrained-nanodet';
import type { NanodetWeights } from '../../shared/ml/backbone/nanodet-graph';
import { formatMinutes, runEngine, type EngineHooks, type EngineOptions, type OptimizerPhase, type TaskAdapter, type TaskSession } from './engine';
import { configFields } from './task-config';
import { METRICS_COLUMNS, detectorMetricsCells } from './metrics-csv';

/** A detector run: engine options plus a new run's config. */
export interface TrainRunOptions extends EngineOptions {
  config?: TrainConfigInput;
}

type DetectProgress = { loss: LossParts; lr: number };

function resolveDetectorConfig(train: TrainConfig, classes: string[], inputSize: number, samples: Sample[]): DetectorConfig {
  const base = detectorPreset(train.preset, { numClasses: classes.length, inputSize });
  const grid = gridSizeOf(base);
  let anchors = base.anchors;
  if (isPointHead(base.head)) {
    // anchor-free: no anchors to fit
  } else if (Array.isArray(train.anchors)) anchors = train.anchors as DetectorConfig['anchors'];
  else if (train.anchors === 'kmeans') {
    const sizes = samples.flatMap((s) => s.boxes.map((b) => ({ w: ((b.x2 - b.x1) / inputSize) * grid, h: ((b.y2 - b.y1) / inputSize) * grid }))).filter((s) => s.w > 0 && s.h > 0);
    const k = Math.min(train.numAnchors, sizes.length);
    if (k > 0) anchors = kmeansAnchors(sizes, k, { seed: train.seed }).anchors;
  }
  const config: DetectorConfig = { ...base, anchors };
  if (train.tinyWidths && config.backbone.kind === 'tiny') config.backbone = { kind: 'tiny', widths: train.tinyWidths };
  if (config.backbone.kind === 'nanodet') {
    config.backbone = { ...config.backbone, freezeEpochs: train.freezeEpochs };
  } else if (config.backbone.kind === 'mobilenet' && isPointHead(config.head)) {
    config.backbone = { ...config.backbone, freezeEpochs: train.freezeEpochs };
  } else if (config.backbone.kind === 'mobilenet') {
    const cut = train.backboneCut ?? config.backbone.cutLayer;
    if (!(cut in MOBILENET_CUT_LAYERS)) throw new Error(`backboneCut '${cut}' is not a known MobileNet cut point (${Object.keys(MOBILENET_CUT_LAYERS).join(', ')})`);
    config.backbone = { ...config.backbone, cutLayer: cut, freezeEpochs: train.freezeEpochs };
  }
  validateDetectorConfig(config);
  return config;
}

/** The point-head presets train with FPN_AUGMENT_CONFIG (flip, scale jitter, HSV; mosaic on request) and the weight EMA, the YOLOv2 presets with the seed's recipe. */
const usesModernRecipe = (train: TrainConfig): boolean => train.preset === 'mobilenet-fpn' || train.preset === 'nanodet-m';

function augmentOf(train: TrainConfig) {
  try {
    const base = usesModernRecipe(train) ? FPN_AUGMENT_CONFIG : DEFAULT_AUGMENT_CONFIG;
    return train.augment ? resolveAugmentConfig(train.augmentOps ? parseAugmentOverrides(train.augmentOps) : {}, base) : null;
  } catch (err) {
    throw new Error(`augmentOps: ${(err as Error).message}`);
  }
}

const detectConfig = configFields(trainConfigSchema as z.ZodType<TrainConfig>, 'invalid training config');

/** What the time budget's first plan needs before the images are loaded, from the annotations. */
function budgetStats(list: SampleList, valFraction: number): { trainImages: number; valImages: number; medianBoxSideFraction: number | null; medianImageSide: number | null } {
  const fractions: number[] = [];
  const sides: number[] = [];
  let train = 0;
  let val = 0;
  for (const sample of list.samples) {
    if (sample.split === 'test') continue;
    if (sample.split === 'val') val++;
    else train++;
    const size = sample.size;
    if (!size || !(size.width > 0) || !(size.height > 0)) continue;
    const side = Math.max(size.width, size.height);
    sides.push(side);
    if (sample.split === 'val') continue;
    for (const b of sample.boxes) {
      const w = b.xmax - b.xmin;
      const h = b.ymax - b.ymin;
      if (!b.draft && w > 0 && h > 0) fractions.push(Math.min(w, h) / side);
    }
  }
  if (val === 0 && train > 1) {
    // the trainer holds out a seeded valFraction (data.ts)
    val = Math.max(1, Math.round(train * valFraction));
    train -= val;
  }
  return { trainImages: train, valImages: val, medianBoxSideFraction: median(fractions), medianImageSide: median(sides) };
}

function median(xs: number[]): number | null {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** A phase's speed counts once this many batches of it are timed (or one of its epochs ended). */
const MEASURE_BATCHES = 3;


export const detectTask: TaskAdapter<TrainConfig, EpochMetrics, DetectProgress> = {
  task: 'detect',
  runBase: 'train',
  fitnessName: 'fitness',
  metricsColumns: METRICS_COLUMNS,
  metricsCells: detectorMetricsCells,
  ...detectConfig,
  parseConfig(input) {
    const config = detectConfig.parseConfig(input);
    augmentOf(config); // bad augmentOps fail before the run folder exists
    return config;
  },
  /** A new total on resume (--epochs / --more) is the user's: the run trains to it, without its time budget. */
  withEpochs(config, stored, epochs) {
    const { minutes: _budget, ...rest } = config;
    return detectConfig.withEpochs(rest as TrainConfig, stored, epochs);
  },
  async open(ctx) {
    const stored = ctx.stored as DetectRunConfig | null;
    let train = ctx.config;
    const augment = augmentOf(train);
    // the app hands over its flushed samples; `detecta train` reads the folder itself
    const samples = ctx.samples?.root === ctx.home ? ctx.samples : await readSampleList(ctx.home);
    const budget = ctx.budget;
    const now = budget ? budget.now : Date.now;
    const accelerated = ctx.backend.backend === 'tensorflow-gpu' || ctx.backend.backend === 'webgpu';
    // time budget of a new run: what the caller gave wins over the plan (its raw input tells them from the schema's defaults)
    const raw = (ctx.input && typeof ctx.input === 'object' ? ctx.input : {}) as Record<string, unknown>;
    const planning = budget !== undefined && !stored;
    const explicit = {
      inputSize: train.inputSize,
      batchSize: raw.batchSize !== undefined ? train.batchSize : undefined,
      freezeEpochs: raw.freezeEpochs !== undefined ? train.freezeEpochs : undefined,
    };
    let model: tf.LayersModel | null = null;
    let pipeline: BatchPipeline | null = null;
    try {
      let inputReason: string | null = null;
      let stats: Awaited<ReturnType<typeof budgetStats>> | null = null;
      let inputSize: number;
      if (stored) inputSize = stored.detector.inputSize;
      else if (planning && train.inputSize === undefined) {
        stats = budgetStats(samples, train.valFraction);
        const first = planTimeBudget({
          minutes: budget.seconds / 60, secondsUsed: budget.used(), ...stats, accelerated, preset: train.preset, trainTimes: train.trainTimes, valEvery: train.valEvery, explicit,
        });
        inputSize = first.inputSize;
        inputReason = first.reason[0]!;
      } else inputSize = train.inputSize ?? defaultInputSize(ctx.backend.backend === 'tensorflow-gpu');
      const cacheBudget = imageCacheBudget();
      const data = await loadTrainingData(samples, {
        inputSize, resizeMode: 'letterbox', seed: train.seed, valFraction: train.valFraction, ...(stored ? { split: stored.split } : {}),
        cache: new ImageCache(cacheBudget.bytes),
      });
      for (const s of data.skipped.slice(0, 20)) ctx.log(`skipped ${s.imageId}: ${s.reason}`, 'warn');
      if (data.skipped.length > 20) ctx.log(`… and ${data.skipped.length - 20} more images skipped`, 'warn');
      ctx.log(`data: ${data.train.length} train, ${data.val.length} val images (${data.splitSource} split), ${data.classes.length} classes`);
      if (stored && stored.classes.join('\n') !== data.classes.join('\n')) {
        throw new Error(`the project's classes changed since run "${ctx.name}" started (${stored.classes.join(', ')} → ${data.classes.join(', ')}); the model's outputs are fixed per class, so start a new run`);
      }
      if (!data.train.some((s) => s.boxes.length > 0)) {
        throw new Error(`the train images have no boxes (${data.train.length} image(s), 0 boxes): label some objects before training`);
      }
      if (planning) {
        // the untrained model is validated once before epoch 1: its time is set aside by the guess
        const untrainedVal = data.val.length * guessSpeed(train.preset, inputSize, accelerated).valSecondsPerImage;
        const plan = planTimeBudget({
          minutes: budget.seconds / 60, secondsUsed: budget.used() + untrainedVal, trainImages: data.train.length, valImages: data.val.length,
          medianBoxSideFraction: stats?.medianBoxSideFraction ?? null, medianImageSide: stats?.medianImageSide ?? null, accelerated,
          preset: train.preset, trainTimes: train.trainTimes, valEvery: train.valEvery, explicit: { ...explicit, inputSize },
        });
        // a planned batch takes the rate that goes with it (linear scaling from the default's batch), unless the caller gave one
        const learningRate = raw.learningRate === undefined && plan.batchSize !== train.batchSize ? scaledLearningRate(train.learningRate, train.batchSize, plan.batchSize) : train.learningRate;
        const lrLine = learningRate !== train.learningRate ? `learning rate ${learningRate} (${train.learningRate} × batch ${plan.batchSize} / ${train.batchSize}: scaled with the planned batch)` : null;
        train = { ...train, inputSize, batchSize: plan.batchSize, learningRate, epochs: plan.epochs, freezeEpochs: plan.freezeEpochs };
        ctx.log(`time budget ${formatMinutes(budget.seconds)}: plan input ${inputSize} px, batch ${plan.batchSize}, ${plan.epochs} epochs, ${plan.freezeEpochs} frozen (first estimate; re-planned once the first batches are timed)`);
        // the input size's reason is the first plan's (the second one was given the size it chose)
        for (const r of [inputReason ?? plan.reason[0]!, ...plan.reason.slice(1), ...(lrLine ? [lrLine] : [])]) ctx.log(`  ${r}`);
      }
      // the wasm backend's memory (4 GiB) holds one step's activations; a larger batch would hang it
      if (!stored && ctx.backend.backend === 'wasm') {
        const limit = wasmBatchLimit(train.preset, inputSize);
        if (train.batchSize > limit) {
          const gb = (wasmStepMegabytes(train.preset, inputSize, train.batchSize) / 1024).toFixed(1);
          const learningRate = raw.learningRate === undefined ? scaledLearningRate(train.learningRate, train.batchSize, limit) : train.learningRate;
          ctx.log(`batch ${train.batchSize} of ${train.preset} at ${inputSize} px needs about ${gb} GB for one training step, more than the wasm backend's 4 GB memory holds: training with batch ${limit}${learningRate !== train.learningRate ? ` and learning rate ${learningRate}` : ''} (a smaller input size allows a larger batch)`, 'warn');
          train = { ...train, batchSize: limit, learningRate };
        }
      }
      let detector: DetectorConfig;
      let config: RunConfig;
      let session: TaskSession<EpochMetrics, DetectProgress> | null = null;
      if (stored) {
        model = await loadModelFromFolder(ctx.paths.last);
        detector = readDetectorMetadata(model);
        config = stored;
      } else {
        detector = resolveDetectorConfig(train, data.classes, inputSize, data.train);
        let pretrained: tf.LayersModel | undefined;
        let nanodet: NanodetWeights | undefined;
        const cache = ctx.modelCacheDir ? { cacheDir: ctx.modelCacheDir } : {};
        if (detector.backbone.kind === 'mobilenet') {
          pretrained = (await loadPretrainedBackbone(train.backbone, { ...cache, log: (m) => ctx.log(m) })).model;
        } else if (detector.backbone.kind === 'nanodet') {
          nanodet = (await loadPretrainedNanodet(train.backbone, { ...cache, log: (m) => ctx.log(m) })).weights;
        }
        try {
          model = buildDetector(detector, { seed: train.seed, ...(pretrained ? { pretrained } : {}), ...(nanodet ? { nanodet } : {}) });
        } finally {
          pretrained?.dispose();
          nanodet?.dispose();
        }
        config = {
          version: 1, task: 'detect', name: ctx.name, project: ctx.home, createdAt: new Date().toISOString(), train, detector, classes: data.classes,
          split: { train: data.train.map((s) => s.imageId), val: data.val.map((s) => s.imageId) },
        };
      }
      const trained = model;
      // a pretrained backbone (mobilenet, nanodet): frozen for freezeEpochs, then fine-tuned
      const mobilenet = isPretrainedBackbone(detector.backbone);
      // config.json is authoritative for a resumed run (a time budget may have re-planned it after the model was built)
      let freezeEpochs = isPretrainedBackbone(detector.backbone)
        ? (stored && isPretrainedBackbone(stored.detector.backbone) ? stored.detector.backbone.freezeEpochs : detector.backbone.freezeEpochs)
        : 0;
      // EMA of the weights for validation and weights/best; kept in state/ each epoch, so a resumed run continues it
      const ema = (train.ema ?? usesModernRecipe(train)) ? new WeightEma(trained) : null;
      const withEma = <T>(fn: () => Promise<T>): Promise<T> => (ema ? ema.withEmaWeights(fn) : fn());
      const mosaicOn = augment?.enabled === true && augment.mosaic.enabled;
      const valOptions = { batchSize: train.batchSize, confidence: train.evalConfidence, maxBoxes: train.maxBoxes };
      const batches = batchesPerEpoch(data.train.length, train.trainTimes, train.batchSize);
      // batches are built (augmented) in worker threads ahead of the step that trains on them
      pipeline = BatchPipeline.start(data.train, { workers: chooseBatchWorkers(), augment, seed: train.seed, trainTimes: train.trainTimes, batchSize: train.batchSize, batchesPerEpoch: batches });
      // one copy of the cache: the samples now point into the shared one
      data.train.forEach((sample, i) => { sample.image = pipeline!.imageOf(i); });
      const trainCache = countCached(data.train.map((s) => s.image));
      const valCache = countCached(data.val.map((s) => s.image));
      ctx.log(`${describeImageCache(trainCache, valCache, cacheBudget, inputSize)}; batches built by ${pipeline.workerCount || 'the trainer thread, no'} worker thread(s)`);
      const batchPipeline = pipeline;
      let closeMosaic = 0;
      let schedule!: LrScheduleConfig;
      // the LR schedule and mosaic closing follow the run's total of epochs (a time budget re-plans it)
      const planSchedule = (): void => {
        closeMosaic = mosaicOn ? (train.closeMosaic ?? Math.max(1, Math.round(train.epochs * 0.15))) : 0;
        const totalSteps = train.epochs * batches;
        schedule = {
          kind: train.lrSchedule, baseLr: train.learningRate, finalLrFactor: train.finalLrFactor,
          warmupSteps: warmupStepsOf(train.warmupEpochs, batches, totalSteps), totalSteps,
          ...(freezeEpochs > 0 ? { rewarmFromStep: freezeEpochs * batches } : {}),
        };
      };
      planSchedule();
      const setPlan = (epochs: number, freeze: number): void => {
        if (mobilenet && freeze !== freezeEpochs && isPretrainedBackbone(detector.backbone)) {
          freezeEpochs = freeze;
          detector = { ...detector, backbone: { ...detector.backbone, freezeEpochs: freeze } };
          writeDetectorMetadata(trained, detector);
        }
        train = { ...train, epochs, ...(mobilenet ? { freezeEpochs } : {}) };
        planSchedule();
        if (session) session.config = { ...(session.config as DetectRunConfig), train, detector };
      };

      // time budget: what this part of the run measured
      const timed = { frozen: { seconds: 0, images: 0, batches: 0, epochs: 0 }, full: { seconds: 0, images: 0, batches: 0, epochs: 0 } };
      // the first batch of each phase: its speed only until others are timed (it includes building kernels)
      const firstBatch = { frozen: { seconds: 0, images: 0 }, full: { seconds: 0, images: 0 } };
      const seenInPhase = { frozen: 0, full: 0 };
      const announced = { frozen: false, full: false };
      let valPass: { seconds: number; images: number } | null = null;
      const overheads: number[] = [];
      let current: { epoch: number; startUsed: number; train: number; val: number; ended: boolean } | null = null;
      const planFreeze = planning && mobilenet && explicit.freezeEpochs === undefined;
      let logged = { epochs: train.epochs, freeze: freezeEpochs };
      const shape: RunShape = { imagesPerEpoch: data.train.length * train.trainTimes, valImages: data.val.length, valEvery: train.valEvery };
      const phaseAt = (epoch: number): OptimizerPhase => (epoch <= freezeEpochs ? 'frozen' : 'full');
      const speedNow = (): SpeedModel => {
        const guess = guessSpeed(train.preset, inputSize, accelerated);
        const per = (t: { seconds: number; images: number }): number | null => (t.images > 0 ? t.seconds / t.images : null);
        const frozen = per(timed.frozen) ?? per(firstBatch.frozen);
        const full = per(timed.full) ?? per(firstBatch.full) ?? (frozen !== null ? frozen / frozenCostOf(train.preset) : guess.secondsPerImage);
        const recent = overheads.slice(-3);
        return {
          secondsPerImage: full,
          frozenSecondsPerImage: frozen ?? full * frozenCostOf(train.preset),
          valSecondsPerImage: valPass ? valPass.seconds / Math.max(1, valPass.images) : full / 2,
          epochOverheadSeconds: recent.length ? recent.reduce((a, b) => a + b, 0) / recent.length : guess.epochOverheadSeconds,
        };
      };
      let sum = zeroLoss();
      let seen = 0;
      let lr = train.learningRate;
      let lastVal: Awaited<ReturnType<typeof validate>> | null = null;
      if (planning) config = { ...(config as DetectRunConfig), train };
      session = {
        config, model: trained, inputSize,
        newOptimizer: () => fusedAdam(train.learningRate),
        ...(ema ? { withBestWeights: withEma, checkpoint: emaCheckpoint(ema, ctx.log) } : {}),
        phaseOf: phaseAt,
        enterPhase(phase, epoch, atStart) {
          if (!mobilenet) return;
          setBackboneTrainable(trained, phase === 'full');
          if (phase === 'frozen') ctx.log(`backbone frozen for epochs 1-${freezeEpochs}; the head trains alone`);
          else if (!atStart) ctx.log(`epoch ${epoch}: backbone unfrozen, fine-tuning the whole model (new optimizer state)`);
        },
        batchesPerEpoch: () => batches,
        async beforeFirstEpoch() {
          if (data.val.length === 0) return;
          const t0 = now();
          const v = await validate(trained, detector, data.classes, data.val, valOptions);
          valPass = { seconds: (now() - t0) / 1000, images: data.val.length };
          ctx.log(`untrained: mAP50 ${v.mAP50?.toFixed(4) ?? '-'}, mAP50-95 ${v['mAP50-95']?.toFixed(4) ?? '-'}`, 'info', {
            epoch: 0, mAP50: v.mAP50, 'mAP50-95': v['mAP50-95'], precision: v.precision, recall: v.recall, F1: v.F1, val: v.loss,
          });
        },
        async trainBatch(epoch, b, optimizer) {
          const t0 = now();
          if (b === 0) { sum = zeroLoss(); seen = 0; }
          lr = learningRateAt(schedule, (epoch - 1) * batches + b) * (freezeEpochs > 0 && epoch > freezeEpochs ? train.finetuneLrFactor : 1);
          setOptimizerLearningRate(optimizer, lr);
          if (b === 0 && mosaicOn && epoch === train.epochs - closeMosaic + 1) ctx.log(`epoch ${epoch}: mosaic and mixup off for the last ${closeMosaic} epoch(s)`);
          const batch = await batchPipeline.batch(epoch, b, epoch <= train.epochs - closeMosaic);
          const x = imagesToTensor(batch.images);
          const batchLoss = headBatchLoss(detector, batch.boxes, train.maxBoxes);
          let l: LossParts;
          try {
            l = lossParts(await optimizeStep(trained, optimizer, x, batchLoss.loss, train.clipNorm));
            ema?.update();
          } finally {
            x.dispose();
            batchLoss.dispose();
          }
          const n = batch.images.length;
          for (const k of Object.keys(sum) as (keyof LossParts)[]) sum[k] += l[k] * n;
          seen += n;
          if (budget) {
            const dt = (now() - t0) / 1000;
            const phase = phaseAt(epoch);
            if (current?.epoch === epoch) current.train += dt;
            // the first batch of a phase builds kernels and buffers: not the phase's speed
            if (seenInPhase[phase]++ > 0) { timed[phase].seconds += dt; timed[phase].images += n; timed[phase].batches++; } else firstBatch[phase] = { seconds: dt, images: n };
          }
          return { images: n, loss: l.total, progress: { loss: l, lr } };
        },
        async endEpoch(epoch, time) {
          const trainLoss = meanLoss(sum, seen);
          const doVal = data.val.length > 0 && (epoch % train.valEvery === 0 || epoch === train.epochs);
          const t0 = now();
          const v = doVal ? await withEma(() => validate(trained, detector, data.classes, data.val, valOptions)) : null;
          if (budget) {
            if (doVal) valPass = { seconds: (now() - t0) / 1000, images: data.val.length };
            if (current?.epoch === epoch) { current.val += doVal ? valPass!.seconds : 0; current.ended = true; }
            timed[phaseAt(epoch)].epochs++;
          }
          lastVal = v;
          const trainDecoded = trainCache.images - trainCache.cached > 0 ? batchPipeline.decodedIn(epoch) : 0;
          const valDecoded = doVal ? valCache.images - valCache.cached : 0;
          if (trainDecoded + valDecoded > 0) ctx.log(`image cache: epoch ${epoch} decoded ${trainDecoded} train image(s) from their files for its batches, ${valDecoded} val image(s) for validation`);
          const metrics: EpochMetrics = {
            epoch, time, train: trainLoss, val: v?.loss ?? null,
            precision: v?.precision ?? null, recall: v?.recall ?? null, F1: v?.F1 ?? null, mAP50: v?.mAP50 ?? null, 'mAP50-95': v?.['mAP50-95'] ?? null, lr,
          };
          return { metrics, fitness: v ? { value: fitnessOf(metrics), loss: null } : null };
        },
        replan(at) {
          if (!budget) return null;
          if (at.batchesDone === 0) {
            // an epoch's wall time less its training and validation: saving weights and state, events
            if (current?.ended && current.epoch === at.epoch - 1) overheads.push(Math.max(0, at.secondsUsed - current.startUsed - current.train - current.val));
            current = { epoch: at.epoch, startUsed: at.secondsUsed, train: 0, val: 0, ended: false };
          }
          const phase = phaseAt(at.epoch);
          const t = timed[phase];
          // measured: 3 batches timed, or an epoch of the phase trained (then even its first batch alone will do)
          const epochTrained = at.batchesDone >= at.batches || t.epochs > 0;
          if (!(t.batches >= MEASURE_BATCHES || (epochTrained && (t.batches > 0 || firstBatch[phase].images > 0)))) return null;
          const speed = speedNow();
          const r = replanEpochs({
            secondsLeft: at.secondsLeft, epoch: at.epoch, batchesDone: at.batchesDone, batchesPerEpoch: at.batches, shape, speed,
            epochs: train.epochs, freezeEpochs, planFreeze: planFreeze && phase === 'frozen',
          });
          const first = !announced[phase];
          announced[phase] = true;
          const was = { epochs: train.epochs, freeze: freezeEpochs };
          if (r.epochs === was.epochs && r.freezeEpochs === was.freeze && !first) return null;
          setPlan(r.epochs, r.freezeEpochs);
          // the log gets the first plan of each measured phase and then changes of 10 % (at least 1 epoch) from the last logged one;
          // config.json and run.json follow every change
          const seen = logged;
          const worth = first || freezeEpochs !== seen.freeze || Math.abs(train.epochs - seen.epochs) >= Math.max(1, Math.round(seen.epochs * 0.1));
          if (!worth) return { epochs: train.epochs, message: '' };
          logged = { epochs: train.epochs, freeze: freezeEpochs };
          const frozenText = mobilenet ? `, ${freezeEpochs} frozen${freezeEpochs !== seen.freeze ? ` (was ${seen.freeze})` : ''}` : '';
          const changed = train.epochs !== seen.epochs || freezeEpochs !== seen.freeze;
          const plan = `${changed ? 're-planned to' : 'the plan stays at'} ${train.epochs} epochs${train.epochs !== seen.epochs ? ` (was ${seen.epochs})` : ''}${frozenText}; ${at.secondsLeft.toFixed(1)} s left`;
          if (!first) return { epochs: train.epochs, message: `time budget: ${plan}` };
          const rate = (1 / (phase === 'frozen' ? speed.frozenSecondsPerImage : speed.secondsPerImage)).toFixed(1);
          const measured = `${rate} img/s${mobilenet ? (phase === 'frozen' ? ' with the backbone frozen' : ' fine-tuning') : ''}, validation ${valPass ? `${valPass.seconds.toFixed(1)} s` : 'not timed yet'}`;
          return { epochs: train.epochs, message: `time budget: measured ${measured}; ${plan}` };
        },
        endAt(epochs) {
          setPlan(epochs, freezeEpochs);
        },
        async onBest(epoch) {
          if (lastVal && lastVal.groundTruth.length > 0) await writeJson(ctx.paths.evalJson, buildEvalReport(epoch, data.classes, lastVal.groundTruth, lastVal.detections, train.evalConfidence));
        },
        async dispose() {
          await batchPipeline.close();
          ema?.dispose();
          trained.dispose();
        },
      };
      return session;
    } catch (err) {
      await pipeline?.close();
      model?.dispose();
      throw err;
    }
  },
};

/** Runs (or resumes) a detector run to completion or cancellation. Throws on failure. */
export function runTraining(options: TrainRunOptions, hooks: EngineHooks<TrainerEvent>): Promise<FinishedEvent> {
  return runEngine(detectTask, options, hooks) as unknown as Promise<FinishedEvent>;
}

/** The weights' EMA as a task checkpoint: its values (ema/0…) and update count; a saved EMA that does not fit the model is dropped with a warning. */
function emaCheckpoint(ema: WeightEma, log: (message: string, level?: 'warn') => void): NonNullable<TaskSession<EpochMetrics, DetectProgress>['checkpoint']> {
  return {
    save: () => ({ tensors: ema.toTensors().map((tensor, i) => ({ name: `ema/${i}`, tensor })), meta: { emaUpdates: ema.updates } }),
    restore({ tensors, meta }) {
      const saved = Array.from({ length: ema.size }, (_, i) => tensors[`ema/${i}`]);
      const updates = meta.emaUpdates;
      if (typeof updates !== 'number' || saved.some((t) => t === undefined)) return;
      try {
        ema.loadTensors(saved as tf.Tensor[], updates);
        log(`weight EMA restored (${updates} updates)`);
      } catch (err) {
        log(`the saved weight EMA does not fit the model (${errorMessage(err)}); it restarts from the resumed weights`, 'warn');
      }
    },
  };
}
