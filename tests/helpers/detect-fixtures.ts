/**
 * Fixtures of the Detect e2e tests: the model-zoo mirror folder (../shared/models), a
 * YOLOv2 LayersModel and a classifier with known weights saved as project runs, and ffmpeg
 * conversions.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import sharp from 'sharp';
import { detectorPreset } from '../../shared/ml/detector/config';
import { writeDetectorMetadata } from '../../shared/ml/detector/metadata';
import { writeClassifierMetadata } from '../../shared/ml/classifier/metadata';
import { fileModelHandler } from '../../main/training/model-cache';
import { runConfigSchema } from '../../shared/training/run-files';
import { trainConfigSchema } from '../../shared/training/types';
import { classifierConfigSchema } from '../../shared/training/classifier';
import type { Browser, Page } from '@playwright/test';
import { requireTool } from './system-tools';

export const sharedModels = fileURLToPath(new URL('../../../shared/models/', import.meta.url));

/**
 * A detector with known weights (input 320, one 1×1 anchor, classes red/blue): each 32-pixel
 * cell's mean colour decides; a red or blue cell gives a box exactly on that cell, grey gives
 * nothing. Saved as run `known`'s best weights with its config.json.
 */
export async function writeKnownWeightsRun(projectRoot: string): Promise<void> {
  await tf.setBackend('cpu');
  const config = detectorPreset('tiny', { numClasses: 2, inputSize: 320, anchors: [[1, 1]] });
  const input = tf.input({ shape: [320, 320, 3] });
  const pooled = tf.layers.averagePooling2d({ poolSize: 32, strides: 32 }).apply(input) as tf.SymbolicTensor;
  const conv = tf.layers.conv2d({ filters: 7, kernelSize: 1, name: 'yolo_output' });
  const model = tf.model({ inputs: input, outputs: conv.apply(pooled) as tf.SymbolicTensor });
  const k = new Float32Array(3 * 7);
  const setK = (ch: number, rgb: [number, number, number]) => rgb.forEach((v, c) => { k[c * 7 + ch] = v; });
  setK(4, [0.1, -0.2, 0.1]); // objectness: colourful (red or blue) vs grey
  setK(5, [0.1, 0, -0.1]); // red
  setK(6, [-0.1, 0, 0.1]); // blue
  conv.setWeights([tf.tensor4d(k, [1, 1, 3, 7]), tf.tensor1d([0, 0, 0, 0, -5, 0, 0])]);
  writeDetectorMetadata(model, config);
  const dir = join(projectRoot, '.detecta', 'runs', 'known');
  mkdirSync(join(dir, 'weights', 'best'), { recursive: true });
  await model.save(fileModelHandler(join(dir, 'weights', 'best', 'model.json')));
  // a config.json as a run writes it, checked by the same schema the app reads it with
  const runConfig = runConfigSchema.parse({
    version: 1, name: 'known', project: projectRoot, createdAt: new Date().toISOString(), classes: ['red', 'blue'],
    task: 'detect', train: trainConfigSchema.parse({}), detector: config, split: { train: [], val: [] },
  });
  writeFileSync(join(dir, 'config.json'), JSON.stringify(runConfig));
}

/**
 * The same known-weights detector with the anchor-free point head's output layout (points.ts;
 * stride 32 only, 8 distance bins): a red or blue 32-pixel cell scores its class, and every side's
 * distribution puts equal mass on 0 and 1 strides, so the box is exactly that cell. Saved as run
 * `known-points`.
 */
export async function writeKnownPointsRun(projectRoot: string): Promise<void> {
  await tf.setBackend('cpu');
  const R = 8;
  const F = 2 + 4 * R;
  const config = { ...detectorPreset('mobilenet-fpn', { numClasses: 2, inputSize: 320 }), backbone: { kind: 'tiny' as const, widths: [8, 8, 8, 8, 8] }, head: { kind: 'points' as const, strides: [32], width: 8, towerConvs: 0, regBins: R, clsBiasInit: -4.6 } };
  const input = tf.input({ shape: [320, 320, 3] });
  const pooled = tf.layers.averagePooling2d({ poolSize: 32, strides: 32 }).apply(input) as tf.SymbolicTensor;
  const conv = tf.layers.conv2d({ filters: F, kernelSize: 1, name: 'yolo_out_s32' });
  const flat = tf.layers.reshape({ targetShape: [100, F] }).apply(conv.apply(pooled)) as tf.SymbolicTensor;
  const model = tf.model({ inputs: input, outputs: flat });
  const k = new Float32Array(3 * F);
  const setK = (ch: number, rgb: [number, number, number]) => rgb.forEach((v, c) => { k[c * F + ch] = v; });
  setK(0, [0.1, -0.1, -0.1]); // red
  setK(1, [-0.1, -0.1, 0.1]); // blue
  const bias = new Float32Array(F);
  for (let side = 0; side < 4; side++) for (let b = 0; b < R; b++) bias[2 + side * R + b] = b < 2 ? 10 : -10;
  conv.setWeights([tf.tensor4d(k, [1, 1, 3, F]), tf.tensor1d(bias)]);
  writeDetectorMetadata(model, config);
  const dir = join(projectRoot, '.detecta', 'runs', 'known-points');
  mkdirSync(join(dir, 'weights', 'best'), { recursive: true });
  await model.save(fileModelHandler(join(dir, 'weights', 'best', 'model.json')));
  const runConfig = runConfigSchema.parse({
    version: 1, name: 'known-points', project: projectRoot, createdAt: new Date().toISOString(), classes: ['red', 'blue'],
    task: 'detect', train: trainConfigSchema.parse({ preset: 'mobilenet-fpn' }), detector: config, split: { train: [], val: [] },
  });
  writeFileSync(join(dir, 'config.json'), JSON.stringify(runConfig));
}

/**
 * A classifier with known weights over the classes red/green/blue, saved the way classifier runs
 * save theirs (raw 0..255 pixels in, softmax out, classifier metadata) as run `known-colours`: the
 * frame's mean colour decides (logit of a class = 0.1 × (its channel − mean of the other two)), so
 * a mostly red picture is "red" with a score near 1. Input 16×16 colour.
 */
export async function writeKnownClassifierRun(projectRoot: string): Promise<string> {
  await tf.setBackend('cpu');
  const classes = ['red', 'green', 'blue'];
  const model = tf.sequential({
    layers: [
      tf.layers.globalAveragePooling2d({ inputShape: [16, 16, 3] }),
      tf.layers.dense({ units: 3, activation: 'softmax', name: 'colour_scores' }),
    ],
  });
  const k = [[0.1, -0.05, -0.05], [-0.05, 0.1, -0.05], [-0.05, -0.05, 0.1]]; // rows: input channel, columns: class
  model.layers[1]!.setWeights([tf.tensor2d(k), tf.zeros([3])]);
  writeClassifierMetadata(model, { task: 'classify', classes, inputShape: [16, 16, 3], preset: 'known-colours' });
  const dir = join(projectRoot, '.detecta', 'runs', 'known-colours');
  mkdirSync(join(dir, 'weights', 'best'), { recursive: true });
  await model.save(fileModelHandler(join(dir, 'weights', 'best', 'model.json')));
  const runConfig = runConfigSchema.parse({
    version: 1, name: 'known-colours', project: projectRoot, createdAt: new Date().toISOString(), classes,
    task: 'classify', train: classifierConfigSchema.parse({ source: { kind: 'folder', dir: projectRoot } }),
    inputSize: 16, inputShape: [16, 16, 3], colorMode: 'rgb', split: { train: [], val: [], test: [] }, balance: [],
  });
  writeFileSync(join(dir, 'config.json'), JSON.stringify(runConfig));
  return join(dir, 'weights', 'best');
}

/** A photo-sized PNG: noisy grey with a big square (half the side) of one colour in the middle. */
export async function writeColourImage(file: string, rgb: [number, number, number], width = 480, height = 360): Promise<void> {
  const px = Buffer.alloc(width * height * 3);
  for (let i = 0; i < width * height; i++) px.fill(110 + ((i * 7919) % 40), i * 3, i * 3 + 3);
  for (let y = height / 4; y < (3 * height) / 4; y++) for (let x = width / 4; x < (3 * width) / 4; x++) px.set(rgb, (y * width + x) * 3);
  await sharp(px, { raw: { width, height, channels: 3 } }).png().toFile(file);
}

/** 640×640 grey PNG with a red square on input cell (col 2, row 3) and a blue one on (6, 1). */
export async function writeShapesImage(file: string): Promise<void> {
  const px = Buffer.alloc(640 * 640 * 3, 128);
  const fill = (x0: number, y0: number, rgb: [number, number, number]) => {
    for (let y = y0; y < y0 + 64; y++) for (let x = x0; x < x0 + 64; x++) px.set(rgb, (y * 640 + x) * 3);
  };
  fill(128, 192, [255, 0, 0]);
  fill(384, 64, [0, 0, 255]);
  await sharp(px, { raw: { width: 640, height: 640, channels: 3 } }).png().toFile(file);
}

export function ffmpeg(args: string[]): void {
  const r = spawnSync(requireTool('ffmpeg'), ['-hide_banner', '-loglevel', 'error', '-y', ...args], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`ffmpeg ${args.join(' ')} failed: ${r.stderr}`);
}

/** Calls an API method from the page (same origin and cookie as the app). */
export async function callApi(page: Page, method: string, params: unknown): Promise<unknown> {
  return page.evaluate(async ({ method, params }) => new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://${location.host}/api`);
    ws.onopen = () => ws.send(JSON.stringify({ id: 1, method, params }));
    ws.onmessage = (e) => { const m = JSON.parse(String(e.data)); if (m.id !== 1) return; ws.close(); if (m.ok) resolve(m.result); else reject(new Error(m.error.message)); };
    ws.onerror = () => reject(new Error('websocket failed'));
  }), { method, params });
}

/** A page of the app with the project open in the Detect view; page errors go to the test's output. */
export async function openDetectPage(browser: Browser, url: string, dir: string): Promise<Page> {
  const page = await browser.newPage();
  page.on('console', (m) => { if (m.type() === 'error') console.log('[page]', m.text()); });
  await openProject(page, url, dir);
  return page;
}

export async function openProject(page: Page, url: string, dir: string): Promise<void> {
  await page.goto(url);
  await page.getByLabel('Project folder').fill(dir);
  await page.getByRole('button', { name: 'Open', exact: true }).click();
  await page.getByRole('navigation', { name: 'Views' }).getByRole('button', { name: /Detect/ }).click();
}

export const shotPath = (repoRoot: string, name: string): string => join(repoRoot, 'test-results', 'screenshots', `detect-${name}.png`);
