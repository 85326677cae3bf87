/**
 * Live detection on a <video> (file or webcam): on every presented frame (requestVideoFrameCallback)
 * the latest frame is detected unless the previous one is still running (frames are skipped, never
 * queued), and the overlay is redrawn. Reports FPS (detected frames per second over the last
 * second) and inference ms. Stops cleanly; tensors are disposed by runFrame.
 */
import type { Detection } from '../../../../shared/ml/detector/box';
import type { LoadedModel } from './load-model';
import { runFrame, type RawFrame } from './run-frame';

export interface LoopStats {
  fps: number;
  inferMs: number;
  frames: number;
}

export interface FrameLoopOptions {
  video: HTMLVideoElement;
  model: () => LoadedModel | null;
  paused: () => boolean;
  decode: (raw: RawFrame) => Detection[];
  onFrame: (dets: Detection[], raw: RawFrame) => void;
  onStats: (s: LoopStats) => void;
  onError: (err: unknown) => void;
}

export function startFrameLoop(o: FrameLoopOptions): () => void {
  let stopped = false;
  let busy = false;
  let frames = 0;
  const times: number[] = [];
  let handle = 0;
  const tick = (): void => {
    if (stopped) return;
    handle = o.video.requestVideoFrameCallback(tick);
    const m = o.model();
    if (busy || !m || o.paused() || o.video.videoWidth === 0) return;
    busy = true;
    runFrame(m, o.video, o.video.videoWidth, o.video.videoHeight).then((raw) => {
      if (stopped) return;
      frames++;
      const now = performance.now();
      times.push(now);
      while (times.length && times[0]! < now - 1000) times.shift();
      o.onFrame(o.decode(raw), raw);
      o.onStats({ fps: times.length, inferMs: raw.inferMs, frames });
    }).catch((err: unknown) => { if (!stopped) o.onError(err); }).finally(() => { busy = false; });
  };
  handle = o.video.requestVideoFrameCallback(tick);
  return () => {
    stopped = true;
    o.video.cancelVideoFrameCallback(handle);
  };
}

/** Sizes an overlay canvas to the video's displayed box and draws through `draw` in video pixels. */
export function overlayScale(video: HTMLVideoElement, canvas: HTMLCanvasElement): { scale: number; x: number; y: number } {
  const w = video.clientWidth;
  const h = video.clientHeight;
  if (canvas.width !== w || canvas.height !== h) { canvas.width = w; canvas.height = h; }
  const vw = video.videoWidth || 1;
  const vh = video.videoHeight || 1;
  const scale = Math.min(w / vw, h / vh);
  return { scale, x: (w - vw * scale) / 2, y: (h - vh * scale) / 2 };
}
