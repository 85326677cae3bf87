/**
 * One frame through whichever model is loaded. A detector gives its raw outputs (decoded later
 * with the current score, NMS and class settings); a classifier gives every class's probability
 * (ranked later with the current top-k). Callers keep the FrameResult, so moving a slider only
 * re-runs that cheap last step; `Prediction` is what is drawn, listed and written.
 */
import type { Detection } from '../../shared/ml/detector/box';
import type { ClassScore } from '../../shared/ml/classifier/predict';
import type { LoadedModel } from './load-model';
import { runFrame, type FrameSource, type RawFrame } from './run-frame';
import { classifyFrame } from './classify-frame';
import { runTiledFrame, type TiledPass } from './tiled-frame';
import { needsTiles, type TileOptions } from '../../shared/ml/detector/tiles';

export type FrameResult =
  /** `tiles`: every pass of a tiled detection (raw is then the whole-image pass). */
  | { task: 'detect'; raw: RawFrame; inferMs: number; tiles?: TiledPass[] }
  | { task: 'classify'; probs: Float32Array; inferMs: number };

export type Prediction = { task: 'detect'; dets: Detection[] } | { task: 'classify'; top: ClassScore[] };

/** `tile`: tiled detection (detectors only; an image no larger than one tile gets the plain pass). */
export async function predictFrame(model: LoadedModel, source: FrameSource, width: number, height: number, tile?: TileOptions): Promise<FrameResult> {
  if (model.task === 'classify') {
    const r = await classifyFrame(model, source, width, height);
    return { task: 'classify', probs: r.probs, inferMs: r.inferMs };
  }
  if (tile && needsTiles(width, height, tile.tileSize)) {
    const tiles = await runTiledFrame(model, source, width, height, { ...tile, fullImage: true });
    const whole = tiles.at(-1)!.raw;
    return { task: 'detect', raw: whole, tiles, inferMs: tiles.reduce((t, p) => t + p.raw.inferMs, 0) };
  }
  const raw = await runFrame(model, source, width, height);
  return { task: 'detect', raw, inferMs: raw.inferMs };
}

/** Boxes, or ranked classes, in a prediction (what the lists and data attributes count). */
export const predictionCount = (p: Prediction): number => (p.task === 'detect' ? p.dets.length : p.top.length);

/** Nothing yet: what lists and overlays show before the first frame of a model. */
export const emptyPrediction = (task: LoadedModel['task']): Prediction => (task === 'classify' ? { task, top: [] } : { task, dets: [] });
