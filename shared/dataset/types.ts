/**
 * Domain types of a Detecta project (a folder of images with Pascal VOC annotations), shared by
 * main/ and the renderer. Pure TypeScript.
 *
 * Identifiers: an image's id is its path relative to the project root with forward slashes
 * (`images/raccoon-1.jpg`); it is stable while the file stays where it is.
 *
 * Coordinates: pixels of the image as displayed, i.e. after its EXIF orientation is applied
 * (see exif.ts for the rule), with (0,0) the top-left corner and xmax/ymax the right/bottom edges.
 */

/**
 * The image files a project, `detecta map` and the exchange readers take: the formats Chromium
 * (the Label view, the renderer's detector) can show. TIFF is left out on purpose: a .tif would be
 * listed but could not be drawn or detected on.
 */
export const IMAGE_EXTENSIONS = ['.jpg', '.jpeg', '.png', '.bmp', '.webp', '.gif'] as const;

export type Split = 'train' | 'val' | 'test';

/**
 * - unlabeled: no annotation file yet
 * - labeled: a readable annotation file (possibly with zero boxes: a "nothing here" image)
 * - unreadable: the annotation file exists but cannot be parsed; it is never overwritten
 * - pending: the index has found the file but not parsed it yet (right after opening)
 */
export type AnnotationStatus = 'unlabeled' | 'labeled' | 'unreadable' | 'pending';

export interface ImageEntry {
  /** Path relative to the project root, forward slashes. */
  id: string;
  /** File name with extension. */
  name: string;
  /** Annotation file relative to the root (forward slashes) when one exists, else null. */
  annotation: string | null;
  status: AnnotationStatus;
  verified: boolean;
  /** Number of boxes (0 when unlabeled, unreadable or pending). */
  boxes: number;
  /** Distinct class names of the boxes, in first-seen order. */
  classes: string[];
  /** Any box marked difficult. */
  difficult: boolean;
  split: Split;
  /** Why the annotation is unreadable, or a warning about it (e.g. ambiguous flat-folder stem). */
  error?: string;
}

/** One box as the UI edits it. */
export interface BoxAnnotation {
  /**
   * The box's stable id (shared/dataset/box-id.ts): made by the editor for a new box, kept in the
   * file as `<object id="...">`, "o<i>" for an object of a file without ids. Send it back unchanged
   * on save so the box keeps its id and its object's unknown XML children (`<part>`, `<occluded>`,
   * attributes); a box saved without one gets a new id.
   */
  key?: string;
  label: string;
  xmin: number;
  ymin: number;
  xmax: number;
  ymax: number;
  difficult: boolean;
  truncated: boolean;
  /** VOC `<pose>`; LabelImg writes "Unspecified". */
  pose?: string;
  /**
   * A model's suggestion not yet accepted by a person (pre-labeling, webcam snapshots). Written as
   * `<draft>1</draft>` inside the object, an element LabelImg ignores and keeps.
   */
  draft?: boolean;
  /**
   * The object track this box belongs to (video frames: the same object on every frame carries
   * the same number). Written as `<track>3</track>` inside the object, an element LabelImg ignores
   * and keeps; see shared/dataset/tracks.ts.
   */
  track?: number;
}

export interface ImageSize {
  width: number;
  height: number;
  /** Channels, when known. */
  depth?: number;
}

export interface ImageAnnotation {
  imageId: string;
  /** Annotation file (relative to the root) it was read from or will be written to. */
  annotationPath: string;
  /** True when the file exists on disk. */
  exists: boolean;
  verified: boolean;
  /** Oriented image size (EXIF applied) when the image header could be read. */
  size: ImageSize | null;
  boxes: BoxAnnotation[];
  /** Parser warnings, ambiguities and image read problems, for the UI. */
  warnings: string[];
  /**
   * The version of the file this was read from or written as (a hash of its content; null while
   * no file exists). A save that names the version it edits is refused with 'conflict' when the
   * file has changed since (another window, another program).
   */
  version: string | null;
}

export interface SplitConfig {
  seed: number;
  /** Fractions; normalised when they do not sum to 1. */
  train: number;
  val: number;
  test: number;
  /** Images the user moved by hand (id → split); everything else follows the seeded hash. */
  overrides: Record<string, Split>;
}

/** `.detecta/project.json` (unknown keys written by other parts of the app are kept). */
export interface ProjectConfig {
  version: 1;
  /**
   * Class names in stable order (index = YOLO id): appended, renamed in place; reordered, deleted
   * or merged only when the user asks (the Label view's class menu), which changes later ids.
   */
  classes: string[];
  /** Annotation folder relative to the root (forward slashes), or null: XML beside each image. */
  annotationDir: string | null;
  defaultClass: string | null;
  /** Index sub-folders recursively. */
  recursive: boolean;
  split: SplitConfig;
  /** Colours the user picked per class ("#rrggbb"); classes without one get a palette colour. */
  classColors?: Record<string, string>;
  /**
   * How a model's classes map onto the project's, per model (key: see shared/dataset/class-mapping.ts):
   * model class → project class, or null to ignore boxes of that class.
   */
  classMappings?: Record<string, ClassMapping>;
}

/** Model class → project class, or null: boxes of that model class are dropped. */
export type ClassMapping = Record<string, string | null>;

/** How much one class is used in the project's readable annotation files. */
export interface ClassUsage {
  name: string;
  /** Accepted (non-draft) boxes. */
  boxes: number;
  /** Images with at least one accepted box of the class. */
  images: number;
  /** Draft boxes (model suggestions) of the class. */
  drafts: number;
}

export interface DatasetSummary {
  name: string;
  root: string;
  images: number;
  labeled: number;
  unlabeled: number;
  verified: number;
  unreadable: number;
  /** Labeled images whose file has zero boxes. */
  empty: number;
  /** Not parsed yet (only while `indexing`). */
  pending: number;
  indexing: boolean;
  classes: string[];
  defaultClass: string | null;
  /** Colours picked per class (see ProjectConfig.classColors). */
  classColors: Record<string, string>;
  /** Where new annotation files go, relative to the root; null = beside each image. */
  annotationDir: string | null;
  recursive: boolean;
  splits: Record<Split, number>;
}

export interface HistogramBin {
  /** Lower edge (inclusive). */
  from: number;
  /** Upper edge (exclusive); null = open-ended. */
  to: number | null;
  count: number;
}

export interface ClassStats {
  name: string;
  /** Index in the project's class list (the YOLO id); -1 for a name only found in files. */
  id: number;
  boxes: number;
  images: number;
  difficult: number;
}

export interface DatasetStats {
  summary: DatasetSummary;
  boxes: number;
  classes: ClassStats[];
  /** Histogram of sqrt(box area) in pixels: powers of two from 0 to 1024+. */
  boxSize: HistogramBin[];
  /** COCO size buckets by area: small < 32², medium < 96², large. */
  cocoSizes: { small: number; medium: number; large: number };
  /** Histogram of box aspect ratio width/height (log-spaced). */
  aspectRatio: HistogramBin[];
  /** Boxes per image. */
  boxesPerImage: HistogramBin[];
  /** Boxes of zero width or height. */
  zeroSizeBoxes: number;
  /** Boxes reaching outside the size recorded in their file. */
  outsideBoxes: number;
}

/** A problem `dataset.validate` reports: the file, the reason, and how bad it is. */
export interface DatasetIssue {
  /** Relative path of the file concerned (image or annotation). */
  file: string;
  severity: 'error' | 'warning';
  reason: string;
}

/** Formats `dataset.import` reads (IMPORT_FORMATS) and `dataset.export` writes (EXPORT_FORMATS). */
export const IMPORT_FORMATS = ['voc', 'yolo', 'ultralytics', 'coco', 'createml', 'labelme', 'cvat', 'labelstudio', 'openimages'] as const;
export const EXPORT_FORMATS = ['voc', 'yolo', 'ultralytics', 'coco', 'createml', 'labelme', 'cvat'] as const;
export type ExchangeFormat = (typeof IMPORT_FORMATS)[number];
export type ExportFormat = (typeof EXPORT_FORMATS)[number];
/** Every format named on either side. */
export const EXCHANGE_FORMATS: readonly ExchangeFormat[] = IMPORT_FORMATS;

export interface ExchangeReport {
  format: ExchangeFormat;
  /** Folder written (export) or read (import). */
  dir: string;
  images: number;
  boxes: number;
  classes: string[];
  /** Files skipped, with reasons (nothing is overwritten silently). */
  skipped: DatasetIssue[];
  /** Files written, relative to `dir` (export) or the project root (import). */
  written: number;
  /** Import: of the images imported, those found in the project by file name (labels that came without their images). */
  matched?: number;
}

/** One image's boxes and verified flag, as a save or an autosave carries them. */
export interface AnnotationEdit {
  boxes: BoxAnnotation[];
  verified: boolean;
  /** The version the edit was made on (ImageAnnotation.version); omitted: no check. */
  baseVersion?: string | null;
  /** Who edits (one id per window): its own saves in between do not count as changes made elsewhere. */
  client?: string;
  /** The editor's number for this edit, echoed by the autosave's events: which edit a 'saved' is for. */
  revision?: number;
}
