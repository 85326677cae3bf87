/**
 * The undo of one whole track operation (pure): what every frame the operation changed had before
 * (its boxes and verified flag) and the file version the operation left there; at undo time,
 * which frames may be put back (a frame that had no annotation file gets none again). A frame whose
 * file changed since the operation (another version)
 * is a conflict: left as it is and named, never overwritten. A frame already back to what it had
 * before (Ctrl+Z in the editor undid the operation's step there) needs nothing: nothing is undone twice.
 */
import type { BoxAnnotation } from '../../shared/api';

export type TrackOperation = 'interpolate' | 'track' | 'accept';

/** How the track bar names an operation ("Undo interpolate"). */
export const OPERATION_NAMES: Readonly<Record<TrackOperation, string>> = {
  interpolate: 'interpolate',
  track: 'track with model',
  accept: 'accept track',
};

/** One frame an operation changed. */
export interface ChangedFrame {
  imageId: string;
  /** The boxes and verified flag before the operation. */
  boxes: BoxAnnotation[];
  verified: boolean;
  /** Whether the image had an annotation file before (none: the undo removes the file the operation wrote). */
  file: boolean;
  /**
   * The file's version once the operation had saved it (SaveResult.annotation.version);
   * undefined until known (the open image is saved by the editor's autosave).
   */
  version?: string | null;
}

/** The latest track operation, undoable as one. */
export interface TrackOpRecord {
  project: string;
  operation: TrackOperation;
  frames: ChangedFrame[];
}

/**
 * `frames` with `f` recorded: a frame seen again keeps its first before-state (what it had before
 * the whole operation) and takes the later change's version (undefined: not known yet).
 */
export function recordFrame(frames: readonly ChangedFrame[], f: ChangedFrame): ChangedFrame[] {
  const i = frames.findIndex((x) => x.imageId === f.imageId);
  if (i < 0) return [...frames, f];
  const { version: _old, ...first } = frames[i]!;
  const out = [...frames];
  out[i] = f.version === undefined ? first : { ...first, version: f.version };
  return out;
}

/** The track bar's button: "Undo interpolate (3 frames)". */
export function undoLabel(r: Pick<TrackOpRecord, 'operation' | 'frames'>): string {
  const n = r.frames.length;
  return `Undo ${OPERATION_NAMES[r.operation]} (${n} frame${n === 1 ? '' : 's'})`;
}

/**
 * What a box is, for comparing labels: everything a file keeps except the box id, coordinates
 * rounded as a save rounds them (the editor's boxes may be fractional until written).
 */
const labelOf = (b: BoxAnnotation): string =>
  JSON.stringify([b.label, Math.round(b.xmin), Math.round(b.ymin), Math.round(b.xmax), Math.round(b.ymax), b.difficult, b.truncated, b.pose ?? null, b.draft === true, b.track ?? null]);

/** True when two states of an image have the same boxes (in order, ids aside) and verified flag. */
export function sameLabels(a: { boxes: readonly BoxAnnotation[]; verified: boolean }, b: { boxes: readonly BoxAnnotation[]; verified: boolean }): boolean {
  return a.verified === b.verified && a.boxes.length === b.boxes.length && a.boxes.every((x, i) => labelOf(x) === labelOf(b.boxes[i]!));
}

/**
 * What to do with one recorded frame, given its file now: 'as-before' when it already has what it
 * had before the operation; 'restore' when it is as the operation left it (same version);
 * 'conflict' when it changed since, or has an edit not saved yet (`unsaved`).
 */
export function frameVerdict(
  recorded: ChangedFrame,
  now: { version: string | null; boxes: readonly BoxAnnotation[]; verified: boolean; unsaved: boolean },
): 'restore' | 'as-before' | 'conflict' {
  if (now.unsaved) return 'conflict';
  if (sameLabels(now, recorded)) return 'as-before';
  return recorded.version !== undefined && now.version === recorded.version ? 'restore' : 'conflict';
}

/** What an undo did, frame by frame (image ids). */
export interface UndoOutcome {
  operation: TrackOperation;
  restored: string[];
  /** Already as before the operation: nothing written. */
  asBefore: string[];
  /** Changed since the operation: left as they are. */
  conflicts: string[];
  /** Not restored because reading or writing failed. */
  failed: { imageId: string; error: string }[];
}

/** The report shown after an undo: one line, problems named. */
export function undoReport(o: UndoOutcome): { text: string; problem: boolean } {
  const n = o.restored.length + o.asBefore.length;
  const parts = [`Undid ${OPERATION_NAMES[o.operation]}: ${n} frame${n === 1 ? '' : 's'} as before`];
  if (o.conflicts.length) parts.push(`changed since — left as it is: ${o.conflicts.join(', ')}`);
  if (o.failed.length) parts.push(`not restored: ${o.failed.map((f) => `${f.imageId} (${f.error})`).join(', ')}`);
  return { text: `${parts.join('; ')}.`, problem: o.conflicts.length + o.failed.length > 0 };
}
