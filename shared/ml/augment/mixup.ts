/**
 * MixUp for detection (YOLOv5 / YOLOX style): two scenes of the same size blended pixel-wise,
 * image = ratio·a + (1 − ratio)·b, and the boxes of both kept at full weight (their union). The
 * ratio is drawn from Beta(32, 32) (YOLOv5's `np.random.beta(32.0, 32.0)`: mean 0.5, σ ≈ 0.06).
 */
import type { LabeledBox } from '../detector/box';
import type { FloatRgbImage } from '../preprocess';
import { assertRgbImage } from '../preprocess';
import type { Rng } from '../random';
import type { AugmentScene } from './mosaic';

/** YOLOv5's Beta(α, α) parameter. */
export const MIXUP_BETA_ALPHA = 32;

/** Blends a (weight `ratio`) with b (weight 1 − ratio); boxes = a's then b's. Inputs are not modified. */
export function mixup(a: AugmentScene, b: AugmentScene, ratio: number): { image: FloatRgbImage; boxes: LabeledBox[] } {
  assertRgbImage(a.image, 'mixup');
  assertRgbImage(b.image, 'mixup');
  if (a.image.width !== b.image.width || a.image.height !== b.image.height) {
    throw new Error(`mixup: scenes must share one size, got ${a.image.width}x${a.image.height} and ${b.image.width}x${b.image.height}`);
  }
  if (!(ratio >= 0 && ratio <= 1)) throw new Error(`mixup: ratio must be in [0, 1], got ${ratio}`);
  const da = a.image.data, db = b.image.data;
  const out = new Float32Array(da.length);
  const r = 1 - ratio;
  for (let i = 0; i < out.length; i++) out[i] = da[i] * ratio + db[i] * r;
  return { image: { width: a.image.width, height: a.image.height, data: out }, boxes: [...a.boxes, ...b.boxes].map((x) => ({ ...x })) };
}

/** A Beta(alpha, alpha) draw (two gamma draws, Marsaglia–Tsang), the mixup ratio. */
export function mixupRatio(rng: Rng, alpha: number = MIXUP_BETA_ALPHA): number {
  if (!(alpha > 0)) throw new Error(`mixupRatio: alpha must be > 0, got ${alpha}`);
  const x = gammaDraw(rng, alpha);
  const y = gammaDraw(rng, alpha);
  return x + y > 0 ? x / (x + y) : 0.5;
}

/** Gamma(shape, 1) by Marsaglia and Tsang (2000); shape < 1 via the U^(1/shape) boost. */
function gammaDraw(rng: Rng, shape: number): number {
  if (shape < 1) return gammaDraw(rng, shape + 1) * Math.pow(1 - rng.next(), 1 / shape);
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    const x = rng.normal();
    const v0 = 1 + c * x;
    if (v0 <= 0) continue;
    const v = v0 * v0 * v0;
    const u = 1 - rng.next(); // (0, 1]
    if (u < 1 - 0.0331 * x * x * x * x) return d * v;
    if (Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) return d * v;
  }
}
