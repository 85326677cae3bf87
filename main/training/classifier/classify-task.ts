/**
 * The classifier task of the training engine (../engine.ts): a CNN image classifier.
 * - Data: dataset.ts (class folders, crops of a project's boxes, IDX files), split seeded and
 *   stratified, stored in config.json and reused on resume.
 * - Model: a preset, built with seeded initialisers; mobilenet-embeddings: the frozen backbone of
 *   the model zoo embeds every image once, then only the head trains on the stored embeddings
 *   (seconds per epoch); the full model (pixels → scores) is what is saved.
 * - Train step: weighted categorical cross-entropy (class weights with balance "weights",
 *   oversampling with "oversample"), dropout on, optional flips.
 * - Fitness: validation accuracy (no validation images: train accuracy); at equal accuracy a loss
 *   lower by 1e-4 wins.
 * - Final evaluation: weights/best on the test split (else validation) into eval.json.
 */
import * as tf from '@tensorflow/tfjs';
import type { z } from 'zod';
import { buildClassifierPreset, CLASSIFIER_PRESETS } from '../../../shared/ml/classifier/presets';
import { buildEmbeddingClassifier, splitEmbeddingModel, type EmbeddingClassifier } from '../../../shared/ml/classifier/embedding';
import { writeClassifierMetadata } from '../../../shared/ml/classifier/metadata';
import { balancedClassWeights, epochSampleOrder, stratifiedSplit } from '../../../shared/ml/classifier/split';
import { buildClassifierEval, type EvaluatedSample } from '../../../shared/ml/classifier/report';
import { createRng } from '../../../shared/ml/random';
import {
  classifierConfigSchema, type ClassifierConfig, type ClassifierConfigInput, type ClassifierEpochMetrics, type ClassifierFinishedEvent,
  type ClassifierTrainerEvent,
} from '../../../shared/training/classifier';
import type { ClassifyRunConfig } from '../../../shared/training/run-files';
import { writeJson } from '../run-folder';
import { loadModelFromFolder } from '../weights-io';
import { runEngine, type EngineHooks, type EngineOptions, type TaskAdapter, type TaskContext, type TaskSession } from '../engine';
import { configFields } from '../task-config';
import { CLASSIFIER_METRICS_COLUMNS, classifierMetricsCells } from '../metrics-csv';
import { loadClassifierDataset, type ClassifierDataset, type ClassifierSample } from './dataset';
import { pixelBatch } from './batches';
import { loadPretrainedBackbone } from '../pretrained-backbone';
import { withExampleThumbnails } from './example-thumbnails';
import { fuseConvLayers } from '../../../shared/ml/train/fused-conv-layers';
import { fusedAdam } from '../../../shared/ml/train/fused-adam';

export interface ClassifierRunOptions extends EngineOptions {
  task: 'classify';
  config?: ClassifierConfigInput;
}

type ClassifyProgress = { loss: number; accuracy: number };
const yieldToEvents = (): Promise<void> => new Promise((r) => setImmediate(r));

/** The optimizer a run uses: its config's, else its preset's (the embeddings head: Adam 0.001). */
export function optimizerOf(cfg: ClassifierConfig): { name: 'adam' | 'adagrad'; learningRate: number } {
  const preset = cfg.preset === 'mobilenet-embeddings' ? null : CLASSIFIER_PRESETS[cfg.preset];
  const name = cfg.optimizer ?? preset?.optimizer ?? 'adam';
  const learningRate = cfg.learningRate ?? (name === (preset?.optimizer ?? 'adam') ? (preset?.learningRate ?? 0.001) : name === 'adagrad' ? 0.01 : 0.001);
  return { name, learningRate };
}

async function computeEmbeddings(extractor: tf.LayersModel, samples: readonly ClassifierSample[], shape: [number, number, number], size: number, onProgress: (done: number) => void): Promise<Float32Array> {
  const out = new Float32Array(samples.length * size);
  for (let i = 0; i < samples.length; i += 16) {
    const idx = Array.from({ length: Math.min(16, samples.length - i) }, (_, k) => i + k);
    const emb = tf.tidy(() => extractor.predict(pixelBatch(samples, shape, idx, false, null)) as tf.Tensor);
    out.set(await emb.data(), i * size);
    emb.dispose();
    onProgress(i + idx.length);
    await yieldToEvents();
  }
  return out;
}

function weightedCrossEntropy(probs: tf.Tensor, oneHot: tf.Tensor, weights: tf.Tensor1D | null): tf.Scalar {
  const perSample = oneHot.mul(probs.clipByValue(1e-7, 1 - 1e-7).log()).sum(1).neg();
  return (weights ? perSample.mul(weights) : perSample).mean() as tf.Scalar;
}

/**
 * Seeds the model's dropout masks for one batch, from (run seed, epoch, batch): tfjs dropout draws
 * its mask from Math.random unless the layer has a seed, and a fixed seed would repeat one mask
 * every batch. With this, the same seed gives the same run.
 */
function seedDropout(model: tf.LayersModel, seed: number, epoch: number, batch: number): void {
  model.layers.forEach((layer, i) => {
    if (layer.getClassName() === 'Dropout') (layer as unknown as { seed: number }).seed = (seed * 1_000_003 + epoch * 10_007 + batch * 101 + i) >>> 0;
  });
}

type Input = (indices: readonly number[], flip: boolean, rng: ReturnType<typeof createRng> | null) => tf.Tensor;

async function scoreSamples(input: Input, model: tf.LayersModel, indices: readonly number[], labels: Int32Array, numClasses: number, batchSize: number) {
  const predicted = new Int32Array(indices.length);
  const score = new Float32Array(indices.length);
  let lossSum = 0;
  let correct = 0;
  for (let i = 0; i < indices.length; i += batchSize) {
    const idx = indices.slice(i, i + batchSize);
    const [probs, ce] = tf.tidy(() => {
      const p = model.predict(input(idx, false, null)) as tf.Tensor2D;
      const y = tf.oneHot(tf.tensor1d(idx.map((j) => labels[j]!), 'int32'), numClasses);
      return [p, weightedCrossEntropy(p, y, null).mul(idx.length)];
    });
    const data = await probs.data();
    lossSum += (await ce.data())[0]!;
    tf.dispose([probs, ce]);
    idx.forEach((j, k) => {
      let best = 0;
      for (let c = 1; c < numClasses; c++) if (data[k * numClasses + c]! > data[k * numClasses + best]!) best = c;
      predicted[i + k] = best;
      score[i + k] = data[k * numClasses + best]!;
      if (best === labels[j]) correct++;
    });
    await yieldToEvents();
  }
  const n = Math.max(1, indices.length);
  return { loss: lossSum / n, accuracy: correct / n, predicted, score };
}

async function loadData(ctx: TaskContext<ClassifierConfig>, stored: ClassifyRunConfig | null): Promise<ClassifierDataset> {
  const cfg = ctx.config;
  let lastLog = Date.now();
  const data = await loadClassifierDataset(cfg.source, {
    preset: cfg.preset, colorMode: cfg.colorMode,
    ...(cfg.inputShape ? { inputShape: cfg.inputShape } : {}),
    ...(stored ? { fixed: { inputShape: stored.inputShape, colorMode: stored.colorMode, classes: stored.classes } } : {}),
    onProgress: (done, total) => {
      if (Date.now() - lastLog > 2000 || done === total) { lastLog = Date.now(); ctx.log(`decoding images: ${done}/${total}`); }
    },
  });
  if (data.ignored.length > 0) {
    const reasons = new Map<string, string[]>();
    for (const f of data.ignored) reasons.set(f.reason, [...(reasons.get(f.reason) ?? []), f.file]);
    for (const [reason, files] of reasons) ctx.log(`${files.length} file(s) skipped, ${reason}: ${files.slice(0, 10).join(', ')}${files.length > 10 ? ', …' : ''}`, 'warn');
  }
  for (const s of data.skipped.slice(0, 50)) ctx.log(`skipped ${s.file}: ${s.reason}`, 'warn');
  if (data.skipped.length > 50) ctx.log(`… and ${data.skipped.length - 50} more unreadable image(s)`, 'warn');
  for (const w of data.warnings) ctx.log(w, 'warn');
  if (data.classes.length < 2) throw new Error(`a classifier needs at least 2 classes with images; found ${data.classes.length}${data.classes[0] ? ` (${data.classes[0]})` : ''}`);
  ctx.log(`data: ${data.samples.length} image(s), ${data.classes.length} classes, input ${data.inputShape.join('×')} (${data.colorMode})`);
  return data;
}

function splitOf(ctx: TaskContext<ClassifierConfig>, data: ClassifierDataset, stored: ClassifyRunConfig | null, byId: Map<string, number>) {
  const cfg = ctx.config;
  if (!stored) {
    const pool = data.samples.filter((s) => !data.fixedTest?.has(s.id)).map((s) => ({ id: s.id, label: s.label, group: s.group }));
    const s = stratifiedSplit(pool, { seed: cfg.seed, valFraction: cfg.valFraction, testFraction: data.fixedTest ? 0 : cfg.testFraction });
    return { train: s.train, val: s.val, test: data.fixedTest ? [...data.fixedTest] : s.test };
  }
  const all = [...stored.split.train, ...stored.split.val, ...stored.split.test];
  const missing = all.filter((id) => !byId.has(id));
  if (missing.length > 0) ctx.log(`${missing.length} image(s) of the stored split are gone or unreadable now (e.g. ${missing.slice(0, 3).join(', ')}); continuing without them`, 'warn');
  const keep = (ids: string[]) => ids.filter((id) => byId.has(id));
  const split = { train: keep(stored.split.train), val: keep(stored.split.val), test: keep(stored.split.test) };
  const known = new Set(all);
  const added = data.samples.filter((s) => !known.has(s.id)).length;
  if (added > 0) ctx.log(`${added} image(s) added since the run started are not used (the run keeps its split)`, 'warn');
  ctx.log(`split restored from config.json: ${split.train.length} train, ${split.val.length} val, ${split.test.length} test`);
  return split;
}

export const classifyTask: TaskAdapter<ClassifierConfig, ClassifierEpochMetrics, ClassifyProgress> = {
  task: 'classify',
  runBase: 'classify',
  fitnessName: 'validation accuracy',
  metricsColumns: CLASSIFIER_METRICS_COLUMNS,
  metricsCells: classifierMetricsCells,
  ...configFields(classifierConfigSchema as z.ZodType<ClassifierConfig>, 'invalid classifier config'),
  async open(ctx) {
    const cfg = ctx.config;
    const stored = ctx.stored as ClassifyRunConfig | null;
    const data = await loadData(ctx, stored);
    const samples = data.samples;
    const byId = new Map(samples.map((s, i) => [s.id, i]));
    const split = splitOf(ctx, data, stored, byId);
    const numClasses = data.classes.length;
    const counts = (ids: string[]) => {
      const c = new Array<number>(numClasses).fill(0);
      for (const id of ids) c[samples[byId.get(id)!]!.label]!++;
      return c;
    };
    const [trainCounts, valCounts, testCounts] = [counts(split.train), counts(split.val), counts(split.test)];
    const balance = data.classes.map((className, i) => ({ className, train: trainCounts[i]!, val: valCounts[i]!, test: testCounts[i]! }));
    for (const b of balance) {
      if (b.train + b.val + b.test === 1) ctx.log(`class "${b.className}" has only 1 image: it goes to train only, so validation and test cannot measure it`, 'warn');
      else if (b.train === 0) ctx.log(`class "${b.className}" has no train image`, 'warn');
    }
    ctx.log(`class balance (train/val/test): ${balance.map((b) => `${b.className} ${b.train}/${b.val}/${b.test}`).join(', ')}`);
    const trainMax = Math.max(...trainCounts);
    const trainMin = Math.min(...trainCounts.filter((c) => c > 0));
    if (trainMax > 2 * trainMin && cfg.balance === 'none') ctx.log(`the classes are imbalanced (largest ${trainMax}, smallest ${trainMin} train images); balance "weights" or "oversample" may help`, 'warn');
    if (split.train.length === 0) throw new Error('no train images after the split');
    const config: ClassifyRunConfig = stored ?? {
      version: 1, task: 'classify', name: ctx.name, project: ctx.home, createdAt: new Date().toISOString(), train: cfg, classes: data.classes,
      inputSize: Math.max(data.inputShape[0], data.inputShape[1]), inputShape: data.inputShape as [number, number, 1 | 3], colorMode: data.colorMode, split, balance,
    };

    // ---- model
    let full: tf.LayersModel;
    let embedding: EmbeddingClassifier | null = null;
    if (stored) {
      full = await loadModelFromFolder(ctx.paths.last);
      if (cfg.preset === 'mobilenet-embeddings') embedding = splitEmbeddingModel(full);
    } else if (cfg.preset === 'mobilenet-embeddings') {
      const cacheDir = cfg.modelCacheDir ?? ctx.modelCacheDir;
      const base = (await loadPretrainedBackbone(cfg.backbone, { ...(cacheDir ? { cacheDir } : {}), log: (m) => ctx.log(m) })).model;
      embedding = buildEmbeddingClassifier(base, { inputShape: data.inputShape, numClasses, dropout: cfg.dropout, seed: cfg.seed });
      base.dispose();
      full = embedding.full;
    } else {
      full = buildClassifierPreset(cfg.preset, { inputShape: data.inputShape, numClasses, dropout: cfg.dropout, seed: cfg.seed, compile: false, rescale: 1 / 255 });
    }
    writeClassifierMetadata(full, { task: 'classify', classes: data.classes, inputShape: data.inputShape, preset: cfg.preset });
    const labels = Int32Array.from(samples, (s) => s.label);
    let embeddings: Float32Array | null = null;
    if (embedding) {
      const t0 = Date.now();
      let lastLog = 0;
      const emb = embedding;
      embeddings = await computeEmbeddings(emb.extractor, samples, data.inputShape, emb.embeddingSize, (done) => {
        if (Date.now() - lastLog > 2000 || done === samples.length) { lastLog = Date.now(); ctx.log(`embeddings: ${done}/${samples.length}`); }
      });
      ctx.log(`embedded ${samples.length} image(s) with the frozen backbone in ${((Date.now() - t0) / 1000).toFixed(1)} s (${emb.embeddingSize} values each); the head trains on them`);
      if (cfg.flip) ctx.log('flip augmentation does not apply to cached embeddings; ignored', 'warn');
    }
    const input: Input = (indices, flip, rng) => {
      if (embeddings && embedding) {
        const size = embedding.embeddingSize;
        const out = new Float32Array(indices.length * size);
        indices.forEach((idx, k) => out.set(embeddings!.subarray(idx * size, (idx + 1) * size), k * size));
        return tf.tensor2d(out, [indices.length, size]);
      }
      return pixelBatch(samples, data.inputShape, indices, flip, rng);
    };
    const trainModel = embedding ? embedding.head : full;
    const opt = optimizerOf(cfg);
    const trainIdx = split.train.map((id) => byId.get(id)!);
    const valIdx = split.val.map((id) => byId.get(id)!);
    const testIdx = split.test.map((id) => byId.get(id)!);
    const trainLabels = Int32Array.from(trainIdx, (i) => labels[i]!);
    const classWeights = cfg.balance === 'weights' ? balancedClassWeights(trainLabels, numClasses) : null;
    if (classWeights) ctx.log(`class weights: ${data.classes.map((c, i) => `${c} ${classWeights[i]!.toFixed(2)}`).join(', ')}`);
    const varList = trainModel.trainableWeights.map((w) => w.read() as tf.Variable);
    fuseConvLayers(trainModel);
    const evalBatch = Math.max(cfg.batchSize, 64);
    const orderOf = (epoch: number) => epochSampleOrder(trainLabels, numClasses, cfg.seed, epoch, cfg.balance === 'oversample').map((k) => trainIdx[k]!);
    let order: number[] = [];
    let rng: ReturnType<typeof createRng> | null = null;
    let lossSum = 0;
    let correct = 0;
    let seen = 0;
    const disposables: { dispose(): void }[] = [full];

    const session: TaskSession<ClassifierEpochMetrics, ClassifyProgress> = {
      config, model: full, inputSize: config.inputSize,
      newOptimizer: () => (opt.name === 'adam' ? fusedAdam(opt.learningRate) : tf.train.adagrad(opt.learningRate)),
      batchesPerEpoch: (epoch) => Math.ceil(orderOf(epoch).length / cfg.batchSize),
      async trainBatch(epoch, b, optimizer) {
        if (b === 0) {
          order = orderOf(epoch);
          rng = cfg.flip ? createRng((cfg.seed * 31 + epoch * 1_000_003) >>> 0) : null;
          lossSum = 0; correct = 0; seen = 0;
        }
        const idx = order.slice(b * cfg.batchSize, (b + 1) * cfg.batchSize);
        seedDropout(trainModel, cfg.seed, epoch, b);
        const x = input(idx, cfg.flip, rng);
        const batchLabels = idx.map((i) => labels[i]!);
        const y = tf.tidy(() => tf.oneHot(tf.tensor1d(batchLabels, 'int32'), numClasses));
        const w = classWeights ? tf.tensor1d(batchLabels.map((l) => classWeights[l]!)) : null;
        let hits: tf.Tensor | null = null;
        let cost: tf.Scalar | null = null;
        let loss: number;
        try {
          cost = optimizer.minimize(() => {
            const p = trainModel.apply(x, { training: true }) as tf.Tensor;
            hits = tf.keep(p.argMax(1).equal(tf.tensor1d(batchLabels, 'int32')).sum());
            return weightedCrossEntropy(p, y, w);
          }, true, varList);
          if (!cost) throw new Error('the optimizer returned no loss');
          loss = (await cost.data())[0]!;
          correct += (await hits!.data())[0]!;
        } finally {
          tf.dispose([x, y, ...(w ? [w] : []), ...(cost ? [cost] : []), ...(hits ? [hits] : [])]);
        }
        lossSum += loss * idx.length;
        seen += idx.length;
        return { images: idx.length, loss, progress: { loss: lossSum / seen, accuracy: correct / seen } };
      },
      async endEpoch(epoch, time) {
        const trainMetrics = { loss: lossSum / seen, accuracy: correct / seen };
        const v = valIdx.length > 0 ? await scoreSamples(input, trainModel, valIdx, labels, numClasses, evalBatch) : null;
        const val = v ? { loss: v.loss, accuracy: v.accuracy } : null;
        const metrics: ClassifierEpochMetrics = { epoch, time, train: trainMetrics, val, lr: opt.learningRate };
        return { metrics, fitness: { value: (val ?? trainMetrics).accuracy, loss: (val ?? trainMetrics).loss } };
      },
      async finish(best) {
        const evalIdx = testIdx.length > 0 ? testIdx : valIdx;
        if (!best) return { testAccuracy: null };
        if (evalIdx.length === 0) {
          ctx.log('no validation or test images: eval.json is not written', 'warn');
          return { testAccuracy: null };
        }
        const bestFull = await loadModelFromFolder(ctx.paths.best);
        disposables.push(bestFull);
        const bestModel = embedding ? splitEmbeddingModel(bestFull).head : bestFull;
        const scored = await scoreSamples(input, bestModel, evalIdx, labels, numClasses, evalBatch);
        const evaluated: EvaluatedSample[] = evalIdx.map((i, k) => ({ id: samples[i]!.id, path: samples[i]!.path, label: labels[i]!, predicted: scored.predicted[k]!, score: scored.score[k]! }));
        const pixels = new Map(samples.map((s) => [s.id, s.pixels]));
        const built = buildClassifierEval(evaluated, data.classes, { epoch: best.epoch, split: testIdx.length > 0 ? 'test' : 'val', examples: cfg.confusedExamples });
        const report = await withExampleThumbnails(ctx.dir, built, (id) => pixels.get(id), data.inputShape);
        await writeJson(ctx.paths.evalJson, report);
        ctx.log(`${report.split} accuracy of weights/best (epoch ${best.epoch}): ${report.accuracy.toFixed(4)} on ${report.images} image(s); macro F1 ${report.macro.F1.toFixed(4)}`);
        return { testAccuracy: testIdx.length > 0 ? report.accuracy : null };
      },
      async dispose() {
        for (const d of disposables) d.dispose();
      },
    };
    return session;
  },
};

/** Runs (or resumes) a classifier run to completion, early stop or cancellation. Throws on failure. */
export function runClassifierTraining(options: ClassifierRunOptions, hooks: EngineHooks<ClassifierTrainerEvent>): Promise<ClassifierFinishedEvent> {
  return runEngine(classifyTask, options, hooks) as unknown as Promise<ClassifierFinishedEvent>;
}
