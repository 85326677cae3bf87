/**
 * Detect view state: which model is loaded (the project's active model, a ready-made zoo model or a
 * folder the user picked; a detector or a classifier), the inference backend in use, and the
 * postprocess settings every mode applies to its cached frame results: score and NMS IoU
 * thresholds and the class filter for detectors, top-k for classifiers.
 * The model is loaded once and reused by all modes (and by pre-labeling in the Label view).
 */
import { create } from 'zustand';
import * as tf from '@tensorflow/tfjs';
import { api, modelFileUrl, projectFileUrl } from '../../client';
import type { Detection } from '../../../shared/ml/detector/box';
import { decodeOutputs, type PostprocessSettings } from '../../../shared/ml/adapters/decode';
import { topKFromProbabilities, type ClassScore } from '../../../shared/ml/classifier/predict';
import { loadModel, type LoadedModel, type ModelRef } from '../../detect/load-model';
import { useBestBackend, useBackend, type BackendName } from '../../detect/backends';
import type { RawFrame } from '../../detect/run-frame';
import type { FrameResult, Prediction } from '../../detect/predict-frame';
import { errorMessage } from '../../../shared/error-message';
import { decodeTiled } from '../../detect/tiled-frame';
import { DEFAULT_TILE_OVERLAP, type TileOptions } from '../../../shared/ml/detector/tiles';

export type ModelChoice = { kind: 'active'; project: string } | { kind: 'zoo'; id: string } | { kind: 'folder'; path: string };

interface DetectState {
  choice: ModelChoice | null;
  model: LoadedModel | null;
  loading: string | null;
  error: string | null;
  backend: BackendName | null;
  backendNote: string | null;
  score: number;
  iou: number;
  /** Class ids hidden by the class filter (detectors). */
  hidden: number[];
  /** How many classes a classifier's ranking shows. */
  topK: number;
  mode: 'image' | 'video' | 'webcam';
  /** Tiled detection of images (Detect view's image mode, pre-labeling): tile side in pixels, 0 = off. */
  tileSize: number;
  tensors: number;
  load(choice: ModelChoice, backend?: BackendName): Promise<LoadedModel | null>;
  switchBackend(name: BackendName): Promise<void>;
  set(p: Partial<Pick<DetectState, 'score' | 'iou' | 'hidden' | 'topK' | 'mode' | 'tileSize'>>): void;
  /** The tile options of the current setting (undefined when tiles are off or the model is not a detector). */
  tileOptions(): TileOptions | undefined;
  toggleClass(id: number): void;
  settings(): PostprocessSettings;
  /** A detector's boxes from its raw outputs (none when the loaded model is not a detector). */
  decode(raw: RawFrame): Detection[];
  /** A classifier's top-k classes from its probabilities. */
  rank(probs: Float32Array): ClassScore[];
  /** What a frame result shows with the current settings. */
  interpret(result: FrameResult): Prediction;
  sampleMemory(): void;
}

async function resolveRef(choice: ModelChoice): Promise<{ ref: ModelRef; note?: string }> {
  if (choice.kind === 'active') {
    const active = await api.call('model.getActive', { project: choice.project });
    if (!active) throw new Error('this project has no active model yet: train one (or pick a ready-made model)');
    return { ref: { title: `${active.run} (${active.weights})`, modelJson: active.modelJson, format: 'layers', adapter: null, classes: active.classes, urlOf: (p) => projectFileUrl(p) } };
  }
  const loadable = choice.kind === 'zoo' ? await api.call('detect.zooEnsure', { id: choice.id }) : await api.call('detect.openModelFolder', { path: choice.path });
  return {
    ref: { title: loadable.title, modelJson: loadable.modelJson, format: loadable.format, adapter: loadable.adapter, ...(loadable.classes ? { classes: loadable.classes } : {}), urlOf: (p) => modelFileUrl(p) },
    note: loadable.downloaded ? 'downloaded and checked (sha256) into the model cache' : undefined,
  };
}

export const useDetect = create<DetectState>()((set, get) => ({
  choice: null,
  model: null,
  loading: null,
  error: null,
  backend: null,
  backendNote: null,
  score: 0.25,
  iou: 0.45,
  hidden: [],
  topK: 3,
  mode: 'image',
  tileSize: 0,
  tensors: 0,

  async load(choice, backend) {
    set({ loading: choice.kind === 'zoo' ? 'Getting the ready-made model…' : 'Loading the model…', error: null });
    try {
      if (backend) set({ backend: await useBackend(backend), backendNote: null });
      else if (!get().backend) {
        const r = await useBestBackend();
        set({ backend: r.backend, backendNote: r.skipped.length ? `Skipped: ${r.skipped.join('; ')}` : null });
      }
      const { ref, note } = await resolveRef(choice);
      const model = await loadModel(ref);
      get().model?.dispose();
      const defaults = model.task === 'detect'
        ? { score: model.adapter.defaultScore, iou: model.adapter.defaultIou }
        : {};
      set({ choice, model, loading: null, ...defaults, hidden: [], backendNote: note ?? get().backendNote });
      get().sampleMemory();
      return model;
    } catch (err) {
      set({ loading: null, error: errorMessage(err) });
      return null;
    }
  },

  async switchBackend(name) {
    const { choice, model } = get();
    set({ loading: 'Switching backend…', error: null });
    try {
      model?.dispose();
      set({ model: null });
      const backend = await useBackend(name);
      set({ backend, backendNote: null, loading: null });
      if (choice) {
        const { score, iou, hidden, topK } = get();
        await get().load(choice);
        set({ score, iou, hidden, topK });
      }
    } catch (err) {
      set({ loading: null, error: errorMessage(err), backend: (tf.engine().backendName as BackendName | null) ?? null });
    }
  },

  set: (p) => set(p),
  toggleClass: (id) => set((s) => ({ hidden: s.hidden.includes(id) ? s.hidden.filter((h) => h !== id) : [...s.hidden, id] })),
  settings: () => {
    const { score, iou, hidden, model } = get();
    const classes = hidden.length && model?.task === 'detect' ? new Set(model.adapter.labels.map((_, i) => i).filter((i) => !hidden.includes(i))) : null;
    return { scoreThreshold: score, iouThreshold: iou, classes };
  },
  decode: (raw) => {
    const m = get().model;
    if (m?.task !== 'detect') return [];
    return decodeOutputs(m.adapter, raw.outputs, raw.geometry, get().settings(), m.detector);
  },
  rank: (probs) => {
    const m = get().model;
    if (m?.task !== 'classify') return [];
    return topKFromProbabilities(probs, probs.length, m.classifier.classes, get().topK)[0] ?? [];
  },
  tileOptions: () => {
    const { tileSize, model } = get();
    return tileSize > 0 && model?.task === 'detect' ? { tileSize, overlap: DEFAULT_TILE_OVERLAP } : undefined;
  },
  interpret: (result) => {
    if (result.task === 'classify') return { task: 'classify', top: get().rank(result.probs) };
    const m = get().model;
    if (result.tiles && m?.task === 'detect') return { task: 'detect', dets: decodeTiled(m, result.tiles, result.raw.geometry.imageSize, get().settings()) };
    return { task: 'detect', dets: get().decode(result.raw) };
  },
  sampleMemory: () => set({ tensors: tf.memory().numTensors }),
}));
