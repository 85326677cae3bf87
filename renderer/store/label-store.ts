/**
 * Label view state: the image list (paged from the dataset index), the filter, the current image
 * and its annotation. Pages are fetched on demand so a 100,000-image project stays responsive.
 */
import { create } from 'zustand';
import type { ImageAnnotation, ImageEntry, ImageFilter } from '../../shared/api';
import { api } from '../client';
import { useApp } from './app-store';

export const PAGE_SIZE = 500;

interface LabelState {
  project: string | null;
  filter: ImageFilter;
  total: number;
  /** Loaded pages by page index. */
  pages: Record<number, ImageEntry[]>;
  /** Bumped when the list must be refetched (filter change, dataset change). */
  generation: number;
  currentIndex: number;
  current: ImageEntry | null;
  annotation: ImageAnnotation | null;
  annotationError: string | null;
  reset(project: string): Promise<void>;
  setFilter(filter: ImageFilter): Promise<void>;
  ensurePage(page: number): Promise<void>;
  entryAt(index: number): ImageEntry | undefined;
  select(index: number): Promise<void>;
  step(delta: number): Promise<void>;
  reloadCurrent(): Promise<void>;
}

const fail = (what: string, err: unknown): void => useApp.getState().notify('error', `${what}: ${err instanceof Error ? err.message : String(err)}`);
const inFlight = new Set<string>();

export const useLabel = create<LabelState>()((set, get) => ({
  project: null,
  filter: 'all',
  total: 0,
  pages: {},
  generation: 0,
  currentIndex: -1,
  current: null,
  annotation: null,
  annotationError: null,
  reset: async (project) => {
    set({ project, pages: {}, total: 0, currentIndex: -1, current: null, annotation: null, generation: get().generation + 1 });
    await get().ensurePage(0);
    if (get().total > 0) await get().select(0);
  },
  setFilter: async (filter) => {
    set({ filter, pages: {}, total: 0, generation: get().generation + 1 });
    await get().ensurePage(0);
    if (get().total > 0) await get().select(0);
    else set({ currentIndex: -1, current: null, annotation: null });
  },
  ensurePage: async (page) => {
    const { project, filter, pages, generation } = get();
    const key = `${generation}:${page}`;
    if (!project || pages[page] || inFlight.has(key)) return;
    inFlight.add(key);
    try {
      const res = await api.call('dataset.listImages', { project, offset: page * PAGE_SIZE, limit: PAGE_SIZE, filter });
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
    set({ currentIndex: index, current: entry, annotation: null, annotationError: null });
    try {
      const annotation = await api.call('dataset.getAnnotation', { project, imageId: entry.id });
      if (get().current?.id === entry.id) set({ annotation });
    } catch (err) {
      if (get().current?.id === entry.id) set({ annotationError: err instanceof Error ? err.message : String(err) });
    }
  },
  step: async (delta) => {
    const { currentIndex, total } = get();
    const next = Math.max(0, Math.min(total - 1, currentIndex + delta));
    if (next !== currentIndex) await get().select(next);
  },
  reloadCurrent: async () => {
    const { currentIndex } = get();
    set((s) => ({ pages: {}, generation: s.generation + 1 }));
    await get().ensurePage(Math.floor(Math.max(0, currentIndex) / PAGE_SIZE));
    if (currentIndex >= 0) await get().select(Math.min(currentIndex, get().total - 1));
  },
}));
