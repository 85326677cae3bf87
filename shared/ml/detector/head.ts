/** The YOLOv2 head: neck convs, then a 1×1 conv with A × (5 + C) linear outputs per cell. */
import * as tf from '@tensorflow/tfjs';
import type { DetectorConfig, YoloV2HeadConfig } from './config';
import { convBnLeaky, initSeeds, type InitSeeds } from './blocks';
import { fieldsPerAnchor } from './layout';

export const OUTPUT_LAYER_NAME = 'yolo_output';

export function yoloHead(features: tf.SymbolicTensor, config: DetectorConfig, seeds: InitSeeds = initSeeds()): tf.SymbolicTensor {
  let x = features;
  (config.head as YoloV2HeadConfig).neckFilters.forEach((filters, i) => {
    x = convBnLeaky(x, filters, 3, `yolo_neck_${i + 1}`, 1, seeds);
  });
  const out = tf.layers.conv2d({
    filters: config.anchors.length * fieldsPerAnchor(config),
    kernelSize: 1,
    padding: 'same',
    useBias: true,
    kernelInitializer: tf.initializers.randomNormal({ mean: 0, stddev: 0.01, seed: seeds() }),
    name: OUTPUT_LAYER_NAME,
  });
  return out.apply(x) as tf.SymbolicTensor;
}

/** Sets the objectness logits' bias of the output layer (prior probability of an object). */
export function initObjectnessBias(model: tf.LayersModel, config: DetectorConfig): void {
  const layer = model.getLayer(OUTPUT_LAYER_NAME);
  const [kernel, bias] = layer.getWeights();
  const F = fieldsPerAnchor(config);
  // computed on the device (no read-back: WebGPU in Node has no synchronous reads)
  const mask = new Float32Array(bias!.size);
  for (let a = 0; a < config.anchors.length; a++) mask[a * F + 4] = 1;
  const newBias = tf.tidy(() => {
    const m = tf.tensor1d(mask);
    return bias!.mul(tf.scalar(1).sub(m)).add(m.mul((config.head as YoloV2HeadConfig).objectnessBiasInit));
  });
  layer.setWeights([kernel!, newBias]);
  newBias.dispose();
}
