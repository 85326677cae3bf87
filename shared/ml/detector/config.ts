/**
 * Detector configuration: types, presets and validation.
 *
 * A detector is a YOLOv2-style network: a backbone with total stride 32, optional neck convs,
 * and a 1×1 conv head with A × (5 + C) outputs per grid cell (see layout.ts for the channel
 * order). grid = inputSize / 32. Anchors are (w, h) in grid units for that grid.
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

export type BackboneConfig = TinyBackboneConfig | Darknet19BackboneConfig | MobileNetBackboneConfig;

export interface HeadConfig {
  /** 3×3 conv + BN + leaky ReLU layers between the backbone and the 1×1 output conv. */
  neckFilters: number[];
  /** Initial bias of the objectness logits (−4 ≈ 1.8 %: few false objects at the start). */
  objectnessBiasInit: number;
}

export interface DetectorConfig {
  /** Square model input side in pixels; a multiple of 32. */
  inputSize: number;
  numClasses: number;
  /** (w, h) in grid units of this config's grid (inputSize / 32). */
  anchors: Anchor[];
  backbone: BackboneConfig;
  head: HeadConfig;
  /** How photos are fitted into the input (trainer and renderer must agree). */
  resizeMode: ResizeMode;
}

export type PresetName = 'tiny' | 'darknet19' | 'mobilenet';

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
    default:
      throw new Error(`detectorPreset: unknown preset '${String(name)}' (expected tiny, darknet19 or mobilenet)`);
  }
  validateDetectorConfig(config);
  return config;
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
  if (!Array.isArray(config.anchors) || config.anchors.length === 0) {
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
  } else {
    problems.push(`backbone.kind must be tiny, darknet19 or mobilenet, got ${String((b as { kind?: unknown } | undefined)?.kind)}`);
  }
  if (!config.head || !Array.isArray(config.head.neckFilters) || !config.head.neckFilters.every(isPositiveInt)) {
    problems.push('head.neckFilters must be a list of positive integers');
  } else if (!Number.isFinite(config.head.objectnessBiasInit)) {
    problems.push('head.objectnessBiasInit must be finite');
  }
  if (problems.length > 0) throw new DetectorConfigError(problems);
}
