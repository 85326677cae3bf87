/**
 * The augmentation pipeline: seeded, each op toggleable with its own probability and strength
 * range. Order: geometric ops (scale/crop, horizontal flip) move pixels and boxes together, then
 * photometric ops (blur, sharpen, noise, dropout, brightness add/multiply, contrast) change pixels
 * only; values are clamped to 0..255 at the end. Defaults are moderate versions of the seed
 * notebook's imgaug pipeline (Fliplr 0.5, blur, sharpen, noise, dropout, add, multiply, contrast,
 * random scale and crop).
 */
import type { LabeledBox } from '../detector/box';
import type { FloatRgbImage, RgbImage } from '../preprocess';
import { assertRgbImage, toFloatImage } from '../preprocess';
import type { Rng } from '../random';
import type { BoxKeepRule } from './geometric';
import { DEFAULT_BOX_KEEP_RULE, horizontalFlip, scaleCrop } from './geometric';
import { gaussianBlur, sharpen } from './filters';
import { brightnessAdd, brightnessMultiply, clampPixels, contrast, gaussianNoise, pixelDropout } from './photometric';

interface Op {
  enabled: boolean;
  /** Probability that the op is applied to an image. */
  p: number;
}

export interface AugmentConfig {
  /** Master switch (validation images are never augmented by the trainer). */
  enabled: boolean;
  /** Scale factor drawn from [minScale, maxScale]; aspect ratio jittered by ±aspectJitter; random placement; boxes clipped and dropped by boxKeep. */
  scaleCrop: Op & { minScale: number; maxScale: number; aspectJitter: number; padValue: number; boxKeep: BoxKeepRule };
  horizontalFlip: Op;
  /** Gaussian blur, σ uniform in [0, maxSigma] pixels. */
  blur: Op & { maxSigma: number };
  /** Sharpen, alpha in [0, maxAlpha], lightness in [minLightness, maxLightness]. */
  sharpen: Op & { maxAlpha: number; minLightness: number; maxLightness: number };
  /** Additive Gaussian noise, σ uniform in [0, maxSigma] (0..255 units). */
  noise: Op & { maxSigma: number };
  /** Pixel dropout, fraction uniform in [0, maxFraction]. */
  dropout: Op & { maxFraction: number };
  /** Brightness add, delta uniform in [−maxDelta, maxDelta] (0..255 units). */
  brightnessAdd: Op & { maxDelta: number };
  /** Brightness multiply, factor uniform in [min, max]. */
  brightnessMultiply: Op & { min: number; max: number };
  /** Linear contrast around 128, factor uniform in [min, max]. */
  contrast: Op & { min: number; max: number };
}

export const DEFAULT_AUGMENT_CONFIG: AugmentConfig = {
  enabled: true,
  scaleCrop: { enabled: true, p: 0.5, minScale: 0.75, maxScale: 1.25, aspectJitter: 0.1, padValue: 127.5, boxKeep: DEFAULT_BOX_KEEP_RULE },
  horizontalFlip: { enabled: true, p: 0.5 },
  blur: { enabled: true, p: 0.1, maxSigma: 1.5 },
  sharpen: { enabled: true, p: 0.1, maxAlpha: 0.5, minLightness: 0.75, maxLightness: 1.5 },
  noise: { enabled: true, p: 0.15, maxSigma: 0.05 * 255 },
  dropout: { enabled: true, p: 0.1, maxFraction: 0.05 },
  brightnessAdd: { enabled: true, p: 0.3, maxDelta: 20 },
  brightnessMultiply: { enabled: true, p: 0.3, min: 0.8, max: 1.2 },
  contrast: { enabled: true, p: 0.3, min: 0.75, max: 1.3 },
};

export type AugmentOverrides = { enabled?: boolean } & { [K in Exclude<keyof AugmentConfig, 'enabled'>]?: Partial<AugmentConfig[K]> };

/** Defaults with overrides merged per op; throws on out-of-range values. */
export function resolveAugmentConfig(overrides: AugmentOverrides = {}): AugmentConfig {
  const merged = { ...DEFAULT_AUGMENT_CONFIG, enabled: overrides.enabled ?? DEFAULT_AUGMENT_CONFIG.enabled } as AugmentConfig;
  for (const key of Object.keys(DEFAULT_AUGMENT_CONFIG) as (keyof AugmentConfig)[]) {
    if (key === 'enabled') continue;
    (merged as unknown as Record<string, unknown>)[key] = { ...DEFAULT_AUGMENT_CONFIG[key], ...(overrides[key] ?? {}) };
  }
  validateAugmentConfig(merged);
  return merged;
}

/**
 * Checks loose per-op overrides (a run config's `augmentOps`, JSON from a user) against the known
 * ops and their fields and returns them typed; unknown ops, unknown fields and wrong value types
 * are listed in one error. Range checks happen in resolveAugmentConfig.
 */
export function parseAugmentOverrides(ops: Record<string, Record<string, number | boolean>>): AugmentOverrides {
  const problems: string[] = [];
  const known = Object.keys(DEFAULT_AUGMENT_CONFIG).filter((k) => k !== 'enabled');
  for (const [op, fields] of Object.entries(ops)) {
    if (!known.includes(op)) {
      problems.push(`unknown op '${op}' (ops: ${known.join(', ')})`);
      continue;
    }
    const defaults = DEFAULT_AUGMENT_CONFIG[op as Exclude<keyof AugmentConfig, 'enabled'>] as unknown as Record<string, unknown>;
    for (const [field, value] of Object.entries(fields)) {
      if (!(field in defaults) || typeof defaults[field] === 'object') {
        const settable = Object.keys(defaults).filter((f) => typeof defaults[f] !== 'object');
        problems.push(`${op}.${field} is not a setting (${op} has ${settable.join(', ')})`);
      } else if (typeof value !== typeof defaults[field]) {
        problems.push(`${op}.${field} must be a ${typeof defaults[field]}, got ${JSON.stringify(value)}`);
      } else if (typeof value === 'number' && !Number.isFinite(value)) {
        problems.push(`${op}.${field} must be finite`);
      }
    }
  }
  if (problems.length > 0) throw new Error(`Invalid augmentation config: ${problems.join('; ')}`);
  return ops as AugmentOverrides;
}

export function validateAugmentConfig(c: AugmentConfig): void {
  const problems: string[] = [];
  for (const [name, op] of Object.entries(c)) {
    if (name === 'enabled') continue;
    const { p } = op as Op;
    if (!(p >= 0 && p <= 1)) problems.push(`${name}.p must be in [0, 1], got ${p}`);
  }
  if (!(c.scaleCrop.minScale > 0 && c.scaleCrop.minScale <= c.scaleCrop.maxScale)) problems.push('scaleCrop needs 0 < minScale ≤ maxScale');
  if (!(c.scaleCrop.aspectJitter >= 0 && c.scaleCrop.aspectJitter < 1)) problems.push('scaleCrop.aspectJitter must be in [0, 1)');
  if (!(c.blur.maxSigma >= 0)) problems.push('blur.maxSigma must be ≥ 0');
  if (!(c.sharpen.maxAlpha >= 0 && c.sharpen.maxAlpha <= 1)) problems.push('sharpen.maxAlpha must be in [0, 1]');
  if (!(c.sharpen.minLightness <= c.sharpen.maxLightness)) problems.push('sharpen needs minLightness ≤ maxLightness');
  if (!(c.noise.maxSigma >= 0)) problems.push('noise.maxSigma must be ≥ 0');
  if (!(c.dropout.maxFraction >= 0 && c.dropout.maxFraction <= 1)) problems.push('dropout.maxFraction must be in [0, 1]');
  if (!(c.brightnessAdd.maxDelta >= 0)) problems.push('brightnessAdd.maxDelta must be ≥ 0');
  if (!(c.brightnessMultiply.min > 0 && c.brightnessMultiply.min <= c.brightnessMultiply.max)) problems.push('brightnessMultiply needs 0 < min ≤ max');
  if (!(c.contrast.min >= 0 && c.contrast.min <= c.contrast.max)) problems.push('contrast needs 0 ≤ min ≤ max');
  if (problems.length > 0) throw new Error(`Invalid augmentation config: ${problems.join('; ')}`);
}

export interface AugmentedScene {
  image: FloatRgbImage;
  boxes: LabeledBox[];
  /** Names of the ops applied, in order. */
  applied: string[];
}

/** Augments one image and its boxes (pixels of that image). The input is not modified. */
export function augmentScene(image: RgbImage, boxes: readonly LabeledBox[], config: AugmentConfig, rng: Rng): AugmentedScene {
  assertRgbImage(image, 'augmentScene');
  let img = toFloatImage(image);
  let bxs = boxes.map((b) => ({ ...b }));
  const applied: string[] = [];
  if (!config.enabled) return { image: img, boxes: bxs, applied };
  const maybe = (op: Op, name: string): boolean => {
    const hit = op.enabled && rng.next() < op.p;
    if (hit) applied.push(name);
    return hit;
  };
  const { width: w, height: h } = img;

  const sc = config.scaleCrop;
  if (maybe(sc, 'scaleCrop')) {
    const s = rng.uniform(sc.minScale, sc.maxScale);
    const aspect = 1 + rng.uniform(-sc.aspectJitter, sc.aspectJitter);
    const scaleX = s * Math.sqrt(aspect);
    const scaleY = s / Math.sqrt(aspect);
    const offsetX = rng.uniform(Math.min(0, w - w * scaleX), Math.max(0, w - w * scaleX));
    const offsetY = rng.uniform(Math.min(0, h - h * scaleY), Math.max(0, h - h * scaleY));
    ({ image: img, boxes: bxs } = scaleCrop(img, bxs, { scaleX, scaleY, offsetX, offsetY, padValue: sc.padValue }, sc.boxKeep));
  }
  if (maybe(config.horizontalFlip, 'horizontalFlip')) ({ image: img, boxes: bxs } = horizontalFlip(img, bxs));
  if (maybe(config.blur, 'blur')) img = gaussianBlur(img, rng.uniform(0, config.blur.maxSigma));
  if (maybe(config.sharpen, 'sharpen')) img = sharpen(img, rng.uniform(0, config.sharpen.maxAlpha), rng.uniform(config.sharpen.minLightness, config.sharpen.maxLightness));
  if (maybe(config.noise, 'noise')) img = gaussianNoise(img, rng.uniform(0, config.noise.maxSigma), rng);
  if (maybe(config.dropout, 'dropout')) img = pixelDropout(img, rng.uniform(0, config.dropout.maxFraction), rng);
  if (maybe(config.brightnessAdd, 'brightnessAdd')) img = brightnessAdd(img, rng.uniform(-config.brightnessAdd.maxDelta, config.brightnessAdd.maxDelta));
  if (maybe(config.brightnessMultiply, 'brightnessMultiply')) img = brightnessMultiply(img, rng.uniform(config.brightnessMultiply.min, config.brightnessMultiply.max));
  if (maybe(config.contrast, 'contrast')) img = contrast(img, rng.uniform(config.contrast.min, config.contrast.max));
  return { image: clampPixels(img), boxes: bxs, applied };
}
