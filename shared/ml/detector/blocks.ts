/** Layer blocks shared by the detector backbones and head (tfjs layers only, so any backend and the renderer can load the saved model). */
import * as tf from '@tensorflow/tfjs';

/**
 * Seeds for the weight initialisers: each call returns the next seed of a sequence derived from
 * one run seed, so a model built twice with the same seed starts from the same weights. tfjs
 * initialisers without a seed draw from Math.random; `initSeeds()` (no seed) keeps that.
 */
export type InitSeeds = () => number | undefined;

export function initSeeds(seed?: number): InitSeeds {
  if (seed === undefined) return () => undefined;
  let i = 0;
  // Distinct, deterministic, positive seeds per layer (0 would mean "unseeded" to tfjs).
  return () => ((seed >>> 0) * 1_000_003 + ++i * 7_919) % 2_147_483_647 || 1;
}

/** Darknet conv block: conv (no bias) → BatchNorm → leaky ReLU(0.1). */
export function convBnLeaky(x: tf.SymbolicTensor, filters: number, kernelSize: number, name: string, strides = 1, seeds: InitSeeds = initSeeds()): tf.SymbolicTensor {
  const conv = tf.layers.conv2d({
    filters,
    kernelSize,
    strides,
    padding: 'same',
    useBias: false,
    kernelInitializer: tf.initializers.heNormal({ seed: seeds() }),
    name: `${name}_conv`,
  });
  // momentum 0.9: moving statistics settle within a few hundred steps (short training runs).
  const bn = tf.layers.batchNormalization({ momentum: 0.9, epsilon: 1e-3, name: `${name}_bn` });
  const act = tf.layers.leakyReLU({ alpha: 0.1, name: `${name}_leaky` });
  return act.apply(bn.apply(conv.apply(x))) as tf.SymbolicTensor;
}

export function maxPool2(x: tf.SymbolicTensor, name: string): tf.SymbolicTensor {
  return tf.layers.maxPooling2d({ poolSize: 2, strides: 2, padding: 'same', name }).apply(x) as tf.SymbolicTensor;
}

/** Model input taking 0..255 RGB and a Rescaling layer to the backbone's range. */
export function pixelInput(inputSize: number, scale: number, offset: number): { input: tf.SymbolicTensor; scaled: tf.SymbolicTensor } {
  const input = tf.input({ shape: [inputSize, inputSize, 3], name: 'image' });
  const scaled = tf.layers.rescaling({ scale, offset, name: 'pixel_scale' }).apply(input) as tf.SymbolicTensor;
  return { input, scaled };
}
