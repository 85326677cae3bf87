/**
 * buildDetector: config → tf.LayersModel. Input [batch, inputSize, inputSize, 3] in 0..255 RGB
 * (the model rescales internally); output for the YOLOv2 head [batch, grid, grid, A × (5 + C)]
 * raw (layout.ts), for the point head [batch, N, C + 4R] (points.ts).
 * The config is stored in the model's metadata (metadata.ts).
 */
import * as tf from '@tensorflow/tfjs';
import type { DetectorConfig, PointHeadConfig } from './config';
import { gridSizeOf, isPointHead, validateDetectorConfig } from './config';
import { convBnLeaky, initSeeds, pixelInput } from './blocks';
import { darknet19Backbone, tinyBackbone, tinyBackboneLevels } from './darknet';
import { pointNeckAndHead } from './point-head';
import { initObjectnessBias, yoloHead } from './head';
import { writeDetectorMetadata } from './metadata';
import { MOBILENET_PIXEL_SCALE, mobilenetFeatures } from '../backbone/mobilenet';
import { nanodetPointOutput } from '../backbone/nanodet';
import type { NanodetWeights } from '../backbone/nanodet-graph';

export interface BuildOptions {
  /** The pretrained model to take the backbone from; required for the mobilenet backbone. */
  pretrained?: tf.LayersModel;
  /** The NanoDet-m COCO weights by graph node; required for the nanodet backbone (main/training/pretrained-nanodet.ts). */
  nanodet?: NanodetWeights;
  /** Seeds every weight initialiser (same seed, same initial weights); default: unseeded (Math.random). */
  seed?: number;
}

/** MobileNet v1 layers whose outputs feed the point head, by stride. */
const MOBILENET_LEVEL_LAYERS: Record<number, string> = { 8: 'conv_pw_5_relu', 16: 'conv_pw_11_relu', 32: 'conv_pw_13_relu' };

function buildPointDetector(config: DetectorConfig, head: PointHeadConfig, options: BuildOptions): tf.LayersModel {
  const seeds = initSeeds(options.seed);
  const b = config.backbone;
  if (b.kind === 'nanodet') {
    if (!options.nanodet) throw new Error('buildDetector: the nanodet backbone needs the NanoDet-m COCO weights (options.nanodet); load them with loadPretrainedNanodet');
    const input = tf.input({ shape: [config.inputSize, config.inputSize, 3], name: 'image' });
    const output = nanodetPointOutput(input, options.nanodet, { numClasses: config.numClasses, clsBiasInit: head.clsBiasInit, seeds });
    const model = tf.model({ inputs: input, outputs: output, name: 'detecta_points_nanodet' });
    writeDetectorMetadata(model, config);
    return model;
  }
  let input: tf.SymbolicTensor;
  let levels: tf.SymbolicTensor[];
  if (b.kind === 'mobilenet') {
    if (!options.pretrained) throw new Error('buildDetector: the mobilenet backbone needs the pretrained model (options.pretrained); load it with loadMobileNet or the model cache');
    const px = pixelInput(config.inputSize, MOBILENET_PIXEL_SCALE.scale, MOBILENET_PIXEL_SCALE.offset);
    input = px.input;
    const cut = MOBILENET_LEVEL_LAYERS[Math.max(...head.strides)];
    const { taps } = mobilenetFeatures(px.scaled, options.pretrained, cut, b.foldBatchNorm);
    levels = head.strides.map((s) => {
      const t = taps.get(MOBILENET_LEVEL_LAYERS[s]);
      if (!t) throw new Error(`buildDetector: the mobilenet backbone has no layer ${MOBILENET_LEVEL_LAYERS[s]} for stride ${s}`);
      return t;
    });
  } else if (b.kind === 'tiny') {
    const px = pixelInput(config.inputSize, 1 / 255, 0);
    input = px.input;
    const byStride = tinyBackboneLevels(px.scaled, b, seeds);
    levels = head.strides.map((s) => byStride.get(s)!);
  } else {
    throw new Error(`buildDetector: the point head takes a tiny or mobilenet backbone, not ${b.kind}`);
  }
  const output = pointNeckAndHead(levels, config, seeds);
  const model = tf.model({ inputs: input, outputs: output, name: `detecta_points_${b.kind}` });
  writeDetectorMetadata(model, config);
  return model;
}

export function buildDetector(config: DetectorConfig, options: BuildOptions = {}): tf.LayersModel {
  validateDetectorConfig(config);
  if (isPointHead(config.head)) return buildPointDetector(config, config.head, options);
  const seeds = initSeeds(options.seed);
  const b = config.backbone;
  let input: tf.SymbolicTensor;
  let features: tf.SymbolicTensor;
  if (b.kind === 'mobilenet') {
    if (!options.pretrained) {
      throw new Error('buildDetector: the mobilenet backbone needs the pretrained model (options.pretrained); load it with loadMobileNet or the model cache');
    }
    const px = pixelInput(config.inputSize, MOBILENET_PIXEL_SCALE.scale, MOBILENET_PIXEL_SCALE.offset);
    input = px.input;
    features = mobilenetFeatures(px.scaled, options.pretrained, b.cutLayer, b.foldBatchNorm).features;
    const stride = config.inputSize / (features.shape[1] ?? NaN);
    if (stride === 16) {
      features = convBnLeaky(features, features.shape[3] ?? 128, 3, 'yolo_downsample', 2, seeds);
    } else if (stride !== 32) {
      throw new Error(`buildDetector: mobilenet layer '${b.cutLayer}' has stride ${stride}; cut at a stride 16 or 32 layer (conv_pw_11_relu, conv_pw_13_relu)`);
    }
  } else if (b.kind === 'nanodet') {
    throw new Error('buildDetector: the nanodet backbone takes only the point head');
  } else {
    const px = pixelInput(config.inputSize, 1 / 255, 0);
    input = px.input;
    features = b.kind === 'tiny' ? tinyBackbone(px.scaled, b, seeds) : darknet19Backbone(px.scaled, b, seeds);
  }
  const output = yoloHead(features, config, seeds);
  const grid = gridSizeOf(config);
  if (output.shape[1] !== grid || output.shape[2] !== grid) {
    throw new Error(`buildDetector: output grid ${output.shape[1]}×${output.shape[2]} does not match inputSize/32 = ${grid}`);
  }
  const model = tf.model({ inputs: input, outputs: output, name: `detecta_yolov2_${b.kind}` });
  initObjectnessBias(model, config);
  writeDetectorMetadata(model, config);
  return model;
}
