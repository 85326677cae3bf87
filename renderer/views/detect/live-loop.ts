/**
 * The live loop of the Video and Webcam modes: the frame loop fed with the Detect view's loaded
 * model and current settings, redrawing the overlay canvas with every prediction.
 */
import { useDetect } from './detect-store';
import { drawOverlay, startFrameLoop, type LoopStats } from '../../detect/frame-loop';
import type { Prediction } from '../../detect/predict-frame';

export interface LiveLoopCallbacks {
  prediction: (p: Prediction) => void;
  stats: (s: LoopStats) => void;
  error: (err: unknown) => void;
}

export function startLiveLoop(video: HTMLVideoElement, overlay: () => HTMLCanvasElement | null, paused: () => boolean, on: LiveLoopCallbacks): () => void {
  return startFrameLoop({
    video,
    model: () => useDetect.getState().model,
    paused,
    interpret: (r) => useDetect.getState().interpret(r),
    onFrame: (p) => {
      on.prediction(p);
      const canvas = overlay();
      const m = useDetect.getState().model;
      if (canvas && m) drawOverlay(video, canvas, p, m);
    },
    onStats: on.stats,
    onError: on.error,
  });
}
