/** From-scratch backbones: tiny (CPU-friendly) and Darknet-19 (YOLOv2's). Both have total stride 32. */
import * as tf from '@tensorflow/tfjs';
import type { Darknet19BackboneConfig, TinyBackboneConfig } from './config';
import { convBnLeaky, initSeeds, maxPool2, type InitSeeds } from './blocks';

/** Tiny: conv3×3 per width; a 2×2 max-pool after each of the first five (stride 32). */
export function tinyBackbone(x: tf.SymbolicTensor, config: TinyBackboneConfig, seeds: InitSeeds = initSeeds()): tf.SymbolicTensor {
  config.widths.forEach((filters, i) => {
    x = convBnLeaky(x, filters, 3, `tiny_${i + 1}`, 1, seeds);
    if (i < 5) x = maxPool2(x, `tiny_pool_${i + 1}`);
  });
  return x;
}

/** The tiny backbone's features at strides 8, 16 and 32 (before the 4th and 5th pools, and its output). */
export function tinyBackboneLevels(x: tf.SymbolicTensor, config: TinyBackboneConfig, seeds: InitSeeds = initSeeds()): Map<number, tf.SymbolicTensor> {
  const levels = new Map<number, tf.SymbolicTensor>();
  config.widths.forEach((filters, i) => {
    x = convBnLeaky(x, filters, 3, `tiny_${i + 1}`, 1, seeds);
    if (i === 3) levels.set(8, x);
    if (i === 4) levels.set(16, x);
    if (i < 5) x = maxPool2(x, `tiny_pool_${i + 1}`);
  });
  levels.set(32, x);
  return levels;
}

/** Darknet-19 feature extractor (conv layers 1–18, five max-pools), filters scaled by widthMultiplier. */
const DARKNET19: (number | [number, number] | 'M')[] = [
  [32, 3], 'M',
  [64, 3], 'M',
  [128, 3], [64, 1], [128, 3], 'M',
  [256, 3], [128, 1], [256, 3], 'M',
  [512, 3], [256, 1], [512, 3], [256, 1], [512, 3], 'M',
  [1024, 3], [512, 1], [1024, 3], [512, 1], [1024, 3],
];

export function darknet19Backbone(x: tf.SymbolicTensor, config: Darknet19BackboneConfig, seeds: InitSeeds = initSeeds()): tf.SymbolicTensor {
  let conv = 0;
  let pool = 0;
  for (const item of DARKNET19) {
    if (item === 'M') {
      x = maxPool2(x, `darknet_pool_${++pool}`);
    } else if (Array.isArray(item)) {
      const filters = Math.max(1, Math.round(item[0] * config.widthMultiplier));
      x = convBnLeaky(x, filters, item[1], `darknet_${++conv}`, 1, seeds);
    }
  }
  return x;
}
