/**
 * The Label store's shape, one interface per slice (list, document + history, save queue,
 * viewport, interaction). Types only: the slices (list-slice.ts, ...) implement them and
 * label-store.ts puts them together; views read it through selectors (selectors.ts).
 */
import type { StateCreator } from 'zustand';
import type { ApiClient, ImageAnnotation, ImageEntry, ImageFilter } from '../../../shared/api';
import type { DatasetEvents, SaveState } from '../../../shared/api/dataset';
import type { BoxFlag, Command, Doc, DraftMapping } from './commands';
import type { Rect, Size, View } from './geometry';
import type { History } from './history';
import type { Interaction, InteractionEvent } from './interaction';

export type { Doc };
export type UiSaveState = 'idle' | SaveState;

/** The paged image list (from the dataset index), the filter and search, the current image. */
export interface ListSlice {
  project: string | null;
  filter: ImageFilter;
  /** File-name search (case-insensitive substring of the image id); '' = all. */
  search: string;
  total: number;
  /** Loaded pages by page index. */
  pages: Record<number, ImageEntry[]>;
  /** Bumped when the list must be refetched (filter change, dataset change). */
  generation: number;
  /** Page requests in flight ("generation:page"). */
  loadingPages: Record<string, true>;
  currentIndex: number;
  current: ImageEntry | null;

  reset(project: string): Promise<void>;
  setFilter(filter: ImageFilter): Promise<void>;
  setSearch(search: string): Promise<void>;
  ensurePage(page: number): Promise<void>;
  entryAt(index: number): ImageEntry | undefined;
  select(index: number): Promise<void>;
  step(delta: number): Promise<void>;
  nextUnlabeled(): Promise<void>;
  reloadCurrent(): Promise<void>;
  refreshList(): Promise<void>;
  /**
   * Images saved (here or elsewhere): their rows are updated in place when they stay in the
   * filtered list; the list is fetched again only when its membership may have changed.
   */
  onImagesSaved(imageIds: readonly string[] | undefined): Promise<void>;
}

/** The current image's document (its boxes), every opened image's undo history, the selection. */
export interface DocumentSlice {
  annotation: ImageAnnotation | null;
  annotationError: string | null;
  /** Undo histories by image id (kept while the project is open). */
  histories: Record<string, History<Doc>>;
  /** The boxes being edited (the present of the current image's history). */
  doc: Doc | null;
  /** Id (BoxAnnotation.key) of the selected box. */
  selectedId: string | null;
  canUndo: boolean;
  canRedo: boolean;
  /** Class given to the next drawn box (number keys / class list with nothing selected). */
  nextClass: string | null;
  /** The class last given to a box (offered first when asking for a new box's class). */
  lastClass: string | null;

  /** Shows `annotation` as the current image's document (keeping its history and unsaved edit). */
  showAnnotation(annotation: ImageAnnotation, keepSelection: boolean): void;
  /** Applies a command as one undo step (or into the open gesture's step) and saves it. */
  run(cmd: Command): boolean;
  undo(): void;
  redo(): void;
  setSelected(id: string | null): void;
  setNextClass(name: string | null): void;
  /** Marks: the edits until endGesture() are one undo step (one drag = one undo). */
  beginGesture(): void;
  endGesture(): void;

  /** Draws a box of class `label`; with `track`, the box joins that video track. */
  addBox(rect: Rect, label: string, track?: number): void;
  deleteSelected(): void;
  duplicateSelected(): void;
  nudgeSelected(dx: number, dy: number): void;
  moveBox(id: string, rect: Rect): void;
  /** The selected box takes `name`; with nothing selected, the next drawn box will. */
  pickClass(name: string): void;
  toggleFlag(flag: BoxFlag): void;
  toggleVerified(): void;
  /** Accepts the selected draft or all drafts; `mapping` relabels (or, null, removes) classes. */
  acceptDrafts(which: 'selected' | 'all', mapping?: DraftMapping): void;
  /** Adds boxes (copies and suggestions) with new ids, to the image `imageId` if still current. */
  appendBoxes(imageId: string, boxes: Doc['boxes']): void;
  copyPrevious(): Promise<void>;
}

/** An edit of one image not yet confirmed saved. */
export interface Unsaved {
  doc: Doc;
  /** The edit's revision (every edit of any image gets the next number), sent with it and echoed by its save's events. */
  version: number;
  retryMs: number;
  timer: ReturnType<typeof setTimeout> | null;
  notified: boolean;
}

/** Edits on their way to the file: kept until saved, retried with backoff, conflicts offered. */
export interface SaveSlice {
  /** Edits not yet confirmed saved, by image id. */
  unsaved: Record<string, Unsaved>;
  /** The file version (ImageAnnotation.version) each image's edits were made on. */
  baseVersions: Record<string, string | null>;
  saveState: UiSaveState;
  saveError: string | null;
  /** An image whose file changed elsewhere while this window had unsaved edits of it (see resolveConflict). */
  conflict: { imageId: string; version: string | null } | null;
  /** When Ctrl+S last saved (ms), for the "Saved" flash; null before. */
  savedAt: number | null;

  queueSave(imageId: string, doc: Doc): void;
  onSaveState(e: Omit<DatasetEvents['dataset.saveState'], 'project'>): void;
  /** A conflict's way out: keep this window's edit (written over the other version) or load the other version. */
  resolveConflict(choice: 'mine' | 'theirs'): Promise<void>;
  /** Ctrl+S: writes pending edits now (the autosave flushes); `savedAt` marks the moment for feedback. */
  saveNow(): Promise<void>;
}

export interface DisplaySettings {
  hideBoxes: boolean;
  showLabels: boolean;
  brightness: number;
  keepZoom: boolean;
}

/** The canvas view: zoom and offset, fit mode, sizes, display settings. */
export interface ViewportSlice extends DisplaySettings {
  view: View | null;
  fitMode: 'window' | 'width' | null;
  viewport: Size;
  imageSize: Size | null;

  setDisplay(p: Partial<DisplaySettings>): void;
  setView(view: View, fitMode?: 'window' | 'width' | null): void;
  setViewport(size: Size): void;
  setImageSize(size: Size | null): void;
  fit(mode: 'window' | 'width'): void;
  zoomBy(factor: number, at?: { x: number; y: number }): void;
  /** Scrolls the view by screen pixels, keeping the image in view. */
  panBy(dx: number, dy: number): void;
}

export interface InteractionSlice {
  interaction: Interaction;
  /** Feeds the state machine (interaction.ts); returns the state before the event. */
  interact(e: InteractionEvent): Interaction;
}

export type LabelState = ListSlice & DocumentSlice & SaveSlice & ViewportSlice & InteractionSlice;
export type Slice<T> = StateCreator<LabelState, [], [], T>;

/** What the store needs from outside: the API and the app's notices (injected: tests pass fakes). */
export interface LabelDeps {
  api: Pick<ApiClient, 'call'>;
  notify(kind: 'info' | 'error', text: string): void;
}
