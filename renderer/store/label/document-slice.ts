/**
 * The Label store's document slice: the current image's boxes as a document with an undo
 * history per image, the selection (by box id), and the editing commands as actions. Every
 * action goes through run(): one command = one undo step (a gesture's commands = one step),
 * then the save queue.
 */
import type { ImageAnnotation } from '../../../shared/api';
import { errorMessage } from '../../../shared/error-message';
import { applyCommand, withIds, type Command, type Doc } from './commands';
import { beginGesture, canRedo, canUndo, endGesture, historyOf, record, redo, replacePresent, selectionAfter, undo, type History } from './history';
import type { DocumentSlice, LabelDeps, Slice } from './state';

const sameDoc = (a: Doc, b: Doc): boolean => JSON.stringify(a) === JSON.stringify(b);
export const docOf = (a: ImageAnnotation): Doc => ({ boxes: withIds(a.boxes), verified: a.verified });

export const createDocumentSlice = ({ api, notify }: LabelDeps): Slice<DocumentSlice> => (set, get) => {
  /** Puts `h` as the current image's history and shows its present. */
  const show = (imageId: string, h: History<Doc>, selectedId?: string | null): void =>
    set((s) => ({
      histories: { ...s.histories, [imageId]: h },
      doc: h.present,
      canUndo: canUndo(h),
      canRedo: canRedo(h),
      ...(selectedId !== undefined ? { selectedId } : {}),
    }));
  const selectedBox = (): string | null => {
    const { selectedId, doc } = get();
    return selectedId !== null && doc?.boxes.some((b) => b.key === selectedId) ? selectedId : null;
  };
  const step = (move: typeof undo): void => {
    const { current, histories, doc: before, selectedId } = get();
    const h = current ? histories[current.id] : undefined;
    const next = h && move(h);
    if (!current || !next) return;
    get().queueSave(current.id, next.present);
    show(current.id, next, selectionAfter(before?.boxes ?? [], next.present.boxes, selectedId));
  };
  const onSelected = (f: (id: string) => Command): void => {
    const id = selectedBox();
    if (id !== null) get().run(f(id));
  };

  return {
    annotation: null,
    annotationError: null,
    histories: {},
    doc: null,
    selectedId: null,
    canUndo: false,
    canRedo: false,
    nextClass: null,
    lastClass: null,

    showAnnotation: (annotation, keepSelection) => {
      const imageId = annotation.imageId;
      const u = get().unsaved[imageId];
      if (!u) set((s) => ({ baseVersions: { ...s.baseVersions, [imageId]: annotation.version } }));
      const shown = u ? u.doc : docOf(annotation);
      let h = get().histories[imageId];
      // the file changed (our save rounded the coordinates, a class rename, another program):
      // show it, keeping the undo steps
      if (!h) h = historyOf(shown);
      else if (!sameDoc(h.present, shown)) h = replacePresent(h, shown);
      const sel = get().selectedId;
      set({ annotation });
      show(imageId, h, keepSelection && sel !== null && h.present.boxes.some((b) => b.key === sel) ? sel : null);
    },
    run: (cmd) => {
      const { current, doc, histories } = get();
      if (!current || !doc) return false;
      const applied = applyCommand(doc, cmd);
      if (!applied) return false;
      if (sameDoc(applied.doc, doc)) {
        // nothing changed (a nudge against the image edge, a drag back to where it was): no step, no save
        if (applied.select !== undefined) set({ selectedId: applied.select });
        return false;
      }
      const h = histories[current.id];
      get().queueSave(current.id, applied.doc);
      show(current.id, h ? record(h, applied.doc) : record(historyOf(doc), applied.doc), applied.select);
      return true;
    },
    undo: () => step(undo),
    redo: () => step(redo),
    setSelected: (selectedId) => set({ selectedId }),
    setNextClass: (nextClass) => set({ nextClass }),
    beginGesture: () => {
      const { current, histories } = get();
      const h = current ? histories[current.id] : undefined;
      if (current && h) set({ histories: { ...histories, [current.id]: beginGesture(h) } });
    },
    endGesture: () => {
      const { current, histories } = get();
      const h = current ? histories[current.id] : undefined;
      if (current && h) set({ histories: { ...histories, [current.id]: endGesture(h) } });
    },

    addBox: (rect, label, track) => {
      set({ lastClass: label });
      get().run({ type: 'add', rect, label, ...(track !== undefined ? { track } : {}) });
    },
    deleteSelected: () => onSelected((id) => ({ type: 'delete', id })),
    duplicateSelected: () => onSelected((id) => ({ type: 'duplicate', id, image: get().imageSize })),
    nudgeSelected: (dx, dy) => onSelected((id) => ({ type: 'nudge', id, dx, dy, image: get().imageSize })),
    moveBox: (id, rect) => { get().run({ type: 'setRect', id, rect, image: get().imageSize }); },
    pickClass: (name) => {
      set({ lastClass: name });
      const id = selectedBox();
      if (id !== null) get().run({ type: 'relabel', id, label: name });
      else set({ nextClass: name });
    },
    toggleFlag: (flag) => onSelected((id) => ({ type: 'toggleFlag', id, flag })),
    toggleVerified: () => { get().run({ type: 'toggleVerified' }); },
    acceptDrafts: (which, mapping) => {
      const id = selectedBox();
      if (which === 'selected' && id === null) return;
      get().run({ type: 'acceptDrafts', ids: which === 'all' ? 'all' : [id!], ...(mapping ? { mapping } : {}) });
    },
    appendBoxes: (imageId, boxes) => {
      if (get().current?.id === imageId) get().run({ type: 'append', boxes });
    },
    copyPrevious: async () => {
      const { project, currentIndex, doc, current } = get();
      if (!project || !doc || !current || currentIndex <= 0) return;
      const prev = get().entryAt(currentIndex - 1);
      if (!prev) return;
      try {
        const src = get().unsaved[prev.id]?.doc ?? docOf(await api.call('dataset.getAnnotation', { project, imageId: prev.id }));
        if (!src.boxes.length) { notify('info', `${prev.id} has no boxes to copy.`); return; }
        get().appendBoxes(current.id, src.boxes);
        set({ selectedId: null });
      } catch (err) {
        notify('error', `Could not read the boxes of ${prev.id}: ${errorMessage(err)}`);
      }
    },
  };
};
