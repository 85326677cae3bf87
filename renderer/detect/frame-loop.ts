/**
 * Live detection or classification on a <video> (file or webcam): on every presented frame
 * (requestVideoFrameCallback) the latest frame goes through the model unless the previous one is
 * still running (frames are skipped, never queued; a frame presented meanwhile is taken as soon as
 * the model is free), and the overlay is redrawn. Reports FPS
 * (processed frames per second over the last second) and inference ms. Stops cleanly; tensors are
 * disposed by predictFrame.
 */
import { labelsOf, type LoadedModel } from './load-model';
import { predictFrame, type FrameResult, type Prediction } from './predict-frame';
import { drawPrediction } from './draw';

export interface LoopStats {
  fps: number;
  inferMs: number;
  frames: number;
}

export interface FrameLoopOptions {
  video: HTMLVideoElement;
  model: () => LoadedModel | null;
  paused: () => boolean;
  interpret: (result: FrameResult) => Prediction;
  onFrame: (prediction: Prediction, result: FrameResult) => void;
  onStats: (s: LoopStats) => void;
  onError: (err: unknown) => void;
  /** Runs the model on the video's current frame (default: predictFrame). */
  predict?: typeof predictFrame;
}

export function startFrameLoop(o: FrameLoopOptions): () => void {
  let stopped = false;
  let busy = false;
  /** A frame was presented while the model was busy: run again as soon as it is done. */
  let missed = false;
  let frames = 0;
  const times: number[] = [];
  let handle = 0;
  const predict = o.predict ?? predictFrame;
  const run = (): void => {
    const m = o.model();
    if (stopped || busy || !m || o.paused() || o.video.videoWidth === 0) return;
    busy = true;
    missed = false;
    predict(m, o.video, o.video.videoWidth, o.video.videoHeight).then((result) => {
      if (stopped) return;
      frames++;
      const now = performance.now();
      times.push(now);
      while (times.length && times[0]! < now - 1000) times.shift();
      o.onFrame(o.interpret(result), result);
      o.onStats({ fps: times.length, inferMs: result.inferMs, frames });
    }).catch((err: unknown) => { if (!stopped) o.onError(err); }).finally(() => {
      busy = false;
      // the frame on screen is newer than the one just done: take it now rather than idle until
      // the next presented frame (up to a frame interval per result on a model slower than the camera)
      if (missed) run();
    });
  };
  const tick = (): void => {
    if (stopped) return;
    handle = o.video.requestVideoFrameCallback(tick);
    if (busy) missed = true;
    else run();
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

/** Redraws a video's overlay canvas with a prediction (boxes or the top-k panel) over the displayed frame. */
export function drawOverlay(video: HTMLVideoElement, canvas: HTMLCanvasElement, p: Prediction, model: LoadedModel): void {
  const ctx = canvas.getContext('2d');
  if (!ctx) return;
  const { scale, x, y } = overlayScale(video, canvas);
  ctx.clearRect(0, 0, canvas.width, canvas.height);
  drawPrediction(ctx, p, labelsOf(model), video.videoWidth, video.videoHeight, scale, x, y);
}
