/**
 * Detection on files for `detecta predict`: a detector folder (model.json, or a run folder whose
 * weights/best is used) applied to images, folders of images and videos. Images are decoded with
 * sharp (EXIF orientation applied), shrunk to the model input by sharp, detected, and the boxes
 * mapped back to the original pixels; the annotated copy is the original with an SVG overlay
 * composited by sharp. Videos go through a system ffmpeg: frames out as PNG, detected and drawn,
 * then re-encoded (H.264 when the ffmpeg has libx264, MPEG-4 part 2 otherwise).
 */
import { spawn } from 'node:child_process';
import { existsSync, promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import * as tf from '@tensorflow/tfjs';
import { predictRaw } from '../../shared/ml/detector/inference';
import { decodeFullFile, detectionsInFile, prepareImageFile, prepareTile, type DetectThresholds, type PreparedImage } from './file-detections';
import { mergeTileDetections, tilePasses, type TileDetections, type TileOptions } from '../../shared/ml/detector/tiles';
import { readDetectorMetadata } from '../../shared/ml/detector/metadata';
import type { DetectorConfig } from '../../shared/ml/detector/config';
import { readRunConfig } from './run-files';
import { loadModelFromFolder } from './weights-io';
import { detectionRecords, frameResult, type DetectionRecord, type FrameResult } from '../../shared/results/detections-file';

export interface LoadedDetector {
  model: tf.LayersModel;
  config: DetectorConfig;
  classes: string[];
  /** The weights folder used. */
  dir: string;
}

/** Loads a detector from a weights folder (model.json) or a run folder (its weights/best, else weights/last). */
export async function loadDetectorFolder(dir: string): Promise<LoadedDetector> {
  let weights = path.resolve(dir);
  if (!existsSync(path.join(weights, 'model.json'))) {
    const best = path.join(weights, 'weights', 'best');
    const last = path.join(weights, 'weights', 'last');
    if (existsSync(path.join(best, 'model.json'))) weights = best;
    else if (existsSync(path.join(last, 'model.json'))) weights = last;
    else throw new Error(`${dir} holds no model.json (give a weights folder such as RUN/weights/best, or a run folder)`);
  }
  const model = await loadModelFromFolder(weights);
  let config: DetectorConfig;
  try {
    config = readDetectorMetadata(model);
  } catch (err) {
    model.dispose();
    throw err;
  }
  // Class names live in the run's config.json (RUN/weights/<best|last>/ → RUN/config.json).
  let classes: string[] | null = null;
  // the run folder's config.json (weights/<best|last> → the run), else one beside the weights
  for (const dir of [path.join(weights, '..', '..'), weights]) {
    const c = await readRunConfig(dir);
    if (c && c.classes.length === config.numClasses) { classes = c.classes; break; }
  }
  return { model, config, classes: classes ?? Array.from({ length: config.numClasses }, (_, i) => `class${i}`), dir: weights };
}

export interface DetectOptions extends DetectThresholds {
  /** Tiled detection (SAHI-style): overlapping tiles at the model's input size plus the whole image, merged. */
  tile?: TileOptions;
}

/** Tiles run through the model together. */
const TILE_BATCH = 8;

async function rawOutputs(det: LoadedDetector, images: readonly PreparedImage[]): Promise<Float32Array[]> {
  const size = images[0].inputSize;
  const data = new Float32Array(images.length * size * size * 3);
  images.forEach((im, i) => data.set(im.input, i * size * size * 3));
  const batch = tf.tensor4d(data, [images.length, size, size, 3]);
  try {
    return await predictRaw(det.model, batch, det.config);
  } finally {
    batch.dispose();
  }
}

/** Detects objects in one image file; boxes in the file's (EXIF-oriented) pixels. */
export async function detectFile(det: LoadedDetector, file: string, options: DetectOptions): Promise<{ width: number; height: number; detections: DetectionRecord[] }> {
  if (options.tile) return detectFileTiled(det, file, options, options.tile);
  const image = await prepareImageFile(file, det.config);
  const [raw] = await rawOutputs(det, [image]);
  return { ...image.original, detections: detectionRecords(detectionsInFile(raw, det.config, image, options), det.classes) };
}

/** Tiled detection of one file: every pass of tilePasses, TILE_BATCH tiles per model call, merged by mergeTileDetections. */
async function detectFileTiled(det: LoadedDetector, file: string, options: DetectThresholds, tile: TileOptions): Promise<{ width: number; height: number; detections: DetectionRecord[] }> {
  const decoded = await decodeFullFile(file);
  const passes = tilePasses(decoded.width, decoded.height, tile);
  const found: TileDetections[] = [];
  for (let i = 0; i < passes.length; i += TILE_BATCH) {
    const group = passes.slice(i, i + TILE_BATCH);
    const images = await Promise.all(group.map((t) => prepareTile(decoded, t, det.config)));
    const raws = await rawOutputs(det, images);
    group.forEach((t, k) => found.push({ tile: t, detections: detectionsInFile(raws[k], det.config, images[k], options) }));
  }
  const size = { width: decoded.width, height: decoded.height };
  return { ...size, detections: detectionRecords(mergeTileDetections(found, size, { iouThreshold: options.iou }), det.classes) };
}

const PALETTE = ['#ff3b30', '#34c759', '#007aff', '#ff9500', '#af52de', '#5ac8fa', '#ffcc00', '#ff2d55'];
const escapeXml = (s: string): string => s.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);

/** SVG overlay with a rectangle and a "class score" label per detection. */
export function detectionsSvg(width: number, height: number, detections: DetectionRecord[]): string {
  const stroke = Math.max(2, Math.round(Math.min(width, height) / 200));
  const font = Math.max(10, Math.round(Math.min(width, height) / 30));
  const parts = detections.map((d) => {
    const color = PALETTE[d.classId % PALETTE.length];
    const label = `${escapeXml(d.label)} ${d.score.toFixed(2)}`;
    const ty = d.y1 > font + 4 ? d.y1 - 4 : d.y1 + font + 2;
    const tw = Math.round(label.length * font * 0.6) + 6;
    return `<rect x="${d.x1}" y="${d.y1}" width="${Math.max(0, d.x2 - d.x1)}" height="${Math.max(0, d.y2 - d.y1)}" fill="none" stroke="${color}" stroke-width="${stroke}"/>` +
      `<rect x="${d.x1}" y="${ty - font}" width="${tw}" height="${font + 4}" fill="${color}"/>` +
      `<text x="${d.x1 + 3}" y="${ty}" font-family="sans-serif" font-size="${font}" fill="#ffffff">${label}</text>`;
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">${parts.join('')}</svg>`;
}

const WRITABLE = new Set(['.jpg', '.jpeg', '.png', '.webp', '.tif', '.tiff', '.avif']);

/** Writes the image with its detections drawn; the output keeps the input's format when sharp can write it, else PNG. Returns the path. */
export async function drawDetections(file: string, outFile: string, size: { width: number; height: number }, detections: DetectionRecord[]): Promise<string> {
  const ext = path.extname(outFile).toLowerCase();
  const target = WRITABLE.has(ext) ? outFile : outFile.slice(0, outFile.length - ext.length) + '.png';
  const overlay = Buffer.from(detectionsSvg(size.width, size.height, detections));
  const img = sharp(file).rotate().composite([{ input: overlay, top: 0, left: 0 }]);
  const tmp = `${target}.tmp-${process.pid}${path.extname(target)}`;
  await img.toFile(tmp);
  await fs.rename(tmp, target);
  return target;
}

export const VIDEO_EXTENSIONS = ['.mp4', '.mov', '.avi', '.mkv', '.webm', '.m4v', '.mpg', '.mpeg', '.wmv'];

function runTool(cmd: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d: Buffer) => { err = (err + d.toString()).slice(-8000); });
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(err) : reject(new Error(`${path.basename(cmd)} ${args.slice(0, 4).join(' ')}… exited with ${code}: ${err.trim().split('\n').slice(-3).join(' | ')}`))));
  });
}

export interface VideoResult {
  output: string;
  fps: number;
  frames: FrameResult[];
  width: number;
  height: number;
}

/** Detects every frame of a video with ffmpeg; writes the annotated video to `outFile`. */
export async function detectVideo(det: LoadedDetector, ffmpeg: string, file: string, outFile: string, options: DetectOptions, onFrame?: (done: number) => void): Promise<VideoResult> {
  const work = await fs.mkdtemp(path.join(tmpdir(), 'detecta-video-'));
  try {
    const probe = await runTool(ffmpeg, ['-hide_banner', '-i', file, '-vsync', '0', path.join(work, 'in_%06d.png')]);
    const fpsMatch = /(\d+(?:\.\d+)?) fps/.exec(probe) ?? /(\d+(?:\.\d+)?) tbr/.exec(probe);
    const fps = fpsMatch ? Number(fpsMatch[1]) : 25;
    const names = (await fs.readdir(work)).filter((n) => n.startsWith('in_')).sort();
    if (names.length === 0) throw new Error(`${file}: ffmpeg extracted no frames`);
    const frames: VideoResult['frames'] = [];
    let size = { width: 0, height: 0 };
    for (const [i, n] of names.entries()) {
      const r = await detectFile(det, path.join(work, n), options);
      size = { width: r.width, height: r.height };
      frames.push(frameResult(i, i / fps, { detections: r.detections }));
      await drawDetections(path.join(work, n), path.join(work, n.replace('in_', 'out_')), size, r.detections);
      onFrame?.(i + 1);
    }
    const encoders = await runTool(ffmpeg, ['-hide_banner', '-encoders']).catch(() => '');
    const codec = /libx264/.test(encoders) ? ['-c:v', 'libx264', '-pix_fmt', 'yuv420p'] : ['-c:v', 'mpeg4', '-q:v', '3'];
    const tmpOut = path.join(work, `encoded${path.extname(outFile) || '.mp4'}`);
    // Even sizes for yuv420p.
    await runTool(ffmpeg, ['-hide_banner', '-y', '-framerate', String(fps), '-i', path.join(work, 'out_%06d.png'), '-vf', 'pad=ceil(iw/2)*2:ceil(ih/2)*2', ...codec, tmpOut]);
    await fs.copyFile(tmpOut, `${outFile}.tmp-${process.pid}`);
    await fs.rename(`${outFile}.tmp-${process.pid}`, outFile);
    return { output: outFile, fps, frames, ...size };
  } finally {
    await fs.rm(work, { recursive: true, force: true });
  }
}
