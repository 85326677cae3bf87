/**
 * The classifier setup form's model: field values as typed (strings) → the `classifier` config of
 * train.start, validated with the API's schema (classifierStartSchema), one message per field.
 */
import { classifierStartSchema, type ClassifierStartConfig } from '../../../shared/api/train';
import { CLASSIFIER_PRESET_NAMES, type ClassifierPresetChoice } from '../../../shared/training/classifier';
import type { BackendAvailability } from '../../../shared/api';
import { checkRunNameAndBackend, numberFieldParser, type FieldErrors } from './setup-form';

export interface ClassifySetupValues {
  name: string;
  /** A folder with one sub-folder per class, the opened project's box crops, or IDX files (MNIST format). */
  sourceKind: 'folder' | 'crops' | 'idx';
  folder: string;
  padding: string;
  /** The folder of train-images-idx3-ubyte(.gz), train-labels…, t10k-images…, t10k-labels…. */
  idxDir: string;
  /** Empty = every train image. */
  trainLimit: string;
  preset: ClassifierPresetChoice;
  /** Square input side in px; empty = chosen from the images. */
  inputSize: string;
  epochs: string;
  batchSize: string;
  /** Empty = the preset's. */
  learningRate: string;
  optimizer: 'preset' | 'adam' | 'adagrad';
  balance: 'none' | 'weights' | 'oversample';
  patience: string;
  backend: 'auto' | BackendAvailability['name'];
}

export const CLASSIFY_PRESETS: { name: ClassifierPresetChoice; label: string }[] = CLASSIFIER_PRESET_NAMES.map((name) => ({
  name,
  label: name === 'fashion-mnist-cnn' ? 'fashion-mnist-cnn (small CNN, 28 px)'
    : name === 'sports-cnn' ? 'sports-cnn (photos, Adagrad)'
      : name === 'deep-cnn' ? 'deep-cnn (more layers)'
        : 'mobilenet-embeddings (ImageNet features + head)',
}));

/** The form field that carries each source's main setting (where the schema's source errors go). */
const SOURCE_FIELD = { folder: 'folder', crops: 'padding', idx: 'idxDir' } as const;

export function defaultClassifySetup(): ClassifySetupValues {
  return {
    name: '', sourceKind: 'folder', folder: '', padding: '0.1', idxDir: '', trainLimit: '', preset: 'fashion-mnist-cnn', inputSize: '', epochs: '10', batchSize: '32',
    learningRate: '', optimizer: 'preset', balance: 'none', patience: '0', backend: 'auto',
  };
}

export function buildClassifierConfig(v: ClassifySetupValues, backends: BackendAvailability[] | null): { config: ClassifierStartConfig | null; errors: FieldErrors } {
  const errors: FieldErrors = {};
  const parse = numberFieldParser(errors);
  const num = (field: keyof ClassifySetupValues, opts: { int?: boolean; optional?: boolean } = {}): number | undefined => parse(field, String(v[field]), opts);
  checkRunNameAndBackend(v.name, v.backend, backends, errors);
  let source: ClassifierStartConfig['source'] | undefined;
  if (v.sourceKind === 'folder') {
    if (!v.folder.trim()) errors.folder = 'the folder that holds one sub-folder per class';
    else source = { kind: 'folder', dir: v.folder.trim() };
  } else if (v.sourceKind === 'idx') {
    const trainLimit = num('trainLimit', { int: true, optional: true });
    if (!v.idxDir.trim()) errors.idxDir = 'the folder that holds the IDX files (train-images-idx3-ubyte…)';
    else source = { kind: 'idx', dir: v.idxDir.trim(), ...(trainLimit !== undefined ? { trainLimit } : {}) };
  } else {
    const padding = num('padding');
    if (padding !== undefined) source = { kind: 'crops', padding };
  }
  const side = num('inputSize', { int: true, optional: true });
  // IDX images are grayscale; photos are colour (a grayscale photo set is detected by the trainer when no size is given)
  const channels: 1 | 3 = v.sourceKind === 'idx' ? 1 : 3;
  const config: Record<string, unknown> = {
    source,
    preset: v.preset,
    ...(side !== undefined && v.preset !== 'mobilenet-embeddings' ? { inputShape: [side, side, channels] } : {}),
    epochs: num('epochs', { int: true }),
    batchSize: num('batchSize', { int: true }),
    learningRate: num('learningRate', { optional: true }),
    ...(v.optimizer !== 'preset' ? { optimizer: v.optimizer } : {}),
    balance: v.balance,
    patience: num('patience', { int: true }),
    backend: v.backend,
  };
  for (const k of Object.keys(config)) if (config[k] === undefined) delete config[k];
  if (source) {
    const parsed = classifierStartSchema.safeParse(config);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        const key = String(issue.path[0] ?? 'form');
        const field = key === 'inputShape' ? 'inputSize' : key === 'source' ? SOURCE_FIELD[v.sourceKind] : key;
        errors[field] ??= issue.message;
      }
    }
  }
  return { config: Object.keys(errors).length ? null : (config as ClassifierStartConfig), errors };
}
