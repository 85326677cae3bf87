/**
 * Seeded train/val/test assignment. Each image's split is a pure function of (seed, image id):
 * a 32-bit FNV-1a hash of `${seed}:${id}` mapped to [0, 1) and compared with the cumulative
 * ratios. New images therefore get a split without moving any old one, nothing per image needs
 * storing, and the same seed gives the same split on every machine. Images the user moves by
 * hand are stored as overrides in project.json.
 */
import type { Split, SplitConfig } from './types';

export const DEFAULT_SPLIT: SplitConfig = { seed: 1, train: 0.8, val: 0.2, test: 0, overrides: {} };

export function fnv1a32(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** Uniform in [0, 1), deterministic for (seed, id). */
export function splitDraw(seed: number, id: string): number {
  // A final avalanche step (murmur3 fmix32) so nearby ids (img1, img2) spread evenly.
  let h = fnv1a32(`${seed}:${id}`);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return (h >>> 0) / 4294967296;
}

export function assignSplit(config: SplitConfig, id: string): Split {
  const o = config.overrides[id];
  if (o) return o;
  const total = config.train + config.val + config.test;
  if (!(total > 0)) return 'train';
  const r = splitDraw(config.seed, id) * total;
  if (r < config.train) return 'train';
  if (r < config.train + config.val) return 'val';
  return 'test';
}
