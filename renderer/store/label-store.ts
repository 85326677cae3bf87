/**
 * The Label view's store: one zustand store made of slices (store/label/): the image list
 * (list-slice), the current document with its undo history and the editing commands
 * (document-slice), the save queue (save-slice), the canvas view (viewport-slice) and the
 * interaction state machine (interaction.ts). All of its state lives in the store; views read it
 * through selectors (store/label/selectors.ts) so that, e.g., a pan re-renders only the canvas.
 */
import { api } from '../client';
import { useApp } from './app-store';
import { createLabelStore } from './label/create-label-store';

export { PAGE_SIZE } from './label/list-slice';
export type { Doc, LabelState, UiSaveState } from './label/state';

export const useLabel = createLabelStore({ api, notify: (kind, text) => useApp.getState().notify(kind, text) });
