/**
 * Training benchmark: trains a detector on the raccoon dataset (shared/datasets/detection-voc/raccoon,
 * upstream split: 160 train / 40 val images) with the engine's own runTraining, on the wasm
 * backend with our training kernels (the fastest backend on a CPU-only machine without
 * tfjs-node), until a time budget is spent. Records mAP50, mAP50-95, images/s and wall time per
 * epoch into bench/results/training.json and prints a summary.
 *
 *   node --import tsx bench/training.bench.ts [--minutes 30] [--preset mobilenet] [--imgsz 224]
 *        [--lr 0.002] [--batch 16] [--freeze half|N] [--epochs N] [--backend wasm]
 *
 * The number of epochs is fitted to the budget: a one-epoch calibration run (not counted) measures
 * the speed of a full fine-tuning epoch, so the cosine schedule ends when the budget does. The
 * run is cancelled at a batch boundary if the budget runs out anyway. Default: mobilenet transfer
 * learning at 224 (ImageNet MobileNet v1 0.25 from shared/models), the backbone frozen for the
 * first half of the epochs (--freeze half): on this CPU a frozen epoch costs about a third of a
 * fine-tuning one, and the frozen head alone already passes mAP50 0.6 on raccoon.
 *
 * Per epoch: wallSeconds (training + validation + saves), imagesPerSecond (training images of
 * that epoch over the time of its batches), mAP50, mAP50-95, losses, lr.
 */
import { cpSync, mkdirSync, writeFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { openDatasetProject } from '../main/dataset/project';
import { runTraining } from '../main/training/detect-task';
import type { BackendChoice, EpochEvent, TrainConfigInput, TrainerEvent } from '../shared/training/types';

const here = path.dirname(fileURLToPath(import.meta.url));
const DATASET = path.resolve(here, '../../shared/datasets/detection-voc/raccoon');
const MOBILENET = path.resolve(here, '../../shared/models/mobilenet_v1_0.25_224/model.json');

const { values } = parseArgs({
  options: {
    minutes: { type: 'string', default: '30' }, preset: { type: 'string', default: 'mobilenet' }, imgsz: { type: 'string', default: '224' },
    lr: { type: 'string', default: '0.002' }, batch: { type: 'string', default: '16' }, freeze: { type: 'string', default: 'half' },
    epochs: { type: 'string' }, backend: { type: 'string', default: 'wasm' },
  },
});
const minutes = Number(values.minutes);
const budgetMs = minutes * 60_000;

async function prepareProject(root: string): Promise<string> {
  const dir = path.join(root, 'raccoon');
  cpSync(path.join(DATASET, 'images'), path.join(dir, 'images'), { recursive: true });
  cpSync(path.join(DATASET, 'annotations'), path.join(dir, 'annotations'), { recursive: true });
  const valNames = new Set((await readFile(path.join(DATASET, 'csv', 'test_labels.csv'), 'utf8')).split('\n').slice(1).map((l) => l.split(',')[0]).filter(Boolean));
  const project = await openDatasetProject(dir, { watch: false });
  await project.ready();
  for (const e of project.listImages({ limit: Number.MAX_SAFE_INTEGER, filter: 'all' }).items) {
    await project.setSplit(e.id, valNames.has(path.basename(e.id)) ? 'val' : 'train');
  }
  await project.close();
  return dir;
}

async function main(): Promise<void> {
  const root = await mkdtemp(path.join(tmpdir(), 'detecta-bench-train-'));
  const t0 = Date.now();
  try {
    const project = await prepareProject(root);
    const base: TrainConfigInput = {
      preset: values.preset as TrainConfigInput['preset'], inputSize: Number(values.imgsz), batchSize: Number(values.batch),
      learningRate: Number(values.lr), backend: values.backend as BackendChoice, seed: 1, warmupEpochs: 1, lrSchedule: 'cosine',
      ...(values.preset === 'mobilenet' ? { backbone: MOBILENET } : {}),
    };
    const freezeFor = (epochs: number): Partial<TrainConfigInput> =>
      values.preset === 'mobilenet' ? { freezeEpochs: values.freeze === 'half' ? Math.ceil(epochs / 2) : Number(values.freeze) } : {};
    let epochs = values.epochs ? Number(values.epochs) : 0;
    let calibration: { epochSeconds: number; loadSeconds: number } | null = null;
    if (!epochs) {
      let first = 0;
      let loaded = 0;
      await runTraining({ project, name: 'calibration', config: { ...base, epochs: 1, ...(values.preset === 'mobilenet' ? { freezeEpochs: 0 } : {}) } }, {
        emit: (ev) => {
          if (ev.type === 'log' && ev.payload.metrics?.epoch === 0) loaded = Date.now();
          if (ev.type === 'epoch') first = ev.payload.time;
        },
      });
      calibration = { epochSeconds: first, loadSeconds: (loaded - t0) / 1000 };
      const left = budgetMs - (Date.now() - t0) - calibration.loadSeconds * 1000;
      // A frozen epoch costs about a third of a fine-tuning one here (no backbone gradients).
      const frozenShare = values.preset === 'mobilenet' ? (values.freeze === 'half' ? 0.5 : 0) : 0;
      epochs = Math.max(1, Math.floor(left / 1000 / (first * (1 - frozenShare * (2 / 3)))));
      console.log(`calibration: ${first.toFixed(1)} s per fine-tuning epoch; ${epochs} epochs fit the ${minutes}-minute budget`);
    }
    const perEpoch: { epoch: number; wallSeconds: number; imagesPerSecond: number; mAP50: number | null; 'mAP50-95': number | null; trainLoss: number; valLoss: number | null; lr: number }[] = [];
    let lastTime = 0;
    let lastIps = 0;
    let env: unknown = null;
    let trainImages = 0;
    let epochStartMs = 0;
    const config = { ...base, epochs, ...freezeFor(epochs) };
    const finished = await runTraining({ project, name: 'bench', config }, {
      emit: (ev: TrainerEvent) => {
        if (ev.type === 'env') env = ev.payload;
        if (ev.type === 'log' && /^data: (\d+) train/.test(ev.payload.message)) trainImages = Number(/^data: (\d+) train/.exec(ev.payload.message)![1]);
        if (ev.type === 'log' && ev.payload.metrics?.epoch === 0) epochStartMs = Date.now();
        if (ev.type === 'progress' && ev.payload.batch === ev.payload.batches) lastIps = trainImages / Math.max(1e-3, (Date.now() - epochStartMs) / 1000);
        if (ev.type === 'log' && ev.payload.level !== 'info') console.log(`  ${ev.payload.message}`);
        if (ev.type === 'epoch') {
          const p: EpochEvent = ev.payload;
          perEpoch.push({ epoch: p.epoch, wallSeconds: +(p.time - lastTime).toFixed(2), imagesPerSecond: +lastIps.toFixed(2), mAP50: p.mAP50, 'mAP50-95': p['mAP50-95'], trainLoss: +p.train.total.toFixed(4), valLoss: p.val ? +p.val.total.toFixed(4) : null, lr: p.lr });
          lastTime = p.time;
          epochStartMs = Date.now();
          console.log(`epoch ${p.epoch}/${p.epochs}  ${(p.time).toFixed(0)} s  mAP50 ${p.mAP50?.toFixed(4) ?? '-'}  mAP50-95 ${p['mAP50-95']?.toFixed(4) ?? '-'}  loss ${p.train.total.toFixed(3)}  ${lastIps.toFixed(1)} img/s`);
        }
      },
      control: { shouldCancel: () => Date.now() - t0 > budgetMs, waitIfPaused: async () => {} },
    });
    const best = perEpoch.reduce<(typeof perEpoch)[number] | null>((b, e) => ((e.mAP50 ?? -1) > (b?.mAP50 ?? -1) ? e : b), null);
    const results = {
      bench: 'training', date: new Date().toISOString(), node: process.version, cpu: cpus()[0]?.model, cpus: cpus().length,
      loadAverage1m: +loadavg()[0].toFixed(2), dataset: 'raccoon (160 train / 40 val, upstream split)', config, env, calibration,
      budgetMinutes: minutes, wallMinutes: +((Date.now() - t0) / 60_000).toFixed(2), status: finished.status, epochsDone: finished.epochsDone,
      bestMAP50: best?.mAP50 ?? null, bestEpoch: best?.epoch ?? null, final: perEpoch.at(-1) ?? null, perEpoch,
    };
    mkdirSync(path.join(here, 'results'), { recursive: true });
    writeFileSync(path.join(here, 'results', 'training.json'), JSON.stringify(results, null, 2) + '\n');
    console.log(`\n${finished.epochsDone} epochs of ${values.preset}@${values.imgsz} on ${(env as { backend?: string } | null)?.backend} in ${results.wallMinutes} min (budget ${minutes}): ` +
      `best mAP50 ${best?.mAP50?.toFixed(4) ?? '-'} (epoch ${best?.epoch ?? '-'}), final mAP50 ${results.final?.mAP50?.toFixed(4) ?? '-'} mAP50-95 ${results.final?.['mAP50-95']?.toFixed(4) ?? '-'}, ` +
      `${(perEpoch.reduce((n, e) => n + e.imagesPerSecond, 0) / Math.max(1, perEpoch.length)).toFixed(1)} img/s, ${(perEpoch.reduce((n, e) => n + e.wallSeconds, 0) / Math.max(1, perEpoch.length)).toFixed(1)} s/epoch; results in bench/results/training.json`);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
