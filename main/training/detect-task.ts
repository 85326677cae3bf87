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
 */
import * as tf from '@tensorflow/tfjs';
import type { z } from 'zod';
import { openDatasetProject } from '../dataset/project';
import { buildDetector } from '../../shared/ml/detector/build';
import { defaultInputSize, detectorPreset, gridSizeOf, isPointHead, validateDetectorConfig, type DetectorConfig } from '../../shared/ml/detector/config';
import { kmeansAnchors } from '../../shared/ml/detector/anchors';
import { headBatchLoss } from '../../shared/ml/detector/head-ops';
import { imagesToTensor } from '../../shared/ml/detector/inference';
import { optimizeStep, setOptimizerLearningRate } from '../../shared/ml/detector/train-step';
import { readDetectorMetadata } from '../../shared/ml/detector/metadata';
import { DEFAULT_AUGMENT_CONFIG, MODERN_AUGMENT_CONFIG, parseAugmentOverrides, resolveAugmentConfig } from '../../shared/ml/augment';
import { WeightEma } from '../../shared/ml/train/ema';
import { setBackboneTrainable } from '../../shared/ml/backbone/freeze';
import { MOBILENET_CUT_LAYERS } from '../../shared/ml/backbone/mobilenet';
import { learningRateAt, warmupStepsOf, type LrScheduleConfig } from '../../shared/ml/train/lr-schedule';
import {
  fitnessOf, trainConfigSchema, type EpochMetrics, type FinishedEvent, type LossParts, type TrainConfig, type TrainConfigInput, type TrainerEvent,
} from '../../shared/training/types';
import type { DetectRunConfig, RunConfig } from '../../shared/training/run-files';
import { batchesPerEpoch, epochOrder, loadTrainingData, makeBatch, type Sample } from './data';
import { buildEvalReport, lossParts, validate } from './evaluate';
import { writeJson } from './run-folder';
import { loadModelFromFolder } from './weights-io';
import { loadPretrainedBackbone } from './pretrained-backbone';
import { runEngine, type EngineHooks, type EngineOptions, type TaskAdapter, type TaskSession } from './engine';
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
  if (config.backbone.kind === 'mobilenet' && isPointHead(config.head)) {
    config.backbone = { ...config.backbone, freezeEpochs: train.freezeEpochs };
  } else if (config.backbone.kind === 'mobilenet') {
    const cut = train.backboneCut ?? config.backbone.cutLayer;
    if (!(cut in MOBILENET_CUT_LAYERS)) throw new Error(`backboneCut '${cut}' is not a known MobileNet cut point (${Object.keys(MOBILENET_CUT_LAYERS).join(', ')})`);
    config.backbone = { ...config.backbone, cutLayer: cut, freezeEpochs: train.freezeEpochs };
  }
  validateDetectorConfig(config);
  return config;
}

/** The point-head preset trains with the YOLO-style recipe (mosaic, mixup, HSV), the YOLOv2 presets with the seed's. */
const usesModernRecipe = (train: TrainConfig): boolean => train.preset === 'mobilenet-fpn';

function augmentOf(train: TrainConfig) {
  try {
    const base = usesModernRecipe(train) ? MODERN_AUGMENT_CONFIG : DEFAULT_AUGMENT_CONFIG;
    return train.augment ? resolveAugmentConfig(train.augmentOps ? parseAugmentOverrides(train.augmentOps) : {}, base) : null;
  } catch (err) {
    throw new Error(`augmentOps: ${(err as Error).message}`);
  }
}

const detectConfig = configFields(trainConfigSchema as z.ZodType<TrainConfig>, 'invalid training config');
const zeroLoss = (): LossParts => ({ total: 0, box: 0, obj: 0, noobj: 0, cls: 0 });

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
  async open(ctx) {
    const stored = ctx.stored as DetectRunConfig | null;
    const train = ctx.config;
    const augment = augmentOf(train);
    const project = await openDatasetProject(ctx.home, { watch: false });
    let model: tf.LayersModel | null = null;
    try {
      const inputSize = stored ? stored.detector.inputSize : (train.inputSize ?? defaultInputSize(ctx.backend.backend === 'tensorflow-gpu'));
      const data = await loadTrainingData(project, {
        inputSize, resizeMode: 'letterbox', seed: train.seed, valFraction: train.valFraction, ...(stored ? { split: stored.split } : {}),
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
      let detector: DetectorConfig;
      let config: RunConfig;
      if (stored) {
        model = await loadModelFromFolder(ctx.paths.last);
        detector = readDetectorMetadata(model);
        config = stored;
      } else {
        detector = resolveDetectorConfig(train, data.classes, inputSize, data.train);
        let pretrained: tf.LayersModel | undefined;
        if (detector.backbone.kind === 'mobilenet') {
          pretrained = (await loadPretrainedBackbone(train.backbone, { ...(ctx.modelCacheDir ? { cacheDir: ctx.modelCacheDir } : {}), log: (m) => ctx.log(m) })).model;
        }
        try {
          model = buildDetector(detector, { seed: train.seed, ...(pretrained ? { pretrained } : {}) });
        } finally {
          pretrained?.dispose();
        }
        config = {
          version: 1, task: 'detect', name: ctx.name, project: ctx.home, createdAt: new Date().toISOString(), train, detector, classes: data.classes,
          split: { train: data.train.map((s) => s.imageId), val: data.val.map((s) => s.imageId) },
        };
      }
      const trained = model;
      const mobilenet = detector.backbone.kind === 'mobilenet';
      const freezeEpochs = detector.backbone.kind === 'mobilenet' ? detector.backbone.freezeEpochs : 0;
      // EMA of the weights for validation and weights/best; a resumed run restarts it from the resumed weights
      const ema = (train.ema ?? usesModernRecipe(train)) ? new WeightEma(trained) : null;
      const withEma = <T>(fn: () => Promise<T>): Promise<T> => (ema ? ema.withEmaWeights(fn) : fn());
      const mosaicOn = augment?.enabled === true && augment.mosaic.enabled;
      const closeMosaic = mosaicOn ? (train.closeMosaic ?? Math.max(1, Math.round(train.epochs * 0.15))) : 0;
      const valOptions = { batchSize: train.batchSize, confidence: train.evalConfidence, maxBoxes: train.maxBoxes };
      const batches = batchesPerEpoch(data.train.length, train.trainTimes, train.batchSize);
      const totalSteps = train.epochs * batches;
      const schedule: LrScheduleConfig = {
        kind: train.lrSchedule, baseLr: train.learningRate, finalLrFactor: train.finalLrFactor,
        warmupSteps: warmupStepsOf(train.warmupEpochs, batches, totalSteps), totalSteps,
        ...(freezeEpochs > 0 ? { rewarmFromStep: freezeEpochs * batches } : {}),
      };
      let order: number[] = [];
      let sum = zeroLoss();
      let seen = 0;
      let lr = train.learningRate;
      let lastVal: Awaited<ReturnType<typeof validate>> | null = null;
      const session: TaskSession<EpochMetrics, DetectProgress> = {
        config, model: trained, inputSize,
        newOptimizer: () => tf.train.adam(train.learningRate),
        ...(ema ? { withBestWeights: withEma } : {}),
        phaseOf: (epoch) => (epoch <= freezeEpochs ? 'frozen' : 'full'),
        enterPhase(phase, epoch, atStart) {
          if (!mobilenet) return;
          setBackboneTrainable(trained, phase === 'full');
          if (phase === 'frozen') ctx.log(`backbone frozen for epochs 1-${freezeEpochs}; the head trains alone`);
          else if (!atStart) ctx.log(`epoch ${epoch}: backbone unfrozen, fine-tuning the whole model (new optimizer state)`);
        },
        batchesPerEpoch: () => batches,
        async beforeFirstEpoch() {
          if (data.val.length === 0) return;
          const v = await validate(trained, detector, data.classes, data.val, valOptions);
          ctx.log(`untrained: mAP50 ${v.mAP50?.toFixed(4) ?? '-'}, mAP50-95 ${v['mAP50-95']?.toFixed(4) ?? '-'}`, 'info', {
            epoch: 0, mAP50: v.mAP50, 'mAP50-95': v['mAP50-95'], precision: v.precision, recall: v.recall, F1: v.F1, val: v.loss,
          });
        },
        async trainBatch(epoch, b, optimizer) {
          if (b === 0) { order = epochOrder(data.train.length, train.trainTimes, train.seed, epoch); sum = zeroLoss(); seen = 0; }
          lr = learningRateAt(schedule, (epoch - 1) * batches + b) * (freezeEpochs > 0 && epoch > freezeEpochs ? train.finetuneLrFactor : 1);
          setOptimizerLearningRate(optimizer, lr);
          if (b === 0 && mosaicOn && epoch === train.epochs - closeMosaic + 1) ctx.log(`epoch ${epoch}: mosaic and mixup off for the last ${closeMosaic} epoch(s)`);
          const batch = makeBatch(data.train, order, b, train.batchSize, augment, train.seed, epoch, { mosaic: epoch <= train.epochs - closeMosaic });
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
          return { images: n, loss: l.total, progress: { loss: l, lr } };
        },
        async endEpoch(epoch, time) {
          const trainLoss: LossParts = { total: sum.total / seen, box: sum.box / seen, obj: sum.obj / seen, noobj: sum.noobj / seen, cls: sum.cls / seen };
          const doVal = data.val.length > 0 && (epoch % train.valEvery === 0 || epoch === train.epochs);
          const v = doVal ? await withEma(() => validate(trained, detector, data.classes, data.val, valOptions)) : null;
          lastVal = v;
          const metrics: EpochMetrics = {
            epoch, time, train: trainLoss, val: v?.loss ?? null,
            precision: v?.precision ?? null, recall: v?.recall ?? null, F1: v?.F1 ?? null, mAP50: v?.mAP50 ?? null, 'mAP50-95': v?.['mAP50-95'] ?? null, lr,
          };
          return { metrics, fitness: v ? { value: fitnessOf(metrics), loss: null } : null };
        },
        async onBest(epoch) {
          if (lastVal && lastVal.groundTruth.length > 0) await writeJson(ctx.paths.evalJson, buildEvalReport(epoch, data.classes, lastVal.groundTruth, lastVal.detections, train.evalConfidence));
        },
        async dispose() {
          ema?.dispose();
          trained.dispose();
          await project.close();
        },
      };
      return session;
    } catch (err) {
      model?.dispose();
      await project.close();
      throw err;
    }
  },
};

/** Runs (or resumes) a detector run to completion or cancellation. Throws on failure. */
export function runTraining(options: TrainRunOptions, hooks: EngineHooks<TrainerEvent>): Promise<FinishedEvent> {
  return runEngine(detectTask, options, hooks) as unknown as Promise<FinishedEvent>;
}
