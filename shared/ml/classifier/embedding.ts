/**
 * The transfer-learning classifier ('mobilenet-embeddings' preset), Teachable Machine style: the
 * ImageNet-pretrained MobileNet v1 backbone (BatchNorm folded, frozen) turns each image into one
 * embedding (global average of its last feature map), computed once per image; a small head
 * (Dense 128 relu → Dropout 0.5 → Dense C softmax) trains on the embeddings in seconds.
 *
 * The head's layers are shared between two graphs: the head model (embedding in, scores out) that
 * trains, and the full model (raw 0..255 pixels in, scores out) that is saved and used to predict.
 * Training one updates the other; a saved full model splits back into both with `splitEmbeddingModel`.
 */
import * as tf from '@tensorflow/tfjs';
import { mobilenetFeatures } from '../backbone/mobilenet';

export const EMBEDDING_LAYER = 'embedding_pool';
export const HEAD_LAYERS = ['head_dense', 'head_dropout', 'head_scores'] as const;
export const DEFAULT_EMBEDDING_CUT = 'conv_pw_13_relu';

export interface EmbeddingClassifier {
  /** Raw pixels [h, w, 3] (0..255) → class scores; what is saved and predicts. */
  full: tf.LayersModel;
  /** Raw pixels → embedding (frozen). */
  extractor: tf.LayersModel;
  /** Embedding → class scores (trainable). */
  head: tf.LayersModel;
  embeddingSize: number;
}

function headOn(input: tf.SymbolicTensor, layers: tf.layers.Layer[]): tf.SymbolicTensor {
  return layers.reduce((x, l) => l.apply(x) as tf.SymbolicTensor, input);
}

/** Builds the classifier on a loaded pretrained MobileNet (any input size ≥ 32 works). */
export function buildEmbeddingClassifier(base: tf.LayersModel, options: { inputShape: [number, number, number]; numClasses: number; dropout?: boolean; seed?: number; cutLayer?: string }): EmbeddingClassifier {
  const [h, w, c] = options.inputShape;
  if (c !== 3) throw new Error('the mobilenet-embeddings preset needs colour (3-channel) input');
  if (h < 32 || w < 32) throw new Error(`the mobilenet-embeddings preset needs an input of at least 32×32, got ${h}×${w}`);
  const input = tf.input({ shape: [h, w, 3], name: 'pixels' });
  const scaled = tf.layers.rescaling({ scale: 1 / 127.5, offset: -1, name: 'mobilenet_scale' }).apply(input) as tf.SymbolicTensor;
  const { features, layerNames } = mobilenetFeatures(scaled, base, options.cutLayer ?? DEFAULT_EMBEDDING_CUT, true);
  const pooled = tf.layers.globalAveragePooling2d({ name: EMBEDDING_LAYER }).apply(features) as tf.SymbolicTensor;
  const seed = options.seed;
  const layers = [
    tf.layers.dense({ units: 128, activation: 'relu', name: HEAD_LAYERS[0], kernelInitializer: seed === undefined ? 'glorotUniform' : tf.initializers.glorotUniform({ seed }) }),
    tf.layers.dropout({ rate: options.dropout === false ? 0 : 0.5, name: HEAD_LAYERS[1] }),
    tf.layers.dense({ units: options.numClasses, activation: 'softmax', name: HEAD_LAYERS[2], kernelInitializer: seed === undefined ? 'glorotUniform' : tf.initializers.glorotUniform({ seed: seed + 1 }) }),
  ];
  const full = tf.model({ inputs: input, outputs: headOn(pooled, layers), name: 'mobilenet_embeddings_classifier' });
  for (const name of layerNames) full.getLayer(name).trainable = false;
  return fromLayers(full, layers);
}

function fromLayers(full: tf.LayersModel, layers: tf.layers.Layer[]): EmbeddingClassifier {
  const pooled = full.getLayer(EMBEDDING_LAYER);
  const embeddingSize = Number((pooled.outputShape as number[])[1]);
  const extractor = tf.model({ inputs: full.inputs, outputs: pooled.output as tf.SymbolicTensor });
  const embIn = tf.input({ shape: [embeddingSize], name: 'embedding' });
  const head = tf.model({ inputs: embIn, outputs: headOn(embIn, layers), name: 'embedding_head' });
  return { full, extractor, head, embeddingSize };
}

/** Re-derives the extractor and head from a saved full model (resume). */
export function splitEmbeddingModel(full: tf.LayersModel): EmbeddingClassifier {
  for (const l of full.layers) if (!(HEAD_LAYERS as readonly string[]).includes(l.name)) l.trainable = false;
  return fromLayers(full, HEAD_LAYERS.map((n) => full.getLayer(n)));
}

