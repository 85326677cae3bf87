/**
 * Builds a Label store from its slices (list, document + history, save queue, viewport,
 * interaction) and what it needs from outside (LabelDeps). label-store.ts builds the app's one
 * store with the real API; tests build their own with fakes.
 */
import { create } from 'zustand';
import { createListSlice } from './list-slice';
import { createDocumentSlice } from './document-slice';
import { createSaveSlice } from './save-slice';
import { createViewportSlice } from './viewport-slice';
import { IDLE, interact } from './interaction';
import type { LabelDeps, LabelState } from './state';

export function createLabelStore(deps: LabelDeps) {
  return create<LabelState>()((set, get, store) => ({
    ...createListSlice(deps)(set, get, store),
    ...createDocumentSlice(deps)(set, get, store),
    ...createSaveSlice(deps)(set, get, store),
    ...createViewportSlice(set, get, store),
    interaction: IDLE,
    interact: (e) => {
      const before = get().interaction;
      const next = interact(before, e);
      if (next !== before) set({ interaction: next });
      return before;
    },
  }));
}
