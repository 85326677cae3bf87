/**
 * Undo/redo history of one image (pure, immutable values kept in the store). Every recorded edit
 * is one step, except inside a gesture: between `beginGesture` and `endGesture` (a drag, a
 * resize) all edits make a single step, so one drag is one undo.
 */
export interface History<T> {
  readonly past: readonly T[];
  readonly present: T;
  readonly future: readonly T[];
  /** 'open': a gesture began and has not changed anything yet; 'stepped': its step is recorded. */
  readonly gesture: 'none' | 'open' | 'stepped';
}

export const HISTORY_LIMIT = 500;

export function historyOf<T>(present: T): History<T> {
  return { past: [], present, future: [], gesture: 'none' };
}

/** The history with `next` as a new step (or folded into the open gesture's step). */
export function record<T>(h: History<T>, next: T, limit = HISTORY_LIMIT): History<T> {
  if (h.gesture === 'stepped') return { ...h, present: next, future: [] };
  const past = [...h.past, h.present];
  if (past.length > limit) past.shift();
  return { past, present: next, future: [], gesture: h.gesture === 'open' ? 'stepped' : 'none' };
}

export function undo<T>(h: History<T>): History<T> | null {
  const prev = h.past[h.past.length - 1];
  if (h.past.length === 0 || prev === undefined) return null;
  return { past: h.past.slice(0, -1), present: prev, future: [...h.future, h.present], gesture: 'none' };
}

export function redo<T>(h: History<T>): History<T> | null {
  const next = h.future[h.future.length - 1];
  if (h.future.length === 0 || next === undefined) return null;
  return { past: [...h.past, h.present], present: next, future: h.future.slice(0, -1), gesture: 'none' };
}

/** The present replaced without a step (the file as saved, a reload showing a change made elsewhere). */
export function replacePresent<T>(h: History<T>, value: T): History<T> {
  return { ...h, present: value };
}

export const beginGesture = <T>(h: History<T>): History<T> => ({ ...h, gesture: 'open' });
export const endGesture = <T>(h: History<T>): History<T> => (h.gesture === 'none' ? h : { ...h, gesture: 'none' });
export const canUndo = (h: History<unknown> | undefined): boolean => !!h && h.past.length > 0;
export const canRedo = (h: History<unknown> | undefined): boolean => !!h && h.future.length > 0;

/**
 * Which box to select after an undo or redo moved from `prev` to `next` boxes (by id): the first box
 * of `next` that is new or changed (an undone delete or move selects that box, so Del or Ctrl+D act
 * on it right away); otherwise the old selection while it still exists.
 */
export function selectionAfter<B extends { key?: string }>(prev: readonly B[], next: readonly B[], selected: string | null): string | null {
  const before = new Map(prev.map((b) => [b.key, JSON.stringify(b)]));
  for (const b of next) if (before.get(b.key) !== JSON.stringify(b)) return b.key ?? null;
  return selected !== null && next.some((b) => b.key === selected) ? selected : null;
}
