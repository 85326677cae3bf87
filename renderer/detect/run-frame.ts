/**
 * One frame through a loaded model: the frame is drawn onto a size×size canvas (letterbox or
 * stretch, exactly like fitToInput), turned into the adapter's input tensor, run, and the raw
 * outputs are read back as Float32Arrays (kept by callers so thresholds re-run only the decode).
 * Every tensor made here is disposed before returning.
 */
import * as tf from '@tensorflow/tfjs';
import { fitRect } from '../../shared/ml/adapters/geometry';
import { inputShape, packInput } from '../../shared/ml/adapters/input';
import type { FrameGeometry, RawOutput } from '../../shared/ml/adapters/decode';
import type { LoadedDetector } from './load-model';

export interface RawFrame {
  outputs: RawOutput[];
  geometry: FrameGeometry;
  /** Time from pixels to outputs read back, in ms. */
  inferMs: number;
}

export type FrameSource = HTMLImageElement | HTMLVideoElement | HTMLCanvasElement | ImageBitmap;

let scratch: HTMLCanvasElement | null = null;

/** The one scratch canvas frames are drawn onto at a model's input size (reused frame after frame). */
export function inputCanvas(width: number, height = width): CanvasRenderingContext2D {
  scratch ??= document.createElement('canvas');
  if (scratch.width !== width || scratch.height !== height) { scratch.width = width; scratch.height = height; }
  const ctx = scratch.getContext('2d', { willReadFrequently: true });
  if (!ctx) throw new Error('no 2D canvas context');
  return ctx;
}

export async function runFrame(model: LoadedDetector, source: FrameSource, width: number, height: number): Promise<RawFrame> {
  const t0 = performance.now();
  const meta = model.adapter;
  const size = meta.inputSize;
  const rect = fitRect(width, height, size, meta.resize);
  const ctx = inputCanvas(size);
  ctx.fillStyle = 'rgb(128,128,128)';
  ctx.fillRect(0, 0, size, size);
  ctx.imageSmoothingQuality = 'high';
  ctx.drawImage(source, rect.x, rect.y, rect.width, rect.height);
  // pixels to the model's input in one pass (channel order, mean/std, layout): as tensor ops on
  // wasm, the BGR channel Reverse alone took 21 ms of a NanoDet-m frame
  const input = tf.tensor(packInput(ctx.getImageData(0, 0, size, size), meta), inputShape(meta));
  let outs: tf.Tensor[] = [];
  try {
    let names: string[] = ['output'];
    if (model.forward) {
      outs = model.forward(input);
      names = outs.map((_, i) => `output_${i}`);
    } else if (model.graph) {
      names = meta.decoder.kind === 'topk-boxes' ? [meta.decoder.output] : model.graph.outputs.map((o) => o.name);
      const r = model.graph.execute(input, names);
      outs = Array.isArray(r) ? r : [r];
    } else if (model.layers) {
      const r = model.layers.predict(input);
      outs = Array.isArray(r) ? r : [r];
    }
    const outputs = await Promise.all(outs.map(async (t, i) => ({ name: names[i] ?? `output_${i}`, shape: t.shape, data: (await t.data()) as Float32Array })));
    return { outputs, geometry: { transform: rect.transform, imageSize: { width, height } }, inferMs: performance.now() - t0 };
  } finally {
    tf.dispose([input, ...outs]);
  }
}
