/**
 * The one detections file format: what `detecta predict` writes and what the Detect view saves
 * (images and videos, detectors and classifiers), as JSON and as CSV, and its one reader.
 *
 * JSON: `{ format: 'detecta-detections', version: 1, kind, task, model, classes, … }` with
 * - kind 'images': `images: [{ image, width, height, detections | classes }]`;
 * - kind 'video': `source, width, height, fps, frameCount, frames: [{ frame, time, detections | classes }]`.
 * A detection is `{ label, classId, score, x1, y1, x2, y2 }` in pixels of the original image
 * (x2/y2 exclusive corners, 2 decimals); a classification is `{ rank, label, classId, score }`.
 * Files written before the format had its `format`/`version` keys (round 1's `detecta predict`
 * with `file`/`className`, the Detect view's video files) are read as version 1.
 *
 * CSV (csv-stringify): `image` or `frame,time` first, then `label,class_id,score,x1,y1,x2,y2`
 * (one row per box, one empty row for an image or frame without boxes) or
 * `rank,label,class_id,score` (one row per ranked class).
 */
import { stringify } from 'csv-stringify/browser/esm/sync';
import { z } from 'zod';

export const DETECTIONS_FORMAT = 'detecta-detections';

export const detectionRecordSchema = z.object({
  label: z.string(),
  classId: z.number().int().nonnegative(),
  score: z.number().min(0).max(1),
  x1: z.number(), y1: z.number(), x2: z.number(), y2: z.number(),
});
export type DetectionRecord = z.infer<typeof detectionRecordSchema>;

export const classRecordSchema = z.object({
  rank: z.number().int().positive(),
  label: z.string(),
  classId: z.number().int().nonnegative(),
  score: z.number().min(0).max(1),
});
export type ClassRecord = z.infer<typeof classRecordSchema>;

const resultShape = { detections: z.array(detectionRecordSchema).optional(), classes: z.array(classRecordSchema).optional() };
export const imageResultSchema = z.object({ image: z.string(), width: z.number().int().positive(), height: z.number().int().positive(), output: z.string().optional(), ...resultShape });
export type ImageResult = z.infer<typeof imageResultSchema>;
export const frameResultSchema = z.object({ frame: z.number().int().nonnegative(), time: z.number().nonnegative(), ...resultShape });
export type FrameResult = z.infer<typeof frameResultSchema>;

const header = {
  format: z.literal(DETECTIONS_FORMAT).default(DETECTIONS_FORMAT),
  version: z.literal(1).default(1),
  task: z.enum(['detect', 'classify']).default('detect'),
  /** The model's folder or title. */
  model: z.string(),
  classes: z.array(z.string()),
  confidence: z.number().min(0).max(1).optional(),
  iou: z.number().min(0).max(1).optional(),
};

export const imagesFileSchema = z.object({ ...header, kind: z.literal('images'), images: z.array(imageResultSchema) });
export const videoFileSchema = z.object({
  ...header,
  kind: z.literal('video'),
  source: z.string(),
  output: z.string().optional(),
  width: z.number().int().nonnegative(),
  height: z.number().int().nonnegative(),
  fps: z.number().positive(),
  frameCount: z.number().int().nonnegative(),
  frames: z.array(frameResultSchema),
});
export const detectionsFileSchema = z.discriminatedUnion('kind', [imagesFileSchema, videoFileSchema]);
export type DetectionsFile = z.infer<typeof detectionsFileSchema>;
export type ImagesDetectionsFile = z.infer<typeof imagesFileSchema>;
export type VideoDetectionsFile = z.infer<typeof videoFileSchema>;

const r2 = (v: number): number => Math.round(v * 100) / 100;
const r4 = (v: number): number => Math.round(v * 1e4) / 1e4;
const labelOf = (labels: readonly string[], classId: number): string => labels[classId] ?? `class${classId}`;

/** Detections (pixels of the original image) as file records: names from `labels`, coordinates to 2 decimals, scores to 4. */
export function detectionRecords(dets: readonly { classId: number; score: number; x1: number; y1: number; x2: number; y2: number }[], labels: readonly string[]): DetectionRecord[] {
  return dets.map((d) => ({ label: labelOf(labels, d.classId), classId: d.classId, score: r4(d.score), x1: r2(d.x1), y1: r2(d.y1), x2: r2(d.x2), y2: r2(d.y2) }));
}

/** Ranked classes (best first) as file records. */
export function classRecords(top: readonly { classId: number; score: number }[], labels: readonly string[]): ClassRecord[] {
  return top.map((t, i) => ({ rank: i + 1, label: labelOf(labels, t.classId), classId: t.classId, score: r4(t.score) }));
}

/** A video frame's entry (time in seconds, 4 decimals). */
export function frameResult(frame: number, time: number, result: Pick<FrameResult, 'detections' | 'classes'>): FrameResult {
  return { frame, time: r4(time), ...result };
}

/** The file's JSON text (validated first, so a writer cannot produce a file the reader refuses). */
export function detectionsFileJson(file: DetectionsFile): string {
  return JSON.stringify(detectionsFileSchema.parse(file), null, 1) + '\n';
}

const RESULT_COLUMNS = { classify: ['rank', 'label', 'class_id', 'score'], detect: ['label', 'class_id', 'score', 'x1', 'y1', 'x2', 'y2'] } as const;

function resultRows(task: DetectionsFile['task'], r: Pick<FrameResult, 'detections' | 'classes'>): (string | number)[][] {
  if (task === 'classify') return (r.classes ?? []).map((c) => [c.rank, c.label, c.classId, c.score]);
  if (!r.detections?.length) return [['', '', '', '', '', '', '']];
  return r.detections.map((d) => [d.label, d.classId, d.score, d.x1, d.y1, d.x2, d.y2]);
}

/** The file's CSV text: one row per box or ranked class, keyed by image or by frame and time. */
export function detectionsFileCsv(file: DetectionsFile): string {
  const columns = RESULT_COLUMNS[file.task];
  const rows = file.kind === 'images'
    ? [['image', ...columns], ...file.images.flatMap((im) => resultRows(file.task, im).map((cells) => [im.image, ...cells]))]
    : [['frame', 'time', ...columns], ...file.frames.flatMap((f) => resultRows(file.task, f).map((cells) => [f.frame, f.time, ...cells]))];
  return stringify(rows, { record_delimiter: 'unix' });
}

/** A file from before `format`/`kind`: images[] or frames[] tells the kind; `file` → `image`, `className` → `label`. */
function upgradeUnversioned(j: Record<string, unknown>): Record<string, unknown> {
  const renameBoxes = (entry: unknown): unknown => {
    if (typeof entry !== 'object' || entry === null) return entry;
    const e = { ...(entry as Record<string, unknown>) };
    if (e.image === undefined && typeof e.file === 'string') { e.image = e.file; delete e.file; }
    if (Array.isArray(e.detections)) {
      e.detections = e.detections.map((d: unknown) => {
        if (typeof d !== 'object' || d === null) return d;
        const { className, ...rest } = d as Record<string, unknown>;
        return rest.label === undefined && typeof className === 'string' ? { ...rest, label: className } : d;
      });
    }
    return e;
  };
  if (Array.isArray(j.frames)) {
    return { ...j, kind: 'video', model: j.model ?? '', classes: j.classes ?? [], frameCount: j.frameCount ?? j.frames.length, frames: j.frames.map(renameBoxes) };
  }
  return { ...j, kind: 'images', ...(Array.isArray(j.images) ? { images: j.images.map(renameBoxes) } : {}) };
}

/** Reads a detections JSON file; `name` is used in errors. Throws an Error saying what is wrong. */
export function parseDetectionsFile(text: string, name: string): DetectionsFile {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new Error(`${name} is not JSON: ${(err as Error).message}`);
  }
  if (typeof json === 'object' && json !== null && !Array.isArray(json) && !('kind' in json)) json = upgradeUnversioned(json as Record<string, unknown>);
  const parsed = detectionsFileSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new Error(`${name} is not a detections file: ${issue.path.join('.') || '(top)'}: ${issue.message}`);
  }
  return parsed.data;
}
