/**
 * Small CNN classifier presets (tfjs layers only, so every backend trains the same graph and the
 * renderer can load the saved model). Pure TypeScript: no Node, no DOM.
 *
 * - 'fashion-mnist-cnn': the seed's Fashion-MNIST network. 28×28×1 → Conv2D 32 3×3 relu → Conv2D 64
 *   3×3 relu → MaxPool 2×2 → Dropout 0.25 → Flatten → Dense 128 relu → Dropout 0.5 → Dense C softmax;
 *   Adam (lr 0.001), categorical cross-entropy.
 * - 'sports-cnn': the seed's sports classifier. 21×28×3 → Conv2D 32 3×3 → LeakyReLU → MaxPool 2×2 →
 *   Dropout 0.5 → Flatten → Dense 32 relu → Dropout 0.5 → Dense C softmax; Adagrad (lr 0.01),
 *   categorical cross-entropy. (The seed does not name the Dense 32 activation; relu is assumed.)
 * - 'deep-cnn': a deeper network for photos. Three blocks of two Conv2D 3×3 'same' relu (32, 64,
 *   128 filters) + MaxPool 2×2 + Dropout 0.25, then GlobalAveragePooling → Dense 128 relu →
 *   Dropout 0.5 → Dense C softmax; Adam (lr 0.001). Any input of at least 8×8.
 *
 * `rescale` puts a Rescaling layer first, so the saved model takes raw 0..255 pixels.
 */
import * as tf from '@tensorflow/tfjs';
import { fusedAdam } from '../train/fused-adam';

export type ClassifierPresetName = 'fashion-mnist-cnn' | 'sports-cnn' | 'deep-cnn';

export interface ClassifierPresetInfo {
  defaultInputShape: [number, number, number];
  optimizer: 'adam' | 'adagrad';
  learningRate: number;
  loss: 'categoricalCrossentropy';
}

export const CLASSIFIER_PRESETS: Readonly<Record<ClassifierPresetName, ClassifierPresetInfo>> = {
  'fashion-mnist-cnn': { defaultInputShape: [28, 28, 1], optimizer: 'adam', learningRate: 0.001, loss: 'categoricalCrossentropy' },
  'sports-cnn': { defaultInputShape: [21, 28, 3], optimizer: 'adagrad', learningRate: 0.01, loss: 'categoricalCrossentropy' },
  'deep-cnn': { defaultInputShape: [64, 64, 3], optimizer: 'adam', learningRate: 0.001, loss: 'categoricalCrossentropy' },
};

export interface ClassifierPresetOptions {
  /** [height, width, channels]; default: the preset's defaultInputShape. */
  inputShape?: [number, number, number];
  numClasses: number;
  /** false sets every Dropout rate to 0 (deterministic training, e.g. to compare backends). Default true. */
  dropout?: boolean;
  /** Overrides the preset's learning rate. */
  learningRate?: number;
  /** Seeds the weight initialisers, so two builds (on any backend) start from identical weights. */
  seed?: number;
  /** Compile with the preset's optimizer and loss (default true). */
  compile?: boolean;
  /** Multiply the input by this first (a Rescaling layer, e.g. 1/255 for raw pixels). Default: none. */
  rescale?: number;
}

export class ClassifierPresetError extends Error {
  override name = 'ClassifierPresetError';
}

/** Builds (and by default compiles) a classifier preset as a tf.Sequential model. */
export function buildClassifierPreset(name: ClassifierPresetName, options: ClassifierPresetOptions): tf.Sequential {
  const info = CLASSIFIER_PRESETS[name];
  if (info == null) {
    throw new ClassifierPresetError(`buildClassifierPreset: unknown preset '${String(name)}' (expected ${Object.keys(CLASSIFIER_PRESETS).join(', ')})`);
  }
  const inputShape = options.inputShape ?? info.defaultInputShape;
  if (inputShape.length !== 3 || inputShape.some((d) => !Number.isInteger(d) || d < 1)) {
    throw new ClassifierPresetError(`buildClassifierPreset: inputShape must be [height, width, channels] of positive integers, got [${inputShape}]`);
  }
  const minSide = name === 'deep-cnn' ? 8 : 4;
  if (inputShape[0] < minSide || inputShape[1] < minSide) {
    throw new ClassifierPresetError(`buildClassifierPreset: input ${inputShape[0]}×${inputShape[1]} is too small for the preset's convolutions`);
  }
  if (!Number.isInteger(options.numClasses) || options.numClasses < 2) {
    throw new ClassifierPresetError(`buildClassifierPreset: numClasses must be an integer ≥ 2, got ${options.numClasses}`);
  }
  const useDropout = options.dropout ?? true;
  let seedCounter = options.seed;
  const init = (): ReturnType<typeof tf.initializers.glorotUniform> | 'glorotUniform' =>
    seedCounter == null ? 'glorotUniform' : tf.initializers.glorotUniform({ seed: seedCounter++ });
  const dropout = (rate: number) => tf.layers.dropout({ rate: useDropout ? rate : 0 });

  const model = tf.sequential({ name });
  const first = options.rescale === undefined ? { inputShape } : {};
  if (options.rescale !== undefined) model.add(tf.layers.rescaling({ inputShape, scale: options.rescale }));
  if (name === 'fashion-mnist-cnn') {
    model.add(tf.layers.conv2d({ ...first, filters: 32, kernelSize: 3, activation: 'relu', kernelInitializer: init() }));
    model.add(tf.layers.conv2d({ filters: 64, kernelSize: 3, activation: 'relu', kernelInitializer: init() }));
    model.add(tf.layers.maxPooling2d({ poolSize: 2 }));
    model.add(dropout(0.25));
    model.add(tf.layers.flatten());
    model.add(tf.layers.dense({ units: 128, activation: 'relu', kernelInitializer: init() }));
    model.add(dropout(0.5));
  } else if (name === 'deep-cnn') {
    [32, 64, 128].forEach((filters, block) => {
      model.add(tf.layers.conv2d({ ...(block === 0 ? first : {}), filters, kernelSize: 3, padding: 'same', activation: 'relu', kernelInitializer: init() }));
      model.add(tf.layers.conv2d({ filters, kernelSize: 3, padding: 'same', activation: 'relu', kernelInitializer: init() }));
      model.add(tf.layers.maxPooling2d({ poolSize: 2 }));
      model.add(dropout(0.25));
    });
    model.add(tf.layers.globalAveragePooling2d({}));
    model.add(tf.layers.dense({ units: 128, activation: 'relu', kernelInitializer: init() }));
    model.add(dropout(0.5));
  } else {
    model.add(tf.layers.conv2d({ ...first, filters: 32, kernelSize: 3, kernelInitializer: init() }));
    model.add(tf.layers.leakyReLU());
    model.add(tf.layers.maxPooling2d({ poolSize: 2 }));
    model.add(dropout(0.5));
    model.add(tf.layers.flatten());
    model.add(tf.layers.dense({ units: 32, activation: 'relu', kernelInitializer: init() }));
    model.add(dropout(0.5));
  }
  model.add(tf.layers.dense({ units: options.numClasses, activation: 'softmax', kernelInitializer: init() }));

  if (options.compile ?? true) {
    const lr = options.learningRate ?? info.learningRate;
    const optimizer = info.optimizer === 'adam' ? fusedAdam(lr) : tf.train.adagrad(lr);
    model.compile({ optimizer, loss: info.loss, metrics: ['accuracy'] });
  }
  return model;
}
