/**
 * The classifier training run, pure of IPC (the trainer entry calls it for `task: 'classify'`):
 * loads the dataset (dataset.ts), splits it (seeded, stratified, stored in config.json and reused
 * on resume), builds the preset, trains with a plain tfjs loop (optimizer.minimize on weighted
 * categorical cross-entropy, dropout on), validates every epoch, keeps weights/best (highest
 * validation accuracy, ties: lower loss) and weights/last + state/ (optimizer, epoch) for resume,
 * stops early after `patience` epochs without improvement, and finally evaluates weights/best on
 * the test split into eval.json.
 *
 * mobilenet-embeddings: the frozen backbone embeds every image once, then only the head trains
 * on the stored embeddings (seconds per epoch); the full model (pixels → scores) is what is saved.
 *
 * Events as for detector runs ('env', 'log', throttled 'progress', 'epoch', 'finished', 'failed'),
 * with classifier payloads (`task: 'classify'`).
 */
import * as tf from '@tensorflow/tfjs';
import { promises as fs } from 'node:fs';
import { join, resolve } from 'node:path';
import { buildClassifierPreset, CLASSIFIER_PRESETS } from '../../../shared/ml/classifier/presets';
import { buildEmbeddingClassifier, splitEmbeddingModel, type EmbeddingClassifier } from '../../../shared/ml/classifier/embedding';
import { writeClassifierMetadata } from '../../../shared/ml/classifier/metadata';
import { balancedClassWeights, epochSampleOrder, stratifiedSplit } from '../../../shared/ml/classifier/split';
import { buildClassifierEval, type EvaluatedSample } from '../../../shared/ml/classifier/report';
import { createRng } from '../../../shared/ml/random';
import {
  classifierConfigSchema, type ClassifierConfig, type ClassifierConfigInput, type ClassifierEpochMetrics, type ClassifierFinishedEvent,
  type ClassifierRunConfigFile, type ClassifierTrainerEvent, type LossAccuracy,
} from '../../../shared/training/classifier';
import type { LogEvent, TrainerEvent } from '../../../shared/training/types';
import { selectRunBackend } from '../run-env';
import { EventLog, nextRunName, readJson, runDir, runPaths, writeJson } from '../run-folder';
import { folderSaveHandler, loadModelFromFolder, loadOptimizerState, saveOptimizerState } from '../weights-io';
import { pausePoint, type TrainControl } from '../train-loop';
import { loadClassifierDataset, type ClassifierDataset, type ClassifierSample } from './dataset';
import { appendClassifierMetricsRow } from './metrics-csv';
import { pixelBatch } from './batches';
import { loadBackbone } from './backbone';
import { withExampleThumbnails } from './example-thumbnails';
import { errorMessage } from '../../../shared/error-message';

export interface ClassifierRunOptions {
  task: 'classify';
  /** The folder whose .detecta/runs/ holds the run (a detection project, the image folder...). */
  project: string;
  /** New run: its config (defaults filled in) and optional name (default classify, classify2...). */
  config?: ClassifierConfigInput;
  name?: string;
  /** Resume this run from weights/last and state/ (config and split come from config.json). */
  resume?: string;
  /** Override the epoch count on resume (train further). */
  epochs?: number;
  progressIntervalMs?: number;
}

export interface ClassifierHooks {
  emit(event: ClassifierTrainerEvent): void;
  control?: TrainControl;
}

/** A loss this much lower at the same accuracy counts as an improvement (early stopping, weights/best). */
const MIN_LOSS_DELTA = 1e-4;
const NO_CONTROL: TrainControl = { shouldCancel: () => false, waitIfPaused: async () => {} };
const yieldToEvents = (): Promise<void> => new Promise((r) => setImmediate(r));

/** The optimizer a run uses: its config's, else its preset's (the embeddings head: Adam 0.001). */
export function optimizerOf(cfg: ClassifierConfig): { name: 'adam' | 'adagrad'; learningRate: number } {
  const preset = cfg.preset === 'mobilenet-embeddings' ? null : CLASSIFIER_PRESETS[cfg.preset];
  const name = cfg.optimizer ?? preset?.optimizer ?? 'adam';
  const learningRate = cfg.learningRate ?? (name === (preset?.optimizer ?? 'adam') ? (preset?.learningRate ?? 0.001) : name === 'adagrad' ? 0.01 : 0.001);
  return { name, learningRate };
}

/** The model trained and what feeds it: pixels (CNN presets) or cached embeddings. */
interface Trainable {
  full: tf.LayersModel;
  model: tf.LayersModel;
  embedding: EmbeddingClassifier | null;
  /** Batch input for these sample indices. */
  input(indices: readonly number[], flip: boolean, rng: ReturnType<typeof createRng> | null): tf.Tensor;
}

async function computeEmbeddings(extractor: tf.LayersModel, samples: readonly ClassifierSample[], shape: [number, number, number], size: number, onProgress: (done: number) => void): Promise<Float32Array> {
  const out = new Float32Array(samples.length * size);
  const all = samples.map((_, i) => i);
  for (let i = 0; i < all.length; i += 16) {
    const idx = all.slice(i, i + 16);
    const emb = tf.tidy(() => extractor.predict(pixelBatch(samples, shape, idx, false, null)) as tf.Tensor);
    out.set(await emb.data(), i * size);
    emb.dispose();
    onProgress(Math.min(all.length, i + 16));
    await yieldToEvents();
  }
  return out;
}

function weightedCrossEntropy(probs: tf.Tensor, oneHot: tf.Tensor, weights: tf.Tensor1D | null): tf.Scalar {
  const perSample = oneHot.mul(probs.clipByValue(1e-7, 1 - 1e-7).log()).sum(1).neg();
  return (weights ? perSample.mul(weights) : perSample).mean() as tf.Scalar;
}

interface Scored { loss: number; accuracy: number; predicted: Int32Array; score: Float32Array }

async function scoreSamples(t: Trainable, model: tf.LayersModel, indices: readonly number[], labels: Int32Array, numClasses: number, batchSize: number): Promise<Scored> {
  const predicted = new Int32Array(indices.length);
  const score = new Float32Array(indices.length);
  let lossSum = 0;
  let correct = 0;
  for (let i = 0; i < indices.length; i += batchSize) {
    const idx = indices.slice(i, i + batchSize);
    const [probs, ce] = tf.tidy(() => {
      const p = model.predict(t.input(idx, false, null)) as tf.Tensor2D;
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

interface SavedState { epoch: number; bestScore: number | null; bestLoss: number | null; sinceBest: number; best: ClassifierEpochMetrics | null; last: ClassifierEpochMetrics | null }

/** Runs (or resumes) a classifier run to completion, early stop or cancellation. Throws on failure. */
export async function runClassifierTraining(options: ClassifierRunOptions, hooks: ClassifierHooks): Promise<ClassifierFinishedEvent> {
  const control = hooks.control ?? NO_CONTROL;
  const home = resolve(options.project);
  const resuming = options.resume !== undefined;
  await fs.mkdir(join(home, '.detecta', 'runs'), { recursive: true });
  const name = options.resume ?? options.name ?? (await nextRunName(home, 'classify'));
  const dir = runDir(home, name);
  const paths = runPaths(dir);
  let stored: ClassifierRunConfigFile | null = null;
  if (resuming) {
    stored = await readJson<ClassifierRunConfigFile>(paths.config).catch((err: unknown) => {
      throw new Error(`cannot resume run "${name}": ${(err as Error).message}`);
    });
    if (stored.task !== 'classify') throw new Error(`run "${name}" is not a classifier run`);
  } else {
    try {
      await fs.mkdir(dir);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') throw new Error(`run "${name}" already exists in ${home}; resume it or pick another name`);
      throw err;
    }
  }
  const cfg: ClassifierConfig = stored ? { ...stored.train, ...(options.epochs ? { epochs: options.epochs } : {}) } : classifierConfigSchema.parse(options.config ?? {});
  const events = new EventLog(paths.events);
  const emit = (event: ClassifierTrainerEvent): void => {
    // events.jsonl holds both kinds of run's events (same envelope: type + payload).
    void events.append(event as unknown as TrainerEvent).catch((err: unknown) => process.emitWarning(`events.jsonl: ${(err as Error).message}`));
    hooks.emit(event);
  };
  const log = (message: string, level: LogEvent['level'] = 'info'): void => emit({ type: 'log', payload: { run: name, level, message } });
  const disposables: { dispose(): void }[] = [];

  try {
    const { sel, env } = await selectRunBackend(cfg.backend, paths.env, (m) => log(m, 'warn'));
    emit({ type: 'env', payload: { run: name, ...env } });
    log(`${resuming ? 'resuming' : 'training'} classifier run ${name} (${cfg.preset}) on ${sel.backend} (${sel.device})`);

    // ---- data
    let lastProgressLog = Date.now();
    const data: ClassifierDataset = await loadClassifierDataset(cfg.source, {
      preset: cfg.preset, colorMode: cfg.colorMode,
      ...(cfg.inputShape ? { inputShape: cfg.inputShape } : {}),
      ...(stored ? { fixed: { inputShape: stored.inputShape, colorMode: stored.colorMode, classes: stored.classes } } : {}),
      onProgress: (done, total) => {
        if (Date.now() - lastProgressLog > 2000 || done === total) { lastProgressLog = Date.now(); log(`decoding images: ${done}/${total}`); }
      },
    });
    if (data.ignored.length > 0) {
      const reasons = new Map<string, string[]>();
      for (const f of data.ignored) reasons.set(f.reason, [...(reasons.get(f.reason) ?? []), f.file]);
      for (const [reason, files] of reasons) log(`${files.length} file(s) skipped, ${reason}: ${files.slice(0, 10).join(', ')}${files.length > 10 ? ', …' : ''}`, 'warn');
    }
    for (const s of data.skipped.slice(0, 50)) log(`skipped ${s.file}: ${s.reason}`, 'warn');
    if (data.skipped.length > 50) log(`… and ${data.skipped.length - 50} more unreadable image(s)`, 'warn');
    for (const w of data.warnings) log(w, 'warn');
    if (data.classes.length < 2) throw new Error(`a classifier needs at least 2 classes with images; found ${data.classes.length}${data.classes[0] ? ` (${data.classes[0]})` : ''}`);
    log(`data: ${data.samples.length} image(s), ${data.classes.length} classes, input ${data.inputShape.join('×')} (${data.colorMode})`);

    // ---- split
    const byId = new Map(data.samples.map((s, i) => [s.id, i]));
    let split: { train: string[]; val: string[]; test: string[] };
    if (stored) {
      const missing = [...stored.split.train, ...stored.split.val, ...stored.split.test].filter((id) => !byId.has(id));
      if (missing.length > 0) log(`${missing.length} image(s) of the stored split are gone or unreadable now (e.g. ${missing.slice(0, 3).join(', ')}); continuing without them`, 'warn');
      const keep = (ids: string[]) => ids.filter((id) => byId.has(id));
      split = { train: keep(stored.split.train), val: keep(stored.split.val), test: keep(stored.split.test) };
      const known = new Set([...stored.split.train, ...stored.split.val, ...stored.split.test]);
      const added = data.samples.filter((s) => !known.has(s.id)).length;
      if (added > 0) log(`${added} image(s) added since the run started are not used (the run keeps its split)`, 'warn');
      log(`split restored from config.json: ${split.train.length} train, ${split.val.length} val, ${split.test.length} test`);
    } else {
      const opts = { seed: cfg.seed, valFraction: cfg.valFraction, testFraction: data.fixedTest ? 0 : cfg.testFraction };
      const pool = data.samples.filter((s) => !data.fixedTest?.has(s.id)).map((s) => ({ id: s.id, label: s.label, group: s.group }));
      const s = stratifiedSplit(pool, opts);
      split = { train: s.train, val: s.val, test: data.fixedTest ? [...data.fixedTest] : s.test };
    }
    const counts = (ids: string[]) => {
      const c = new Array<number>(data.classes.length).fill(0);
      for (const id of ids) c[data.samples[byId.get(id)!]!.label]!++;
      return c;
    };
    const [trainCounts, valCounts, testCounts] = [counts(split.train), counts(split.val), counts(split.test)];
    const balance = data.classes.map((className, i) => ({ className, train: trainCounts[i]!, val: valCounts[i]!, test: testCounts[i]! }));
    for (const b of balance) {
      const total = b.train + b.val + b.test;
      if (total === 1) log(`class "${b.className}" has only 1 image: it goes to train only, so validation and test cannot measure it`, 'warn');
      else if (b.train === 0) log(`class "${b.className}" has no train image`, 'warn');
    }
    log(`class balance (train/val/test): ${balance.map((b) => `${b.className} ${b.train}/${b.val}/${b.test}`).join(', ')}`);
    const trainMax = Math.max(...trainCounts);
    const trainMin = Math.min(...trainCounts.filter((c) => c > 0));
    if (trainMax > 2 * trainMin && cfg.balance === 'none') log(`the classes are imbalanced (largest ${trainMax}, smallest ${trainMin} train images); balance "weights" or "oversample" may help`, 'warn');
    if (split.train.length === 0) throw new Error('no train images after the split');

    if (!stored) {
      const config: ClassifierRunConfigFile = {
        version: 1, task: 'classify', name, project: home, createdAt: new Date().toISOString(), train: cfg, classes: data.classes,
        inputSize: Math.max(data.inputShape[0], data.inputShape[1]), inputShape: data.inputShape, colorMode: data.colorMode, split, balance,
      };
      await writeJson(paths.config, config);
    }

    // ---- model
    const numClasses = data.classes.length;
    let full: tf.LayersModel;
    let embedding: EmbeddingClassifier | null = null;
    if (stored) {
      full = await loadModelFromFolder(paths.last);
      if (cfg.preset === 'mobilenet-embeddings') embedding = splitEmbeddingModel(full);
    } else if (cfg.preset === 'mobilenet-embeddings') {
      const base = await loadBackbone(cfg, home, (m) => log(m));
      embedding = buildEmbeddingClassifier(base, { inputShape: data.inputShape, numClasses, dropout: cfg.dropout, seed: cfg.seed });
      base.dispose();
      full = embedding.full;
    } else {
      full = buildClassifierPreset(cfg.preset, { inputShape: data.inputShape, numClasses, dropout: cfg.dropout, seed: cfg.seed, compile: false, rescale: 1 / 255 });
    }
    disposables.push(full);
    writeClassifierMetadata(full, { task: 'classify', classes: data.classes, inputShape: data.inputShape, preset: cfg.preset });

    const samples = data.samples;
    const labels = Int32Array.from(samples, (s) => s.label);
    let embeddings: Float32Array | null = null;
    if (embedding) {
      const t0 = Date.now();
      let lastLog = 0;
      const emb = embedding;
      embeddings = await computeEmbeddings(emb.extractor, samples, data.inputShape, emb.embeddingSize, (done) => {
        if (Date.now() - lastLog > 2000 || done === samples.length) { lastLog = Date.now(); log(`embeddings: ${done}/${samples.length}`); }
      });
      log(`embedded ${samples.length} image(s) with the frozen backbone in ${((Date.now() - t0) / 1000).toFixed(1)} s (${emb.embeddingSize} values each); the head trains on them`);
    }
    const trainable: Trainable = {
      full,
      model: embedding ? embedding.head : full,
      embedding,
      input: (indices, flip, rng) => {
        if (embeddings && embedding) {
          const size = embedding.embeddingSize;
          const out = new Float32Array(indices.length * size);
          indices.forEach((idx, k) => out.set(embeddings!.subarray(idx * size, (idx + 1) * size), k * size));
          return tf.tensor2d(out, [indices.length, size]);
        }
        return pixelBatch(samples, data.inputShape, indices, flip, rng);
      },
    };
    if (embedding && cfg.flip) log('flip augmentation does not apply to cached embeddings; ignored', 'warn');

    const opt = optimizerOf(cfg);
    const optimizer = opt.name === 'adam' ? tf.train.adam(opt.learningRate) : tf.train.adagrad(opt.learningRate);
    disposables.push(optimizer);
    let state: SavedState = { epoch: 0, bestScore: null, bestLoss: null, sinceBest: 0, best: null, last: null };
    if (stored) {
      const extra = await loadOptimizerState(paths.state, optimizer);
      state = { ...state, ...(extra as Partial<SavedState>) };
      log(`resumed from epoch ${state.epoch} (optimizer state restored)`);
    }

    const trainIdx = split.train.map((id) => byId.get(id)!);
    const valIdx = split.val.map((id) => byId.get(id)!);
    const testIdx = split.test.map((id) => byId.get(id)!);
    const trainLabels = Int32Array.from(trainIdx, (i) => labels[i]!);
    const classWeights = cfg.balance === 'weights' ? balancedClassWeights(trainLabels, numClasses) : null;
    if (classWeights) log(`class weights: ${data.classes.map((c, i) => `${c} ${classWeights[i]!.toFixed(2)}`).join(', ')}`);
    const varList = trainable.model.trainableWeights.map((w) => w.read() as tf.Variable);

    // ---- epochs
    const started = Date.now();
    const interval = options.progressIntervalMs ?? 250;
    let lastProgress = 0;
    let imagesDone = 0;
    let trainMs = 0;
    let cancelled = false;
    let stoppedEarly = false;
    let final: ClassifierEpochMetrics | null = state.last;
    let best: ClassifierEpochMetrics | null = state.best;
    const batchSize = cfg.batchSize;
    for (let epoch = state.epoch + 1; epoch <= cfg.epochs && !cancelled; epoch++) {
      const order = epochSampleOrder(trainLabels, numClasses, cfg.seed, epoch, cfg.balance === 'oversample').map((k) => trainIdx[k]!);
      const batches = Math.ceil(order.length / batchSize);
      const rng = cfg.flip ? createRng((cfg.seed * 31 + epoch * 1_000_003) >>> 0) : null;
      let lossSum = 0;
      let correct = 0;
      let seen = 0;
      for (let b = 0; b < batches; b++) {
        await pausePoint(control, log);
        if (control.shouldCancel()) { cancelled = true; break; }
        const t0 = Date.now();
        const idx = order.slice(b * batchSize, (b + 1) * batchSize);
        const x = trainable.input(idx, cfg.flip, rng);
        const batchLabels = idx.map((i) => labels[i]!);
        const y = tf.oneHot(tf.tensor1d(batchLabels, 'int32'), numClasses);
        const w = classWeights ? tf.tensor1d(batchLabels.map((l) => classWeights[l]!)) : null;
        let hits: tf.Tensor | null = null;
        let cost: tf.Scalar | null = null;
        try {
          cost = optimizer.minimize(() => {
            const p = trainable.model.apply(x, { training: true }) as tf.Tensor;
            hits = tf.keep(p.argMax(1).equal(tf.tensor1d(batchLabels, 'int32')).sum());
            return weightedCrossEntropy(p, y, w);
          }, true, varList);
          if (!cost) throw new Error('the optimizer returned no loss');
          const loss = (await cost.data())[0]!;
          if (!Number.isFinite(loss)) throw new Error(`the loss is ${loss} (training diverged; lower the learning rate)`);
          lossSum += loss * idx.length;
          correct += (await hits!.data())[0]!;
        } finally {
          tf.dispose([x, y, ...(w ? [w] : []), ...(cost ? [cost] : []), ...(hits ? [hits] : [])]);
        }
        seen += idx.length;
        imagesDone += idx.length;
        trainMs += Date.now() - t0;
        const now = Date.now();
        if (now - lastProgress >= interval || b === batches - 1) {
          lastProgress = now;
          const ips = imagesDone / Math.max(1e-3, trainMs / 1000);
          const remaining = order.length - seen + (cfg.epochs - epoch) * order.length;
          emit({ type: 'progress', payload: { task: 'classify', run: name, epoch, epochs: cfg.epochs, batch: b + 1, batches, loss: lossSum / seen, accuracy: correct / seen, imagesPerSecond: ips, etaSeconds: remaining / ips } });
        }
        await yieldToEvents();
      }
      if (cancelled) break;
      const trainMetrics: LossAccuracy = { loss: lossSum / seen, accuracy: correct / seen };
      const v = valIdx.length > 0 ? await scoreSamples(trainable, trainable.model, valIdx, labels, numClasses, Math.max(batchSize, 64)) : null;
      const valMetrics: LossAccuracy | null = v ? { loss: v.loss, accuracy: v.accuracy } : null;
      const metrics: ClassifierEpochMetrics = { epoch, time: (Date.now() - started) / 1000, train: trainMetrics, val: valMetrics, lr: opt.learningRate };
      const score = valMetrics?.accuracy ?? trainMetrics.accuracy;
      const lossNow = valMetrics?.loss ?? trainMetrics.loss;
      // Better: higher accuracy, or the same accuracy with a loss lower by more than MIN_LOSS_DELTA.
      const isBest = state.bestScore === null || score > state.bestScore || (score === state.bestScore && lossNow < (state.bestLoss ?? Infinity) - MIN_LOSS_DELTA);
      if (isBest) {
        state.bestScore = score;
        state.bestLoss = lossNow;
        state.sinceBest = 0;
        best = metrics;
        await full.save(folderSaveHandler(paths.best));
      } else {
        state.sinceBest++;
      }
      final = metrics;
      state = { ...state, epoch, best, last: metrics };
      await full.save(folderSaveHandler(paths.last));
      await saveOptimizerState(paths.state, optimizer, { ...state });
      await appendClassifierMetricsRow(paths.metrics, metrics);
      emit({ type: 'epoch', payload: { task: 'classify', run: name, epochs: cfg.epochs, best: isBest, ...metrics } });
      if (cfg.patience > 0 && state.sinceBest >= cfg.patience && epoch < cfg.epochs) {
        stoppedEarly = true;
        log(`early stopping: no better ${valMetrics ? 'validation' : 'train'} accuracy for ${cfg.patience} epoch(s); best epoch ${best?.epoch}`);
        break;
      }
    }

    // ---- test evaluation of weights/best
    let testAccuracy: number | null = null;
    if (!cancelled && best) {
      const evalIdx = testIdx.length > 0 ? testIdx : valIdx;
      if (evalIdx.length > 0) {
        const bestFull = await loadModelFromFolder(paths.best);
        disposables.push(bestFull);
        const bestModel = embedding ? splitEmbeddingModel(bestFull).head : bestFull;
        const scored = await scoreSamples(trainable, bestModel, evalIdx, labels, numClasses, Math.max(batchSize, 64));
        const evaluated: EvaluatedSample[] = evalIdx.map((i, k) => ({ id: samples[i]!.id, path: samples[i]!.path, label: labels[i]!, predicted: scored.predicted[k]!, score: scored.score[k]! }));
        const byId = new Map(samples.map((s) => [s.id, s.pixels]));
        const built = buildClassifierEval(evaluated, data.classes, { epoch: best.epoch, split: testIdx.length > 0 ? 'test' : 'val', examples: cfg.confusedExamples });
        const report = await withExampleThumbnails(dir, built, (id) => byId.get(id), data.inputShape);
        await writeJson(paths.evalJson, report);
        testAccuracy = testIdx.length > 0 ? report.accuracy : null;
        log(`${report.split} accuracy of weights/best (epoch ${best.epoch}): ${report.accuracy.toFixed(4)} on ${report.images} image(s); macro F1 ${report.macro.F1.toFixed(4)}`);
      } else {
        log('no validation or test images: eval.json is not written', 'warn');
      }
    }
    const epochsDone = final?.epoch ?? state.epoch;
    if (cancelled) log(`cancelled; weights/last holds epoch ${epochsDone} (resume with --resume ${name})`);
    const finished: ClassifierFinishedEvent = { task: 'classify', run: name, status: cancelled ? 'cancelled' : 'completed', epochsDone, stoppedEarly, final, best, testAccuracy, runDir: dir };
    emit({ type: 'finished', payload: finished });
    await events.flush();
    return finished;
  } catch (err) {
    const message = errorMessage(err);
    emit({ type: 'failed', payload: { run: name, error: message, crashed: false } });
    await events.flush();
    throw err;
  } finally {
    for (const d of disposables) d.dispose();
  }
}
