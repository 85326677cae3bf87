/**
 * DatasetProject: one opened project folder, the composition root of its parts and the source
 * of its events. See folder-scan.ts for the layouts understood and shared/dataset/exif.ts for
 * the orientation rule. The parts, one job each:
 *   image-index.ts            the images and where their annotations are (scan, parse, watch)
 *   annotation-store.ts       VOC read/write: per-file locks, atomic writes, backups, versions
 *   annotation-autosave.ts    debounced saves with the crash journal (edit-journal.ts)
 *   project-config-store.ts   .detecta/project.json: classes, splits, active model (typed)
 *   class-edits.ts            class rename/delete/merge that rewrite annotation files, usage
 *   reports.ts                summary, stats, validate
 *   sample-list.ts            the labeled samples handed to the trainer
 * This file is over 300 lines only because it keeps the project's whole public surface in one
 * place (most methods are one-line delegations to the parts), so callers need not know the parts.
 *
 * Guarantees: every write is atomic (temp + rename); an unchanged file is never rewritten; an
 * unreadable annotation file is reported and never overwritten; before overwriting a file this
 * session did not write, its previous version goes to `.detecta/backups/`.
 * Opening a project writes nothing; project.json is written the first time something in it
 * changes (a class added by a save, a rename, a split override...).
 */
import { lstat, realpath, rm, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { ApiError } from '../../shared/api/contract';
import type { ClassChangeResult, DatasetEvents, ImagePage, SaveResult } from '../../shared/api/dataset';
import type {
  AnnotationEdit,
  ClassMapping,
  ClassUsage,
  DatasetIssue,
  DatasetStats,
  DatasetSummary,
  ImageAnnotation,
  ImageEntry,
  ProjectConfig,
  Split,
} from '../../shared/dataset/types';
import type { ImageFilter } from '../../shared/dataset/filter';
import { assignSplit } from '../../shared/dataset/split';
import { errorMessage } from '../../shared/error-message';
import type { VocAnnotation } from '../../shared/voc';
import { AnnotationAutosave } from './annotation-autosave';
import { AnnotationStore } from './annotation-store';
import { ClassEdits } from './class-edits';
import { detectAnnotationDir } from './folder-scan';
import { fsApiError } from './fs-errors';
import { ImageIndex } from './image-index';
import { defaultProjectConfig, loadProjectConfig, type ActiveModelRef, type StoredProjectConfig } from './project-config';
import { ProjectConfigStore } from './project-config-store';
import { datasetStats, datasetSummary, validateDataset } from './reports';
import { collectSamples, readSample, type LabeledSample, type SampleList } from './sample-list';

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

/**
 * The labeled samples of a project folder that no process has open here (`detecta train`):
 * opens it without watching or recovering, reads them, closes it.
 */
export async function readSampleList(dir: string): Promise<SampleList> {
  const project = await openDatasetProject(dir, { watch: false });
  try {
    return await project.sampleList();
  } finally {
    await project.close();
  }
}

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
  private readonly config: ProjectConfigStore;
  private readonly index: ImageIndex;
  private readonly store: AnnotationStore;
  private readonly autosaver: AnnotationAutosave;
  private readonly classEdits: ClassEdits;
  private readonly listeners = new Set<DatasetEventListener>();
  private indexDone: Promise<void> = Promise.resolve();
  private closed = false;

  constructor(root: string, config: StoredProjectConfig, configStored: boolean, private readonly options: OpenOptions) {
    this.root = root;
    this.config = new ProjectConfigStore(root, config, configStored, (reason) => this.emitChanged(reason));
    this.index = new ImageIndex(root, {
      settings: () => this.config.current,
      classesFound: (names) => this.config.absorbClasses(names),
      changed: (reason, ids) => this.emitChanged(reason, ids),
      isOwnWrite: (path) => this.store.isOwnWrite(path),
      invalidate: (id) => this.store.invalidate(id),
    });
    this.store = new AnnotationStore(root, this.index, this.config, (ids) => this.emitChanged('save', ids));
    this.autosaver = new AnnotationAutosave(root, options.autosaveDelayMs ?? 500, (id, edit) => this.store.saveAnnotation(id, edit), (e) => this.emit('dataset.saveState', e));
    this.classEdits = new ClassEdits({
      root, index: this.index, store: this.store, config: this.config,
      ready: () => this.ready(), flush: () => this.flush(), saved: (ids) => this.emitChanged('save', ids),
    });
  }

  /** @internal called by openDatasetProject */
  async start(): Promise<void> {
    const { leftovers } = await this.index.rescan();
    if (this.options.recover) await this.removeLeftovers(leftovers);
    if (this.options.recover) await this.autosaver.replay();
    const indexed = this.index.parsePending('index');
    // a class rename a crash interrupted is finished once the files are indexed
    this.indexDone = this.options.recover ? indexed.then(() => this.classEdits.resumeClassRename()) : indexed;
    if (this.options.watch !== false) this.index.watch();
  }

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

  /** Resolves when the background parse of annotation files is finished. */
  ready(): Promise<void> {
    return this.indexDone;
  }

  /** Re-lists the folder now (as the watcher would) and parses new or changed annotation files. */
  async refresh(): Promise<void> {
    await this.ready();
    await this.index.refresh();
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

  // ---------------------------------------------------------------- images (image-index.ts)

  /** True when `absPath` (after realpath when it exists) is this root or inside it. */
  contains(absPath: string): boolean {
    return this.index.contains(absPath);
  }

  /** Absolute path of an image. @throws ApiError('not_found') for an id not in the index. */
  resolveImage(imageId: string): string {
    return this.index.resolveImage(imageId);
  }

  listImages(q: { offset?: number; limit?: number; filter?: ImageFilter; search?: string } = {}): ImagePage {
    return this.index.listImages(q);
  }

  getImage(imageId: string): ImageEntry {
    return this.index.getImage(imageId);
  }

  // ---------------------------------------------------------------- annotations (annotation-store.ts, annotation-autosave.ts)

  getAnnotation(imageId: string): Promise<ImageAnnotation> {
    return this.store.getAnnotation(imageId);
  }

  /** Saves one image's boxes now; see AnnotationStore.saveAnnotation. */
  saveAnnotation(imageId: string, edit: AnnotationEdit): Promise<SaveResult> {
    return this.store.saveAnnotation(imageId, edit);
  }

  /**
   * Schedules a debounced save; progress is reported as 'dataset.saveState' events. Resolves
   * once the edit is in the pending-edit journal, so an acknowledged edit survives a crash.
   */
  async autosave(imageId: string, edit: AnnotationEdit): Promise<void> {
    this.index.item(imageId);
    await this.autosaver.schedule(imageId, edit);
  }

  /** Writes every pending autosave now. */
  flush(): Promise<void> {
    return this.autosaver.flush();
  }

  /** Removes one image's annotation file; see AnnotationStore.removeAnnotation. */
  removeAnnotation(imageId: string, baseVersion: string): Promise<ImageAnnotation> {
    return this.store.removeAnnotation(imageId, baseVersion);
  }

  restoreBackup(imageId: string): Promise<ImageAnnotation> {
    return this.store.restoreBackup(imageId);
  }

  /** Every labeled image with its parsed annotation (reads the files; for stats and exports). */
  async *annotations(): AsyncGenerator<{ entry: ImageEntry; ann: VocAnnotation }> {
    await this.ready();
    yield* this.store.annotations();
  }

  /** The labeled samples for training, after every pending autosave is written (sample-list.ts). */
  async sampleList(): Promise<SampleList> {
    await this.ready();
    await this.flush();
    return collectSamples(this.index, this.store, this.config.classes);
  }

  /**
   * One image's sample (file, split, boxes); an image without an annotation file has no boxes.
   * @throws ApiError not_found (no such image), unreadable (a broken annotation file).
   */
  async sample(imageId: string): Promise<LabeledSample> {
    const item = this.index.item(imageId);
    return (await readSample(this.index, this.store, item)) ?? { imageId, file: this.index.resolveImage(imageId), split: item.entry.split, size: null, boxes: [] };
  }

  // ---------------------------------------------------------------- config (project-config-store.ts)

  getConfig(): ProjectConfig {
    return this.config.snapshot();
  }

  /** Writes project.json now if it does not exist yet (pins the class order found in the files). */
  persistConfig(): Promise<void> {
    return this.config.persist();
  }

  /** The model the Detect view and pre-labeling use (a run of this project), or null. */
  activeModel(): ActiveModelRef | null {
    return this.config.activeModel();
  }

  /** Chooses (or with null clears) the active model; writes project.json. */
  setActiveModel(ref: ActiveModelRef | null): Promise<void> {
    return this.config.setActiveModel(ref);
  }

  appendClasses(names: readonly string[]): Promise<string[]> {
    return this.config.appendClasses(names);
  }

  addClass(name: string): Promise<string[]> {
    return this.config.addClass(name);
  }

  reorderClasses(next: readonly string[]): Promise<string[]> {
    return this.config.reorderClasses(next);
  }

  setClassColor(name: string, color: string | null): Promise<Record<string, string>> {
    return this.config.setClassColor(name, color);
  }

  classMapping(model: string): ClassMapping {
    return this.config.classMapping(model);
  }

  setClassMapping(model: string, mapping: ClassMapping): Promise<ClassMapping> {
    return this.config.setClassMapping(model, mapping);
  }

  setDefaultClass(name: string | null): Promise<ProjectConfig> {
    return this.config.setDefaultClass(name);
  }

  /** Moves one image to a split by hand (null = back to the seeded assignment). */
  async setSplit(imageId: string, split: Split | null): Promise<ImageEntry> {
    const item = this.index.item(imageId);
    const overrides = { ...this.config.split.overrides };
    if (split === null) delete overrides[imageId];
    else overrides[imageId] = split;
    const next = { ...this.config.split, overrides };
    item.entry.split = assignSplit(next, imageId);
    await this.config.setSplitConfig(next);
    return this.getImage(imageId);
  }

  /** Moves many images to splits by hand in one project.json write (an import keeping its source's split). */
  async setSplits(changes: ReadonlyMap<string, Split>): Promise<void> {
    const next = { ...this.config.split, overrides: { ...this.config.split.overrides } };
    for (const [id, split] of changes) { this.index.item(id); next.overrides[id] = split; }
    for (const id of changes.keys()) this.index.item(id).entry.split = assignSplit(next, id);
    await this.config.setSplitConfig(next);
  }

  // ---------------------------------------------------------------- classes in files (class-edits.ts)

  renameClass(from: string, to: string): Promise<{ classes: string[]; filesRewritten: number }> {
    return this.classEdits.renameClass(from, to);
  }

  deleteClass(name: string): Promise<ClassChangeResult> {
    return this.classEdits.deleteClass(name);
  }

  mergeClass(from: string, into: string): Promise<ClassChangeResult> {
    return this.classEdits.mergeClass(from, into);
  }

  undoClassChange(undoId: string): Promise<{ classes: string[]; filesRestored: number; skipped: string[] }> {
    return this.classEdits.undoClassChange(undoId);
  }

  classUsage(): Promise<ClassUsage[]> {
    return this.classEdits.classUsage();
  }

  // ---------------------------------------------------------------- reports (reports.ts)

  summary(): DatasetSummary {
    return datasetSummary(this.index, this.config.current);
  }

  async stats(): Promise<DatasetStats> {
    await this.ready();
    return datasetStats(this.index, this.store, this.config.current);
  }

  /** Unreadable or suspicious files, with reasons. */
  async validate(): Promise<DatasetIssue[]> {
    await this.ready();
    return validateDataset(this.index, this.store);
  }

  /** Stops the watcher and writes pending autosaves. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.index.stopWatching();
    await this.autosaver.close();
    await this.indexDone;
    this.index.close();
    this.closed = true;
    this.listeners.clear();
  }
}
