/**
 * Watches the project's folders (each listed folder, non-recursively: a handful of inotify
 * watches even for 100,000 images, unlike a recursive watch of every file) and reports changed
 * paths, relative to the root, in debounced batches. Used so images and XML edited by another
 * tool show up without a restart. A folder that disappears simply stops being watched; the
 * next rescan (triggered by its parent's change event) picks up new folders.
 */
import { watch, type FSWatcher } from 'node:fs';
import { join } from 'node:path';
import { errorMessage } from '../../shared/error-message';

export class FolderWatcher {
  private watchers = new Map<string, FSWatcher>();
  private pending = new Set<string>();
  private timer: ReturnType<typeof setTimeout> | null = null;
  private closed = false;
  /** Folders that could not be watched, with the reason (shown by validate/logs). */
  readonly problems = new Map<string, string>();

  constructor(
    private readonly root: string,
    private readonly onChange: (paths: string[]) => void | Promise<void>,
    private readonly delayMs = 150,
  ) {}

  /** Watches exactly these folders (relative to the root, '' = root). */
  setDirs(dirs: readonly string[]): void {
    if (this.closed) return;
    const want = new Set(dirs);
    for (const [d, w] of this.watchers) if (!want.has(d)) { w.close(); this.watchers.delete(d); }
    for (const d of want) {
      if (this.watchers.has(d)) continue;
      try {
        const w = watch(d === '' ? this.root : join(this.root, d), { persistent: true }, (_type, name) => {
          this.queue(name ? (d === '' ? String(name) : `${d}/${String(name)}`) : d);
        });
        w.on('error', (err) => {
          this.problems.set(d, err.message);
          w.close();
          this.watchers.delete(d);
          this.queue(d);
        });
        this.watchers.set(d, w);
        this.problems.delete(d);
      } catch (err) {
        this.problems.set(d, errorMessage(err));
      }
    }
  }

  private queue(path: string): void {
    if (this.closed) return;
    if (path.split('/').some((part) => part.startsWith('.'))) return; // .detecta, temp files
    this.pending.add(path);
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      const paths = [...this.pending];
      this.pending.clear();
      void Promise.resolve(this.onChange(paths)).catch((err: unknown) => {
        this.problems.set('', `refresh after a change on disk failed: ${errorMessage(err)}`);
      });
    }, this.delayMs);
  }

  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    for (const w of this.watchers.values()) w.close();
    this.watchers.clear();
  }
}
