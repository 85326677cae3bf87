/**
 * The Label view's store: one zustand store made of slices (store/label/): the image list
 * (list-slice), the current document with its undo history and the editing commands
 * (document-slice), the save queue (save-slice), the canvas view (viewport-slice) and the
 * interaction state machine (interaction.ts). All of its state lives in the store; views read it
 * through selectors (store/label/selectors.ts) so that, e.g., a pan re-renders only the canvas.
 */
import { create } from 'zustand';
import { createListSlice } from './label/list-slice';
import { createDocumentSlice } from './label/document-slice';
import { createSaveSlice } from './label/save-slice';
import { createViewportSlice } from './label/viewport-slice';
import { IDLE, interact } from './label/interaction';
import type { LabelState } from './label/state';

export { PAGE_SIZE } from './label/list-slice';
export type { Doc, LabelState, UiSaveState } from './label/state';

export const useLabel = create<LabelState>()((set, get, store) => ({
  ...createListSlice(set, get, store),
  ...createDocumentSlice(set, get, store),
  ...createSaveSlice(set, get, store),
  ...createViewportSlice(set, get, store),
  interaction: IDLE,
  interact: (e) => {
    const before = get().interaction;
    const next = interact(before, e);
    if (next !== before) set({ interaction: next });
    return before;
  },
}));
