/**
 * Building a model input from a fitted size×size RGB image (0..255, interleaved), following an
 * adapter: channel order, per-channel (x − mean) / std, NHWC or NCHW. The renderer does the same
 * with tensor ops (scale/offset from `channelScaleOffset`); this pure version serves tests, the
 * bench and CPU-only callers.
 */
import type { AdapterMetadata } from './metadata';
import type { RgbImage } from '../preprocess';

/** Per input channel (in model channel order): value' = value * scale + offset, with the RGB source channel it reads. */
export function channelScaleOffset(meta: Pick<AdapterMetadata, 'channels' | 'mean' | 'std'>): { source: [number, number, number]; scale: [number, number, number]; offset: [number, number, number] } {
  const source: [number, number, number] = meta.channels === 'BGR' ? [2, 1, 0] : [0, 1, 2];
  const scale = meta.std.map((s) => 1 / s) as [number, number, number];
  const offset = meta.mean.map((m, i) => -m / meta.std[i]) as [number, number, number];
  return { source, scale, offset };
}

/** Input tensor shape of a batch of one. */
export function inputShape(meta: Pick<AdapterMetadata, 'inputSize' | 'layout'>): [number, number, number, number] {
  const s = meta.inputSize;
  return meta.layout === 'NCHW' ? [1, 3, s, s] : [1, s, s, 3];
}

export function packInput(image: RgbImage, meta: Pick<AdapterMetadata, 'inputSize' | 'layout' | 'channels' | 'mean' | 'std'>): Float32Array {
  const s = meta.inputSize;
  if (image.width !== s || image.height !== s || image.data.length !== s * s * 3) {
    throw new Error(`packInput: expected a ${s}x${s} RGB image, got ${image.width}x${image.height} (${image.data.length} values)`);
  }
  const { source, scale, offset } = channelScaleOffset(meta);
  const out = new Float32Array(s * s * 3);
  const plane = s * s;
  for (let p = 0; p < plane; p++) {
    for (let c = 0; c < 3; c++) {
      const v = image.data[p * 3 + source[c]] * scale[c] + offset[c];
      out[meta.layout === 'NCHW' ? c * plane + p : p * 3 + c] = v;
    }
  }
  return out;
}
