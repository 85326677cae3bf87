/**
 * NanoDet-m's COCO GraphModel (the model zoo's nanodet-m-416-coco) run as the NHWC LayersModel
 * rebuilt from its weights (backbone/nanodet.ts, buildNanodetCoco; tests/unit/backbone-nanodet
 * proves it computes what the graph computes). The converted graph is NCHW: 138 Transposes around
 * its convolutions, and biases and leaky ReLUs the converter could not fuse. The layers form has
 * none of that (on wasm a frame costs 0-12% less, bench/detect). It takes RGB 0..255 (it normalises
 * inside), and `forward` gives the graph's outputs: per stride, sigmoid scores [1, n², 80] and
 * distance logits [1, n², 32], which the adapter's gfl-grid decoder reads as before.
 */
import * as tf from '@tensorflow/tfjs';
import { buildNanodetCoco, NANODET_COCO_CLASSES, NANODET_MEAN_BGR, NANODET_REG_BINS, NANODET_STD_BGR, NANODET_STRIDES } from '../backbone/nanodet';
import { nanodetConvWeights } from '../backbone/nanodet-graph';
import { fuseConvLayers } from '../train/fused-conv-layers';
import type { AdapterMetadata } from './metadata';

/** Whether an adapter describes NanoDet-m's COCO graph (its input normalisation and GFL head). */
export function isNanodetCocoAdapter(meta: AdapterMetadata): boolean {
  const d = meta.decoder;
  const same = (a: readonly number[], b: readonly number[]) => a.length === b.length && a.every((v, i) => v === b[i]);
  return meta.format === 'graph' && d.kind === 'gfl-grid' && same(d.strides, NANODET_STRIDES) && d.regMax + 1 === NANODET_REG_BINS
    && meta.labels.length === NANODET_COCO_CLASSES && meta.layout === 'NCHW' && meta.channels === 'BGR'
    && same(meta.mean, NANODET_MEAN_BGR) && same(meta.std, NANODET_STD_BGR);
}

export interface NanodetLayers {
  layers: tf.LayersModel;
  /** The graph's adapter with the layers' input: NHWC, RGB, 0..255 (the model normalises). */
  adapter: AdapterMetadata;
  /** The graph's outputs for an input batch of one; the caller disposes them. */
  forward(input: tf.Tensor): tf.Tensor[];
}

/** Builds the layers form from the graph's artifacts; throws (naming the mismatch) when the graph is not NanoDet-m's. */
export function nanodetLayersFromGraph(artifacts: tf.io.ModelArtifacts, meta: AdapterMetadata): NanodetLayers {
  if (!isNanodetCocoAdapter(meta)) throw new Error(`${meta.name}: not NanoDet-m's COCO adapter`);
  const weights = nanodetConvWeights(artifacts, meta.name);
  let layers: tf.LayersModel;
  try {
    layers = buildNanodetCoco(meta.inputSize, weights);
  } finally {
    // the layers hold their own references to the weight tensors
    weights.dispose();
  }
  // conv, bias and leaky ReLU as one kernel each
  fuseConvLayers(layers);
  const C = NANODET_COCO_CLASSES;
  const cells = NANODET_STRIDES.map((s) => Math.round(meta.inputSize / s) ** 2);
  return {
    layers,
    adapter: { ...meta, layout: 'NHWC', channels: 'RGB', mean: [0, 0, 0], std: [1, 1, 1] },
    forward: (input) => tf.tidy(() => {
      const out = layers.predict(input) as tf.Tensor3D; // [1, Σ n², 80 + 32] logits
      let at = 0;
      return cells.flatMap((n) => {
        const cls = tf.sigmoid(tf.slice(out, [0, at, 0], [1, n, C]));
        const reg = tf.slice(out, [0, at, C], [1, n, 4 * NANODET_REG_BINS]);
        at += n;
        return [cls, reg];
      });
    }),
  };
}
