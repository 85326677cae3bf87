/**
 * ImageIndex: a project's images in natural order, each with its annotation's place and what its
 * last parse found (index-entry.ts). Built from a folder scan (folder-scan.ts); annotation files
 * are parsed afterwards in batches (`parsePending`) so the first page reaches the UI before every
 * XML is read. The watcher (watcher.ts) keeps it current when another tool changes the folder;
 * the project's own writes are told apart through `hooks.isOwnWrite`.
 */
import { realpathSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { ApiError } from '../../shared/api/contract';
import type { DatasetEvents, ImagePage } from '../../shared/api/dataset';
import type { ImageEntry, SplitConfig } from '../../shared/dataset/types';
import { matchesFilter, type ImageFilter } from '../../shared/dataset/filter';
import { errorMessage } from '../../shared/error-message';
import { readAnnotationFileSync } from './annotation-file';
import { isInside } from './confine';
import { scanFolder, type ScanResult } from './folder-scan';
import { applyParsed, buildIndex, type IndexedImage } from './index-entry';
import { FolderWatcher } from './watcher';

export type IndexChange = Extract<DatasetEvents['dataset.changed']['reason'], 'index' | 'disk'>;

export interface ImageIndexHooks {
  /** What the scan and the split assignment read of the project config, now. */
  settings(): { recursive: boolean; annotationDir: string | null; split: SplitConfig; classes: readonly string[] };
  /** Class names found in files that are not in the list yet, in index order. */
  classesFound(names: string[]): void;
  changed(reason: IndexChange, imageIds?: string[]): void;
  /** True when the file at this relative path holds exactly what this session wrote. */
  isOwnWrite(path: string): Promise<boolean>;
  /** What is cached about this image (its size) may be stale. */
  invalidate(imageId: string): void;
}

export class ImageIndex {
  private map = new Map<string, IndexedImage>();
  private order: string[] = [];
  private problems: ScanResult['problems'] = [];
  private dirs: string[] = [];
  private indexing = false;
  private watcher: FolderWatcher | null = null;
  private closed = false;

  constructor(
    readonly root: string,
    private readonly hooks: ImageIndexHooks,
  ) {}

  /** Lists the folder again; entries whose annotation place did not change are kept as they are. */
  async rescan(): Promise<ScanResult> {
    const s = this.hooks.settings();
    const scan = await scanFolder(this.root, { recursive: s.recursive, annotationDir: s.annotationDir });
    this.map = buildIndex(scan, s.annotationDir, s.split, this.map);
    this.order = scan.images;
    this.problems = scan.problems;
    this.dirs = scan.dirs;
    this.watcher?.setDirs(this.dirs);
    return scan;
  }

  /** Parses every entry still 'pending' (all, or these ids) and emits progress. */
  async parsePending(reason: IndexChange, ids?: readonly string[]): Promise<void> {
    const todo = (ids ?? this.order).map((id) => this.map.get(id)).filter((x): x is IndexedImage => x !== undefined && x.entry.status === 'pending');
    if (!todo.length) return;
    this.indexing = true;
    let lastEmit = Date.now();
    const found = new Set<string>();
    const BATCH = 256; // ~10-30 ms of synchronous reading and parsing, then the event loop runs
    for (let start = 0; start < todo.length && !this.closed; start += BATCH) {
      for (const item of todo.slice(start, start + BATCH)) {
        if (item.entry.status !== 'pending') continue; // a save got there first
        try {
          applyParsed(item, readAnnotationFileSync(this.root, item.location.path));
          const known = this.hooks.settings().classes;
          for (const c of item.accepted ?? []) if (!known.includes(c)) found.add(c);
        } catch (err) {
          applyParsed(item, { error: errorMessage(err) });
        }
      }
      if (reason === 'index' && Date.now() - lastEmit > 250) {
        lastEmit = Date.now();
        this.absorbClasses(found);
        this.hooks.changed('index');
      }
      await yieldToEventLoop();
    }
    this.absorbClasses(found);
    this.indexing = false;
    this.hooks.changed(reason, reason === 'disk' ? todo.map((t) => t.entry.id) : undefined);
  }

  /** Classes found in files join the list in index order, so it does not depend on which file finished parsing first. */
  private absorbClasses(found: Set<string>): void {
    if (!found.size) return;
    const ordered: string[] = [];
    for (const id of this.order) for (const c of this.map.get(id)?.accepted ?? []) if (found.has(c) && !ordered.includes(c)) ordered.push(c);
    this.hooks.classesFound(ordered);
    found.clear();
  }

  /** Re-lists the folder now (as the watcher would) and parses new annotation files. */
  async refresh(): Promise<void> {
    const before = new Set(this.order);
    await this.rescan();
    await this.parsePending('disk', this.order.filter((id) => !before.has(id)));
  }

  /** Starts following changes on disk. */
  watch(): void {
    if (this.closed || this.watcher) return;
    this.watcher = new FolderWatcher(this.root, (paths) => this.onDiskChange(paths));
    this.watcher.setDirs(this.dirs);
  }

  stopWatching(): void {
    this.watcher?.close();
    this.watcher = null;
  }

  private async onDiskChange(paths: string[]): Promise<void> {
    if (this.closed) return;
    // Our own writes (content we wrote, unchanged since) are not changes.
    const foreign: string[] = [];
    for (const p of paths) if (!(await this.hooks.isOwnWrite(p))) foreign.push(p);
    if (!foreign.length) return;
    const before = new Set(this.order);
    await this.rescan();
    const changed = new Set<string>();
    const touched = new Set(foreign);
    for (const id of this.order) {
      const item = this.map.get(id)!;
      if (!before.has(id)) changed.add(id);
      else if (touched.has(item.location.path) || touched.has(id)) {
        item.entry.annotation = item.location.exists ? item.location.path : null;
        item.entry.status = item.location.exists ? 'pending' : 'unlabeled';
        if (!item.location.exists) Object.assign(item.entry, { verified: false, boxes: 0, classes: [], difficult: false });
        this.hooks.invalidate(id);
        changed.add(id);
      }
    }
    for (const id of before) if (!this.map.has(id)) changed.add(id);
    await this.parsePending('disk', [...changed].filter((id) => this.map.has(id)));
    this.hooks.changed('disk', [...changed]);
  }

  // ---------------------------------------------------------------- reading

  get isIndexing(): boolean {
    return this.indexing;
  }

  get size(): number {
    return this.map.size;
  }

  /** Image ids in natural order. */
  ids(): readonly string[] {
    return this.order;
  }

  /** Every entry, in natural order. */
  *items(): Generator<IndexedImage> {
    for (const id of this.order) {
      const it = this.map.get(id);
      if (it) yield it;
    }
  }

  find(imageId: string): IndexedImage | undefined {
    return this.map.get(imageId);
  }

  /** @throws ApiError('not_found') for an id not in the index. */
  item(imageId: string): IndexedImage {
    const it = this.map.get(imageId);
    if (!it) throw new ApiError('not_found', `no image "${imageId}" in project ${this.root}`, { imageId });
    return it;
  }

  /** Absolute path of an image. @throws ApiError('not_found') for an id not in the index. */
  resolveImage(imageId: string): string {
    this.item(imageId);
    return join(this.root, ...imageId.split('/'));
  }

  /** True when `absPath` (after realpath when it exists) is this root or inside it. */
  contains(absPath: string): boolean {
    let p: string;
    try {
      p = realpathSyncSafe(resolve(absPath));
    } catch (err) {
      void err; // not even the file-system root resolves: certainly not inside the project
      return false;
    }
    return isInside(this.root, p);
  }

  listImages(q: { offset?: number; limit?: number; filter?: ImageFilter; search?: string } = {}): ImagePage {
    const offset = q.offset ?? 0;
    const limit = q.limit ?? 200;
    const filter = q.filter ?? 'all';
    const needle = q.search?.toLowerCase();
    const items: ImageEntry[] = [];
    let total = 0;
    for (const id of this.order) {
      const e = this.map.get(id)!.entry;
      if (!matchesFilter(e, filter)) continue;
      if (needle && !id.toLowerCase().includes(needle)) continue;
      if (total >= offset && items.length < limit) items.push({ ...e, classes: [...e.classes] });
      total++;
    }
    return { items, total, offset, indexing: this.indexing };
  }

  getImage(imageId: string): ImageEntry {
    const e = this.item(imageId).entry;
    return { ...e, classes: [...e.classes] };
  }

  /** Folders the scan could not list and other index problems (validate reports them). */
  scanProblems(): readonly { file: string; reason: string }[] {
    return this.problems;
  }

  addProblem(p: { file: string; reason: string }): void {
    this.problems = [...this.problems, p];
  }

  close(): void {
    this.stopWatching();
    this.closed = true;
  }
}

/** Yields to the event loop (between batches of synchronous work). */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

function realpathSyncSafe(p: string): string {
  // Walk up to the nearest existing ancestor so a not-yet-created file inside the project counts.
  let cur = p;
  const tail: string[] = [];
  for (;;) {
    try {
      return join(realpathSync(cur), ...tail.reverse());
    } catch (err) {
      const parent = dirname(cur);
      if (parent === cur) throw err;
      tail.push(basename(cur));
      cur = parent;
    }
  }
}
