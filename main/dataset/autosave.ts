/**
 * Debounced saving, one timer per key (image id): the last edit within `delayMs` wins, and
 * `flush()` writes everything pending now (used on close and before exports).
 */
export class Debouncer<T> {
  private readonly pending = new Map<string, { value: T; timer: ReturnType<typeof setTimeout> }>();
  private readonly running = new Set<Promise<void>>();

  constructor(
    private readonly delayMs: number,
    private readonly save: (key: string, value: T) => Promise<void>,
  ) {}

  schedule(key: string, value: T): void {
    const prev = this.pending.get(key);
    if (prev) clearTimeout(prev.timer);
    const timer = setTimeout(() => this.fire(key), this.delayMs);
    this.pending.set(key, { value, timer });
  }

  has(key: string): boolean {
    return this.pending.has(key);
  }

  private fire(key: string): void {
    const p = this.pending.get(key);
    if (!p) return;
    this.pending.delete(key);
    clearTimeout(p.timer);
    // `save` reports its own failures (saveState events); it must not reject.
    const run = this.save(key, p.value).finally(() => this.running.delete(run));
    this.running.add(run);
  }

  /** Saves every pending value now and waits for all saves in flight. */
  async flush(): Promise<void> {
    for (const key of [...this.pending.keys()]) this.fire(key);
    while (this.running.size) await Promise.all([...this.running]);
  }

  get size(): number {
    return this.pending.size + this.running.size;
  }
}
