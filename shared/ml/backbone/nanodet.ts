/**
 * NanoDet-m (RangiLyu/nanodet v0.x, COCO) as tfjs layers, with the weights of the model zoo's
 * GraphModel (nanodet-graph.ts): ShuffleNetV2 1.0x (stages of 4, 8 and 4 units, 116 / 232 / 464
 * channels, leaky ReLU 0.1, no conv5), a PAN neck of 96 channels (1×1 laterals without
 * activation, bilinear 2× up top-down and bilinear ½ down bottom-up, added), and per level a
 * head of two depthwise-separable convs (leaky ReLU) and one 1×1 conv giving C class logits and
 * 4 × 8 GFL distance bins: the point head's layout (detector/points.ts) with regBins 8.
 *
 * Built from ordinary Keras layers only (the saved model loads anywhere tfjs does), each op of the
 * graph mapped exactly:
 * - input: NHWC RGB 0..255 (the trainer's), turned into NanoDet's BGR (x − mean) / std by a fixed
 *   1×1 conv 'pixel_bgr_norm' (not trainable; freeze.ts leaves 'pixel_*' layers alone);
 * - PyTorch's symmetric padding of the stride-2 convs: ZeroPadding2D(1) + 'valid'; the stem's
 *   3×3/2 max-pool with padding 1: a 3×3/1 'same' max-pool then every other pixel (1×1/2 pool);
 * - channel shuffle (groups 2) and the split of a unit's input: Reshape [HW, 2, C/2], Permute to
 *   [HW, C/2, 2], then Reshape back (shuffle) or two Cropping2D halves (the split);
 * - bilinear resizes with half-pixel centres: ½ down is exactly 2×2 average pooling; 2× up is
 *   exactly a 4×4/2 average pooling of the 4× nearest upsampling (see bilinearUp2), whose
 *   gradients are exact too (a 'same' average pooling would do the forward pass, but tfjs's
 *   gradient of it divides by the whole window at the edges).
 * Backbone layers are named 'nanodet_*' (what freezeEpochs freezes); neck and head 'yolo_*'.
 */
import * as tf from '@tensorflow/tfjs';
import { initSeeds, type InitSeeds } from '../detector/blocks';
import { POINT_OUTPUT_LAYER_NAME } from '../detector/point-head';
import type { ConvWeights, NanodetWeights } from './nanodet-graph';

/** NanoDet's normalisation, per channel in BGR order. */
export const NANODET_MEAN_BGR = [103.53, 116.28, 123.675] as const;
export const NANODET_STD_BGR = [57.375, 57.12, 58.395] as const;
export const NANODET_STRIDES = [8, 16, 32] as const;
/** Distance bins per box side (reg_max 7). */
export const NANODET_REG_BINS = 8;
export const NANODET_COCO_CLASSES = 80;
/** The name of the fixed preprocessing layer. */
export const NANODET_PIXEL_LAYER = 'pixel_bgr_norm';

const STAGE_UNITS = [4, 8, 4];
const STAGE_CHANNELS = [116, 232, 464];
const STEM_CHANNELS = 24;
const NECK_CHANNELS = 96;
const LEAKY = 0.1;

type T = tf.SymbolicTensor;

const apply = (layer: tf.layers.Layer, x: T | T[]): T => layer.apply(x) as T;
const dims = (x: T): [number, number, number] => {
  const [, h, w, c] = x.shape;
  if (typeof h !== 'number' || typeof w !== 'number' || typeof c !== 'number') throw new Error(`nanodet: ${x.name} needs a fixed height, width and channel count`);
  return [h, w, c];
};

/** Hands out the graph's conv nodes in the graph's own numbering order (convolution, convolution_1, …). */
class GraphConvs {
  private conv = 0;
  private dw = 0;
  constructor(private readonly weights: NanodetWeights) {}
  next(kind: 'conv' | 'dw'): ConvWeights & { node: string } {
    const base = kind === 'conv' ? 'convolution' : 'depthwise';
    const i = kind === 'conv' ? this.conv++ : this.dw++;
    const node = i === 0 ? base : `${base}_${i}`;
    const w = this.weights.convs.get(node);
    if (!w) throw new Error(`nanodet: the graph model has no ${node} node (is it NanoDet-m?)`);
    return { ...w, node };
  }
}

interface ConvSpec {
  kind: 'conv' | 'dw';
  name: string;
  kernelSize: number;
  strides?: number;
  leaky: boolean;
}

/** A conv (or depthwise conv) with the next graph node's kernel and bias, then leaky ReLU when asked. */
function graphConv(x: T, g: GraphConvs, spec: ConvSpec): T {
  const w = g.next(spec.kind);
  const strides = spec.strides ?? 1;
  const expect = spec.kind === 'conv' ? [spec.kernelSize, spec.kernelSize, dims(x)[2]] : [spec.kernelSize, spec.kernelSize, dims(x)[2], 1];
  if (!expect.every((v, i) => w.kernel.shape[i] === v)) {
    throw new Error(`nanodet: ${spec.name} expects a kernel [${expect}…], the graph's ${w.node} has [${w.kernel.shape}]`);
  }
  let padding: 'same' | 'valid' = 'same';
  if (strides === 2 && spec.kernelSize === 3) {
    // PyTorch pads 1 on every side; TF 'same' would pad only the bottom/right at stride 2
    x = apply(tf.layers.zeroPadding2d({ padding: [[1, 1], [1, 1]], name: `${spec.name}_pad` }), x);
    padding = 'valid';
  }
  const layer = spec.kind === 'conv'
    ? tf.layers.conv2d({ filters: w.kernel.shape[3]!, kernelSize: spec.kernelSize, strides, padding, useBias: true, name: spec.name })
    : tf.layers.depthwiseConv2d({ kernelSize: spec.kernelSize, strides, padding, useBias: true, name: spec.name });
  x = apply(layer, x);
  layer.setWeights([w.kernel, w.bias]);
  return spec.leaky ? apply(tf.layers.leakyReLU({ alpha: LEAKY, name: `${spec.name}_leaky` }), x) : x;
}

/** [H, W, C] → [H·W, C/2, 2]: the two halves of the channels interleaved (channel shuffle, groups 2). */
function interleave(x: T, name: string): T {
  const [h, w, c] = dims(x);
  const grouped = apply(tf.layers.reshape({ targetShape: [h * w, 2, c / 2], name: `${name}_groups` }), x);
  return apply(tf.layers.permute({ dims: [1, 3, 2], name: `${name}_shuffle` }), grouped);
}

function channelShuffle(x: T, name: string): T {
  const [h, w, c] = dims(x);
  return apply(tf.layers.reshape({ targetShape: [h, w, c], name: `${name}_shuffled` }), interleave(x, name));
}

/** Channel shuffle then split into halves: [first half, second half] of the shuffled channels. */
function shuffleSplit(x: T, name: string): [T, T] {
  const [h, w, c] = dims(x);
  const mixed = interleave(x, name);
  const q = c / 4;
  const half = (crop: [number, number], part: string): T => {
    const cut = apply(tf.layers.cropping2D({ cropping: [[0, 0], crop], name: `${name}_${part}_crop` }), mixed);
    return apply(tf.layers.reshape({ targetShape: [h, w, c / 2], name: `${name}_${part}` }), cut);
  };
  return [half([0, q], 'x1'), half([q, 0], 'x2')];
}

/** ShuffleNetV2 unit; a stride-2 unit has two branches, a stride-1 unit keeps half its (shuffled) input. */
function shuffleUnit(x: T, g: GraphConvs, out: number, stride: 1 | 2, name: string): T {
  const half = out / 2;
  let keep: T;
  let branch: T;
  if (stride === 2) {
    // the graph numbers branch1's convs first
    keep = graphConv(x, g, { kind: 'dw', name: `${name}_b1_dw`, kernelSize: 3, strides: 2, leaky: false });
    keep = graphConv(keep, g, { kind: 'conv', name: `${name}_b1_pw`, kernelSize: 1, leaky: true });
    branch = x;
  } else {
    [keep, branch] = shuffleSplit(x, `${name}_in`);
  }
  branch = graphConv(branch, g, { kind: 'conv', name: `${name}_b2_pw1`, kernelSize: 1, leaky: true });
  branch = graphConv(branch, g, { kind: 'dw', name: `${name}_b2_dw`, kernelSize: 3, strides: stride, leaky: false });
  branch = graphConv(branch, g, { kind: 'conv', name: `${name}_b2_pw2`, kernelSize: 1, leaky: true });
  if (dims(branch)[2] !== half) throw new Error(`nanodet: ${name} gives ${dims(branch)[2]} channels, expected ${half}`);
  return apply(tf.layers.concatenate({ axis: -1, name: `${name}_concat` }), [keep, branch]);
}

/** ShuffleNetV2 1.0x on the normalised input: the stage outputs at strides 8, 16, 32. */
function shufflenet(x: T, g: GraphConvs): T[] {
  x = graphConv(x, g, { kind: 'conv', name: 'nanodet_stem_conv', kernelSize: 3, strides: 2, leaky: true });
  if (dims(x)[2] !== STEM_CHANNELS) throw new Error(`nanodet: stem has ${dims(x)[2]} channels, expected ${STEM_CHANNELS}`);
  x = apply(tf.layers.maxPooling2d({ poolSize: 3, strides: 1, padding: 'same', name: 'nanodet_stem_pool' }), x);
  x = apply(tf.layers.maxPooling2d({ poolSize: 1, strides: 2, padding: 'valid', name: 'nanodet_stem_pool_s2' }), x);
  const outs: T[] = [];
  STAGE_UNITS.forEach((units, s) => {
    for (let u = 0; u < units; u++) x = shuffleUnit(x, g, STAGE_CHANNELS[s], u === 0 ? 2 : 1, `nanodet_s${s + 2}_u${u + 1}`);
    x = channelShuffle(x, `nanodet_s${s + 2}_out`);
    outs.push(x);
  });
  return outs;
}

/** Repeats the first and last row and column once (replicate padding by 1). */
function replicatePad1(x: T, name: string): T {
  const [h, w] = dims(x);
  const crop = (cropping: [[number, number], [number, number]], part: string): T => apply(tf.layers.cropping2D({ cropping, name: `${name}_${part}` }), x);
  const rows = apply(tf.layers.concatenate({ axis: 1, name: `${name}_rows` }), [crop([[0, h - 1], [0, 0]], 'top'), x, crop([[h - 1, 0], [0, 0]], 'bottom')]);
  const col = (cropping: [number, number], part: string): T => apply(tf.layers.cropping2D({ cropping: [[0, 0], cropping], name: `${name}_${part}` }), rows);
  return apply(tf.layers.concatenate({ axis: 2, name: `${name}_cols` }), [col([0, w - 1], 'left'), rows, col([w - 1, 0], 'right')]);
}

/**
 * Bilinear 2× upsampling with half-pixel centres (PyTorch align_corners=False), exactly: output
 * pixel j of a row is ¼·x[k−1] + ¾·x[k] (j = 2k) or ¾·x[k] + ¼·x[k+1] (j = 2k+1), edges clamped.
 * That is a 4×4/2 average over the 4× nearest upsampling of x with one replicated pixel around it:
 * replicate-pad x by 1, upsample 4×, crop 3 on every side, 'valid' 4×4/2 average pooling.
 */
function bilinearUp2(x: T, name: string): T {
  const padded = replicatePad1(x, `${name}_edge`);
  const up = apply(tf.layers.upSampling2d({ size: [4, 4], name: `${name}_up4` }), padded);
  const cut = apply(tf.layers.cropping2D({ cropping: [[3, 3], [3, 3]], name: `${name}_crop` }), up);
  return apply(tf.layers.averagePooling2d({ poolSize: 4, strides: 2, padding: 'valid', name: `${name}_avg` }), cut);
}

/** Bilinear ½ downsampling with half-pixel centres of an even-sized map: 2×2 average pooling. */
function bilinearDown2(x: T, name: string): T {
  return apply(tf.layers.averagePooling2d({ poolSize: 2, strides: 2, padding: 'valid', name }), x);
}

/** NanoDet v0.x PAN: 1×1 laterals, top-down (up + add), then bottom-up (down + add). */
function pan(levels: T[], g: GraphConvs): T[] {
  const strides = NANODET_STRIDES;
  const lat = levels.map((l, i) => graphConv(l, g, { kind: 'conv', name: `yolo_nd_lat_s${strides[i]}`, kernelSize: 1, leaky: false }));
  const add = (a: T, b: T, name: string): T => apply(tf.layers.add({ name }), [a, b]);
  const p5 = lat[2];
  const p4 = add(lat[1], bilinearUp2(p5, 'yolo_nd_up_s16'), 'yolo_nd_td_s16');
  const p3 = add(lat[0], bilinearUp2(p4, 'yolo_nd_up_s8'), 'yolo_nd_td_s8');
  const n4 = add(p4, bilinearDown2(p3, 'yolo_nd_down_s16'), 'yolo_nd_bu_s16');
  const n5 = add(p5, bilinearDown2(n4, 'yolo_nd_down_s32'), 'yolo_nd_bu_s32');
  return [p3, n4, n5];
}

export interface NanodetHeadOptions {
  /**
   * Classes of the class output. NANODET_COCO_CLASSES with `cocoClasses` keeps COCO's class conv;
   * otherwise the class conv is new (N(0, 0.01) kernel, bias `clsBiasInit`, as the point head's).
   */
  numClasses: number;
  cocoClasses?: boolean;
  clsBiasInit?: number;
  seeds?: InitSeeds;
}

/**
 * The whole network on `input` (NHWC RGB 0..255, square, a multiple of 32): [batch, N, C + 32]
 * raw outputs in the point head's layout (class logits, then 4 sides × 8 distance logits), the
 * stride-8 points first. The 32 box-distribution channels always keep NanoDet's COCO weights.
 */
export function nanodetPointOutput(input: T, weights: NanodetWeights, options: NanodetHeadOptions): T {
  const [size, width, channels] = dims(input);
  if (size !== width || size % 32 !== 0 || channels !== 3) throw new Error(`nanodet: the input must be square RGB with a side that is a multiple of 32, got ${size}×${width}×${channels}`);
  const C = options.numClasses;
  const coco = options.cocoClasses === true;
  if (coco && C !== NANODET_COCO_CLASSES) throw new Error(`nanodet: the COCO class conv has ${NANODET_COCO_CLASSES} classes, not ${C}`);
  const seeds = options.seeds ?? initSeeds();
  const g = new GraphConvs(weights);

  const norm = tf.layers.conv2d({ filters: 3, kernelSize: 1, useBias: true, trainable: false, name: NANODET_PIXEL_LAYER });
  const x = apply(norm, input);
  // output channel o (B, G, R) = (input channel 2 − o − mean[o]) / std[o]
  const k = new Float32Array(9);
  for (let o = 0; o < 3; o++) k[(2 - o) * 3 + o] = 1 / NANODET_STD_BGR[o];
  tf.tidy(() => norm.setWeights([tf.tensor4d(k, [1, 1, 3, 3]), tf.tensor1d(NANODET_MEAN_BGR.map((m, o) => -m / NANODET_STD_BGR[o]))]));

  const levels = pan(shufflenet(x, g), g);
  const R = NANODET_REG_BINS;
  const outputs = levels.map((level, i) => {
    const s = NANODET_STRIDES[i];
    let h = level;
    for (let k2 = 1; k2 <= 2; k2++) {
      h = graphConv(h, g, { kind: 'dw', name: `yolo_nd_head${k2}_dw_s${s}`, kernelSize: 3, leaky: true });
      h = graphConv(h, g, { kind: 'conv', name: `yolo_nd_head${k2}_pw_s${s}`, kernelSize: 1, leaky: true });
    }
    const gfl = g.next('conv');
    if (gfl.kernel.shape[3] !== NANODET_COCO_CLASSES + 4 * R) throw new Error(`nanodet: ${gfl.node} has ${gfl.kernel.shape[3]} outputs, expected ${NANODET_COCO_CLASSES + 4 * R}`);
    const clsLayer = tf.layers.conv2d({
      filters: C, kernelSize: 1, useBias: true, name: `yolo_cls_out_s${s}`,
      kernelInitializer: tf.initializers.randomNormal({ mean: 0, stddev: 0.01, seed: seeds() }),
      biasInitializer: tf.initializers.constant({ value: options.clsBiasInit ?? -4.6 }),
    });
    const cls = apply(clsLayer, h);
    const regLayer = tf.layers.conv2d({ filters: 4 * R, kernelSize: 1, useBias: true, name: `yolo_reg_out_s${s}` });
    const reg = apply(regLayer, h);
    tf.tidy(() => {
      const inC = gfl.kernel.shape[2]!;
      if (coco) clsLayer.setWeights([gfl.kernel.slice([0, 0, 0, 0], [1, 1, inC, C]), gfl.bias.slice([0], [C])]);
      regLayer.setWeights([gfl.kernel.slice([0, 0, 0, NANODET_COCO_CLASSES], [1, 1, inC, 4 * R]), gfl.bias.slice([NANODET_COCO_CLASSES], [4 * R])]);
    });
    const both = apply(tf.layers.concatenate({ axis: -1, name: `yolo_out_s${s}` }), [cls, reg]);
    const n = size / s;
    return apply(tf.layers.reshape({ targetShape: [n * n, C + 4 * R], name: `yolo_flat_s${s}` }), both);
  });
  return apply(tf.layers.concatenate({ axis: 1, name: POINT_OUTPUT_LAYER_NAME }), outputs);
}

/** NanoDet-m with its COCO head as a LayersModel: input [batch, size, size, 3] RGB 0..255, output [batch, N, 80 + 32] logits. */
export function buildNanodetCoco(inputSize: number, weights: NanodetWeights): tf.LayersModel {
  const input = tf.input({ shape: [inputSize, inputSize, 3], name: 'image' });
  const output = nanodetPointOutput(input, weights, { numClasses: NANODET_COCO_CLASSES, cocoClasses: true });
  return tf.model({ inputs: input, outputs: output, name: 'nanodet_m_coco' });
}
