/**
 * The Label store's save queue: every committed edit goes to `dataset.autosave` (debounced and
 * atomic in the dataset core). Until the core reports it saved, the edit is kept here
 * (`unsaved`), so switching images or a failed save never loses it; a failed save is shown and
 * retried with backoff; a conflict (the file changed elsewhere) waits for the user's choice. The
 * 'saved' event carries the annotation as written, so nothing is read back after a save.
 */
import { errorMessage } from '../../../shared/error-message';
import type { LabelDeps, SaveSlice, Slice, Unsaved } from './state';

/** This window's id in saves: its own earlier saves never count as changes made elsewhere. */
const CLIENT_ID = crypto.randomUUID();

export const createSaveSlice = ({ api, notify }: LabelDeps): Slice<SaveSlice> => (set, get) => {
  let editVersion = 0;
  const patch = (imageId: string, p: Partial<Unsaved> | null): void =>
    set((s) => {
      const { [imageId]: old, ...rest } = s.unsaved;
      return { unsaved: p === null || !old ? rest : { ...rest, [imageId]: { ...old, ...p } } };
    });
  const sendSave = (imageId: string): void => {
    const { project, unsaved, baseVersions } = get();
    const u = unsaved[imageId];
    if (!project || !u) return;
    const base = imageId in baseVersions ? { baseVersion: baseVersions[imageId] ?? null } : {};
    api.call('dataset.autosave', { project, imageId, boxes: u.doc.boxes, verified: u.doc.verified, client: CLIENT_ID, revision: u.version, ...base }).catch((err: unknown) => {
      get().onSaveState({ imageId, state: 'error', error: errorMessage(err) });
    });
  };

  return {
    unsaved: {},
    baseVersions: {},
    saveState: 'idle',
    saveError: null,
    conflict: null,
    savedAt: null,

    queueSave: (imageId, doc) => {
      const version = ++editVersion;
      const u = get().unsaved[imageId];
      set((s) => ({
        unsaved: { ...s.unsaved, [imageId]: u ? { ...u, doc, version } : { doc, version, retryMs: 2000, timer: null, notified: false } },
        ...(s.current?.id === imageId ? { saveState: 'pending' as const } : {}),
      }));
      if (u?.timer) return; // in error backoff: the retry sends the latest doc
      sendSave(imageId);
    },

    onSaveState: ({ imageId, state, error, conflict, annotation, revision, client }) => {
      if (client !== undefined && client !== CLIENT_ID) return; // another window's save
      const u = get().unsaved[imageId];
      const isCurrent = get().current?.id === imageId;
      if (state === 'error' && conflict && u) {
        // not retried: the user chooses (resolveConflict)
        if (u.timer) clearTimeout(u.timer);
        patch(imageId, { timer: null });
        set({ conflict: { imageId, version: conflict.version }, ...(isCurrent ? { saveState: 'error', saveError: error ?? 'changed elsewhere' } : {}) });
        notify('error', `${imageId} was changed in another window or program. Your edit is kept: choose to keep yours or load theirs.`);
        return;
      }
      if ((state === 'saved' || state === 'unchanged') && u) {
        if (u.timer) clearTimeout(u.timer);
        if (u.notified) notify('info', `Saved ${imageId} after the earlier error.`);
        // debounced edits merge: this save wrote every edit up to its revision
        if (revision !== undefined && revision < u.version) {
          patch(imageId, { notified: false, retryMs: 2000, timer: null });
          if (u.timer) sendSave(imageId); // the newer edit was waiting for a retry: saving works again, send it
          return; // a newer edit is still on its way
        }
        patch(imageId, null);
        // the file as written: its version is the base of the next edit (no need to read it back)
        if (annotation) {
          set((s) => ({ baseVersions: { ...s.baseVersions, [imageId]: annotation.version }, ...(isCurrent ? { annotation } : {}) }));
        }
      }
      if (state === 'error' && u) {
        if (!u.notified) notify('error', `Could not save ${imageId}: ${error ?? 'unknown error'}. Your edit is kept and will be retried.`);
        if (u.timer) clearTimeout(u.timer);
        const timer = setTimeout(() => {
          if (get().unsaved[imageId]?.timer !== timer) return;
          patch(imageId, { timer: null });
          sendSave(imageId);
        }, u.retryMs);
        patch(imageId, { notified: true, timer, retryMs: Math.min(10_000, u.retryMs * 1.5) });
      }
      if (isCurrent) set({ saveState: state, saveError: state === 'error' ? (error ?? 'save failed') : null });
    },

    resolveConflict: async (choice) => {
      const c = get().conflict;
      if (!c) return;
      set({ conflict: null, saveError: null });
      if (choice === 'mine') {
        // written over the version seen now, knowingly
        set((s) => ({ baseVersions: { ...s.baseVersions, [c.imageId]: c.version } }));
        sendSave(c.imageId);
        return;
      }
      patch(c.imageId, null);
      set((s) => {
        const { [c.imageId]: _dropped, ...baseVersions } = s.baseVersions;
        return { baseVersions, saveState: 'idle' };
      });
      if (get().current?.id === c.imageId) await get().reloadCurrent();
    },

    saveNow: async () => {
      const { project, current } = get();
      if (!project) return;
      set({ saveState: 'saving', saveError: null });
      try {
        await api.call('dataset.flush', { project });
        const pending = current ? get().unsaved[current.id] : undefined;
        if (get().current?.id !== current?.id) return;
        if (pending?.timer) set({ saveState: 'error', saveError: get().saveError ?? 'the last save failed; retrying' });
        else set({ saveState: pending ? 'pending' : 'saved', savedAt: Date.now() });
      } catch (err) {
        set({ saveState: 'error', saveError: errorMessage(err) });
      }
    },
  };
};
