/**
 * Building a model input from a fitted size×size RGB image (0..255, interleaved), following an
 * adapter: channel order, per-channel (x − mean) / std, NHWC or NCHW. The renderer packs each
 * frame's canvas pixels with it (one pass in JavaScript; as tensor ops, the BGR Reverse alone took
 * 21 ms of a NanoDet-m frame on wasm), and Node callers their decoded images.
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

/** Pixels of a size×size image, interleaved: 3 values per pixel (RGB) or 4 (RGBA, as canvas ImageData; alpha is ignored). */
export interface PixelImage {
  width: number;
  height: number;
  data: ArrayLike<number>;
}

/**
 * The model input (batch of one, flattened) of a fitted image in one pass: channel order,
 * scale/offset and layout together. Accepts RGB or RGBA pixels (canvas ImageData), told apart by
 * the data length.
 */
export function packInput(image: PixelImage, meta: Pick<AdapterMetadata, 'inputSize' | 'layout' | 'channels' | 'mean' | 'std'>): Float32Array {
  const s = meta.inputSize;
  const plane = s * s;
  const stride = image.data.length === plane * 4 ? 4 : 3;
  if (image.width !== s || image.height !== s || image.data.length !== plane * stride) {
    throw new Error(`packInput: expected a ${s}x${s} RGB or RGBA image, got ${image.width}x${image.height} (${image.data.length} values)`);
  }
  const { source, scale, offset } = channelScaleOffset(meta);
  const out = new Float32Array(plane * 3);
  const d = image.data;
  // NCHW: channel c of pixel p at c·plane + p; NHWC: at p·3 + c
  const [cStep, pStep] = meta.layout === 'NCHW' ? [plane, 1] : [1, 3];
  for (let c = 0; c < 3; c++) {
    const src = source[c]!;
    const k = scale[c]!;
    const b = offset[c]!;
    for (let p = 0, i = src, o = c * cStep; p < plane; p++, i += stride, o += pStep) out[o] = d[i]! * k + b;
  }
  return out;
}
