/**
 * The point head's layers (config.ts PointHeadConfig): an FPN + PAN neck over the backbone's
 * stride 8/16/32 features, then per level a decoupled head (class tower, box tower) of
 * depthwise-separable convs, concatenated into one [batch, N, C + 4R] output (points.ts).
 * Every layer name starts with 'yolo_' so freezing the backbone leaves them trainable.
 */
import * as tf from '@tensorflow/tfjs';
import type { DetectorConfig, PointHeadConfig } from './config';
import { convBnLeaky, initSeeds, type InitSeeds } from './blocks';

export const POINT_OUTPUT_LAYER_NAME = 'yolo_points';

/** Depthwise 3×3 (stride 1 or 2) + BN + leaky, then pointwise 1×1 + BN + leaky. */
function dwSepConv(x: tf.SymbolicTensor, filters: number, name: string, strides: number, seeds: InitSeeds): tf.SymbolicTensor {
  const dw = tf.layers.depthwiseConv2d({ kernelSize: 3, strides, padding: 'same', useBias: false, depthwiseInitializer: tf.initializers.heNormal({ seed: seeds() }), name: `${name}_dw` });
  const bn1 = tf.layers.batchNormalization({ momentum: 0.9, epsilon: 1e-3, name: `${name}_dw_bn` });
  const act1 = tf.layers.leakyReLU({ alpha: 0.1, name: `${name}_dw_leaky` });
  x = act1.apply(bn1.apply(dw.apply(x))) as tf.SymbolicTensor;
  return convBnLeaky(x, filters, 1, `${name}_pw`, 1, seeds);
}

/**
 * Builds neck and head on `levels` (backbone features, one per head stride, finest first).
 * Returns the [batch, N, C + 4R] raw output.
 */
export function pointNeckAndHead(levels: tf.SymbolicTensor[], config: DetectorConfig, seeds: InitSeeds = initSeeds()): tf.SymbolicTensor {
  const head = config.head as PointHeadConfig;
  const { width, strides } = head;
  if (levels.length !== strides.length) throw new Error(`point head: ${levels.length} backbone levels for ${strides.length} strides`);
  levels.forEach((l, i) => {
    const expected = config.inputSize / strides[i];
    if (l.shape[1] !== expected || l.shape[2] !== expected) throw new Error(`point head: the stride-${strides[i]} feature is ${l.shape[1]}×${l.shape[2]}, expected ${expected}×${expected}`);
  });
  // FPN: lateral 1×1 to `width`, top-down nearest upsampling + add, a separable conv per level
  const lateral = levels.map((l, i) => convBnLeaky(l, width, 1, `yolo_lat_s${strides[i]}`, 1, seeds));
  const td: tf.SymbolicTensor[] = new Array<tf.SymbolicTensor>(levels.length);
  td[levels.length - 1] = lateral[levels.length - 1];
  for (let i = levels.length - 2; i >= 0; i--) {
    const up = tf.layers.upSampling2d({ size: [2, 2], name: `yolo_up_s${strides[i]}` }).apply(td[i + 1]) as tf.SymbolicTensor;
    const sum = tf.layers.add({ name: `yolo_td_add_s${strides[i]}` }).apply([lateral[i], up]) as tf.SymbolicTensor;
    td[i] = dwSepConv(sum, width, `yolo_td_s${strides[i]}`, 1, seeds);
  }
  // PAN: bottom-up with stride-2 separable convs
  const pan: tf.SymbolicTensor[] = [td[0]];
  for (let i = 1; i < levels.length; i++) {
    const down = dwSepConv(pan[i - 1], width, `yolo_down_s${strides[i]}`, 2, seeds);
    const sum = tf.layers.add({ name: `yolo_bu_add_s${strides[i]}` }).apply([td[i], down]) as tf.SymbolicTensor;
    pan.push(dwSepConv(sum, width, `yolo_bu_s${strides[i]}`, 1, seeds));
  }
  const C = config.numClasses;
  const R = head.regBins;
  const outputs = pan.map((x, i) => {
    const s = strides[i];
    let cls = x;
    let reg = x;
    for (let k = 0; k < head.towerConvs; k++) {
      cls = dwSepConv(cls, width, `yolo_cls${k + 1}_s${s}`, 1, seeds);
      reg = dwSepConv(reg, width, `yolo_reg${k + 1}_s${s}`, 1, seeds);
    }
    const clsOut = tf.layers.conv2d({
      filters: C, kernelSize: 1, useBias: true, name: `yolo_cls_out_s${s}`,
      kernelInitializer: tf.initializers.randomNormal({ mean: 0, stddev: 0.01, seed: seeds() }),
      biasInitializer: tf.initializers.constant({ value: head.clsBiasInit }),
    }).apply(cls) as tf.SymbolicTensor;
    const regOut = tf.layers.conv2d({
      filters: 4 * R, kernelSize: 1, useBias: true, name: `yolo_reg_out_s${s}`,
      kernelInitializer: tf.initializers.randomNormal({ mean: 0, stddev: 0.01, seed: seeds() }),
    }).apply(reg) as tf.SymbolicTensor;
    const both = tf.layers.concatenate({ axis: -1, name: `yolo_out_s${s}` }).apply([clsOut, regOut]) as tf.SymbolicTensor;
    const g = config.inputSize / s;
    return tf.layers.reshape({ targetShape: [g * g, C + 4 * R], name: `yolo_flat_s${s}` }).apply(both) as tf.SymbolicTensor;
  });
  return outputs.length === 1
    ? outputs[0]
    : (tf.layers.concatenate({ axis: 1, name: POINT_OUTPUT_LAYER_NAME }).apply(outputs) as tf.SymbolicTensor);
}
