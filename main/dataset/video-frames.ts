/**
 * Takes frames of a video into a project as JPEG images (`detecta dataset add-video`, the Label
 * view's "Add video…"). A system ffmpeg decodes the picked frames (every n-th, n per second, a
 * time range) as raw RGB on its stdout, with `showinfo` naming each one's time on stderr; here
 * each frame is optionally compared with the last kept one (min-change), encoded by sharp and
 * written atomically as `<stem>_<frame>.jpg` — under `images/` (or `<stem>/` in a recursive
 * project), where the folder scan lists it. A file already there is never overwritten. Each
 * frame's video and time go to the video's index (video-index.ts).
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { FFMPEG_INSTALL_HINT, findVideoTool } from '../media/ffmpeg';
import sharp from 'sharp';
import { ApiError } from '../../shared/api/contract';
import type { AddVideoResult } from '../../shared/api/dataset';
import { frameFileName, framePickProblem, frameStem, type FramePick, type VideoFrame, type VideoIndex } from '../../shared/dataset/video-frames';
import { errorMessage } from '../../shared/error-message';
import { copyNewFile } from './exchange/copy-new';
import { errnoOf, fsApiError } from './fs-errors';
import { makeDirs } from './make-dirs';
import type { DatasetProject } from './project';
import { readVideoIndex, writeVideoIndex } from './video-index';

/** ffmpeg and ffprobe (main/media/ffmpeg.ts). ApiError 'unavailable' when missing. */
export function videoTools(env: NodeJS.ProcessEnv = process.env): { ffmpeg: string; ffprobe: string } {
  const forced = env.DETECTA_FFMPEG;
  if (forced && !existsSync(forced)) throw new ApiError('unavailable', `DETECTA_FFMPEG=${forced} does not exist; ${FFMPEG_INSTALL_HINT}`);
  const ffmpeg = findVideoTool('ffmpeg', env);
  if (!ffmpeg) throw new ApiError('unavailable', `taking frames from a video needs ffmpeg, and none was found on PATH; ${FFMPEG_INSTALL_HINT}`);
  const ffprobe = findVideoTool('ffprobe', env);
  if (!ffprobe) throw new ApiError('unavailable', `ffprobe (it comes with ffmpeg) was not found beside ${ffmpeg} or on PATH; ${FFMPEG_INSTALL_HINT}`);
  return { ffmpeg, ffprobe };
}

interface Probe { width: number; height: number; fps: number; duration: number | null }

function runCapture(cmd: string, args: string[]): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((res, rej) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => { out += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { err = (err + d.toString()).slice(-8000); });
    child.on('error', rej);
    child.on('close', (code) => res({ code, out, err }));
  });
}

const rate = (s: string | undefined): number => {
  const m = /^(\d+)(?:\/(\d+))?$/.exec(s ?? '');
  if (!m) return NaN;
  return Number(m[1]) / (m[2] ? Number(m[2]) : 1);
};

async function probeVideo(ffprobe: string, file: string): Promise<Probe> {
  const r = await runCapture(ffprobe, ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'stream=width,height,avg_frame_rate,r_frame_rate:format=duration', '-of', 'json', file]);
  const why = r.err.trim().split('\n').slice(-2).join(' | ');
  if (r.code !== 0) throw new ApiError('unreadable', `${file} cannot be read as a video: ${why || `ffprobe exited with ${r.code}`}`);
  let json: { streams?: { width?: number; height?: number; avg_frame_rate?: string; r_frame_rate?: string }[]; format?: { duration?: string } };
  try {
    json = JSON.parse(r.out) as typeof json;
  } catch {
    throw new ApiError('unreadable', `${file}: ffprobe gave no readable answer`);
  }
  const s = json.streams?.[0];
  if (!s?.width || !s.height) throw new ApiError('unreadable', `${file} has no video stream`);
  let fps = rate(s.avg_frame_rate);
  if (!(fps > 0)) fps = rate(s.r_frame_rate);
  if (!(fps > 0)) throw new ApiError('unreadable', `${file}: the video's frame rate is unknown`);
  const d = Number(json.format?.duration);
  return { width: s.width, height: s.height, fps, duration: Number.isFinite(d) ? d : null };
}

/** The folder frames go to: `<stem>/` in a recursive project, else `images/` (always scanned). */
function framesDir(project: DatasetProject, stem: string): string {
  return project.summary().recursive ? stem : 'images';
}

/** A free stem: the video's own, or `<stem>-2`... when another video's frames already use it. */
async function pickStem(root: string, video: string): Promise<{ stem: string; index: VideoIndex | null }> {
  const base = frameStem(video);
  for (let n = 1; ; n++) {
    const stem = n === 1 ? base : `${base}-${n}`;
    const index = await readVideoIndex(root, stem);
    if (!index || index.video === video) return { stem, index };
  }
}

/** Parses `showinfo` lines: each filtered frame's time (seconds) and size. */
function showinfoFrames(text: string): { time: number; width: number; height: number }[] {
  const out: { time: number; width: number; height: number }[] = [];
  for (const line of text.split('\n')) {
    if (!line.includes('Parsed_showinfo')) continue;
    const t = /pts_time:\s*(-?[\d.]+(?:e[-+]?\d+)?)/.exec(line);
    const s = /\ss:(\d+)x(\d+)/.exec(line);
    if (t && s) out.push({ time: Math.max(0, Number(t[1])), width: Number(s[1]), height: Number(s[2]) });
  }
  return out;
}

/** Mean absolute difference of two grey thumbnails, 0–1. */
function greyDifference(a: Uint8Array, b: Uint8Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += Math.abs(a[i]! - b[i]!);
  return sum / (a.length * 255);
}

const THUMB_WIDTH = 64;
/** Decoded bytes waiting to be encoded before ffmpeg's output is paused (~8 frames of 1080p). */
const MAX_BUFFERED = 48 * 2 ** 20;

/**
 * Adds the picked frames of `videoPath` to the project. Throws ApiError for a missing ffmpeg
 * ('unavailable'), a file that is not a readable video ('unreadable' / 'not_found') or bad pick
 * options ('bad_request'); frames written before a failure stay, and so does their index.
 */
export async function addVideoFrames(project: DatasetProject, videoPath: string, pick: FramePick = {}): Promise<AddVideoResult> {
  const problem = framePickProblem(pick);
  if (problem) throw new ApiError('bad_request', problem);
  const video = resolve(videoPath);
  try {
    if (!(await stat(video)).isFile()) throw new ApiError('bad_request', `${video} is not a file`);
  } catch (err) {
    if (err instanceof ApiError) throw err;
    if (errnoOf(err) === 'ENOENT') throw new ApiError('not_found', `${video} does not exist`);
    throw fsApiError(err, video, 'cannot read');
  }
  const tools = videoTools();
  await project.ready();
  const info = await probeVideo(tools.ffprobe, video);
  const { stem, index: earlier } = await pickStem(project.root, video);
  const dir = framesDir(project, stem);
  const absDir = join(project.root, ...dir.split('/'));
  await makeDirs(absDir);

  const start = pick.start ?? 0;
  const filters = [pick.fps !== undefined ? `fps=${pick.fps}` : pick.every && pick.every > 1 ? `select='not(mod(n\\,${pick.every}))'` : null, 'showinfo'].filter(Boolean).join(',');
  const args = ['-hide_banner', '-nostdin', '-loglevel', 'info'];
  if (pick.start !== undefined) args.push('-ss', String(pick.start));
  if (pick.end !== undefined) args.push('-t', String(pick.end - start));
  args.push('-i', video, '-map', '0:v:0', '-vf', filters, '-vsync', 'vfr', '-f', 'rawvideo', '-pix_fmt', 'rgb24', 'pipe:1');

  const frames = new Map<string, VideoFrame>((earlier?.frames ?? []).map((f) => [f.imageId, f]));
  const report: AddVideoResult = { video, stem, dir, picked: 0, written: 0, existing: 0, skipped: [], frames: [] };
  let lastThumb: Uint8Array | null = null;

  const keep = async (rgb: Buffer, meta: { time: number; width: number; height: number }): Promise<void> => {
    const time = start + meta.time;
    const frame = Math.round(time * info.fps);
    report.picked++;
    const raw = { raw: { width: meta.width, height: meta.height, channels: 3 as const } };
    if (pick.minChange) {
      const thumb = new Uint8Array(await sharp(rgb, raw).resize({ width: THUMB_WIDTH, height: Math.max(1, Math.round((THUMB_WIDTH * meta.height) / meta.width)), fit: 'fill' }).greyscale().raw().toBuffer());
      if (lastThumb && greyDifference(thumb, lastThumb) < pick.minChange) { report.picked--; return; }
      lastThumb = thumb;
    }
    const name = frameFileName(stem, frame);
    const imageId = dir ? `${dir}/${name}` : name;
    const dest = join(absDir, name);
    if (frames.has(imageId) && existsSync(dest)) { report.existing++; return; }
    const jpeg = await sharp(rgb, raw).jpeg({ quality: 92 }).toBuffer();
    try {
      await copyNewFile(new Uint8Array(jpeg), dest);
    } catch (err) {
      if (errnoOf(err) === 'EEXIST') { report.skipped.push({ file: imageId, severity: 'warning', reason: 'a file by this name already exists; not overwritten' }); return; }
      throw fsApiError(err, dest, 'cannot write the frame');
    }
    frames.set(imageId, { imageId, frame, time: Math.round(time * 1e6) / 1e6 });
    report.written++;
  };

  let failure: unknown = null;
  try {
    await decodeFrames(tools.ffmpeg, args, keep);
  } catch (err) {
    failure = err;
  }
  const list = [...frames.values()].sort((a, b) => a.time - b.time || a.frame - b.frame);
  if (report.written > 0 || !earlier) {
    await writeVideoIndex(project.root, stem, { version: 1, video, fps: info.fps, width: info.width, height: info.height, frames: list });
  }
  if (report.written > 0) await project.refresh();
  if (failure) throw failure instanceof ApiError ? failure : new ApiError('io', `${video}: ${errorMessage(failure)} (${report.written} frame(s) written before it stopped are kept)`);
  if (report.picked === 0) throw new ApiError('bad_request', `no frame of ${video} was picked${pick.start !== undefined ? ` from ${pick.start} s` : ''}${info.duration !== null ? ` (the video lasts ${info.duration.toFixed(1)} s)` : ''}`);
  report.frames = list.map((f) => f.imageId);
  return report;
}

/**
 * Runs ffmpeg and hands each decoded frame (raw RGB) with its showinfo line to `onFrame`, one at
 * a time; ffmpeg's output is paused while frames wait, so memory stays bounded.
 */
function decodeFrames(ffmpeg: string, args: string[], onFrame: (rgb: Buffer, meta: { time: number; width: number; height: number }) => Promise<void>): Promise<void> {
  return new Promise((res, rej) => {
    const child = spawn(ffmpeg, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let errText = '';
    let errTail = '';
    const metas: { time: number; width: number; height: number }[] = [];
    let pending = '';
    const chunks: Buffer[] = [];
    let buffered = 0;
    let next = 0;
    let busy = false;
    let closed: number | null | undefined;
    let failed = false;
    const fail = (err: unknown): void => {
      if (failed) return;
      failed = true;
      child.kill();
      rej(err);
    };
    const take = (n: number): Buffer => {
      const all = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
      chunks.length = 0;
      const out = all.subarray(0, n);
      if (all.length > n) chunks.push(all.subarray(n));
      buffered -= n;
      return Buffer.from(out);
    };
    const pump = async (): Promise<void> => {
      if (busy || failed) return;
      busy = true;
      try {
        for (;;) {
          const meta = metas[next];
          const size = meta ? meta.width * meta.height * 3 : Infinity;
          if (!meta || buffered < size) break;
          const rgb = take(size);
          next++;
          await onFrame(rgb, meta);
        }
      } catch (err) {
        busy = false;
        fail(err);
        return;
      }
      busy = false;
      if (buffered > MAX_BUFFERED) child.stdout.pause();
      else child.stdout.resume();
      if (closed !== undefined) finish();
    };
    const finish = (): void => {
      if (failed || busy) return;
      if (closed !== 0) { fail(new Error(`ffmpeg exited with ${closed}: ${errTail.trim().split('\n').slice(-3).join(' | ')}`)); return; }
      res();
    };
    child.stdout.on('data', (d: Buffer) => {
      chunks.push(d);
      buffered += d.length;
      if (buffered > MAX_BUFFERED) child.stdout.pause();
      void pump();
    });
    child.stderr.on('data', (d: Buffer) => {
      errTail = (errTail + d.toString()).slice(-8000);
      errText = pending + d.toString();
      const cut = errText.lastIndexOf('\n');
      pending = cut < 0 ? errText : errText.slice(cut + 1);
      if (cut >= 0) metas.push(...showinfoFrames(errText.slice(0, cut)));
      void pump();
    });
    child.on('error', (err) => fail(new ApiError('unavailable', `cannot run ${ffmpeg}: ${err.message}; ${FFMPEG_INSTALL_HINT}`)));
    child.on('close', (code) => {
      if (pending) metas.push(...showinfoFrames(pending));
      pending = '';
      closed = code;
      void pump();
    });
  });
}
