/**
 * One frame through a loaded model: the frame is drawn onto a size×size canvas (letterbox or
 * stretch, exactly like fitToInput), turned into the adapter's input tensor, run, and the raw
 * outputs are read back as Float32Arrays (kept by callers so thresholds re-run only the decode).
 * Every tensor made here is disposed before returning.
 */
import * as tf from '@tensorflow/tfjs';
import { fitRect } from '../../shared/ml/adapters/geometry';
import { channelScaleOffset } from '../../shared/ml/adapters/input';
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
  const { source: order, scale, offset } = channelScaleOffset(meta);
  const input = tf.tidy(() => {
    let x = tf.browser.fromPixels(ctx.canvas).toFloat();
    if (order[0] !== 0) x = tf.reverse(x, -1);
    if (scale.some((s) => s !== 1) || offset.some((o) => o !== 0)) x = x.mul(tf.tensor1d(scale)).add(tf.tensor1d(offset));
    if (meta.layout === 'NCHW') x = x.transpose([2, 0, 1]);
    return x.expandDims(0);
  });
  let outs: tf.Tensor[] = [];
  try {
    let names: string[] = ['output'];
    if (model.graph) {
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
