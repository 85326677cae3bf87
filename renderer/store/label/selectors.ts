/**
 * Selectors of the Label store: what each part of the view reads. Each returns a value that stays
 * the same (by identity or as a primitive) while unrelated state changes, so a component
 * re-renders only when what it shows changed (e.g. a pan re-renders the canvas, not the list).
 */
import type { BoxAnnotation } from '../../../shared/api';
import type { LabelState } from './state';

const NO_BOXES: BoxAnnotation[] = [];

export const selectBoxes = (s: LabelState): BoxAnnotation[] => s.doc?.boxes ?? NO_BOXES;
export const selectHasDoc = (s: LabelState): boolean => s.doc !== null;
/** Index of the selected box in the document, or null. */
export const selectSelectedIndex = (s: LabelState): number | null => {
  if (s.selectedId === null || !s.doc) return null;
  const i = s.doc.boxes.findIndex((b) => b.key === s.selectedId);
  return i < 0 ? null : i;
};
export const selectSelectedBox = (s: LabelState): BoxAnnotation | null =>
  (s.selectedId === null ? null : s.doc?.boxes.find((b) => b.key === s.selectedId) ?? null);
export const selectDrafts = (s: LabelState): number => s.doc?.boxes.filter((b) => b.draft).length ?? 0;
export const selectVerified = (s: LabelState): boolean => s.doc?.verified ?? false;
export const selectDrawing = (s: LabelState): boolean => s.interaction.gesture.mode === 'draw';
export const selectSpaceHeld = (s: LabelState): boolean => s.interaction.space !== 'up';
export const selectCurrentId = (s: LabelState): string | null => s.current?.id ?? null;
export const selectConflictHere = (s: LabelState): boolean => s.conflict !== null && s.conflict.imageId === s.current?.id;
export const selectZoomPercent = (s: LabelState): number | null => (s.view ? Math.round(s.view.scale * 100) : null);
