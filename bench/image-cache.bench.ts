/**
 * The trainer's image cache (issue 19) on real photos (../shared/datasets/detection-voc/raccoon):
 * resident memory and batch speed with every decoded image kept in memory (the default budget)
 * against none kept (DETECTA_IMAGE_CACHE_MB=0: each image decoded from its file when a batch needs
 * it). Each mode runs in its own process, so its resident memory is its own: load the images as
 * the trainer does (loadTrainingData with the image cache), start the batch pipeline, build one
 * batch to warm up, then time `--batches` batches one after the other (no prefetch) with mosaic and
 * mixup on (MODERN_AUGMENT_CONFIG).
 *
 * Run: node --import tsx bench/image-cache.bench.ts [--images 200] [--size 320] [--batch 16]
 *      [--batches 8] [--workers 1] [--modes full,zero]
 * Writes bench/results/image-cache.json. (Tests never assert timings; figures go in the issue note.)
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { writeFileAtomic } from '../main/dataset/atomic-write';
import { BatchPipeline } from '../main/training/batch-pipeline';
import { batchesPerEpoch } from '../main/training/batches';
import { loadTrainingData } from '../main/training/data';
import { countCached, ImageCache, imageCacheBudget, IMAGE_CACHE_ENV } from '../main/training/image-cache';
import type { SampleList } from '../main/dataset/sample-list';
import { vocToBoxes } from '../main/dataset/voc-boxes';
import { MODERN_AUGMENT_CONFIG } from '../shared/ml/augment';
import { parseVocXml } from '../shared/voc';

const { values } = parseArgs({
  options: {
    images: { type: 'string', default: '200' }, size: { type: 'string', default: '320' }, batch: { type: 'string', default: '16' },
    batches: { type: 'string', default: '8' }, workers: { type: 'string', default: '1' }, modes: { type: 'string', default: 'full,zero' }, child: { type: 'string' },
  },
});
const RACCOON = fileURLToPath(new URL('../../shared/datasets/detection-voc/raccoon/', import.meta.url));
const MB = 2 ** 20;
const round = (x: number, d = 1) => Math.round(x * 10 ** d) / 10 ** d;

interface ModeResult {
  mode: string; budgetMB: number; cachedImages: number; cachedMB: number; notCached: number;
  rssAfterLoadMB: number; rssPeakMB: number; batchImagesPerSecond: number; decodedPerBatch: number;
}

/** raccoon-1..n: the first 90 % train, the rest val. */
function raccoonList(n: number): SampleList {
  const train = Math.round(n * 0.9);
  const samples = Array.from({ length: n }, (_, k) => {
    const name = `raccoon-${k + 1}`;
    const ann = parseVocXml(readFileSync(join(RACCOON, 'annotations', `${name}.xml`), 'utf8'));
    return { imageId: `${name}.jpg`, file: join(RACCOON, 'images', `${name}.jpg`), split: k < train ? 'train' as const : 'val' as const, size: null, boxes: vocToBoxes(ann) };
  });
  return { root: RACCOON, classes: ['raccoon'], samples, skipped: [] };
}

async function runMode(mode: string): Promise<ModeResult> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('the child runs with --expose-gc');
  const size = Number(values.size);
  const budget = imageCacheBudget();
  const data = await loadTrainingData(raccoonList(Number(values.images)), { inputSize: size, resizeMode: 'letterbox', seed: 1, valFraction: 0.1, cache: new ImageCache(budget.bytes) });
  const options = { augment: MODERN_AUGMENT_CONFIG, seed: 1, trainTimes: 1, batchSize: Number(values.batch) };
  const batches = Math.min(Number(values.batches) + 1, batchesPerEpoch(data.train.length, 1, options.batchSize));
  // no prefetch: each batch is timed alone (in a run the queue hides this time behind the train step)
  const pipeline = BatchPipeline.start(data.train, { ...options, workers: Number(values.workers), prefetch: 0, batchesPerEpoch: batches });
  data.train.forEach((s, i) => { s.image = pipeline.imageOf(i); });
  gc();
  const rssAfterLoad = process.memoryUsage().rss;
  let peak = rssAfterLoad;
  try {
    await pipeline.batch(1, 0, true); // warm-up: workers started, code compiled
    const warmDecoded = pipeline.decodedIn(1);
    const t0 = performance.now();
    let images = 0;
    for (let b = 1; b < batches; b++) {
      images += (await pipeline.batch(1, b, true)).images.length;
      peak = Math.max(peak, process.memoryUsage().rss);
    }
    const seconds = (performance.now() - t0) / 1000;
    const kept = countCached([...data.train, ...data.val].map((s) => s.image));
    return {
      mode, budgetMB: round(budget.bytes / MB), cachedImages: kept.cached, cachedMB: round(kept.bytes / MB), notCached: kept.images - kept.cached,
      rssAfterLoadMB: round(rssAfterLoad / MB), rssPeakMB: round(peak / MB), batchImagesPerSecond: round(images / seconds, 2),
      decodedPerBatch: round((pipeline.decodedIn(1) - warmDecoded) / (batches - 1)),
    };
  } finally {
    await pipeline.close();
  }
}

if (values.child) {
  process.stdout.write(`${JSON.stringify(await runMode(values.child))}\n`);
} else {
  const results: ModeResult[] = [];
  for (const mode of values.modes!.split(',')) {
    const env = { ...process.env };
    if (mode === 'zero') env[IMAGE_CACHE_ENV] = '0';
    else if (mode === 'full') delete env[IMAGE_CACHE_ENV];
    else throw new Error(`--modes: full or zero, got ${mode}`);
    const same = (['images', 'size', 'batch', 'batches', 'workers'] as const).flatMap((k) => [`--${k}`, values[k]!]);
    const args = ['--import', 'tsx', '--expose-gc', fileURLToPath(import.meta.url), '--child', mode, ...same];
    const out = execFileSync(process.execPath, args, { env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
    const r = JSON.parse(out.trim().split('\n').pop()!) as ModeResult;
    results.push(r);
    console.log(`${mode}: ${r.cachedImages} images kept (${r.cachedMB} MB of ${r.budgetMB} MB), ${r.notCached} not; rss ${r.rssAfterLoadMB} MB after loading, peak ${r.rssPeakMB} MB; ${r.batchImagesPerSecond} batch images/s, ${r.decodedPerBatch} decodes a batch`);
  }
  const report = {
    bench: 'image-cache', date: new Date().toISOString(), cpus: cpus().length, loadavg: loadavg().map((l) => round(l, 2)),
    options: { images: Number(values.images), size: Number(values.size), batch: Number(values.batch), batches: Number(values.batches), workers: Number(values.workers) },
    floatCacheMB: round((Number(values.images) * Number(values.size) ** 2 * 3 * 4) / MB), results,
  };
  const dir = fileURLToPath(new URL('./results/', import.meta.url));
  mkdirSync(dir, { recursive: true });
  await writeFileAtomic(join(dir, 'image-cache.json'), `${JSON.stringify(report, null, 2)}\n`);
}
