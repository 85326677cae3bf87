/** Layer blocks shared by the detector backbones and head (tfjs layers only, so any backend and the renderer can load the saved model). */
import * as tf from '@tensorflow/tfjs';

/** Darknet conv block: conv (no bias) → BatchNorm → leaky ReLU(0.1). */
export function convBnLeaky(x: tf.SymbolicTensor, filters: number, kernelSize: number, name: string, strides = 1): tf.SymbolicTensor {
  const conv = tf.layers.conv2d({
    filters,
    kernelSize,
    strides,
    padding: 'same',
    useBias: false,
    kernelInitializer: 'heNormal',
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
