/**
 * The Label view's review queue ("find label errors"): the detector of pre-labeling (the Detect
 * view's, else the project's active model) runs here in the page on every labeled image (tiled when pre-labeling's "Tiles" is on); each
 * image's labels and detections go through shared/dataset/review.ts and the findings are ranked
 * into one queue (dismissed ones, .detecta/review.json, left out). A fix goes through the Label
 * editor's commands (one undo step each, autosaved); "keep the label" dismisses the finding.
 */
import { create } from 'zustand';
import { api, projectFileUrl } from '../../client';
import { useLabel } from '../../store/label-store';
import { PAGE_SIZE } from '../../store/label/list-slice';
import { useDetect } from '../detect/detect-store';
import { imageDetections } from '../detect/image-detections';
import type { LoadedDetector } from '../../detect/load-model';
import { errorMessage } from '../../../shared/error-message';
import {
  calibrateConfidence, findingKey, fixEdit, labelNextOrder, rankFindings, REVIEW_MIN_SCORE, reviewImage,
  type LabelNextEntry, type ReviewDetection, type ReviewEdit, type ReviewFinding, type ReviewLabel,
} from '../../../shared/dataset/review';
import type { Command } from '../../store/label/commands';

export type FixAction = 'accept' | 'keep' | 'delete';

interface ReviewState {
  open: boolean;
  project: string | null;
  running: string | null;
  error: string | null;
  /** The queue, most likely errors first (fixed and kept ones leave it). */
  findings: ReviewFinding[];
  labelNext: LabelNextEntry[];
  reviewed: number;
  /** The score from which the model's detections counted as confident (calibrated on the labels). */
  confidence: number | null;
  index: number;
  setOpen(open: boolean): void;
  run(project: string): Promise<void>;
  /** Shows finding i: its image in the editor, its label box selected. */
  show(i: number): Promise<void>;
  fix(action: FixAction): Promise<void>;
  /** Opens an unlabeled image of the "label next" order in the editor. */
  openNext(imageId: string): Promise<void>;
}

async function ensureDetector(project: string): Promise<LoadedDetector> {
  const m = useDetect.getState().model ?? (await useDetect.getState().load({ kind: 'active', project }));
  if (!m) throw new Error(useDetect.getState().error ?? 'no model: train one (Train view) or load a detector in the Detect view');
  if (m.task !== 'detect') throw new Error(`${m.title} is a classifier: the review needs a detector`);
  return m;
}

/** The model's detections on a project image, down to REVIEW_MIN_SCORE (tiled when "Tiles" is on, as pre-labeling). */
const detections = (m: LoadedDetector, url: string): Promise<ReviewDetection[]> => imageDetections(m, url, REVIEW_MIN_SCORE);

/** Makes `imageId` the editor's current image (clearing the list's filter and search when they hide it). */
async function openImage(imageId: string): Promise<boolean> {
  const find = async (): Promise<number> => {
    const st = useLabel.getState();
    for (let i = 0; i < st.total; i++) {
      if (!useLabel.getState().entryAt(i)) await useLabel.getState().ensurePage(Math.floor(i / PAGE_SIZE));
      if (useLabel.getState().entryAt(i)?.id === imageId) return i;
    }
    return -1;
  };
  if (useLabel.getState().current?.id === imageId) return true;
  let i = await find();
  if (i < 0) {
    await useLabel.getState().setSearch('');
    await useLabel.getState().setFilter('all');
    i = await find();
  }
  if (i < 0) return false;
  await useLabel.getState().select(i);
  return useLabel.getState().current?.id === imageId;
}

/** The editor command of a fix (shared fixEdit), in the editor's rectangles. */
export function editCommand(edit: ReviewEdit): Command {
  const rect = (b: { xmin: number; ymin: number; xmax: number; ymax: number }) => ({ x: b.xmin, y: b.ymin, width: b.xmax - b.xmin, height: b.ymax - b.ymin });
  switch (edit.type) {
    case 'add': return { type: 'add', rect: rect(edit.box), label: edit.label };
    case 'setRect': return { type: 'setRect', id: edit.id, rect: rect(edit.box), image: useLabel.getState().imageSize };
    case 'relabel': return { type: 'relabel', id: edit.id, label: edit.label };
    case 'delete': return { type: 'delete', id: edit.id };
  }
}

/** Waits until the editor shows `imageId`'s document (select() loads it asynchronously). */
async function docReady(imageId: string): Promise<boolean> {
  for (let i = 0; i < 100; i++) {
    const s = useLabel.getState();
    if (s.current?.id !== imageId) return false;
    if (s.doc) return true;
    await new Promise((r) => requestAnimationFrame(() => r(null)));
  }
  return false;
}

export const useReview = create<ReviewState>()((set, get) => ({
  open: false,
  project: null,
  running: null,
  error: null,
  findings: [],
  labelNext: [],
  reviewed: 0,
  confidence: null,
  index: 0,
  setOpen: (open) => set({ open }),
  run: async (project) => {
    set({ running: 'Loading the model…', error: null, project, findings: [], labelNext: [], index: 0, reviewed: 0 });
    try {
      const m = await ensureDetector(project);
      const dismissed = new Set((await api.call('review.dismissed', { project })).keys);
      const root = project.replace(/[\\/]+$/, '');
      const labeled = (await api.call('dataset.listImages', { project, filter: 'labeled', limit: 5000 })).items;
      const unlabeled = (await api.call('dataset.listImages', { project, filter: 'unlabeled', limit: 5000 })).items;
      const seen: { imageId: string; labels: ReviewLabel[]; detections: ReviewDetection[] }[] = [];
      let done = 0;
      for (const e of labeled) {
        set({ running: `Reviewing ${++done} / ${labeled.length}…` });
        const dets = await detections(m, projectFileUrl(`${root}/${e.id}`));
        const ann = useLabel.getState().unsaved[e.id]?.doc ?? await api.call('dataset.getAnnotation', { project, imageId: e.id });
        seen.push({ imageId: e.id, labels: ann.boxes.map((b, k) => ({ ...b, key: b.key ?? `o${k}` })), detections: dets });
      }
      const next: { imageId: string; detections: ReviewDetection[] }[] = [];
      done = 0;
      for (const e of unlabeled) {
        set({ running: `Ranking unlabeled ${++done} / ${unlabeled.length}…` });
        next.push({ imageId: e.id, detections: await detections(m, projectFileUrl(`${root}/${e.id}`)) });
      }
      if (get().project !== project) return;
      const confidence = calibrateConfidence(seen);
      const all: ReviewFinding[] = seen.flatMap((im) => reviewImage(im.imageId, im.labels, im.detections, { confidence }));
      set({ findings: rankFindings(all, dismissed), labelNext: labelNextOrder(next), reviewed: labeled.length, confidence, running: null });
      if (get().findings.length) await get().show(0);
    } catch (err) {
      set({ running: null, error: `Review failed: ${errorMessage(err)}` });
    }
  },
  show: async (i) => {
    const f = get().findings[i];
    if (!f) return;
    set({ index: i });
    if (!(await openImage(f.imageId))) { set({ error: `${f.imageId} is no longer in the project` }); return; }
    if (await docReady(f.imageId)) useLabel.getState().setSelected(f.boxId);
  },
  openNext: async (imageId) => {
    set({ error: null });
    if (!(await openImage(imageId))) set({ error: `${imageId} is no longer in the project` });
  },
  fix: async (action) => {
    const { findings, index, project } = get();
    const f = findings[index];
    if (!f || !project) return;
    set({ error: null });
    try {
      if (action === 'keep') {
        await api.call('review.dismiss', { project, keys: [findingKey(f)], dismissed: true });
      } else {
        const edit = fixEdit(f, action);
        if (!edit) return;
        if (!(await openImage(f.imageId)) || !(await docReady(f.imageId))) throw new Error(`cannot open ${f.imageId}`);
        if (!useLabel.getState().run(editCommand(edit))) throw new Error(`the box of this finding is no longer on ${f.imageId}`);
      }
      const rest = findings.filter((_, i) => i !== index);
      set({ findings: rest, index: Math.min(index, Math.max(0, rest.length - 1)) });
      if (rest.length) await get().show(get().index);
    } catch (err) {
      set({ error: `Could not ${action === 'keep' ? 'keep the label' : action} (${f.kind} on ${f.imageId}): ${errorMessage(err)}` });
    }
  },
}));
