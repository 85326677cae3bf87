/**
 * Dataset API: a project folder's images, their VOC annotations, the class list, statistics,
 * validation and import-export (YOLO, Ultralytics, COCO, CreateML, VOC, LabelMe, CVAT XML; import
 * also Label Studio JSON and Open Images CSV). Every method takes `project`: the project
 * root as returned when the project was opened. Boxes are in displayed-image pixels (EXIF
 * orientation applied; see shared/dataset/exif.ts).
 */
import { z } from 'zod';
import { method } from './contract';
import type {
  BoxAnnotation,
  ClassMapping,
  ClassUsage,
  DatasetIssue,
  DatasetStats,
  DatasetSummary,
  ExchangeReport,
  ImageAnnotation,
  ImageEntry,
  ProjectConfig,
  Split,
} from '../dataset/types';
import { imageFilterProblem, type ImageFilter } from '../dataset/filter';
import { EXPORT_FORMATS, IMPORT_FORMATS } from '../dataset/types';
import { classNameProblem } from '../dataset/classes';
import type { VideoFrame } from '../dataset/video-frames';

const project = z.string().min(1).max(4096);
const imageId = z.string().min(1).max(4096);
const className = z.string().superRefine((s, ctx) => {
  const p = classNameProblem(s);
  if (p) ctx.addIssue({ code: 'custom', message: p });
});
const coord = z.number().finite();
export const boxSchema = z.object({
  key: z.string().max(32).optional(),
  label: className,
  xmin: coord,
  ymin: coord,
  xmax: coord,
  ymax: coord,
  difficult: z.boolean().default(false),
  truncated: z.boolean().default(false),
  pose: z.string().max(100).optional(),
  draft: z.boolean().optional(),
  track: z.number().int().min(0).max(1e9).optional(),
});
const annotationEdit = {
  project,
  imageId,
  boxes: z.array(boxSchema).max(10000),
  verified: z.boolean().default(false),
  /** ImageAnnotation.version the edit was made on: a file changed since gives 'conflict'. */
  baseVersion: z.string().max(64).nullable().optional(),
  /** The editing window's id (see AnnotationEdit.client). */
  client: z.string().max(64).optional(),
  /** The editor's number for this edit (see AnnotationEdit.revision). */
  revision: z.number().int().nonnegative().optional(),
};
const filter = z
  .string()
  .default('all')
  .superRefine((s, ctx) => {
    const p = imageFilterProblem(s);
    if (p) ctx.addIssue({ code: 'custom', message: p });
  })
  .transform((s) => s as ImageFilter);
const importFormat = z.enum(IMPORT_FORMATS);
const exportFormat = z.enum(EXPORT_FORMATS);
const split = z.enum(['train', 'val', 'test']);

export interface ImagePage {
  items: ImageEntry[];
  /** Images matching the filter (all pages). */
  total: number;
  offset: number;
  /** True while the index is still parsing annotation files (counts may grow). */
  indexing: boolean;
}

export interface ClassChangeResult {
  classes: string[];
  /** Boxes removed (delete) or relabeled (merge), drafts included. */
  boxesChanged: number;
  filesRewritten: number;
  /** Pass to dataset.undoClassChange to put everything back. */
  undoId: string;
}

const modelKey = z.string().min(1).max(1000);

export interface SaveResult {
  /** 'unchanged': nothing differed from the file, nothing was written. */
  state: 'saved' | 'unchanged';
  annotation: ImageAnnotation;
  entry: ImageEntry;
  /** Where the previous version was kept, when a file we had not written was overwritten. */
  backup?: string;
}

export const datasetMethods = {
  'dataset.summary': method<DatasetSummary>()(z.object({ project }).strict()),
  'dataset.listImages': method<ImagePage>()(
    z
      .object({
        project,
        offset: z.number().int().min(0).default(0),
        limit: z.number().int().min(1).max(5000).default(200),
        filter,
        /** Case-insensitive substring of the image id. */
        search: z.string().max(500).optional(),
      })
      .strict(),
  ),
  'dataset.getImage': method<ImageEntry>()(z.object({ project, imageId }).strict()),
  'dataset.getAnnotation': method<ImageAnnotation>()(z.object({ project, imageId }).strict()),
  /** Saves now. Boxes are rounded and clamped into the image; new class names join the list. */
  'dataset.saveAnnotation': method<SaveResult>()(z.object(annotationEdit).strict()),
  /** Debounced save (the last edit within ~0.5 s wins); progress comes as dataset.saveState. */
  'dataset.autosave': method<{ scheduled: true }>()(z.object(annotationEdit).strict()),
  /** Writes pending autosaves now. */
  'dataset.flush': method<{ flushed: true }>()(z.object({ project }).strict()),
  /**
   * Removes this image's annotation file: the image has no labels again (the undo of a change to an
   * image that had no file). Refused ('conflict') when the file is not at `baseVersion`; a file this
   * session did not write goes to .detecta/backups first. No file: nothing to do.
   */
  'dataset.removeAnnotation': method<ImageAnnotation>()(z.object({ project, imageId, baseVersion: z.string().max(64) }).strict()),
  /** Puts back the previous version of this image's annotation file (kept in .detecta/backups). */
  'dataset.restoreBackup': method<ImageAnnotation>()(z.object({ project, imageId }).strict()),
  'dataset.addClass': method<string[]>()(z.object({ project, name: className }).strict()),
  /** Renames in place (same id) and rewrites every annotation file that uses the old name. */
  'dataset.renameClass': method<{ classes: string[]; filesRewritten: number }>()(
    z.object({ project, from: z.string().min(1), to: className }).strict(),
  ),
  /** Accepted boxes, images and drafts per class (flushes pending autosaves first). */
  'dataset.classUsage': method<ClassUsage[]>()(z.object({ project }).strict()),
  /**
   * Deletes a class and every box of it, in every readable annotation file (each rewritten
   * atomically; all or nothing). Later classes move up one id. Undo with dataset.undoClassChange.
   */
  'dataset.deleteClass': method<ClassChangeResult>()(z.object({ project, name: z.string().min(1) }).strict()),
  /** Relabels every box of `from` as `into` and removes `from` from the list (undoable). */
  'dataset.mergeClass': method<ClassChangeResult>()(z.object({ project, from: z.string().min(1), into: z.string().min(1) }).strict()),
  /** Puts back what a deleteClass or mergeClass changed (files changed since are left alone and listed). */
  'dataset.undoClassChange': method<{ classes: string[]; filesRestored: number; skipped: string[] }>()(
    z.object({ project, undoId: z.string().min(1).max(100) }).strict(),
  ),
  /** A new order of the same classes; ids (YOLO ids) follow the order. */
  'dataset.reorderClasses': method<string[]>()(z.object({ project, classes: z.array(z.string()).max(10000) }).strict()),
  /** Colour a class is drawn with ("#rrggbb"), or null for the palette colour. */
  'dataset.setClassColor': method<Record<string, string>>()(z.object({ project, name: z.string().min(1), color: z.string().max(20).nullable() }).strict()),
  /** The remembered mapping of one model's classes onto the project's. */
  'dataset.classMapping': method<ClassMapping>()(z.object({ project, model: modelKey }).strict()),
  /** Remembers (merges into) a model's class mapping; targets must be project classes. */
  'dataset.setClassMapping': method<ClassMapping>()(
    z.object({ project, model: modelKey, mapping: z.record(z.string().min(1).max(200), className.nullable()) }).strict(),
  ),
  'dataset.setDefaultClass': method<ProjectConfig>()(z.object({ project, name: className.nullable() }).strict()),
  'dataset.setSplit': method<ImageEntry>()(z.object({ project, imageId, split: split.nullable() }).strict()),
  'dataset.config': method<ProjectConfig>()(z.object({ project }).strict()),
  'dataset.stats': method<DatasetStats>()(z.object({ project }).strict()),
  'dataset.validate': method<DatasetIssue[]>()(z.object({ project }).strict()),
  'dataset.export': method<ExchangeReport>()(
    z.object({ project, format: exportFormat, outDir: z.string().min(1), copyImages: z.boolean().default(true) }).strict(),
  ),
  /**
   * Takes frames of a video file into the project as JPEG images (`<stem>_<frame>.jpg` under
   * images/, or `<stem>/` in a recursive project), each with its video and time kept in
   * `.detecta/videos/<stem>.json`. Every n-th frame, n per second, a time range (seconds), and/or
   * only frames that differ enough from the last one kept (minChange, 0–1). Nothing existing is
   * overwritten. In the browser the video must lie inside an opened project. Needs ffmpeg.
   */
  'dataset.addVideo': method<AddVideoResult>()(
    z
      .object({
        project,
        video: z.string().min(1).max(4096),
        every: z.number().int().min(1).max(100000).optional(),
        fps: z.number().positive().max(1000).optional(),
        start: z.number().min(0).optional(),
        end: z.number().positive().optional(),
        minChange: z.number().min(0).max(1).optional(),
      })
      .strict(),
  ),
  /** The video sequence an image is a frame of (its frames in time order), or null for a photo. */
  'dataset.videoFrames': method<VideoSequence | null>()(z.object({ project, imageId }).strict()),
  /** sourceDir: the dataset's folder, or (coco, cvat, labelstudio) its annotation file. */
  'dataset.import': method<ExchangeReport>()(z.object({ project, format: importFormat, sourceDir: z.string().min(1) }).strict()),
};

export interface AddVideoResult {
  video: string;
  /** Name stem of the frame files. */
  stem: string;
  /** Folder the frames went to, relative to the project root. */
  dir: string;
  /** Frames picked from the video (after min-change). */
  picked: number;
  /** Frame images written now. */
  written: number;
  /** Frames of this video already in the project, left as they are. */
  existing: number;
  /** Frames not written, with the reason. */
  skipped: DatasetIssue[];
  /** Image ids of this video's frames in the project, in time order. */
  frames: string[];
}

/** The frames of one video in a project (see shared/dataset/video-frames.ts). */
export interface VideoSequence {
  stem: string;
  video: string;
  fps: number;
  frames: VideoFrame[];
}

export type SaveState = 'pending' | 'saving' | 'saved' | 'unchanged' | 'error';

export interface DatasetEvents {
  /** The index changed: parsing progress, files changed on disk, a save, the class list. */
  'dataset.changed': {
    project: string;
    reason: 'index' | 'disk' | 'save' | 'classes' | 'config';
    /** Images concerned, when known (omitted for whole-index changes). */
    imageIds?: string[];
    summary: DatasetSummary;
  };
  /** Autosave progress of one image. */
  'dataset.saveState': {
    project: string;
    imageId: string;
    state: SaveState;
    /**
     * The revision of the edit this save writes (AnnotationEdit.revision, when the edit had one):
     * debounced edits merge, so a 'saved' covers every edit up to this revision.
     */
    revision?: number;
    /** The client (AnnotationEdit.client) whose edit this save writes, when it named one. */
    client?: string;
    /** The error message when state is 'error' (the edit stays pending in the UI). */
    error?: string;
    /**
     * Set when the error is a conflict: the file changed elsewhere since the edit began. The UI
     * offers to reload it or to keep its own version (resent with this `version` as its base).
     */
    conflict?: { version: string | null };
    /**
     * With 'saved' and 'unchanged': the annotation as the file now holds it (every box with its
     * id, coordinates rounded, the file's version), so the editor need not read it again.
     */
    annotation?: ImageAnnotation;
  };
}

export type { BoxAnnotation, Split };
