/**
 * The run setup form's model: field values as the user typed them (strings), turned into a
 * partial train config and validated with the same zod schema the API uses, so every field gets
 * its own message before anything is sent.
 *
 * Time budget (`minutes`, empty = off): the trainer plans the epochs, and the input size, batch
 * size and frozen epochs unless the user typed them (their `…Touched` flags); the form then sends
 * no epochs and leaves those fields out until they are typed.
 */
import { trainConfigSchema, type TrainConfigInput } from '../../../shared/training/types';
import { DEFAULT_AUGMENT_CONFIG, FPN_AUGMENT_CONFIG, resolveAugmentConfig, type AugmentConfig, type AugmentOverrides } from '../../../shared/ml/augment/pipeline';
import type { BackendAvailability } from '../../../shared/api';
import { defaultInputSize } from '../../../shared/ml/detector/config';
import { RUN_NAME, RUN_NAME_RULE } from '../../../shared/training/run-name';

export type AugmentOpName = Exclude<keyof typeof DEFAULT_AUGMENT_CONFIG, 'enabled'>;
export const AUGMENT_OPS = Object.keys(DEFAULT_AUGMENT_CONFIG).filter((k) => k !== 'enabled') as AugmentOpName[];

/** Numeric parameters of an op the form shows (p first); non-numeric ones (box keep rule) keep their defaults. */
export function opParams(op: AugmentOpName): string[] {
  const d = DEFAULT_AUGMENT_CONFIG[op] as unknown as Record<string, unknown>;
  return ['p', ...Object.keys(d).filter((k) => k !== 'p' && k !== 'enabled' && k !== 'padValue' && typeof d[k] === 'number')];
}

export const OP_LABELS: Record<AugmentOpName, string> = {
  scaleCrop: 'Scale / crop', horizontalFlip: 'Horizontal flip', blur: 'Blur', sharpen: 'Sharpen', noise: 'Noise',
  dropout: 'Pixel dropout', brightnessAdd: 'Brightness add', brightnessMultiply: 'Brightness multiply', contrast: 'Contrast',
  mosaic: 'Mosaic', mixup: 'Mixup', hsv: 'HSV jitter',
};

export interface SetupValues {
  name: string;
  preset: 'tiny' | 'darknet19' | 'mobilenet' | 'mobilenet-fpn' | 'nanodet-m';
  inputSize: string;
  /** True once the user typed an input size: the per-backend default no longer applies. */
  inputSizeTouched: boolean;
  epochs: string;
  /** Time budget in minutes; '' = off. */
  minutes: string;
  batchSize: string;
  /** True once the user typed a batch size: with a time budget, it is then theirs, not planned. */
  batchSizeTouched: boolean;
  trainTimes: string;
  learningRate: string;
  lrSchedule: 'cosine' | 'linear' | 'constant';
  warmupEpochs: string;
  finalLrFactor: string;
  clipNorm: string;
  patience: string;
  backend: 'auto' | BackendAvailability['name'];
  anchors: 'kmeans' | 'preset';
  numAnchors: string;
  seed: string;
  valFraction: string;
  evalConfidence: string;
  freezeEpochs: string;
  /** True once the user typed the frozen epochs: with a time budget, they are then theirs, not planned. */
  freezeEpochsTouched: boolean;
  finetuneLrFactor: string;
  backboneCut: string;
  backbone: string;
  tinyWidths: string;
  augment: boolean;
  augmentOps: Record<AugmentOpName, Record<string, string | boolean>>;
}

const D = trainConfigSchema.parse({});

/** Presets that start from pretrained weights: the frozen epochs, fine-tune factor and backbone fields apply. */
export const hasPretrainedBackbone = (preset: SetupValues['preset']): boolean => preset === 'mobilenet' || preset === 'mobilenet-fpn' || preset === 'nanodet-m';

/** Anchor-free point-head presets: no anchors to choose. */
export const isAnchorFree = (preset: SetupValues['preset']): boolean => preset === 'mobilenet-fpn' || preset === 'nanodet-m';

/** The augmentation a preset starts from (the trainer merges the form's changes over it). */
export function presetAugment(preset: SetupValues['preset']): AugmentConfig {
  return preset === 'mobilenet-fpn' || preset === 'nanodet-m' ? FPN_AUGMENT_CONFIG : DEFAULT_AUGMENT_CONFIG;
}

/** The form's augmentation rows for a preset's defaults. */
export function augmentRows(preset: SetupValues['preset']): SetupValues['augmentOps'] {
  const ops = {} as SetupValues['augmentOps'];
  const base = presetAugment(preset);
  for (const op of AUGMENT_OPS) {
    const d = base[op] as unknown as Record<string, number | boolean>;
    ops[op] = { enabled: d.enabled as boolean, ...Object.fromEntries(opParams(op).map((k) => [k, String(d[k])])) };
  }
  return ops;
}

export function defaultSetup(): SetupValues {
  const ops = augmentRows(D.preset);
  return {
    name: '', preset: D.preset, inputSize: '', inputSizeTouched: false, epochs: String(D.epochs), minutes: '', batchSize: String(D.batchSize), batchSizeTouched: false,
    trainTimes: String(D.trainTimes),
    learningRate: String(D.learningRate), lrSchedule: D.lrSchedule, warmupEpochs: String(D.warmupEpochs), finalLrFactor: String(D.finalLrFactor),
    clipNorm: D.clipNorm === null ? '' : String(D.clipNorm), patience: String(D.patience), backend: D.backend, anchors: 'kmeans', numAnchors: String(D.numAnchors),
    seed: String(D.seed), valFraction: String(D.valFraction), evalConfidence: String(D.evalConfidence), freezeEpochs: String(D.freezeEpochs), freezeEpochsTouched: false,
    finetuneLrFactor: String(D.finetuneLrFactor), backboneCut: '', backbone: '', tinyWidths: '', augment: D.augment, augmentOps: ops,
  };
}

/** A time budget is set (the field is not empty). */
export const budgetOn = (v: Pick<SetupValues, 'minutes'>): boolean => v.minutes.trim() !== '';

/** With a time budget, the fields the trainer plans unless the user typed them (untouched or emptied). */
export function plannedFields(v: SetupValues): { epochs: boolean; inputSize: boolean; batchSize: boolean; freezeEpochs: boolean } {
  const on = budgetOn(v);
  const planned = (touched: boolean, text: string): boolean => on && (!touched || text.trim() === '');
  return { epochs: on, inputSize: planned(v.inputSizeTouched, v.inputSize), batchSize: planned(v.batchSizeTouched, v.batchSize), freezeEpochs: planned(v.freezeEpochsTouched, v.freezeEpochs) };
}

/** The backend a run would get: the forced one, or the first available on the ladder. */
export function resolvedBackend(choice: SetupValues['backend'], backends: BackendAvailability[] | null): BackendAvailability['name'] | null {
  if (choice !== 'auto') return choice;
  return backends?.find((b) => b.available)?.name ?? null;
}

/** 416 on a GPU backend, 224 on CPU / wasm (what the trainer picks when the field is left empty). */
export type FieldErrors = Record<string, string>;

/** A parser of numeric text fields that records its complaint in `errors` under the field's key. */
export function numberFieldParser(errors: FieldErrors): (field: string, text: string, opts?: { int?: boolean; optional?: boolean }) => number | undefined {
  return (field, text, opts = {}) => {
    const t = text.trim();
    if (t === '') {
      if (!opts.optional) errors[field] = 'required';
      return undefined;
    }
    const n = Number(t);
    if (!Number.isFinite(n)) { errors[field] = `"${t}" is not a number`; return undefined; }
    if (opts.int && !Number.isInteger(n)) { errors[field] = 'must be a whole number'; return undefined; }
    return n;
  };
}

/** The checks every run form shares: the optional run name and the backend being available here. */
export function checkRunNameAndBackend(name: string, backend: string, backends: BackendAvailability[] | null, errors: FieldErrors): void {
  const n = name.trim();
  if (n && !RUN_NAME.test(n)) errors.name = RUN_NAME_RULE;
  if (backend !== 'auto' && backends && !backends.find((b) => b.name === backend)?.available) errors.backend = `${backend} is not available on this machine`;
}

/** Form values → config + per-field errors (keys: field names, `augmentOps.<op>.<param>`, `augment`). */
export function buildConfig(v: SetupValues, backends: BackendAvailability[] | null): { config: TrainConfigInput | null; errors: FieldErrors } {
  const errors: FieldErrors = {};
  const num = numberFieldParser(errors);
  checkRunNameAndBackend(v.name, v.backend, backends, errors);
  const be = resolvedBackend(v.backend, backends);
  const minutes = num('minutes', v.minutes, { optional: true });
  const planned = plannedFields(v);
  const inputSize = planned.inputSize ? undefined : v.inputSizeTouched ? num('inputSize', v.inputSize, { int: true }) : defaultInputSize(be === 'tensorflow-gpu');
  const clip = v.clipNorm.trim() === '' ? null : num('clipNorm', v.clipNorm);
  let tinyWidths: number[] | undefined;
  if (v.tinyWidths.trim()) {
    const parts = v.tinyWidths.split(/[\s,]+/).filter(Boolean).map(Number);
    if (parts.some((p) => !Number.isInteger(p) || p <= 0)) errors.tinyWidths = 'positive whole numbers separated by commas';
    else tinyWidths = parts;
  }
  const augmentOps: Record<string, Record<string, number | boolean>> = {};
  for (const op of AUGMENT_OPS) {
    const vals = v.augmentOps[op];
    const d = presetAugment(v.preset)[op] as unknown as Record<string, number | boolean>;
    const out: Record<string, number | boolean> = {};
    if (vals.enabled !== d.enabled) out.enabled = Boolean(vals.enabled);
    for (const k of opParams(op)) {
      const n = num(`augmentOps.${op}.${k}`, String(vals[k] ?? ''));
      if (n !== undefined && n !== d[k]) out[k] = n;
    }
    if (Object.keys(out).length) augmentOps[op] = out;
  }
  if (!Object.keys(errors).some((k) => k.startsWith('augmentOps.'))) {
    try {
      resolveAugmentConfig(augmentOps as AugmentOverrides, presetAugment(v.preset));
    } catch (err) {
      errors.augment = err instanceof Error ? err.message : String(err);
    }
  }
  const config: Record<string, unknown> = {
    preset: v.preset,
    inputSize,
    ...(minutes !== undefined ? { minutes } : {}),
    epochs: planned.epochs ? undefined : num('epochs', v.epochs, { int: true }),
    batchSize: planned.batchSize ? undefined : num('batchSize', v.batchSize, { int: true }),
    trainTimes: num('trainTimes', v.trainTimes, { int: true }),
    learningRate: num('learningRate', v.learningRate),
    lrSchedule: v.lrSchedule,
    warmupEpochs: num('warmupEpochs', v.warmupEpochs),
    finalLrFactor: num('finalLrFactor', v.finalLrFactor),
    clipNorm: clip,
    patience: num('patience', v.patience, { int: true }),
    backend: v.backend,
    anchors: v.anchors,
    numAnchors: num('numAnchors', v.numAnchors, { int: true }),
    seed: num('seed', v.seed, { int: true }),
    valFraction: num('valFraction', v.valFraction),
    evalConfidence: num('evalConfidence', v.evalConfidence),
    augment: v.augment,
    ...(Object.keys(augmentOps).length ? { augmentOps } : {}),
    ...(tinyWidths ? { tinyWidths } : {}),
    ...(hasPretrainedBackbone(v.preset)
      ? {
        freezeEpochs: planned.freezeEpochs ? undefined : num('freezeEpochs', v.freezeEpochs, { int: true }), finetuneLrFactor: num('finetuneLrFactor', v.finetuneLrFactor),
        ...(v.backboneCut && v.preset === 'mobilenet' ? { backboneCut: v.backboneCut } : {}), ...(v.backbone.trim() ? { backbone: v.backbone.trim() } : {}),
      }
      : {}),
  };
  for (const k of Object.keys(config)) if (config[k] === undefined) delete config[k];
  const parsed = trainConfigSchema.partial().safeParse(config);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const key = issue.path.map(String).join('.');
      const field = key.startsWith('augmentOps') ? key : String(issue.path[0] ?? 'form');
      errors[field] ??= issue.message;
    }
  }
  return { config: Object.keys(errors).length ? null : (config as TrainConfigInput), errors };
}
