/**
 * Detect view state: which model is loaded (the project's active model, a ready-made zoo model or a
 * folder the user picked), the inference backend in use, and the postprocess settings (score and
 * NMS IoU thresholds, class filter) that every mode applies to its cached raw outputs.
 * The model is loaded once and reused by all modes (and by pre-labeling in the Label view).
 */
import { create } from 'zustand';
import * as tf from '@tensorflow/tfjs';
import { api, modelFileUrl, projectFileUrl } from '../../client';
import type { Detection } from '../../../shared/ml/detector/box';
import { decodeOutputs, type PostprocessSettings } from '../../../shared/ml/adapters/decode';
import { loadModel, type LoadedModel, type ModelRef } from './engine/load-model';
import { useBestBackend, useBackend, type BackendName } from './engine/backends';
import type { RawFrame } from './engine/run-frame';

export type ModelChoice = { kind: 'active'; project: string } | { kind: 'zoo'; id: string } | { kind: 'folder'; path: string };

const message = (err: unknown): string => (err instanceof Error ? err.message : String(err));

interface DetectState {
  choice: ModelChoice | null;
  model: LoadedModel | null;
  loading: string | null;
  error: string | null;
  backend: BackendName | null;
  backendNote: string | null;
  score: number;
  iou: number;
  /** Class ids hidden by the class filter. */
  hidden: number[];
  mode: 'image' | 'video' | 'webcam';
  tensors: number;
  load(choice: ModelChoice, backend?: BackendName): Promise<LoadedModel | null>;
  switchBackend(name: BackendName): Promise<void>;
  set(p: Partial<Pick<DetectState, 'score' | 'iou' | 'hidden' | 'mode'>>): void;
  toggleClass(id: number): void;
  settings(): PostprocessSettings;
  decode(raw: RawFrame): Detection[];
  sampleMemory(): void;
}

async function resolveRef(choice: ModelChoice): Promise<{ ref: ModelRef; note?: string }> {
  if (choice.kind === 'active') {
    const active = await api.call('model.getActive', { project: choice.project });
    if (!active) throw new Error('this project has no active model yet: train one (or pick a ready-made model)');
    if (active.task !== 'detect') throw new Error(`the active model of run ${active.run} is a ${active.task} model, not a detector`);
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
  mode: 'image',
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
      const a = model.adapter;
      set({ choice, model, loading: null, score: a.defaultScore, iou: a.defaultIou, hidden: [], backendNote: note ?? get().backendNote });
      get().sampleMemory();
      return model;
    } catch (err) {
      set({ loading: null, error: message(err) });
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
        const { score, iou, hidden } = get();
        await get().load(choice);
        set({ score, iou, hidden });
      }
    } catch (err) {
      set({ loading: null, error: message(err), backend: (tf.engine().backendName as BackendName | null) ?? null });
    }
  },

  set: (p) => set(p),
  toggleClass: (id) => set((s) => ({ hidden: s.hidden.includes(id) ? s.hidden.filter((h) => h !== id) : [...s.hidden, id] })),
  settings: () => {
    const { score, iou, hidden, model } = get();
    const classes = hidden.length && model ? new Set(model.adapter.labels.map((_, i) => i).filter((i) => !hidden.includes(i))) : null;
    return { scoreThreshold: score, iouThreshold: iou, classes };
  },
  decode: (raw) => {
    const m = get().model;
    if (!m) return [];
    return decodeOutputs(m.adapter, raw.outputs, raw.geometry, get().settings(), m.yoloSpec);
  },
  sampleMemory: () => set({ tensors: tf.memory().numTensors }),
}));
