/**
 * Undo/redo history of one image (pure). Every committed edit (a whole drag, a whole transform,
 * a key press) is one step; `present` is what the canvas shows and what is saved.
 */
export class History<T> {
  private past: T[] = [];
  private future: T[] = [];
  constructor(public present: T, private readonly limit = 500) {}

  push(next: T): void {
    this.past.push(this.present);
    if (this.past.length > this.limit) this.past.shift();
    this.present = next;
    this.future = [];
  }

  undo(): T | null {
    const prev = this.past.pop();
    if (prev === undefined) return null;
    this.future.push(this.present);
    this.present = prev;
    return prev;
  }

  redo(): T | null {
    const next = this.future.pop();
    if (next === undefined) return null;
    this.past.push(this.present);
    this.present = next;
    return next;
  }

  /** Replaces the present without a step (e.g. keys assigned by the file after a save). */
  replacePresent(value: T): void {
    this.present = value;
  }

  get canUndo(): boolean { return this.past.length > 0; }
  get canRedo(): boolean { return this.future.length > 0; }
}

/**
 * Which box to select after an undo or redo moved from `prev` to `next` boxes: the first box
 * that changed, when it exists after the step (an undone delete or move selects that box, so Del
 * or Ctrl+D act on it right away); otherwise the old selection while it still exists.
 */
export function selectionAfter(prev: readonly unknown[], next: readonly unknown[], selected: number | null): number | null {
  const n = Math.max(prev.length, next.length);
  for (let i = 0; i < n; i++) {
    if (JSON.stringify(prev[i]) !== JSON.stringify(next[i])) {
      if (i < next.length) return i;
      break;
    }
  }
  return selected !== null && selected < next.length ? selected : null;
}
