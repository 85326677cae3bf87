/**
 * Detector quality in a time budget: trains the default detector recipe (or --preset) with the
 * engine's own runTraining on raccoon and bccd (../shared/datasets/detection-voc, upstream splits:
 * raccoon 160 train / 40 val; bccd trainval 292 / test 72 as val) and on the synthetic sample
 * (`detecta sample`, 200 images, every 5th for val) on the best CPU backend here (wasm with our
 * kernels), and records mAP50, mAP50-95, AP by object size (eval.json of weights/best), images/s
 * and wall time into bench/results/detector-quality-<preset>.json (a run replaces the datasets it
 * measured there).
 *
 *   node --import tsx bench/detector-quality.bench.ts [--datasets raccoon,bccd,sample] [--minutes 20]
 *        [--preset nanodet-m|mobilenet-fpn] [--imgsz N] [--batch N] [--lr X] [--freeze N] [--epochs N]
 *
 * Without --epochs the run is the product's time-budget recipe (`detecta train --minutes N`): the
 * trainer plans input size, batch, frozen epochs and epochs and re-plans from its measured speed;
 * --imgsz, --batch and --freeze override the plan. With --epochs it is a fixed schedule.
 */
import { cpSync, mkdirSync, writeFileSync, existsSync } from 'node:fs';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { openDatasetProject } from '../main/dataset/project';
import { runTraining } from '../main/training/detect-task';
import { writeSampleProject } from '../main/sample/write-sample-project';
import { trainConfigSchema, type BackendChoice, type EpochEvent, type TrainConfigInput, type TrainerEvent } from '../shared/training/types';

const here = path.dirname(fileURLToPath(import.meta.url));
const SHARED = path.resolve(here, '../../shared');
const MOBILENET = path.join(SHARED, 'models/mobilenet_v1_0.25_224/model.json');
const NANODET = path.join(SHARED, 'models/nanodet-m-416-coco');

const { values } = parseArgs({
  options: {
    datasets: { type: 'string', default: 'raccoon,bccd,sample' }, minutes: { type: 'string', default: '20' }, preset: { type: 'string', default: trainConfigSchema.parse({}).preset },
    imgsz: { type: 'string' }, batch: { type: 'string' }, lr: { type: 'string' },
    epochs: { type: 'string' }, freeze: { type: 'string' }, backend: { type: 'string', default: 'wasm' },
  },
});

interface DatasetSpec { name: string; prepare(dir: string): Promise<{ train: Set<string>; val: Set<string> }> }

const DATASETS: Record<string, DatasetSpec> = {
  raccoon: {
    name: 'raccoon (160 train / 40 val, upstream split)',
    async prepare(dir) {
      const src = path.join(SHARED, 'datasets/detection-voc/raccoon');
      cpSync(path.join(src, 'images'), path.join(dir, 'images'), { recursive: true });
      cpSync(path.join(src, 'annotations'), path.join(dir, 'annotations'), { recursive: true });
      const val = new Set((await readFile(path.join(src, 'csv', 'test_labels.csv'), 'utf8')).split('\n').slice(1).map((l) => l.split(',')[0]).filter(Boolean));
      return { train: new Set(), val };
    },
  },
  sample: {
    name: 'synthetic sample (`detecta sample`, 200 images 320×240, seed 1; every 5th image val: 160 / 40)',
    async prepare(dir) {
      const written = await writeSampleProject(dir, { images: 200, seed: 1, width: 320, height: 240 });
      return { train: new Set(), val: new Set(written.files.filter((_, i) => i % 5 === 4).map((f) => path.basename(f))) };
    },
  },
  bccd: {
    name: 'bccd (trainval 292 / test 72 as val, upstream split)',
    async prepare(dir) {
      const src = path.join(SHARED, 'datasets/detection-voc/bccd');
      cpSync(path.join(src, 'JPEGImages'), path.join(dir, 'JPEGImages'), { recursive: true });
      cpSync(path.join(src, 'Annotations'), path.join(dir, 'Annotations'), { recursive: true });
      const test = (await readFile(path.join(src, 'ImageSets/Main/test.txt'), 'utf8')).split('\n').map((l) => l.trim()).filter(Boolean);
      return { train: new Set(), val: new Set(test.map((s) => `${s}.jpg`)) };
    },
  },
};

async function prepareProject(root: string, key: string): Promise<string> {
  const spec = DATASETS[key];
  if (!spec) throw new Error(`unknown dataset ${key} (${Object.keys(DATASETS).join(', ')})`);
  const dir = path.join(root, key);
  const { val } = await spec.prepare(dir);
  const project = await openDatasetProject(dir, { watch: false });
  await project.ready();
  for (const e of project.listImages({ limit: Number.MAX_SAFE_INTEGER, filter: 'all' }).items) {
    await project.setSplit(e.id, val.has(path.basename(e.id)) ? 'val' : 'train');
  }
  await project.close();
  return dir;
}

async function benchDataset(root: string, key: string, minutes: number): Promise<Record<string, unknown>> {
  const budgetMs = minutes * 60_000;
  const t0 = Date.now();
  const project = await prepareProject(root, key);
  const mobilenetFamily = values.preset === 'mobilenet' || values.preset === 'mobilenet-fpn';
  const pretrained = mobilenetFamily || values.preset === 'nanodet-m';
  const config: TrainConfigInput = {
    preset: values.preset as TrainConfigInput['preset'], backend: values.backend as BackendChoice, seed: 1,
    ...(values.imgsz ? { inputSize: Number(values.imgsz) } : {}), ...(values.batch ? { batchSize: Number(values.batch) } : {}),
    ...(values.lr ? { learningRate: Number(values.lr) } : {}), ...(values.freeze && pretrained ? { freezeEpochs: Number(values.freeze) } : {}),
    ...(mobilenetFamily ? { backbone: MOBILENET } : values.preset === 'nanodet-m' ? { backbone: NANODET } : {}),
    ...(values.epochs ? { epochs: Number(values.epochs) } : { minutes }),
  };
  const perEpoch: { epoch: number; seconds: number; mAP50: number | null; 'mAP50-95': number | null; trainLoss: number; imagesPerSecond: number }[] = [];
  let env: unknown = null;
  let lastTime = 0;
  let ips = 0;
  const finished = await runTraining({ project, name: 'bench', config }, {
    emit: (ev: TrainerEvent) => {
      if (ev.type === 'env') env = ev.payload;
      if (ev.type === 'progress') ips = ev.payload.imagesPerSecond;
      if (ev.type === 'log' && ev.payload.level !== 'info') console.log(`  ${ev.payload.message}`);
      if (ev.type === 'epoch') {
        const p: EpochEvent = ev.payload;
        perEpoch.push({ epoch: p.epoch, seconds: +(p.time - lastTime).toFixed(1), mAP50: p.mAP50, 'mAP50-95': p['mAP50-95'], trainLoss: +p.train.total.toFixed(4), imagesPerSecond: +ips.toFixed(2) });
        lastTime = p.time;
        if (p.epoch === 1) console.log(`[${key}] plan: ${p.epochs} epochs`);
        console.log(`[${key}] epoch ${p.epoch}/${p.epochs}  ${p.time.toFixed(0)} s  mAP50 ${p.mAP50?.toFixed(4) ?? '-'}  mAP50-95 ${p['mAP50-95']?.toFixed(4) ?? '-'}  loss ${p.train.total.toFixed(3)}  ${ips.toFixed(1)} img/s`);
      }
    },
    // the trainer keeps the budget itself; this only guards against a run that overshoots badly
    control: { shouldCancel: () => Date.now() - t0 > budgetMs * 1.5 + 120_000, waitIfPaused: async () => {} },
  });
  const runDir = path.join(project, '.detecta', 'runs', 'bench');
  const evalFile = path.join(runDir, 'eval.json');
  const runConfig = JSON.parse(await readFile(path.join(runDir, 'config.json'), 'utf8')) as { detector: { inputSize: number }; train: { batchSize: number; epochs: number; freezeEpochs: number } };
  const planned = { inputSize: runConfig.detector.inputSize, batchSize: runConfig.train.batchSize, epochs: runConfig.train.epochs, freezeEpochs: runConfig.train.freezeEpochs };
  const report = existsSync(evalFile) ? (JSON.parse(await readFile(evalFile, 'utf8')) as { epoch: number; mAP50: number | null; 'mAP50-95': number | null; perSize?: unknown }) : null;
  return {
    dataset: DATASETS[key]!.name, config, planned, env, budgetMinutes: values.epochs ? null : minutes, wallMinutes: +((Date.now() - t0) / 60_000).toFixed(2),
    status: finished.status, epochsDone: finished.epochsDone,
    best: report ? { epoch: report.epoch, mAP50: report.mAP50, 'mAP50-95': report['mAP50-95'], perSize: report.perSize ?? null } : null,
    imagesPerSecond: perEpoch.length ? +(perEpoch.reduce((n, e) => n + e.imagesPerSecond, 0) / perEpoch.length).toFixed(2) : null,
    perEpoch, runFiles: await readdir(runDir).catch(() => []),
  };
}

async function main(): Promise<void> {
  const minutes = Number(values.minutes);
  const keys = values.datasets!.split(',').map((s) => s.trim()).filter(Boolean);
  const root = await mkdtemp(path.join(tmpdir(), 'detecta-bench-quality-'));
  // one file per preset; a run replaces the datasets it measured and keeps the others' figures
  const outFile = path.join(here, 'results', `detector-quality-${values.preset}.json`);
  const earlier = existsSync(outFile) ? (JSON.parse(await readFile(outFile, 'utf8')) as { datasets?: Record<string, unknown> }).datasets ?? {} : {};
  const results: Record<string, unknown> = { bench: 'detector-quality', date: new Date().toISOString(), node: process.version, cpu: cpus()[0]?.model, cpus: cpus().length, preset: values.preset, datasets: { ...earlier } };
  try {
    for (const key of keys) {
      (results.datasets as Record<string, unknown>)[key] = await benchDataset(root, key, minutes);
      results.loadAverage1m = +loadavg()[0].toFixed(2);
      mkdirSync(path.join(here, 'results'), { recursive: true });
      writeFileSync(outFile, JSON.stringify(results, null, 2) + '\n');
    }
    for (const key of keys) {
      const r = (results.datasets as Record<string, { best: { epoch: number; mAP50: number | null; 'mAP50-95': number | null; perSize: { small: number | null; medium: number | null; large: number | null } | null } | null; epochsDone: number; wallMinutes: number; imagesPerSecond: number | null }>)[key]!;
      const f = (v: number | null | undefined) => (v == null ? '-' : v.toFixed(3));
      console.log(`${key}: ${values.preset}, ${r.epochsDone} epochs in ${r.wallMinutes} min, best epoch ${r.best?.epoch ?? '-'}: mAP50 ${f(r.best?.mAP50)}, mAP50-95 ${f(r.best?.['mAP50-95'])}, AP small/medium/large ${f(r.best?.perSize?.small)}/${f(r.best?.perSize?.medium)}/${f(r.best?.perSize?.large)}, ${r.imagesPerSecond ?? '-'} img/s`);
    }
    console.log(`results in ${path.relative(process.cwd(), outFile)}`);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
