/** The Label store's list slice: the image list paged from the dataset index, filter, search, current image. */
import type { ImageEntry } from '../../../shared/api';
import { errorMessage } from '../../../shared/error-message';
import { matchesFilter } from '../../../shared/dataset/filter';
import { IDLE } from './interaction';
import type { LabelDeps, ListSlice, Slice } from './state';

export const PAGE_SIZE = 500;
/** More saved images than this at once (a class merge): the list is fetched again instead. */
const PATCH_LIMIT = 20;

export const createListSlice = ({ api, notify }: LabelDeps): Slice<ListSlice> => (set, get) => {
  const fail = (what: string, err: unknown): void => notify('error', `${what}: ${errorMessage(err)}`);
  /** Row updates run one after the other, in the order the saves were reported (never an older row last). */
  let rowUpdates: Promise<void> = Promise.resolve();
  return {
    project: null,
    filter: 'all',
    search: '',
    total: 0,
    pages: {},
    generation: 0,
    loadingPages: {},
    currentIndex: -1,
    current: null,

    reset: async (project) => {
      const other = get().project !== project;
      if (other) {
        for (const u of Object.values(get().unsaved)) if (u.timer) clearTimeout(u.timer);
        set({ histories: {}, unsaved: {}, baseVersions: {}, search: '' });
      }
      set({ project, pages: {}, total: 0, currentIndex: -1, current: null, annotation: null, doc: null, selectedId: null, saveState: 'idle', saveError: null, interaction: IDLE, generation: get().generation + 1 });
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
      else set({ currentIndex: -1, current: null, annotation: null, doc: null, selectedId: null });
    },
    ensurePage: async (page) => {
      const { project, filter, search, pages, generation, loadingPages } = get();
      const key = `${generation}:${page}`;
      if (!project || pages[page] || loadingPages[key]) return;
      set((s) => ({ loadingPages: { ...s.loadingPages, [key]: true } }));
      try {
        const res = await api.call('dataset.listImages', { project, offset: page * PAGE_SIZE, limit: PAGE_SIZE, filter, ...(search ? { search } : {}) });
        if (get().generation !== generation) return;
        set((s) => ({ total: res.total, pages: { ...s.pages, [page]: res.items } }));
      } catch (err) {
        fail('Could not list the images', err);
      } finally {
        set((s) => {
          const { [key]: _done, ...rest } = s.loadingPages;
          return { loadingPages: rest };
        });
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
      const pending = get().unsaved[entry.id];
      set({
        currentIndex: index,
        current: entry,
        ...(same ? {} : {
          annotation: null, annotationError: null, doc: null, selectedId: null, interaction: { ...get().interaction, gesture: { mode: 'idle' } },
          saveState: pending ? (pending.timer ? 'error' : 'pending') : 'idle', saveError: null,
          fitMode: keepView ? null : (get().fitMode ?? 'window'), imageSize: null,
        }),
      });
      try {
        const annotation = await api.call('dataset.getAnnotation', { project, imageId: entry.id });
        if (get().current?.id !== entry.id) return;
        get().showAnnotation(annotation, same);
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
        if (e && e.status === 'unlabeled' && !get().unsaved[e.id]) {
          await get().select(i);
          return;
        }
      }
      notify('info', 'No unlabeled image after this one.');
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
    onImagesSaved: (imageIds) => {
      rowUpdates = rowUpdates.then(() => updateRows(imageIds));
      return rowUpdates;
    },
  };

  async function updateRows(imageIds: readonly string[] | undefined): Promise<void> {
    const { project, generation } = get();
    if (!project) return;
    if (!imageIds || imageIds.length > PATCH_LIMIT) { await get().refreshList(); return; }
    try {
      const fresh = await Promise.all(imageIds.map((imageId) => api.call('dataset.getImage', { project, imageId })));
      if (get().generation !== generation || get().project !== project) return;
      const { pages, filter, search } = get();
      const next = { ...pages };
      let changed = false;
      for (const e of fresh) {
        if (search && !e.id.toLowerCase().includes(search.toLowerCase())) continue;
        const where = Object.entries(next).find(([, items]) => items.some((x) => x.id === e.id));
        const keeps = matchesFilter(e, filter);
        // in the list and still matching: update its row; out of (or into) a filtered list: fetch the list
        if (where && keeps) {
          next[Number(where[0])] = where[1].map((x) => (x.id === e.id ? e : x));
          changed = true;
        } else if (where || (keeps && filter !== 'all')) {
          await get().refreshList();
          return;
        }
      }
      if (changed) set({ pages: next });
    } catch (err) {
      fail('Could not update the image list', err);
    }
  }
};
