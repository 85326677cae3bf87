/**
 * Augmentation speed per image (issue 19: the batch workers share the CPU with the math): each
 * preset recipe's augmentScene (DEFAULT for the YOLOv2 presets, FPN for nanodet-m and
 * mobilenet-fpn) on real raccoon photos fitted to the input size, and each op alone, in ms per image
 * on this thread. Seeded, so the ops applied are the same from run to run.
 *
 * Run: node --import tsx bench/augment.bench.ts [--size 224] [--images 16] [--reps 200]
 * Writes bench/results/augment.json. (Tests never assert timings; figures go in the issue note.)
 */
import { mkdirSync, readdirSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import sharp from 'sharp';
import { writeFileAtomic } from '../main/dataset/atomic-write';
import {
  augmentScene, brightnessAdd, clampPixels, contrast, DEFAULT_AUGMENT_CONFIG, FPN_AUGMENT_CONFIG, gaussianBlur, gaussianNoise,
  horizontalFlip, hsvJitter, pixelDropout, scaleCrop, sharpen, type AugmentConfig,
} from '../shared/ml/augment';
import { fitToInput, type FloatRgbImage } from '../shared/ml/preprocess';
import { createRng } from '../shared/ml/random';

const { values } = parseArgs({ options: { size: { type: 'string', default: '224' }, images: { type: 'string', default: '16' }, reps: { type: 'string', default: '200' } } });
const size = Number(values.size);
const RACCOON = fileURLToPath(new URL('../../shared/datasets/detection-voc/raccoon/images/', import.meta.url));
const round = (x: number, d = 3) => Math.round(x * 10 ** d) / 10 ** d;

const files = readdirSync(RACCOON).filter((f) => /\.jpe?g$/i.test(f)).sort().slice(0, Number(values.images));
const images: FloatRgbImage[] = [];
for (const f of files) {
  const { data, info } = await sharp(join(RACCOON, f)).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  images.push(fitToInput({ width: info.width, height: info.height, data: new Uint8Array(data.buffer, data.byteOffset, data.length) }, size, { mode: 'letterbox' }).image);
}
const boxes = [{ classId: 0, x1: size * 0.2, y1: size * 0.25, x2: size * 0.7, y2: size * 0.8 }];

/** Mean ms per call over `reps` calls cycling through the images (after a warm-up of 10). */
function time(f: (image: FloatRgbImage, i: number) => unknown, reps: number): number {
  for (let i = 0; i < 10; i++) f(images[i % images.length]!, i);
  const t0 = performance.now();
  for (let i = 0; i < reps; i++) f(images[i % images.length]!, i);
  return (performance.now() - t0) / reps;
}

const reps = Number(values.reps);
const recipes: Record<string, AugmentConfig> = { DEFAULT: DEFAULT_AUGMENT_CONFIG, FPN: FPN_AUGMENT_CONFIG };
const recipeMs: Record<string, number> = {};
for (const [name, config] of Object.entries(recipes)) {
  const rng = createRng(7);
  recipeMs[name] = round(time((img) => augmentScene(img, boxes, config, rng), reps));
}
const rng = createRng(9);
const opMs: Record<string, number> = {
  scaleCrop: time((img) => scaleCrop(img, boxes, { scaleX: 1.1, scaleY: 0.9, offsetX: -5, offsetY: 3, padValue: 127.5 }), reps),
  horizontalFlip: time((img) => horizontalFlip(img, boxes), reps),
  hsvJitter: time((img) => hsvJitter(img, { hue: 0.01, saturation: 0.3, value: -0.2 }), reps),
  gaussianBlur: time((img) => gaussianBlur(img, 1), reps),
  sharpen: time((img) => sharpen(img, 0.3, 1.1), reps),
  gaussianNoise: time((img) => gaussianNoise(img, 5, rng), reps),
  pixelDropout: time((img) => pixelDropout(img, 0.03, rng), reps),
  brightnessAdd: time((img) => brightnessAdd(img, 10), reps),
  contrast: time((img) => contrast(img, 1.1), reps),
  clampPixels: time((img) => clampPixels(img), reps),
};
for (const k of Object.keys(opMs)) opMs[k] = round(opMs[k]!);

const result = {
  bench: 'augment', date: new Date().toISOString(),
  machine: { cpus: cpus().length, model: cpus()[0]?.model ?? '', node: process.version, loadavg: loadavg().map((l) => round(l, 2)) },
  method: `augmentScene per recipe and each op alone (a new image each call) on ${images.length} raccoon photos letterboxed to ${size} px, ${reps} calls each, ms per image on one thread`,
  size, recipeMs, opMs,
};
const out = fileURLToPath(new URL('./results/augment.json', import.meta.url));
mkdirSync(fileURLToPath(new URL('./results/', import.meta.url)), { recursive: true });
await writeFileAtomic(out, JSON.stringify(result, null, 2) + '\n');
console.log(`augmentation at ${size} px, ms per image: ${Object.entries(recipeMs).map(([k, v]) => `${k} recipe ${v}`).join(', ')}`);
console.log(`ops alone: ${Object.entries(opMs).map(([k, v]) => `${k} ${v}`).join(', ')}`);
console.log(`written ${out}`);
