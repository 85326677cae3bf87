/**
 * Benchmark of the metrics core: mAP50-95 (COCO) and mAP50 (VOC) on a synthetic set of
 * 10,000 images, 50,000 ground-truth boxes and 200,000 detections over 20 classes.
 * Writes bench/results/metrics.json and prints a one-line summary.
 * Run: node --import tsx bench/metrics.bench.ts
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { evaluateCoco, evaluateVoc, type Detection, type GroundTruthBox } from '../shared/metrics';
import { mulberry32 } from '../shared/ml/random';

const IMAGES = 10_000;
const GT_PER_IMAGE = 5;
const DET_PER_IMAGE = 20;
const CLASSES = Array.from({ length: 20 }, (_, i) => `class${i}`);
const RUNS = 3;


function makeSet(seed: number): { gts: GroundTruthBox[]; dets: Detection[] } {
  const r = mulberry32(seed);
  const gts: GroundTruthBox[] = [];
  const dets: Detection[] = [];
  for (let i = 0; i < IMAGES; i++) {
    const imageId = String(i);
    const start = gts.length;
    for (let k = 0; k < GT_PER_IMAGE; k++) {
      const w = 8 + r() * 250, h = 8 + r() * 250, x = r() * 380, y = r() * 220;
      gts.push({ imageId, className: CLASSES[Math.floor(r() * CLASSES.length)]!, x1: x, y1: y, x2: x + w, y2: y + h });
    }
    for (let k = 0; k < DET_PER_IMAGE; k++) {
      const score = r();
      if (r() < 0.6) {
        const g = gts[start + Math.floor(r() * GT_PER_IMAGE)]!;
        const w = g.x2 - g.x1, h = g.y2 - g.y1;
        const dx = (r() - 0.5) * 0.3 * w, dy = (r() - 0.5) * 0.3 * h;
        const className = r() < 0.9 ? g.className : CLASSES[Math.floor(r() * CLASSES.length)]!;
        dets.push({ imageId, className, score, x1: g.x1 + dx, y1: g.y1 + dy, x2: g.x2 + dx * (0.5 + r()), y2: g.y2 + dy * (0.5 + r()) });
      } else {
        const w = 8 + r() * 200, h = 8 + r() * 200, x = r() * 400, y = r() * 250;
        dets.push({ imageId, className: CLASSES[Math.floor(r() * CLASSES.length)]!, score, x1: x, y1: y, x2: x + w, y2: y + h });
      }
    }
  }
  return { gts, dets };
}

/** Wall time, and CPU time of this process (the machine is shared: CPU time shows contention). */
function time<T>(fn: () => T): { ms: number; cpuMs: number; value: T } {
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  const value = fn();
  const c = process.cpuUsage(c0);
  return { ms: performance.now() - t0, cpuMs: (c.user + c.system) / 1000, value };
}

const { gts, dets } = makeSet(42);
const coco = Array.from({ length: RUNS }, () => time(() => evaluateCoco(gts, dets)));
const voc = Array.from({ length: RUNS }, () => time(() => evaluateVoc(gts, dets, { iouThreshold: 0.5 })));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const round = (x: number) => Math.round(x * 10) / 10;

const result = {
  bench: 'metrics',
  date: new Date().toISOString(),
  node: process.version,
  cpu: cpus()[0]?.model ?? 'unknown',
  cpus: cpus().length,
  images: IMAGES,
  groundTruth: gts.length,
  detections: dets.length,
  classes: CLASSES.length,
  runs: RUNS,
  loadAverage1m: loadavg()[0],
  cocoMs: { first: round(coco[0]!.ms), median: round(median(coco.map((c) => c.ms))), all: coco.map((c) => round(c.ms)), cpu: coco.map((c) => round(c.cpuMs)) },
  vocMs: { first: round(voc[0]!.ms), median: round(median(voc.map((c) => c.ms))), all: voc.map((c) => round(c.ms)), cpu: voc.map((c) => round(c.cpuMs)) },
  mAP50_95: coco[0]!.value.stats.AP,
  mAP50: voc[0]!.value.mAP,
  targetMs: 2000,
};
const out = fileURLToPath(new URL('./results/', import.meta.url));
mkdirSync(out, { recursive: true });
writeFileSync(`${out}metrics.json`, `${JSON.stringify(result, null, 2)}\n`);
console.log(
  `metrics: mAP50-95 ${result.cocoMs.median} ms (first ${result.cocoMs.first} ms), mAP50 ${result.vocMs.median} ms ` +
  `for ${IMAGES} images / ${gts.length} GT / ${dets.length} detections (target < ${result.targetMs} ms) ` +
  `[mAP50-95 ${result.mAP50_95.toFixed(4)}, mAP50 ${result.mAP50?.toFixed(4)}, load ${result.loadAverage1m.toFixed(1)}]`,
);
