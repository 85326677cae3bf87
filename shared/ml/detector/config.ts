/**
 * Detector configuration: types, presets and validation.
 *
 * A detector is a backbone and one of two heads:
 * - YOLOv2 (presets tiny, darknet19, mobilenet): a backbone with total stride 32, optional neck
 *   convs, and a 1×1 conv head with A × (5 + C) outputs per grid cell (see layout.ts for the
 *   channel order). grid = inputSize / 32. Anchors are (w, h) in grid units for that grid.
 * - points (presets mobilenet-fpn, nanodet-m): anchor-free, multi-scale (strides 8, 16, 32); see points.ts.
 */
import type { Anchor } from './box';
import type { ResizeMode } from '../preprocess';

/** Tiny backbone: one 3×3 conv + BN + leaky ReLU per entry of `widths`; a 2×2 max-pool follows each of the first five. */
export interface TinyBackboneConfig {
  kind: 'tiny';
  widths: number[];
}

/**
 * Darknet-19 backbone as in YOLOv2 (and the seed notebook's "Full YOLO"), without the passthrough
 * (reorg) layer, which tfjs layers cannot express. `widthMultiplier` scales every filter count.
 */
export interface Darknet19BackboneConfig {
  kind: 'darknet19';
  widthMultiplier: number;
}

/**
 * ImageNet-pretrained MobileNet v1 backbone cut at `cutLayer` (a layer name of the Keras model,
 * e.g. 'conv_pw_13_relu' at stride 32 or 'conv_pw_11_relu' at stride 16, which gets a stride-2
 * conv to reach stride 32). The weights come from a tfjs LayersModel loaded by shared/ml/backbone.
 * `freezeEpochs`: epochs the backbone stays frozen before fine-tuning (the trainer applies it).
 * `foldBatchNorm`: fold the backbone's BatchNorm into its convs, so a frozen backbone really is
 * frozen (tfjs BatchNorm ignores `trainable` and uses batch statistics when training).
 */
export interface MobileNetBackboneConfig {
  kind: 'mobilenet';
  cutLayer: string;
  freezeEpochs: number;
  foldBatchNorm: boolean;
}

/**
 * NanoDet-m (ShuffleNetV2 1.0x + PAN, COCO-trained; shared/ml/backbone/nanodet.ts) with its GFL
 * head: the weights come from the model zoo's NanoDet-m GraphModel. Only the point head with
 * nanodetPointHead()'s fixed shape goes with it. `freezeEpochs`: epochs the ShuffleNet part stays
 * frozen (neck and head train).
 */
export interface NanodetBackboneConfig {
  kind: 'nanodet';
  freezeEpochs: number;
}

export type BackboneConfig = TinyBackboneConfig | Darknet19BackboneConfig | MobileNetBackboneConfig | NanodetBackboneConfig;

/** The backbones that start from pretrained weights and can be frozen for `freezeEpochs`. */
export type PretrainedBackboneConfig = MobileNetBackboneConfig | NanodetBackboneConfig;

export function isPretrainedBackbone(backbone: BackboneConfig): backbone is PretrainedBackboneConfig {
  return backbone.kind === 'mobilenet' || backbone.kind === 'nanodet';
}

/** The YOLOv2 head: one stride-32 grid, anchors, objectness (the seed's presets). `kind` is absent in models saved before the point head existed. */
export interface YoloV2HeadConfig {
  kind?: 'yolov2';
  /** 3×3 conv + BN + leaky ReLU layers between the backbone and the 1×1 output conv. */
  neckFilters: number[];
  /** Initial bias of the objectness logits (−4 ≈ 1.8 %: few false objects at the start). */
  objectnessBiasInit: number;
}

/**
 * The anchor-free head (GFL / YOLOv8 style): backbone features at `strides` (8, 16, 32) through an
 * FPN + PAN neck of `width` channels, then per level a decoupled head (a class tower and a box
 * tower of `towerConvs` depthwise-separable convs each). Every point of every level predicts C
 * class logits (quality scores: trained towards the IoU of its box) and, per box side (left, top,
 * right, bottom), `regBins` logits of a distribution over distances 0 … regBins − 1 strides (the
 * box is the expectation; distribution focal loss). See points.ts for the output layout.
 */
export interface PointHeadConfig {
  kind: 'points';
  strides: number[];
  width: number;
  towerConvs: number;
  regBins: number;
  /** Initial bias of the class logits (−4.6 ≈ 1 %). */
  clsBiasInit: number;
}

export type HeadConfig = YoloV2HeadConfig | PointHeadConfig;

export function isPointHead(head: HeadConfig): head is PointHeadConfig {
  return head.kind === 'points';
}

export interface DetectorConfig {
  /** Square model input side in pixels; a multiple of 32. */
  inputSize: number;
  numClasses: number;
  /** (w, h) in grid units of this config's grid (inputSize / 32); empty for the point head (anchor-free). */
  anchors: Anchor[];
  backbone: BackboneConfig;
  head: HeadConfig;
  /** How photos are fitted into the input (trainer and renderer must agree). */
  resizeMode: ResizeMode;
}

export type PresetName = 'tiny' | 'darknet19' | 'mobilenet' | 'mobilenet-fpn' | 'nanodet-m';

export const STRIDE = 32;

/** YOLOv2 VOC anchors (darknet yolo-voc.cfg), in grid units of a 13×13 grid. */
export const YOLOV2_VOC_ANCHORS_13: Anchor[] = [
  [1.3221, 1.73145],
  [3.19275, 4.00944],
  [5.05587, 8.09892],
  [9.47112, 4.84053],
  [11.2364, 10.0071],
];

/** Re-expresses anchors given for one grid size in the units of another (same image fraction). */
export function rescaleAnchors(anchors: readonly Anchor[], fromGrid: number, toGrid: number): Anchor[] {
  return anchors.map(([w, h]) => [(w * toGrid) / fromGrid, (h * toGrid) / fromGrid] as const);
}

/**
 * Default input side: 416 (the seed's) where training runs on an accelerator, 224 on CPU
 * backends (cpu, wasm, tfjs-node without CUDA), where 416 costs 3.5× the compute.
 */
export function defaultInputSize(accelerated: boolean): number {
  return accelerated ? 416 : 224;
}

export function gridSizeOf(config: Pick<DetectorConfig, 'inputSize'>): number {
  return config.inputSize / STRIDE;
}

export interface PresetOptions {
  numClasses: number;
  inputSize?: number;
  /** Anchors in grid units of the resulting grid; default: YOLOv2 VOC anchors rescaled. */
  anchors?: Anchor[];
  /** Used for the default input size when inputSize is not given. */
  accelerated?: boolean;
}

export function detectorPreset(name: PresetName, options: PresetOptions): DetectorConfig {
  const inputSize = options.inputSize ?? defaultInputSize(options.accelerated ?? false);
  const grid = inputSize / STRIDE;
  const anchors = options.anchors ?? rescaleAnchors(YOLOV2_VOC_ANCHORS_13, 13, grid);
  const common = { inputSize, numClasses: options.numClasses, anchors, resizeMode: 'letterbox' as const };
  let config: DetectorConfig;
  switch (name) {
    case 'tiny':
      config = {
        ...common,
        backbone: { kind: 'tiny', widths: [16, 32, 64, 128, 256, 256] },
        head: { neckFilters: [], objectnessBiasInit: -4 },
      };
      break;
    case 'darknet19':
      config = {
        ...common,
        backbone: { kind: 'darknet19', widthMultiplier: 1 },
        head: { neckFilters: [1024, 1024], objectnessBiasInit: -4 },
      };
      break;
    case 'mobilenet':
      config = {
        ...common,
        backbone: { kind: 'mobilenet', cutLayer: 'conv_pw_13_relu', freezeEpochs: 3, foldBatchNorm: true },
        head: { neckFilters: [256], objectnessBiasInit: -4 },
      };
      break;
    case 'mobilenet-fpn':
      config = {
        ...common,
        anchors: [],
        backbone: { kind: 'mobilenet', cutLayer: 'conv_pw_13_relu', freezeEpochs: 3, foldBatchNorm: true },
        head: pointHeadFor(inputSize),
      };
      break;
    case 'nanodet-m':
      config = { ...common, anchors: [], backbone: { kind: 'nanodet', freezeEpochs: 3 }, head: nanodetPointHead() };
      break;
    default:
      throw new Error(`detectorPreset: unknown preset '${String(name)}' (expected tiny, darknet19, mobilenet, mobilenet-fpn or nanodet-m)`);
  }
  validateDetectorConfig(config);
  return config;
}

/**
 * The point head of the mobilenet-fpn preset. regBins covers a box side of half the input at
 * stride 32 (8 bins up to 448 px: a 224-px half side is 7 strides).
 */
export function pointHeadFor(inputSize: number): PointHeadConfig {
  return { kind: 'points', strides: [8, 16, 32], width: 64, towerConvs: 2, regBins: Math.max(8, Math.ceil(inputSize / 64) + 1), clsBiasInit: -4.6 };
}

/**
 * The point head of the nanodet-m preset: NanoDet-m's own (strides 8/16/32, 96 channels, two
 * depthwise-separable convs per level, 8 distance bins as its COCO weights have).
 */
export function nanodetPointHead(): PointHeadConfig {
  return { kind: 'points', strides: [8, 16, 32], width: 96, towerConvs: 2, regBins: 8, clsBiasInit: -4.6 };
}

export class DetectorConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid detector config: ${problems.join('; ')}`);
    this.name = 'DetectorConfigError';
  }
}

const isPositiveInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v > 0;

/** Throws DetectorConfigError listing every problem found. */
export function validateDetectorConfig(config: DetectorConfig): void {
  const problems: string[] = [];
  if (!isPositiveInt(config.inputSize) || config.inputSize % STRIDE !== 0) {
    problems.push(`inputSize must be a positive multiple of ${STRIDE}, got ${config.inputSize}`);
  }
  if (!isPositiveInt(config.numClasses)) problems.push(`numClasses must be a positive integer, got ${config.numClasses}`);
  const points = config.head?.kind === 'points';
  if (!Array.isArray(config.anchors) || (!points && config.anchors.length === 0)) {
    problems.push('anchors must be a non-empty list of [w, h] in grid units');
  } else {
    config.anchors.forEach((a, i) => {
      if (!Array.isArray(a) || a.length !== 2 || !a.every((v) => Number.isFinite(v) && v > 0)) {
        problems.push(`anchors[${i}] must be [w, h] with positive finite values, got ${JSON.stringify(a)}`);
      }
    });
  }
  if (config.resizeMode !== 'letterbox' && config.resizeMode !== 'stretch') {
    problems.push(`resizeMode must be 'letterbox' or 'stretch', got ${String(config.resizeMode)}`);
  }
  const b = config.backbone;
  if (b?.kind === 'tiny') {
    if (!Array.isArray(b.widths) || b.widths.length < 5 || !b.widths.every(isPositiveInt)) {
      problems.push('tiny backbone widths must be at least 5 positive integers (one per stride-2 stage)');
    }
  } else if (b?.kind === 'darknet19') {
    if (!(b.widthMultiplier > 0)) problems.push(`darknet19 widthMultiplier must be > 0, got ${b.widthMultiplier}`);
  } else if (b?.kind === 'mobilenet') {
    if (typeof b.cutLayer !== 'string' || b.cutLayer === '') problems.push('mobilenet cutLayer must be a layer name');
    if (!Number.isInteger(b.freezeEpochs) || b.freezeEpochs < 0) problems.push(`mobilenet freezeEpochs must be an integer ≥ 0, got ${b.freezeEpochs}`);
  } else if (b?.kind === 'nanodet') {
    if (!Number.isInteger(b.freezeEpochs) || b.freezeEpochs < 0) problems.push(`nanodet freezeEpochs must be an integer ≥ 0, got ${b.freezeEpochs}`);
    const n = nanodetPointHead();
    const h = config.head;
    if (h?.kind !== 'points' || h.strides.join() !== n.strides.join() || h.width !== n.width || h.towerConvs !== n.towerConvs || h.regBins !== n.regBins) {
      problems.push(`the nanodet backbone takes only its own point head (strides ${n.strides.join('/')}, width ${n.width}, towerConvs ${n.towerConvs}, regBins ${n.regBins})`);
    }
  } else {
    problems.push(`backbone.kind must be tiny, darknet19, mobilenet or nanodet, got ${String((b as { kind?: unknown } | undefined)?.kind)}`);
  }
  const h = config.head;
  if (h?.kind === 'points') {
    if (!Array.isArray(h.strides) || h.strides.length === 0 || !h.strides.every((v) => [8, 16, 32].includes(v)) || new Set(h.strides).size !== h.strides.length) {
      problems.push('head.strides must be distinct values among 8, 16 and 32');
    } else if (h.strides.some((v, i) => i > 0 && v <= h.strides[i - 1])) problems.push('head.strides must be increasing');
    if (!isPositiveInt(h.width)) problems.push(`head.width must be a positive integer, got ${h.width}`);
    if (!Number.isInteger(h.towerConvs) || h.towerConvs < 0) problems.push(`head.towerConvs must be an integer ≥ 0, got ${h.towerConvs}`);
    if (!Number.isInteger(h.regBins) || h.regBins < 2) problems.push(`head.regBins must be an integer ≥ 2, got ${h.regBins}`);
    if (!Number.isFinite(h.clsBiasInit)) problems.push('head.clsBiasInit must be finite');
    if (b?.kind === 'darknet19') problems.push('the point head takes a tiny or mobilenet backbone');
  } else if (!h || (h.kind !== undefined && h.kind !== 'yolov2')) {
    problems.push(`head.kind must be 'yolov2' or 'points', got ${String((h as { kind?: unknown } | undefined)?.kind)}`);
  } else if (!Array.isArray(h.neckFilters) || !h.neckFilters.every(isPositiveInt)) {
    problems.push('head.neckFilters must be a list of positive integers');
  } else if (!Number.isFinite(h.objectnessBiasInit)) {
    problems.push('head.objectnessBiasInit must be finite');
  }
  if (problems.length > 0) throw new DetectorConfigError(problems);
}
