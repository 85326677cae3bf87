/**
 * Label view state: the image list (paged from the dataset index), the filter, the current image,
 * its editable boxes with a per-image undo history, the autosave state, and the canvas view.
 *
 * Saving: every committed edit goes to `dataset.autosave` (debounced and atomic in the dataset
 * core). Until the core reports it saved, the edit is kept here (`unsaved`), so switching images
 * or a failed save never loses it; a failed save is shown and retried with backoff.
 */
import { create } from 'zustand';
import type { BoxAnnotation, ImageAnnotation, ImageEntry, ImageFilter } from '../../shared/api';
import type { SaveState } from '../../shared/api/dataset';
import { api } from '../client';
import { useApp } from './app-store';
import { History, selectionAfter } from '../views/label/undo';
import { fitView, keepInView, minUsefulScale, zoomAt, type Size, type View } from '../views/label/geometry';
import { errorMessage } from '../../shared/error-message';

export const PAGE_SIZE = 500;

export interface Doc {
  boxes: BoxAnnotation[];
  verified: boolean;
}

export type UiSaveState = 'idle' | SaveState;

interface LabelState {
  project: string | null;
  filter: ImageFilter;
  /** File-name search (case-insensitive substring of the image id); '' = all. */
  search: string;
  total: number;
  /** Loaded pages by page index. */
  pages: Record<number, ImageEntry[]>;
  /** Bumped when the list must be refetched (filter change, dataset change). */
  generation: number;
  currentIndex: number;
  current: ImageEntry | null;
  annotation: ImageAnnotation | null;
  annotationError: string | null;
  /** The boxes being edited (the present of the image's history). */
  doc: Doc | null;
  selected: number | null;
  canUndo: boolean;
  canRedo: boolean;
  saveState: UiSaveState;
  saveError: string | null;
  /** An image whose file changed elsewhere while this window had unsaved edits of it (see resolveConflict). */
  conflict: { imageId: string; version: string | null } | null;
  /** When Ctrl+S last saved (ms), for the "Saved" flash; null before. */
  savedAt: number | null;
  /** Class given to the next drawn box (number keys / class list with nothing selected). */
  nextClass: string | null;
  drawMode: boolean;
  hideBoxes: boolean;
  showLabels: boolean;
  brightness: number;
  keepZoom: boolean;
  view: View | null;
  fitMode: 'window' | 'width' | null;
  viewport: Size;
  imageSize: Size | null;

  reset(project: string): Promise<void>;
  setFilter(filter: ImageFilter): Promise<void>;
  setSearch(search: string): Promise<void>;
  ensurePage(page: number): Promise<void>;
  entryAt(index: number): ImageEntry | undefined;
  select(index: number): Promise<void>;
  step(delta: number): Promise<void>;
  nextUnlabeled(): Promise<void>;
  reloadCurrent(): Promise<void>;
  refreshList(): Promise<void>;
  onSaveState(imageId: string, state: SaveState, error?: string, conflict?: { version: string | null }): void;
  /** A conflict's way out: keep this window's edit (written over the other version) or load the other version. */
  resolveConflict(choice: 'mine' | 'theirs'): Promise<void>;

  commit(doc: Doc, selected?: number | null): void;
  undo(): void;
  redo(): void;
  setSelected(i: number | null): void;
  copyPrevious(): Promise<void>;
  setUi(p: Partial<Pick<LabelState, 'drawMode' | 'hideBoxes' | 'showLabels' | 'brightness' | 'keepZoom' | 'nextClass'>>): void;
  setView(view: View, fitMode?: 'window' | 'width' | null): void;
  setViewport(size: Size): void;
  setImageSize(size: Size | null): void;
  fit(mode: 'window' | 'width'): void;
  zoomBy(factor: number, at?: { x: number; y: number }): void;
  /** Scrolls the view by screen pixels, keeping the image in view. */
  panBy(dx: number, dy: number): void;
  /** Ctrl+S: writes pending edits now (the autosave flushes); `savedAt` marks the moment for feedback. */
  saveNow(): Promise<void>;
}

const fail = (what: string, err: unknown): void => useApp.getState().notify('error', `${what}: ${errorMessage(err)}`);
const inFlight = new Set<string>();

/** Undo histories by image id (kept while the project is open). */
const histories = new Map<string, History<Doc>>();
/** Edits not yet confirmed saved, by image id. */
interface Unsaved { doc: Doc; version: number; savingVersion: number; retryMs: number; timer: ReturnType<typeof setTimeout> | null; notified: boolean }
const unsaved = new Map<string, Unsaved>();
let editVersion = 0;
/** This window's id in saves: its own earlier saves never count as changes made elsewhere. */
const CLIENT_ID = crypto.randomUUID();
/** The file version (ImageAnnotation.version) each image's edits were made on. */
const baseVersions = new Map<string, string | null>();

const sameDoc = (a: Doc, b: Doc): boolean => JSON.stringify(a) === JSON.stringify(b);
const docOf = (a: ImageAnnotation): Doc => ({ boxes: a.boxes, verified: a.verified });

export const useLabel = create<LabelState>()((set, get) => {
  const sendSave = (imageId: string): void => {
    const { project } = get();
    const u = unsaved.get(imageId);
    if (!project || !u) return;
    const base = baseVersions.has(imageId) ? { baseVersion: baseVersions.get(imageId) ?? null } : {};
    api.call('dataset.autosave', { project, imageId, boxes: u.doc.boxes, verified: u.doc.verified, client: CLIENT_ID, ...base }).catch((err: unknown) => {
      get().onSaveState(imageId, 'error', errorMessage(err));
    });
  };

  return {
    project: null,
    filter: 'all',
    search: '',
    total: 0,
    pages: {},
    generation: 0,
    currentIndex: -1,
    current: null,
    annotation: null,
    annotationError: null,
    doc: null,
    selected: null,
    canUndo: false,
    canRedo: false,
    saveState: 'idle',
    saveError: null,
    conflict: null,
    savedAt: null,
    nextClass: null,
    drawMode: false,
    hideBoxes: false,
    showLabels: true,
    brightness: 1,
    keepZoom: false,
    view: null,
    fitMode: 'window',
    viewport: { width: 0, height: 0 },
    imageSize: null,

    reset: async (project) => {
      if (get().project !== project) {
        histories.clear();
        for (const u of unsaved.values()) if (u.timer) clearTimeout(u.timer);
        unsaved.clear();
      }
      set({ project, ...(get().project !== project ? { search: '' } : {}), pages: {}, total: 0, currentIndex: -1, current: null, annotation: null, doc: null, selected: null, saveState: 'idle', saveError: null, generation: get().generation + 1 });
      await get().ensurePage(0);
      if (get().total > 0) await get().select(0);
    },
    setSearch: async (search) => {
      if (search === get().search) return;
      set({ search, pages: {}, total: 0, generation: get().generation + 1 });
      await get().ensurePage(0);
      const cur = get().current;
      // keep the image open when it still matches; else open the first match
      if (cur && get().pages[0]?.some((e) => e.id === cur.id)) set({ currentIndex: get().pages[0]!.findIndex((e) => e.id === cur.id) });
      else if (get().total > 0) await get().select(0);
    },
    setFilter: async (filter) => {
      set({ filter, pages: {}, total: 0, generation: get().generation + 1 });
      await get().ensurePage(0);
      if (get().total > 0) await get().select(0);
      else set({ currentIndex: -1, current: null, annotation: null, doc: null, selected: null });
    },
    ensurePage: async (page) => {
      const { project, filter, search, pages, generation } = get();
      const key = `${generation}:${page}`;
      if (!project || pages[page] || inFlight.has(key)) return;
      inFlight.add(key);
      try {
        const res = await api.call('dataset.listImages', { project, offset: page * PAGE_SIZE, limit: PAGE_SIZE, filter, ...(search ? { search } : {}) });
        if (get().generation !== generation) return;
        set((s) => ({ total: res.total, pages: { ...s.pages, [page]: res.items } }));
      } catch (err) {
        fail('Could not list the images', err);
      } finally {
        inFlight.delete(key);
      }
    },
    entryAt: (index) => get().pages[Math.floor(index / PAGE_SIZE)]?.[index % PAGE_SIZE],
    select: async (index) => {
      const { project, total } = get();
      if (!project || index < 0 || index >= total) return;
      await get().ensurePage(Math.floor(index / PAGE_SIZE));
      const entry = get().entryAt(index);
      if (!entry) return;
      const same = get().current?.id === entry.id;
      const keepView = get().keepZoom && get().view;
      const pending = unsaved.get(entry.id);
      set({
        currentIndex: index,
        current: entry,
        ...(same ? {} : {
          annotation: null, annotationError: null, doc: null, selected: null, drawMode: false,
          saveState: pending ? (pending.timer ? 'error' : 'pending') : 'idle', saveError: null,
          fitMode: keepView ? null : (get().fitMode ?? 'window'), imageSize: null,
        }),
      });
      try {
        const annotation = await api.call('dataset.getAnnotation', { project, imageId: entry.id });
        if (get().current?.id !== entry.id) return;
        const u = unsaved.get(entry.id);
        if (!u) baseVersions.set(entry.id, annotation.version);
        const disk = docOf(annotation);
        let h = histories.get(entry.id);
        const shown = u ? u.doc : disk;
        if (!h) {
          h = new History(shown);
          histories.set(entry.id, h);
        } else if (!sameDoc(h.present, shown)) {
          // the file changed (our save rounded the coordinates, a class rename, another program):
          // show it, keeping the undo steps
          h.replacePresent(shown);
        }
        const sel = get().selected;
        set({ annotation, doc: h.present, canUndo: h.canUndo, canRedo: h.canRedo, selected: same && sel !== null && sel < h.present.boxes.length ? sel : null });
      } catch (err) {
        if (get().current?.id === entry.id) set({ annotationError: errorMessage(err) });
      }
    },
    step: async (delta) => {
      const { currentIndex, total, current } = get();
      // When the current image left the filtered list (e.g. it is no longer unlabeled), the next
      // one now sits at its old index.
      const stillThere = get().entryAt(currentIndex)?.id === current?.id;
      const target = delta > 0 && !stillThere ? currentIndex : currentIndex + delta;
      const next = Math.max(0, Math.min(total - 1, target));
      if (next !== currentIndex || !stillThere) await get().select(next);
    },
    nextUnlabeled: async () => {
      const { total, currentIndex } = get();
      for (let i = currentIndex + 1; i < total; i++) {
        await get().ensurePage(Math.floor(i / PAGE_SIZE));
        const e = get().entryAt(i);
        if (e && e.status === 'unlabeled' && !unsaved.has(e.id)) {
          await get().select(i);
          return;
        }
      }
      useApp.getState().notify('info', 'No unlabeled image after this one.');
    },
    reloadCurrent: async () => {
      const { currentIndex } = get();
      await get().refreshList();
      if (currentIndex >= 0) await get().select(Math.min(currentIndex, get().total - 1));
    },
    refreshList: async () => {
      const { currentIndex } = get();
      const keep = get().pages;
      set((s) => ({ generation: s.generation + 1 }));
      const gen = get().generation;
      // refetch the loaded pages, keeping the old rows visible meanwhile
      const pagesToLoad = new Set([...Object.keys(keep).map(Number), Math.floor(Math.max(0, currentIndex) / PAGE_SIZE)]);
      const { project, filter, search } = get();
      if (!project) return;
      try {
        const fresh: Record<number, ImageEntry[]> = {};
        let total = get().total;
        for (const p of pagesToLoad) {
          const res = await api.call('dataset.listImages', { project, offset: p * PAGE_SIZE, limit: PAGE_SIZE, filter, ...(search ? { search } : {}) });
          fresh[p] = res.items;
          total = res.total;
        }
        if (get().generation === gen) set({ pages: fresh, total });
      } catch (err) {
        fail('Could not list the images', err);
      }
    },
    onSaveState: (imageId, state, error, conflict) => {
      const u = unsaved.get(imageId);
      const isCurrent = get().current?.id === imageId;
      if (state === 'error' && conflict && u) {
        // not retried: the user chooses (resolveConflict)
        if (u.timer) clearTimeout(u.timer);
        u.timer = null;
        set({ conflict: { imageId, version: conflict.version }, ...(isCurrent ? { saveState: 'error', saveError: error ?? 'changed elsewhere' } : {}) });
        useApp.getState().notify('error', `${imageId} was changed in another window or program. Your edit is kept: choose to keep yours or load theirs.`);
        return;
      }
      if (state === 'saving' && u) u.savingVersion = u.version;
      if ((state === 'saved' || state === 'unchanged') && u) {
        if (u.timer) clearTimeout(u.timer);
        if (u.notified) useApp.getState().notify('info', `Saved ${imageId} after the earlier error.`);
        u.notified = false;
        u.retryMs = 2000;
        u.timer = null;
        if (u.savingVersion === u.version) unsaved.delete(imageId);
        else return; // a newer edit is still on its way
        if (isCurrent) void refreshKeys(imageId);
      }
      if (state === 'error' && u) {
        if (!u.notified) useApp.getState().notify('error', `Could not save ${imageId}: ${error ?? 'unknown error'}. Your edit is kept and will be retried.`);
        u.notified = true;
        if (u.timer) clearTimeout(u.timer);
        u.timer = setTimeout(() => { if (unsaved.get(imageId) === u) { u.timer = null; sendSave(imageId); } }, u.retryMs);
        u.retryMs = Math.min(10_000, u.retryMs * 1.5);
      }
      if (isCurrent) set({ saveState: state, saveError: state === 'error' ? (error ?? 'save failed') : null });
    },

    resolveConflict: async (choice) => {
      const c = get().conflict;
      if (!c) return;
      set({ conflict: null, saveError: null });
      if (choice === 'mine') {
        baseVersions.set(c.imageId, c.version); // written over the version seen now, knowingly
        sendSave(c.imageId);
        return;
      }
      unsaved.delete(c.imageId);
      baseVersions.delete(c.imageId);
      set({ saveState: 'idle' });
      if (get().current?.id === c.imageId) await get().reloadCurrent();
    },

    commit: (doc, selected) => {
      const { current } = get();
      if (!current) return;
      let h = histories.get(current.id);
      if (!h) { h = new History(doc); histories.set(current.id, h); } else h.push(doc);
      queueSave(current.id, doc);
      set({ doc, canUndo: h.canUndo, canRedo: h.canRedo, ...(selected !== undefined ? { selected } : {}) });
    },
    undo: () => {
      const { current } = get();
      const h = current && histories.get(current.id);
      const before = get().doc;
      const doc = h?.undo();
      if (!current || !h || !doc) return;
      queueSave(current.id, doc);
      set({ doc, canUndo: h.canUndo, canRedo: h.canRedo, selected: selectionAfter(before?.boxes ?? [], doc.boxes, get().selected) });
    },
    redo: () => {
      const { current } = get();
      const h = current && histories.get(current.id);
      const before = get().doc;
      const doc = h?.redo();
      if (!current || !h || !doc) return;
      queueSave(current.id, doc);
      set({ doc, canUndo: h.canUndo, canRedo: h.canRedo, selected: selectionAfter(before?.boxes ?? [], doc.boxes, get().selected) });
    },
    setSelected: (selected) => set({ selected }),
    copyPrevious: async () => {
      const { project, currentIndex, doc } = get();
      if (!project || !doc || currentIndex <= 0) return;
      const prev = get().entryAt(currentIndex - 1);
      if (!prev) return;
      try {
        const src = unsaved.get(prev.id)?.doc ?? docOf(await api.call('dataset.getAnnotation', { project, imageId: prev.id }));
        if (!src.boxes.length) { useApp.getState().notify('info', `${prev.id} has no boxes to copy.`); return; }
        const copied = src.boxes.map(({ key: _key, ...b }) => b);
        get().commit({ ...doc, boxes: [...doc.boxes, ...copied] }, null);
      } catch (err) {
        fail(`Could not read the boxes of ${prev.id}`, err);
      }
    },
    setUi: (p) => set(p),
    setView: (view, fitMode = null) => set({ view, fitMode }),
    setViewport: (viewport) => {
      set({ viewport });
      const { fitMode, imageSize } = get();
      if (fitMode && imageSize && viewport.width > 0) set({ view: fitView(imageSize, viewport, fitMode) });
    },
    setImageSize: (imageSize) => {
      set({ imageSize });
      const { fitMode, viewport, view } = get();
      if (imageSize && viewport.width > 0 && (fitMode || !view)) set({ view: fitView(imageSize, viewport, fitMode ?? 'window'), fitMode: fitMode ?? 'window' });
    },
    fit: (mode) => {
      const { imageSize, viewport } = get();
      if (imageSize && viewport.width > 0) set({ view: fitView(imageSize, viewport, mode), fitMode: mode });
    },
    zoomBy: (factor, at) => {
      const { view, viewport, imageSize } = get();
      if (!view) return;
      const point = at ?? { x: viewport.width / 2, y: viewport.height / 2 };
      // zooming out stops at a quarter of "fit window": further out the image is only a dot
      const floor = imageSize ? minUsefulScale(imageSize, viewport) : 0;
      const f = view.scale * factor < floor ? Math.min(1, floor / view.scale) : factor;
      const next = zoomAt(view, point, f);
      set({ view: imageSize ? keepInView(next, imageSize, viewport) : next, fitMode: null });
    },
    panBy: (dx, dy) => {
      const { view, viewport, imageSize } = get();
      if (!view) return;
      const next = { scale: view.scale, x: view.x - dx, y: view.y - dy };
      set({ view: imageSize ? keepInView(next, imageSize, viewport) : next, fitMode: null });
    },
    saveNow: async () => {
      const { project, current } = get();
      if (!project) return;
      set({ saveState: 'saving', saveError: null });
      try {
        await api.call('dataset.flush', { project });
        const pending = current ? unsaved.get(current.id) : undefined;
        if (get().current?.id !== current?.id) return;
        if (pending?.timer) set({ saveState: 'error', saveError: get().saveError ?? 'the last save failed; retrying' });
        else set({ saveState: pending ? 'pending' : 'saved', savedAt: Date.now() });
      } catch (err) {
        set({ saveState: 'error', saveError: errorMessage(err) });
      }
    },
  };

  function queueSave(imageId: string, doc: Doc): void {
    const u = unsaved.get(imageId);
    const version = ++editVersion;
    if (u) { u.doc = doc; u.version = version; }
    else unsaved.set(imageId, { doc, version, savingVersion: -1, retryMs: 2000, timer: null, notified: false });
    if (get().current?.id === imageId) set({ saveState: 'pending', saveError: get().saveError });
    const cur = unsaved.get(imageId)!;
    if (cur.timer) return; // in error backoff: the retry sends the latest doc
    sendSave(imageId);
  }

  /** After a save the file numbers its objects o0..oN; take those keys so unknown XML children follow their box. */
  async function refreshKeys(imageId: string): Promise<void> {
    const { project } = get();
    if (!project) return;
    try {
      const a = await api.call('dataset.getAnnotation', { project, imageId });
      const { doc, current } = get();
      const h = histories.get(imageId);
      if (!unsaved.has(imageId)) baseVersions.set(imageId, a.version);
      if (!doc || !h || current?.id !== imageId || unsaved.has(imageId) || a.boxes.length !== doc.boxes.length) return;
      const next: Doc = { ...doc, boxes: doc.boxes.map((b, i) => ({ ...b, key: a.boxes[i]?.key })) };
      h.replacePresent(next);
      set({ doc: next, annotation: a });
    } catch (err) {
      fail(`Could not re-read ${imageId} after saving`, err);
    }
  }
});

/** Images with edits not confirmed saved yet. */
export function unsavedImages(): string[] {
  return [...unsaved.keys()];
}
