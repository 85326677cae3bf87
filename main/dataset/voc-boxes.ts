/**
 * Conversion between the file model (VocAnnotation) and what the UI edits (BoxAnnotation[]),
 * and validation of edited boxes. Box keys are the boxes' stable ids (shared/dataset/box-id.ts),
 * written as `<object id="...">`; they also tie an edited box back to the object it came from, so
 * that object's unknown XML children and attributes are kept.
 */
import { ApiError } from '../../shared/api/contract';
import type { BoxAnnotation, ImageSize } from '../../shared/dataset/types';
import { classNameProblem } from '../../shared/dataset/classes';
import { objectIds } from '../../shared/dataset/box-id';
import type { VocAnnotation, VocObject, XmlNode } from '../../shared/voc';

/** The extra `<draft>` element that marks a model-suggested box (see BoxAnnotation.draft). */
export const DRAFT_ELEMENT = 'draft';
const isDraftNode = (n: XmlNode): boolean => Object.prototype.hasOwnProperty.call(n, DRAFT_ELEMENT);
export function isDraftObject(o: VocObject): boolean {
  const node = o.extras.find(isDraftNode) as Record<string, XmlNode[]> | undefined;
  const text = node?.[DRAFT_ELEMENT]?.map((c) => ('#text' in c ? String(c['#text']) : '')).join('').trim();
  return text !== undefined && text !== '0' && text !== 'false';
}

/** The extra `<track>` element that holds a box's track id (see BoxAnnotation.track). */
export const TRACK_ELEMENT = 'track';
const isTrackNode = (n: XmlNode): boolean => Object.prototype.hasOwnProperty.call(n, TRACK_ELEMENT);
/** The object's track id: a whole number ≥ 0 in `<track>`, else undefined (a malformed one is kept as it is, unread). */
export function objectTrack(o: VocObject): number | undefined {
  const node = o.extras.find(isTrackNode) as Record<string, XmlNode[]> | undefined;
  const text = node?.[TRACK_ELEMENT]?.map((c) => ('#text' in c ? String(c['#text']) : '')).join('').trim();
  return text !== undefined && /^\d{1,9}$/.test(text) ? Number(text) : undefined;
}

/** The key (stable id) of each object of the file, in order. */
export function objectKeys(ann: VocAnnotation): string[] {
  return objectIds(ann.objects.map((o) => o.id));
}

export function vocToBoxes(ann: VocAnnotation): BoxAnnotation[] {
  const keys = objectKeys(ann);
  return ann.objects.map((o, i) => {
    const b: BoxAnnotation = {
      key: keys[i]!,
      label: o.name,
      xmin: o.bndbox.xmin,
      ymin: o.bndbox.ymin,
      xmax: o.bndbox.xmax,
      ymax: o.bndbox.ymax,
      difficult: o.difficult ?? false,
      truncated: o.truncated ?? false,
    };
    if (o.pose !== undefined) b.pose = o.pose;
    if (isDraftObject(o)) b.draft = true;
    const track = objectTrack(o);
    if (track !== undefined) b.track = track;
    return b;
  });
}

/**
 * Checks and normalises edited boxes: finite numbers, min/max in order, rounded to whole pixels
 * and clamped into the image (when its size is known), usable class names, non-zero size after
 * clamping. Throws ApiError('bad_request') naming the box and the reason.
 */
export function normaliseBoxes(boxes: readonly BoxAnnotation[], size: ImageSize | null, file: string): BoxAnnotation[] {
  return boxes.map((b, i) => {
    const what = `${file}: box ${i + 1} ("${b.label}")`;
    const problem = classNameProblem(b.label);
    if (problem) throw new ApiError('bad_request', `${what}: ${problem}`, { box: i });
    for (const k of ['xmin', 'ymin', 'xmax', 'ymax'] as const) {
      if (!Number.isFinite(b[k])) throw new ApiError('bad_request', `${what}: ${k} is not a number`, { box: i });
    }
    const clampTo = (v: number, max: number | undefined) => Math.min(Math.max(Math.round(v), 0), max ?? Infinity);
    const x1 = clampTo(Math.min(b.xmin, b.xmax), size?.width);
    const x2 = clampTo(Math.max(b.xmin, b.xmax), size?.width);
    const y1 = clampTo(Math.min(b.ymin, b.ymax), size?.height);
    const y2 = clampTo(Math.max(b.ymin, b.ymax), size?.height);
    if (x2 - x1 < 1 || y2 - y1 < 1) {
      const where = size ? ` inside the ${size.width}x${size.height} image` : '';
      throw new ApiError('bad_request', `${what}: the box has no area${where} (${x1},${y1})-(${x2},${y2}); draw it again`, { box: i });
    }
    return { ...b, xmin: x1, ymin: y1, xmax: x2, ymax: y2 };
  });
}

/**
 * The annotation to write: the file as read (or a fresh LabelImg-style one) with its objects
 * replaced by `boxes`; objects whose key is sent back keep their unknown children/attributes.
 * Each box's key is written as its object's id (give every box one: withBoxIds), except a
 * position key ("o3") still at that position, which reads back the same without it.
 */
export function applyBoxes(
  original: VocAnnotation | null,
  boxes: readonly BoxAnnotation[],
  verified: boolean,
  fresh: { folder: string; filename: string; path: string; size: ImageSize | null },
): VocAnnotation {
  const base: VocAnnotation = original
    ? { ...original, objects: [], extras: [...original.extras] }
    : { verified: false, folder: fresh.folder, filename: fresh.filename, path: fresh.path, objects: [], extras: [] };
  delete base.warnings;
  base.verified = verified;
  if (fresh.size) {
    base.size = { width: fresh.size.width, height: fresh.size.height, depth: original?.size?.depth ?? fresh.size.depth ?? 3 };
  }
  const byKey = new Map<string, VocObject>();
  if (original) {
    const keys = objectKeys(original);
    original.objects.forEach((o, i) => byKey.set(keys[i]!, o));
  }
  base.objects = boxes.map((b, i) => {
    const prev = b.key !== undefined ? byKey.get(b.key) : undefined;
    const o: VocObject = {
      name: b.label,
      bndbox: { xmin: b.xmin, ymin: b.ymin, xmax: b.xmax, ymax: b.ymax },
      extras: [
        ...(prev ? prev.extras.filter((n) => !isDraftNode(n) && !(isTrackNode(n) && (objectTrack(prev) !== undefined || b.track !== undefined))) : []),
        ...(b.draft ? [{ [DRAFT_ELEMENT]: [{ '#text': '1' }] } as XmlNode] : []),
        ...(b.track !== undefined ? [{ [TRACK_ELEMENT]: [{ '#text': String(b.track) }] } as XmlNode] : []),
      ],
      difficult: b.difficult,
      truncated: b.truncated,
    };
    // a box known by its position needs no id while it keeps it (LabelImg files stay as they were)
    if (b.key !== undefined && b.key !== `o${i}`) o.id = b.key;
    const pose = b.pose ?? prev?.pose;
    if (pose !== undefined) o.pose = pose;
    if (prev?.attrs) o.attrs = prev.attrs;
    return o;
  });
  return base;
}
