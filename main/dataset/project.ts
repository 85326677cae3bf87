/**
 * DatasetProject: one opened project folder (see folder-scan.ts for the layouts understood and
 * shared/dataset/exif.ts for the orientation rule). It owns the image index, the annotation
 * files (load, save, autosave, backups), `.detecta/project.json` and the folder watcher.
 *
 * Guarantees: every write is atomic (temp + rename); an unchanged file is never rewritten; an
 * unreadable annotation file is reported and never overwritten; before overwriting a file this
 * session did not write, its previous version goes to `.detecta/backups/`.
 * Opening a project writes nothing; project.json is written the first time something in it
 * changes (a class added by a save, a rename, a split override...).
 */
import { realpathSync } from 'node:fs';
import { lstat, readFile, realpath, rm, stat } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { ApiError } from '../../shared/api/contract';
import type { ClassChangeResult, DatasetEvents, ImagePage, SaveResult } from '../../shared/api/dataset';
import type {
  BoxAnnotation,
  DatasetIssue,
  DatasetStats,
  DatasetSummary,
  ImageAnnotation,
  ImageEntry,
  ImageSize,
  ProjectConfig,
  Split,
} from '../../shared/dataset/types';
import { appendClasses, classColorProblem, classNameProblem, mergeClasses, removeClass, renameClass, reorderClasses } from '../../shared/dataset/classes';
import type { AnnotationEdit, ClassMapping, ClassUsage } from '../../shared/dataset/types';
import { EditJournal } from './edit-journal';
import type { VocObject } from '../../shared/voc';
import { matchesFilter, type ImageFilter } from '../../shared/dataset/filter';
import { assignSplit } from '../../shared/dataset/split';
import { computeStats } from '../../shared/dataset/stats';
import { parseVocXml, serializeVocXml, toIntegerBox, type VocAnnotation } from '../../shared/voc';
import { writeFileAtomic } from './atomic-write';
import { backupFile, restoreBackup } from './backup';
import { encodeXmlText, readXmlFile } from './xml-file';
import { assertWriteInside, isInside } from './confine';
import { Debouncer } from './autosave';
import { detectAnnotationDir, scanFolder, type ScanResult } from './folder-scan';
import { errnoOf, fsApiError } from './fs-errors';
import { readImageInfo, type ImageInfo } from './image-header';
import { applyParsed, buildIndex, readAnnotationFile, readAnnotationFileSync, yieldToEventLoop, type IndexedImage } from './image-index';
import { defaultProjectConfig, loadProjectConfig, projectConfigSchema, saveProjectConfig, type StoredProjectConfig } from './project-config';
import { applyBoxes, isDraftObject, normaliseBoxes, objectKeys, vocToBoxes } from './voc-boxes';
import { withBoxIds } from '../../shared/dataset/box-id';
import { FolderWatcher } from './watcher';
import { errorMessage } from '../../shared/error-message';

export type DatasetEventName = keyof DatasetEvents;
export type DatasetEventListener = <E extends DatasetEventName>(event: E, payload: DatasetEvents[E]) => void;

export interface OpenOptions {
  /** Index sub-folders recursively (stored in project.json once it is written). */
  recursive?: boolean;
  /** Watch the folders for changes made by other tools (default true). */
  watch?: boolean;
  /** Autosave debounce in ms (default 500). */
  autosaveDelayMs?: number;
  /**
   * Finish what a crash left: remove temp files of interrupted writes, replay the pending-edit
   * journal, complete an interrupted class rename. Only the one process that edits the project (the app) does; readers (the trainer,
   * the CLI) must not, or two processes would write the same files. Default false.
   */
  recover?: boolean;
}

export type { AnnotationEdit };

const toPosix = (p: string) => p.split(sep).join('/');

/**
 * Opens a folder as a project: lists its images and annotation files (fast), then parses the
 * annotation files in the background (`ready()` resolves when done; progress comes as
 * 'dataset.changed' events with reason 'index').
 * @throws ApiError not_found | forbidden | io (folder missing, not a folder, permission denied),
 *         unreadable (a broken .detecta/project.json, which is never overwritten).
 */
export async function openDatasetProject(dir: string, options: OpenOptions = {}): Promise<DatasetProject> {
  let root: string;
  try {
    root = await realpath(resolve(dir));
    const s = await stat(root);
    if (!s.isDirectory()) throw new ApiError('not_found', `cannot open project ${dir}: not a folder`, { file: dir });
  } catch (err) {
    throw fsApiError(err, dir, 'cannot open project');
  }
  const stored = await loadProjectConfig(root);
  const config = stored ?? defaultProjectConfig();
  if (!stored) {
    config.annotationDir = await detectAnnotationDir(root);
    if (options.recursive !== undefined) config.recursive = options.recursive;
  } else if (options.recursive !== undefined && options.recursive !== config.recursive) {
    config.recursive = options.recursive;
  }
  const project = new DatasetProject(root, config, stored !== null, options);
  await project.start();
  return project;
}

export class DatasetProject {
  readonly root: string;
  private config: StoredProjectConfig;
  private configStored: boolean;
  private index = new Map<string, IndexedImage>();
  private order: string[] = [];
  private scanProblems: ScanResult['problems'] = [];
  private listeners = new Set<DatasetEventListener>();
  private indexing = false;
  private indexDone: Promise<void> = Promise.resolve();
  private readonly autosaver: Debouncer<{ edit: AnnotationEdit; seq: number }>;
  private readonly journal: EditJournal;
  /** Per annotation file: the client whose save wrote its current version (see checkVersion). */
  private readonly lastWriter = new Map<string, { client: string; version: string }>();
  /** Content of files this session wrote (relative path → text): no backup of our own versions,
   *  and the watcher ignores the change events of our writes. */
  private readonly written = new Map<string, string>();
  private readonly imageInfo = new Map<string, ImageInfo>();
  /** Serialises writes per file. */
  private readonly locks = new Map<string, Promise<unknown>>();
  private watcher: FolderWatcher | null = null;
  private closed = false;
  /** Recent deleteClass/mergeClass changes that can still be undone, by undo id. */
  private readonly classUndo = new Map<string, ClassUndo>();
  private undoSeq = 0;

  constructor(root: string, config: StoredProjectConfig, configStored: boolean, private readonly options: OpenOptions) {
    this.root = root;
    this.config = config;
    this.configStored = configStored;
    this.autosaver = new Debouncer(options.autosaveDelayMs ?? 500, (id, pending) => this.runAutosave(id, pending));
    this.journal = new EditJournal(root);
  }

  /** @internal called by openDatasetProject */
  async start(): Promise<void> {
    const { leftovers } = await this.rescan();
    if (this.options.recover) await this.removeLeftovers(leftovers);
    if (this.options.recover) await this.replayJournal();
    const indexed = this.parsePending('index');
    // a class rename a crash interrupted is finished once the files are indexed
    this.indexDone = this.options.recover ? indexed.then(() => this.resumeClassRename()) : indexed;
    if (this.options.watch !== false) {
      this.watcher = new FolderWatcher(this.root, (paths) => this.onDiskChange(paths));
      this.watcher.setDirs(this.scanDirs);
    }
  }

  private scanDirs: string[] = [];

  /**
   * Removes the temp files of atomic writes that a crash interrupted. Only ones older than a
   * minute: a younger one may belong to a write in flight (another window on the same folder).
   */
  private async removeLeftovers(paths: string[]): Promise<void> {
    const cutoff = Date.now() - 60_000;
    for (const p of paths) {
      const abs = join(this.root, ...p.split('/'));
      const st = await lstat(abs).catch(() => null); // gone meanwhile: nothing to remove
      if (!st?.isFile() || st.mtimeMs > cutoff) continue;
      await rm(abs, { force: true }).catch((err: unknown) => console.warn(`[project] could not remove the leftover temp file ${abs}: ${errorMessage(err)}`));
    }
  }

  private async rescan(): Promise<ScanResult> {
    const scan = await scanFolder(this.root, { recursive: this.config.recursive, annotationDir: this.config.annotationDir });
    this.index = buildIndex(scan, this.config.annotationDir, this.config.split, this.index);
    this.order = scan.images;
    this.scanProblems = scan.problems;
    this.scanDirs = scan.dirs;
    return scan;
  }

  /** Parses every entry still 'pending' and emits progress. */
  private async parsePending(reason: 'index' | 'disk', ids?: string[]): Promise<void> {
    const todo = (ids ?? this.order).map((id) => this.index.get(id)).filter((x): x is IndexedImage => x !== undefined && x.entry.status === 'pending');
    if (!todo.length) return;
    this.indexing = true;
    let lastEmit = Date.now();
    const found: string[] = [];
    const BATCH = 256; // ~10-30 ms of synchronous reading and parsing, then the event loop runs
    for (let start = 0; start < todo.length && !this.closed; start += BATCH) {
      for (const item of todo.slice(start, start + BATCH)) {
        if (item.entry.status !== 'pending') continue; // a save got there first
        try {
          applyParsed(item, readAnnotationFileSync(this.root, item.location.path));
          for (const c of item.accepted ?? []) if (!this.config.classes.includes(c) && !found.includes(c)) found.push(c);
        } catch (err) {
          applyParsed(item, { error: errorMessage(err) });
        }
      }
      if (reason === 'index' && Date.now() - lastEmit > 250) {
        lastEmit = Date.now();
        this.absorbClasses(found);
        this.emitChanged('index');
      }
      await yieldToEventLoop();
    }
    this.absorbClasses(found);
    this.indexing = false;
    this.emitChanged(reason, reason === 'disk' ? todo.map((t) => t.entry.id) : undefined);
  }

  /** Classes found in files join the list in index order (in memory until project.json is written). */
  private absorbClasses(found: string[]): void {
    if (!found.length) return;
    // Index order, so the list does not depend on which file finished parsing first.
    const seen = new Set(found);
    const ordered: string[] = [];
    for (const id of this.order) for (const c of this.index.get(id)?.accepted ?? []) if (seen.has(c) && !ordered.includes(c)) ordered.push(c);
    this.config.classes = appendClasses(this.config.classes, ordered);
    found.length = 0;
  }

  /** Re-lists the folder now (as the watcher would) and parses new or changed annotation files. */
  async refresh(): Promise<void> {
    await this.ready();
    const before = new Set(this.order);
    await this.rescan();
    this.watcher?.setDirs(this.scanDirs);
    const added = this.order.filter((id) => !before.has(id));
    await this.parsePending('disk', added);
  }

  /** Appends class names (in the order given) that are not in the list yet. */
  async appendClasses(names: readonly string[]): Promise<string[]> {
    for (const n of names) {
      const p = classNameProblem(n);
      if (p) throw new ApiError('bad_request', p);
    }
    const next = appendClasses(this.config.classes, names);
    if (next.length !== this.config.classes.length) await this.updateConfig({ classes: next });
    return [...this.config.classes];
  }

  /** Resolves when the background parse of annotation files is finished. */
  ready(): Promise<void> {
    return this.indexDone;
  }

  // ---------------------------------------------------------------- events

  /** Subscribes to this project's events ('dataset.changed', 'dataset.saveState'). */
  onEvent(listener: DatasetEventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit<E extends DatasetEventName>(event: E, payload: DatasetEvents[E]): void {
    for (const l of this.listeners) l(event, payload);
  }

  private emitChanged(reason: DatasetEvents['dataset.changed']['reason'], imageIds?: string[]): void {
    const payload: DatasetEvents['dataset.changed'] = { project: this.root, reason, summary: this.summary() };
    if (imageIds) payload.imageIds = imageIds;
    this.emit('dataset.changed', payload);
  }

  // ---------------------------------------------------------------- paths

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

  /** Absolute path of an image. @throws ApiError('not_found') for an id not in the index. */
  resolveImage(imageId: string): string {
    this.item(imageId);
    return join(this.root, ...imageId.split('/'));
  }

  private item(imageId: string): IndexedImage {
    const it = this.index.get(imageId);
    if (!it) throw new ApiError('not_found', `no image "${imageId}" in project ${this.root}`, { imageId });
    return it;
  }

  // ---------------------------------------------------------------- reading

  summary(): DatasetSummary {
    let labeled = 0, unlabeled = 0, verified = 0, unreadable = 0, empty = 0, pending = 0;
    const splits: Record<Split, number> = { train: 0, val: 0, test: 0 };
    for (const { entry: e } of this.index.values()) {
      if (e.status === 'labeled') { labeled++; if (e.boxes === 0) empty++; }
      else if (e.status === 'unlabeled') unlabeled++;
      else if (e.status === 'unreadable') unreadable++;
      else pending++;
      if (e.verified) verified++;
      splits[e.split]++;
    }
    return {
      name: basename(this.root),
      root: this.root,
      images: this.index.size,
      labeled,
      unlabeled,
      verified,
      unreadable,
      empty,
      pending,
      indexing: this.indexing,
      classes: [...this.config.classes],
      defaultClass: this.config.defaultClass,
      classColors: { ...(this.config.classColors ?? {}) },
      annotationDir: this.config.annotationDir,
      recursive: this.config.recursive,
      splits,
    };
  }

  getConfig(): ProjectConfig {
    return structuredClone(this.config);
  }

  listImages(q: { offset?: number; limit?: number; filter?: ImageFilter; search?: string } = {}): ImagePage {
    const offset = q.offset ?? 0;
    const limit = q.limit ?? 200;
    const filter = q.filter ?? 'all';
    const needle = q.search?.toLowerCase();
    const items: ImageEntry[] = [];
    let total = 0;
    for (const id of this.order) {
      const e = this.index.get(id)!.entry;
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

  /** Image size with EXIF orientation applied (cached); null with a warning when undecodable. */
  private async imageSize(imageId: string, warnings: string[]): Promise<{ size: ImageSize | null; info: ImageInfo | null }> {
    let info = this.imageInfo.get(imageId);
    if (!info) {
      try {
        info = await readImageInfo(this.resolveImage(imageId));
        this.imageInfo.set(imageId, info);
      } catch (err) {
        warnings.push(errorMessage(err));
        return { size: null, info: null };
      }
    }
    const size: ImageSize = { width: info.width, height: info.height };
    if (info.depth !== undefined) size.depth = info.depth;
    return { size, info };
  }

  /** Reads this image's annotation file; null when there is none. Throws 'unreadable'. */
  private async readVoc(item: IndexedImage): Promise<{ text: string; ann: VocAnnotation } | null> {
    if (!item.location.exists || item.entry.annotation === null) return null;
    try {
      return await readAnnotationFile(this.root, item.location.path);
    } catch (err) {
      if (err instanceof ApiError && err.code === 'not_found') return null;
      const reason = errorMessage(err);
      applyParsed(item, { error: reason });
      throw new ApiError('unreadable', `${reason} (the file is left untouched)`, { file: item.location.path });
    }
  }

  async getAnnotation(imageId: string): Promise<ImageAnnotation> {
    const item = this.item(imageId);
    const warnings: string[] = [];
    if (item.location.conflict) warnings.push(item.location.conflict);
    const { size } = await this.imageSize(imageId, warnings);
    const voc = await this.readVoc(item);
    if (voc) {
      applyParsed(item, voc);
      warnings.push(...(voc.ann.warnings ?? []).map((w) => `${item.location.path}: ${w}`));
      if (size && voc.ann.size && (voc.ann.size.width !== size.width || voc.ann.size.height !== size.height)) {
        warnings.push(`${item.location.path}: <size> says ${voc.ann.size.width}x${voc.ann.size.height}, the image is ${size.width}x${size.height}`);
      }
    }
    return {
      imageId,
      annotationPath: item.location.path,
      exists: voc !== null,
      verified: voc?.ann.verified ?? false,
      size: size ?? (voc?.ann.size ? { ...voc.ann.size } : null),
      boxes: voc ? vocToBoxes(voc.ann) : [],
      warnings,
      version: voc ? versionOf(voc.text) : null,
    };
  }

  // ---------------------------------------------------------------- writing

  private async withLock<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.locks.get(key) ?? Promise.resolve();
    const run = prev.then(fn, fn);
    const tail = run.catch(() => undefined);
    this.locks.set(key, tail);
    try {
      return await run;
    } finally {
      if (this.locks.get(key) === tail) this.locks.delete(key);
    }
  }

  /** Writes a file atomically, keeping a backup when it replaces content we did not write. */
  private async writeOwned(relPath: string, text: string, current: string | null): Promise<string | undefined> {
    const abs = join(this.root, ...relPath.split('/'));
    await assertWriteInside(this.root, abs);
    let backup: string | undefined;
    if (current !== null && this.written.get(relPath) !== current) {
      backup = toPosix(relative(this.root, (await backupFile(this.root, abs))!));
    }
    this.written.set(relPath, text);
    try {
      await writeFileAtomic(abs, encodeXmlText(text));
    } catch (err) {
      this.written.delete(relPath);
      throw err;
    }
    return backup;
  }

  /**
   * Saves one image's boxes now (see AnnotationEdit). Writes nothing when nothing changed.
   * @throws ApiError bad_request (a box without area, a bad class name), conflict (the file is
   *         shared with another image), unreadable (the existing file cannot be parsed: it is
   *         never overwritten), io/forbidden (the write failed; the old file is intact).
   */
  saveAnnotation(imageId: string, edit: AnnotationEdit): Promise<SaveResult> {
    const item = this.item(imageId);
    return this.withLock(item.location.path, () => this.save(item, edit));
  }

  private async save(item: IndexedImage, edit: AnnotationEdit): Promise<SaveResult> {
    const imageId = item.entry.id;
    if (item.location.conflict) throw new ApiError('conflict', `cannot save ${imageId}: ${item.location.conflict}`, { imageId });
    const warnings: string[] = [];
    const { size: imageSize } = await this.imageSize(imageId, warnings);
    const voc = await this.readVoc(item); // throws 'unreadable' for a broken file
    const size = imageSize ?? voc?.ann.size ?? null;
    this.checkVersion(item, voc?.text ?? null, edit);
    const boxes = normaliseBoxes(edit.boxes, size, imageId);
    // Drafts keep the model's class without adding it: a class joins the list when a box of it is accepted.
    const newClasses = boxes.filter((b) => !b.draft).map((b) => b.label).filter((l) => !this.config.classes.includes(l));

    let state: SaveResult['state'] = 'saved';
    let backup: string | undefined;
    let written: string | null = null;
    // every box gets its id now: the caller's (kept), or a new one for a box that has none
    const saved = withBoxIds(boxes);
    if (voc && sameContent(voc.ann, boxes, edit.verified)) {
      state = 'unchanged';
    } else {
      const abs = this.resolveImage(imageId);
      const next = applyBoxes(voc?.ann ?? null, saved, edit.verified, {
        folder: basename(dirname(abs)),
        filename: item.entry.name,
        path: abs,
        size,
      });
      const text = serializeVocXml(next);
      if (voc?.text === text) state = 'unchanged';
      else {
        backup = await this.writeOwned(item.location.path, text, voc?.text ?? null);
        written = text;
        if (edit.client !== undefined) this.lastWriter.set(item.location.path, { client: edit.client, version: versionOf(text) });
        else this.lastWriter.delete(item.location.path);
      }
      if (state === 'saved') {
        item.location = { ...item.location, exists: true };
        applyParsed(item, { ann: next });
      }
    }
    if (newClasses.length) await this.updateConfig({ classes: appendClasses(this.config.classes, newClasses) });
    if (state === 'saved') this.emitChanged('save', [imageId]);
    const annotation: ImageAnnotation = {
      imageId,
      annotationPath: item.location.path,
      exists: item.location.exists,
      verified: edit.verified,
      size,
      boxes: state === 'unchanged' && voc ? vocToBoxes(voc.ann) : saved,
      warnings,
      version: written !== null ? versionOf(written) : voc ? versionOf(voc.text) : null,
    };
    const result: SaveResult = { state, annotation, entry: this.getImage(imageId) };
    if (backup) result.backup = backup;
    return result;
  }

  /**
   * Optimistic concurrency: an edit that names the version it was made on is refused when the
   * file changed since, unless the change is this same client's own earlier save.
   */
  private checkVersion(item: IndexedImage, currentText: string | null, edit: AnnotationEdit): void {
    if (edit.baseVersion === undefined) return;
    const current = currentText === null ? null : versionOf(currentText);
    if (current === edit.baseVersion) return;
    const last = this.lastWriter.get(item.location.path);
    if (edit.client !== undefined && last?.client === edit.client && last.version === current) return;
    throw new ApiError('conflict', `${item.entry.id} was changed elsewhere (another window or program) since you started this edit: reload it, or keep your version`, { imageId: item.entry.id, reason: 'stale', version: current });
  }

  /**
   * Schedules a debounced save; progress is reported as 'dataset.saveState' events. Resolves
   * once the edit is in the pending-edit journal, so an acknowledged edit survives a crash.
   */
  async autosave(imageId: string, edit: AnnotationEdit): Promise<void> {
    this.item(imageId);
    const seq = await this.journal.record(imageId, edit);
    this.autosaver.schedule(imageId, { edit, seq });
    this.emit('dataset.saveState', { project: this.root, imageId, state: 'pending' });
  }

  private async runAutosave(imageId: string, pending: { edit: AnnotationEdit; seq: number }): Promise<void> {
    // whose edit and which one: an editor tells its own saves from other windows' and knows what a save covers
    const revision = {
      ...(pending.edit.client !== undefined ? { client: pending.edit.client } : {}),
      ...(pending.edit.revision !== undefined ? { revision: pending.edit.revision } : {}),
    };
    this.emit('dataset.saveState', { project: this.root, imageId, state: 'saving', ...revision });
    try {
      const r = await this.saveAnnotation(imageId, pending.edit);
      await this.journal.saved(imageId, pending.seq);
      this.emit('dataset.saveState', { project: this.root, imageId, state: r.state, annotation: r.annotation, ...revision });
    } catch (err) {
      const conflict = err instanceof ApiError && err.code === 'conflict' && (err.details as { reason?: string } | undefined)?.reason === 'stale'
        ? { version: (err.details as { version: string | null }).version }
        : undefined;
      if (conflict) await this.journal.saved(imageId, pending.seq); // a stale edit is the user's to resolve, not to replay
      // otherwise the edit stays in the journal: the next open tries it again
      this.emit('dataset.saveState', { project: this.root, imageId, state: 'error', error: errorMessage(err), ...revision, ...(conflict ? { conflict } : {}) });
    }
  }

  /** Saves the edits a crash left in the journal (the last one of each image), then empties it. */
  private async replayJournal(): Promise<void> {
    const edits = await this.journal.leftovers();
    if (!edits.size) return;
    for (const [imageId, edit] of edits) {
      try {
        await this.saveAnnotation(imageId, edit);
      } catch (err) {
        console.warn(`[project] ${this.root}: an edit of ${imageId} from before a crash could not be saved (${errorMessage(err)}); it was: ${JSON.stringify(edit)}`);
      }
    }
    await this.journal.discard();
  }

  /** Writes every pending autosave now. */
  flush(): Promise<void> {
    return this.autosaver.flush();
  }

  async restoreBackup(imageId: string): Promise<ImageAnnotation> {
    const item = this.item(imageId);
    await this.withLock(item.location.path, async () => {
      const abs = join(this.root, ...item.location.path.split('/'));
      await restoreBackup(this.root, abs);
      // an unreadable backup is reported by parsePending below; nothing of ours to compare then
      this.written.set(item.location.path, await readXmlFile(abs, item.location.path).then((f) => f.text, () => ''));
      item.location = { ...item.location, exists: true };
      item.entry.annotation = item.location.path;
      item.entry.status = 'pending';
      await this.parsePending('disk', [imageId]);
    });
    return this.getAnnotation(imageId);
  }

  // ---------------------------------------------------------------- config and classes

  private async updateConfig(patch: Partial<ProjectConfig>, reason: 'classes' | 'config' = 'classes'): Promise<void> {
    const previous = this.config;
    const next = { ...previous, ...patch };
    this.config = next; // at once, so a concurrent update builds on it
    try {
      await saveProjectConfig(this.root, next);
    } catch (err) {
      // a failed write changes nothing, in memory either (unless a later update already built on it)
      if (this.config === next) this.config = previous;
      throw err;
    }
    this.configStored = true;
    this.emitChanged(reason);
  }

  /** A key of project.json that another part of the app owns (e.g. `activeModel`); undefined when absent. */
  getSetting(key: string): unknown {
    return (this.config as Record<string, unknown>)[key];
  }

  /** Sets (or with undefined removes) such a key and writes project.json atomically. */
  async setSetting(key: string, value: unknown): Promise<void> {
    if (key in projectConfigSchema.shape) throw new Error(`setSetting: "${key}" is a dataset key; use its own method`);
    const next = { ...this.config } as Record<string, unknown>;
    if (value === undefined) delete next[key];
    else next[key] = value;
    this.config = next as StoredProjectConfig;
    await saveProjectConfig(this.root, this.config);
    this.configStored = true;
    this.emitChanged('config');
  }

  /** Writes project.json now if it does not exist yet (pins the class order found in the files). */
  async persistConfig(): Promise<void> {
    if (!this.configStored) await this.updateConfig({}, 'config');
  }

  async addClass(name: string): Promise<string[]> {
    const p = classNameProblem(name);
    if (p) throw new ApiError('bad_request', p);
    if (this.config.classes.includes(name)) throw new ApiError('conflict', `a class named "${name}" already exists`);
    await this.updateConfig({ classes: appendClasses(this.config.classes, [name]) });
    return [...this.config.classes];
  }

  /**
   * Renames a class in place (its id does not change) and rewrites every readable annotation
   * file that uses the old name (atomically, with backups). Unreadable files are left alone.
   */
  async renameClass(from: string, to: string): Promise<{ classes: string[]; filesRewritten: number }> {
    const p = classNameProblem(to);
    if (p) throw new ApiError('bad_request', p);
    // Finishing a rename a crash interrupted (its journal names the same two classes) is allowed
    // although "to" may already be listed; it takes the place of "from".
    const resuming = isSameRename(await this.readClassJournal(), from, to);
    const current = resuming && this.config.classes.includes(from) ? this.config.classes.filter((c) => c !== to) : this.config.classes;
    let classes: string[];
    try {
      classes = resuming && !current.includes(from) ? [...current] : renameClass(current, from, to);
    } catch (err) {
      const msg = errorMessage(err);
      throw new ApiError(msg.startsWith('no class') ? 'not_found' : 'conflict', msg);
    }
    if (!resuming) await this.ready();
    await this.flush();
    // the journal first: a crash from here on is finished on the next open
    await assertWriteInside(this.root, this.classJournalPath);
    await writeFileAtomic(this.classJournalPath, JSON.stringify({ op: 'rename', from, to } satisfies ClassJournal) + '\n');
    let filesRewritten = 0;
    const failures: string[] = [];
    const affected = [...this.index.values()].filter((it) => it.entry.status === 'labeled' && it.entry.classes.includes(from));
    for (const item of affected) {
      try {
        await this.withLock(item.location.path, async () => {
          const voc = await this.readVoc(item);
          if (!voc) return;
          const next: VocAnnotation = { ...voc.ann, objects: voc.ann.objects.map((o) => (o.name === from ? { ...o, name: to } : o)) };
          const text = serializeVocXml(next);
          if (text !== voc.text) {
            await this.writeOwned(item.location.path, text, voc.text);
            filesRewritten++;
          }
          applyParsed(item, { ann: next });
        });
      } catch (err) {
        failures.push(errorMessage(err));
      }
    }
    await this.updateConfig({
      classes,
      defaultClass: this.config.defaultClass === from ? to : this.config.defaultClass,
      ...renamedColorAndMappings(this.config, from, to),
    });
    if (!failures.length) await rm(this.classJournalPath, { force: true });
    if (failures.length) {
      throw new ApiError('io', `renamed "${from}" to "${to}" in ${filesRewritten} files, but ${failures.length} failed: ${failures.slice(0, 5).join('; ')}`, { failures });
    }
    return { classes: [...classes], filesRewritten };
  }

  // ---------------------------------------------------------------- class operations

  private get classJournalPath(): string {
    return join(this.root, '.detecta', 'class-rename.json');
  }

  private async readClassJournal(): Promise<ClassJournal | null> {
    let text: string;
    try {
      text = await readFile(this.classJournalPath, 'utf8');
    } catch (err) {
      if (errnoOf(err) === 'ENOENT') return null;
      throw fsApiError(err, this.classJournalPath, 'cannot read');
    }
    const j = (() => { try { return JSON.parse(text) as Partial<ClassJournal>; } catch { return null; } })();
    if (j?.op !== 'rename' || typeof j.from !== 'string' || typeof j.to !== 'string') {
      throw new ApiError('unreadable', `${this.classJournalPath} is not a class-rename journal; remove it after checking the class names in your files`);
    }
    return j as ClassJournal;
  }

  /** Finishes a class rename that a crash interrupted (files half rewritten, project.json not yet). */
  private async resumeClassRename(): Promise<void> {
    try {
      const j = await this.readClassJournal();
      if (j) await this.renameClass(j.from, j.to);
    } catch (err) {
      console.warn(`[project] ${this.root}: could not finish renaming a class after a crash: ${errorMessage(err)}`);
      this.scanProblems = [...this.scanProblems, { file: '.detecta/class-rename.json', reason: `an interrupted class rename could not be finished: ${errorMessage(err)}` }];
    }
  }

  /**
   * Accepted boxes, images and drafts per class: the project's classes first (in order), then
   * names only found in files. From the index (kept current by every save, class edit and disk
   * change), so it costs no file reads.
   */
  async classUsage(): Promise<ClassUsage[]> {
    await this.ready();
    const by = new Map<string, ClassUsage>(this.config.classes.map((name) => [name, { name, boxes: 0, images: 0, drafts: 0 }]));
    for (const id of this.order) {
      const item = this.index.get(id)!;
      if (item.entry.status !== 'labeled' || !item.counts) continue;
      for (const [name, c] of item.counts) {
        let u = by.get(name);
        if (!u) { u = { name, boxes: 0, images: 0, drafts: 0 }; by.set(name, u); }
        u.boxes += c.boxes;
        u.drafts += c.drafts;
        if (c.boxes > 0) u.images++;
      }
    }
    return [...by.values()];
  }

  /**
   * Deletes a class: every box of it (drafts included) leaves every readable annotation file
   * (each file rewritten atomically, with a backup of versions this session did not write), then
   * the name leaves project.json. Later classes move up one id. `undoId` puts it all back
   * (`undoClassChange`) while the files are as this left them.
   */
  async deleteClass(name: string): Promise<ClassChangeResult> {
    let classes: string[];
    try {
      classes = removeClass(this.config.classes, name);
    } catch (err) {
      throw new ApiError('not_found', errorMessage(err));
    }
    const index = this.config.classes.indexOf(name);
    const r = await this.rewriteObjects((o) => o.name === name, (objs) => objs.filter((o) => o.name !== name), `delete "${name}"`);
    const colors = { ...(this.config.classColors ?? {}) };
    delete colors[name];
    const before = { defaultClass: this.config.defaultClass, color: this.config.classColors?.[name] };
    await this.updateConfig({ classes, defaultClass: this.config.defaultClass === name ? null : this.config.defaultClass, classColors: colors });
    return this.recordUndo({ name, index, ...before }, r, classes);
  }

  /** Merges class `from` into `into`: every box of `from` becomes `into`, then `from` leaves the list (undoable like deleteClass). */
  async mergeClass(from: string, into: string): Promise<ClassChangeResult> {
    let classes: string[];
    try {
      classes = mergeClasses(this.config.classes, from, into);
    } catch (err) {
      const msg = errorMessage(err);
      throw new ApiError(msg.startsWith('no class') ? 'not_found' : 'bad_request', msg);
    }
    const index = this.config.classes.indexOf(from);
    const r = await this.rewriteObjects((o) => o.name === from, (objs) => objs.map((o) => (o.name === from ? { ...o, name: into } : o)), `merge "${from}" into "${into}"`);
    const colors = { ...(this.config.classColors ?? {}) };
    delete colors[from];
    const before = { defaultClass: this.config.defaultClass, color: this.config.classColors?.[from] };
    await this.updateConfig({ classes, defaultClass: this.config.defaultClass === from ? into : this.config.defaultClass, classColors: colors });
    return this.recordUndo({ name: from, index, ...before }, r, classes);
  }

  /**
   * Undoes a deleteClass or mergeClass: files still as that change wrote them get their previous
   * text back (atomically); a file changed since is left alone and listed in `skipped`. The class
   * returns to its old place in the list.
   */
  async undoClassChange(undoId: string): Promise<{ classes: string[]; filesRestored: number; skipped: string[] }> {
    const u = this.classUndo.get(undoId);
    if (!u) throw new ApiError('not_found', 'nothing to undo: that class change is no longer remembered (the project was reopened or it was already undone)');
    this.classUndo.delete(undoId);
    await this.flush();
    // the class goes back to its place first, so the restored files do not append it at the end
    const classes = this.config.classes.includes(u.name) ? [...this.config.classes] : [...this.config.classes.slice(0, u.index), u.name, ...this.config.classes.slice(u.index)];
    const patch: Partial<ProjectConfig> = { classes };
    if (u.defaultClass === u.name) patch.defaultClass = u.name;
    if (u.color) patch.classColors = { ...(this.config.classColors ?? {}), [u.name]: u.color };
    await this.updateConfig(patch);
    let filesRestored = 0;
    const skipped: string[] = [];
    for (const f of u.files) {
      const item = this.index.get(f.imageId);
      if (!item || item.location.path !== f.path) { skipped.push(f.path); continue; }
      await this.withLock(f.path, async () => {
        const abs = join(this.root, ...f.path.split('/'));
        const now = await readXmlFile(abs, f.path).then((file) => file.text, () => null); // gone or unreadable: skipped below
        if (now !== f.after) { skipped.push(f.path); return; }
        await this.writeOwned(f.path, f.before, now);
        filesRestored++;
        item.entry.status = 'pending';
        await this.parsePending('disk', [f.imageId]);
      });
    }
    return { classes: [...this.config.classes], filesRestored, skipped };
  }

  /** Puts the classes in a new order (a permutation of the list). Class ids (YOLO ids) follow the new order. */
  async reorderClasses(next: readonly string[]): Promise<string[]> {
    let classes: string[];
    try {
      classes = reorderClasses(this.config.classes, next);
    } catch (err) {
      throw new ApiError('bad_request', errorMessage(err));
    }
    await this.updateConfig({ classes });
    return [...classes];
  }

  /** Sets (or with null clears) the colour a class is drawn with. */
  async setClassColor(name: string, color: string | null): Promise<Record<string, string>> {
    if (!this.config.classes.includes(name)) throw new ApiError('not_found', `no class named "${name}"`);
    const colors = { ...(this.config.classColors ?? {}) };
    if (color === null) delete colors[name];
    else {
      const p = classColorProblem(color);
      if (p) throw new ApiError('bad_request', p);
      colors[name] = color.toLowerCase();
    }
    await this.updateConfig({ classColors: colors }, 'config');
    return colors;
  }

  /** The remembered mapping of a model's classes onto the project's ({} when none). */
  classMapping(model: string): ClassMapping {
    return { ...(this.config.classMappings?.[model] ?? {}) };
  }

  /**
   * Remembers (merges) how a model's classes map onto the project's. A target that is not a
   * project class yet is refused: add the class first (accepting a box of it does that).
   */
  async setClassMapping(model: string, mapping: ClassMapping): Promise<ClassMapping> {
    for (const [from, to] of Object.entries(mapping)) {
      if (to !== null && !this.config.classes.includes(to)) throw new ApiError('bad_request', `cannot map "${from}" to "${to}": the project has no class "${to}"`);
    }
    const next = { ...this.classMapping(model), ...mapping };
    await this.updateConfig({ classMappings: { ...(this.config.classMappings ?? {}), [model]: next } }, 'config');
    return next;
  }

  /** Rewrites the objects of every readable file holding an object that `touches`; failures are collected, never half-written. */
  private async rewriteObjects(touches: (o: VocObject) => boolean, edit: (objs: VocObject[]) => VocObject[], what: string): Promise<RewriteResult> {
    await this.ready();
    await this.flush();
    const files: RewriteResult['files'] = [];
    const failures: string[] = [];
    let boxes = 0;
    for (const id of this.order) {
      const item = this.index.get(id)!;
      if (item.entry.status !== 'labeled' || item.entry.boxes === 0) continue;
      try {
        await this.withLock(item.location.path, async () => {
          const voc = await this.readVoc(item);
          if (!voc) return;
          const hits = voc.ann.objects.filter(touches).length;
          if (!hits) return;
          const next: VocAnnotation = { ...voc.ann, objects: edit(voc.ann.objects) };
          const text = serializeVocXml(next);
          await this.writeOwned(item.location.path, text, voc.text);
          applyParsed(item, { ann: next });
          files.push({ imageId: id, path: item.location.path, before: voc.text, after: text });
          boxes += hits;
        });
      } catch (err) {
        failures.push(`${item.location.path}: ${errorMessage(err)}`);
      }
    }
    if (failures.length) {
      // all or nothing: put back the files already rewritten, so boxes and the class list agree
      const stuck: string[] = [];
      for (const f of files) {
        try {
          await this.withLock(f.path, async () => {
            await this.writeOwned(f.path, f.before, f.after);
            const item = this.index.get(f.imageId);
            if (item) applyParsed(item, { ann: parseVocXml(f.before, f.path) });
          });
        } catch (err) {
          stuck.push(`${f.path}: ${errorMessage(err)}`);
        }
      }
      if (files.length) this.emitChanged('save', files.map((f) => f.imageId));
      const tail = stuck.length ? `; ${stuck.length} file(s) could not be put back: ${stuck.slice(0, 5).join('; ')}` : '; nothing was changed';
      throw new ApiError('io', `could not ${what}: ${failures.length} file(s) failed (${failures.slice(0, 5).join('; ')})${tail}`, { failures, stuck });
    }
    if (files.length) this.emitChanged('save', files.map((f) => f.imageId));
    return { files, boxes };
  }

  private recordUndo(u: Omit<ClassUndo, 'files'>, r: RewriteResult, classes: string[]): ClassChangeResult {
    const undoId = `u${++this.undoSeq}`;
    this.classUndo.set(undoId, { ...u, files: r.files });
    // a few recent changes are enough to undo; older ones would pin every file's text in memory
    while (this.classUndo.size > 5) this.classUndo.delete(this.classUndo.keys().next().value!);
    return { classes: [...classes], boxesChanged: r.boxes, filesRewritten: r.files.length, undoId };
  }

  async setDefaultClass(name: string | null): Promise<ProjectConfig> {
    const patch: Partial<ProjectConfig> = { defaultClass: name };
    if (name !== null && !this.config.classes.includes(name)) patch.classes = appendClasses(this.config.classes, [name]);
    await this.updateConfig(patch, 'config');
    return this.getConfig();
  }

  /** Moves one image to a split by hand (null = back to the seeded assignment). */
  async setSplit(imageId: string, split: Split | null): Promise<ImageEntry> {
    const item = this.item(imageId);
    const overrides = { ...this.config.split.overrides };
    if (split === null) delete overrides[imageId];
    else overrides[imageId] = split;
    const next = { ...this.config.split, overrides };
    item.entry.split = assignSplit(next, imageId);
    await this.updateConfig({ split: next }, 'config');
    return this.getImage(imageId);
  }

  /** Moves many images to splits by hand in one project.json write (an import keeping its source's split). */
  async setSplits(changes: ReadonlyMap<string, Split>): Promise<void> {
    const next = { ...this.config.split, overrides: { ...this.config.split.overrides } };
    for (const [id, split] of changes) { this.item(id); next.overrides[id] = split; }
    for (const id of changes.keys()) this.item(id).entry.split = assignSplit(next, id);
    await this.updateConfig({ split: next }, 'config');
  }

  // ---------------------------------------------------------------- whole-dataset views

  /** Every labeled image with its parsed annotation (reads the files; for stats and exports). */
  async *annotations(): AsyncGenerator<{ entry: ImageEntry; ann: VocAnnotation }> {
    await this.ready();
    for (const id of this.order) {
      const item = this.index.get(id);
      if (!item || item.entry.status !== 'labeled') continue;
      let voc: { ann: VocAnnotation } | null;
      try {
        voc = await this.readVoc(item);
      } catch (err) {
        void err; // readVoc marked the entry unreadable; validate() and the summary report it
        continue;
      }
      if (voc) yield { entry: item.entry, ann: voc.ann };
    }
  }

  async stats(): Promise<DatasetStats> {
    const images: { size: { width: number; height: number } | null; boxes: ReturnType<typeof vocToBoxes> }[] = [];
    for await (const { ann } of this.annotations()) images.push({ size: ann.size ?? null, boxes: vocToBoxes(ann) });
    return computeStats(this.summary(), { classes: this.config.classes, images });
  }

  /** Unreadable or suspicious files, with reasons. */
  async validate(): Promise<DatasetIssue[]> {
    await this.ready();
    const issues: DatasetIssue[] = this.scanProblems.map((p) => ({ file: p.file, severity: 'error' as const, reason: p.reason }));
    for (const id of this.order) {
      const item = this.index.get(id)!;
      const e = item.entry;
      if (e.status === 'unreadable') {
        issues.push({ file: item.location.path, severity: 'error', reason: e.error ?? 'unreadable' });
        continue;
      }
      if (item.location.conflict) issues.push({ file: id, severity: 'warning', reason: item.location.conflict });
      const warnings: string[] = [];
      const { info } = await this.imageSize(id, warnings);
      for (const w of warnings) issues.push({ file: id, severity: 'error', reason: w });
      if (info && info.orientation !== 1) {
        issues.push({ file: id, severity: 'warning', reason: `EXIF orientation ${info.orientation}: boxes are in the rotated (displayed) frame; LabelImg shows this photo unrotated` });
      }
      if (e.status !== 'labeled') continue;
      let voc: { ann: VocAnnotation } | null;
      try {
        voc = await this.readVoc(item);
      } catch (err) {
        issues.push({ file: item.location.path, severity: 'error', reason: errorMessage(err) });
        continue;
      }
      if (!voc) continue;
      const file = item.location.path;
      for (const w of voc.ann.warnings ?? []) issues.push({ file, severity: 'warning', reason: w });
      const s = voc.ann.size;
      if (!s) issues.push({ file, severity: 'warning', reason: 'no <size>; it is written from the image on the next save' });
      if (s && info) {
        if (s.width === info.rawWidth && s.height === info.rawHeight && (info.rawWidth !== info.width || info.rawHeight !== info.height)) {
          issues.push({ file, severity: 'warning', reason: `<size> ${s.width}x${s.height} is the unrotated size; the displayed image is ${info.width}x${info.height} (EXIF orientation ${info.orientation})` });
        } else if (s.width !== info.width || s.height !== info.height) {
          issues.push({ file, severity: 'warning', reason: `<size> ${s.width}x${s.height} differs from the image (${info.width}x${info.height})` });
        }
      }
      const w = info?.width ?? s?.width;
      const h = info?.height ?? s?.height;
      voc.ann.objects.forEach((o, i) => {
        const b = o.bndbox;
        const label = `object ${i + 1} ("${o.name}")`;
        if (b.xmax - b.xmin <= 0 || b.ymax - b.ymin <= 0) issues.push({ file, severity: 'warning', reason: `${label} has zero or negative size (${b.xmin},${b.ymin})-(${b.xmax},${b.ymax})` });
        else if (w !== undefined && h !== undefined) {
          const c = toIntegerBox(b, w, h);
          if (b.xmin < 0 || b.ymin < 0 || b.xmax > w || b.ymax > h) issues.push({ file, severity: 'warning', reason: `${label} reaches outside the ${w}x${h} image; it is clamped to (${c.xmin},${c.ymin})-(${c.xmax},${c.ymax}) on the next save` });
        }
      });
    }
    return issues;
  }

  // ---------------------------------------------------------------- watching

  private async onDiskChange(paths: string[]): Promise<void> {
    if (this.closed) return;
    // Our own writes (content we wrote, unchanged since) are not changes.
    const foreign: string[] = [];
    for (const p of paths) {
      if (this.written.has(p)) {
        const now = await readXmlFile(join(this.root, p), p).then((file) => file.text, () => null); // gone or unreadable: a change
        if (now === this.written.get(p)) continue;
      }
      foreign.push(p);
    }
    if (!foreign.length) return;
    const before = new Set(this.order);
    await this.rescan();
    this.watcher?.setDirs(this.scanDirs);
    const changed = new Set<string>();
    const touched = new Set(foreign);
    for (const id of this.order) {
      const item = this.index.get(id)!;
      if (!before.has(id)) changed.add(id);
      else if (touched.has(item.location.path) || touched.has(id)) {
        item.entry.annotation = item.location.exists ? item.location.path : null;
        item.entry.status = item.location.exists ? 'pending' : 'unlabeled';
        if (!item.location.exists) Object.assign(item.entry, { verified: false, boxes: 0, classes: [], difficult: false });
        this.imageInfo.delete(id);
        changed.add(id);
      }
    }
    for (const id of before) if (!this.index.has(id)) changed.add(id);
    await this.parsePending('disk', [...changed].filter((id) => this.index.has(id)));
    this.emitChanged('disk', [...changed]);
  }

  /** Stops the watcher and writes pending autosaves. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.watcher?.close();
    this.watcher = null;
    await this.journal.idle(); // autosaves still being journaled get scheduled, then flushed
    await this.flush();
    await this.journal.close();
    await this.indexDone;
    this.closed = true;
    this.listeners.clear();
  }
}

interface RewriteResult {
  files: { imageId: string; path: string; before: string; after: string }[];
  boxes: number;
}

interface ClassUndo {
  name: string;
  index: number;
  defaultClass: string | null;
  color: string | undefined;
  files: RewriteResult['files'];
}

/** A renamed class keeps its colour, and model mappings onto it follow the new name. */
function renamedColorAndMappings(config: StoredProjectConfig, from: string, to: string): Partial<ProjectConfig> {
  const out: Partial<ProjectConfig> = {};
  const color = config.classColors?.[from];
  if (color) {
    const colors = { ...config.classColors };
    delete colors[from];
    colors[to] = color;
    out.classColors = colors;
  }
  if (config.classMappings) {
    out.classMappings = Object.fromEntries(Object.entries(config.classMappings).map(([m, map]) => [m, Object.fromEntries(Object.entries(map).map(([k, v]) => [k, v === from ? to : v]))]));
  }
  return out;
}

/** The file already says what the edit says (boxes sent without a key match any object id). */
function sameContent(ann: VocAnnotation, boxes: readonly BoxAnnotation[], verified: boolean): boolean {
  if (ann.verified !== verified || ann.objects.length !== boxes.length) return false;
  const w = ann.size?.width;
  const h = ann.size?.height;
  const keys = objectKeys(ann);
  return ann.objects.every((o, i) => {
    const b = boxes[i]!;
    const r = toIntegerBox(o.bndbox, w, h);
    return (
      (b.key === undefined || b.key === keys[i]) &&
      o.name === b.label &&
      r.xmin === b.xmin && r.ymin === b.ymin && r.xmax === b.xmax && r.ymax === b.ymax &&
      (o.difficult ?? false) === b.difficult &&
      (o.truncated ?? false) === b.truncated &&
      isDraftObject(o) === (b.draft ?? false) &&
      (b.pose === undefined || b.pose === (o.pose ?? 'Unspecified'))
    );
  });
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

/** `.detecta/class-rename.json`: a class rename in progress (removed when it is done). */
interface ClassJournal { op: 'rename'; from: string; to: string }

const isSameRename = (j: ClassJournal | null, from: string, to: string): boolean => j !== null && j.from === from && j.to === to;

/** The version of an annotation's text (ImageAnnotation.version). */
function versionOf(text: string): string {
  return createHash('sha1').update(text).digest('base64url').slice(0, 16);
}
