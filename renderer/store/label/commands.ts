/**
 * Commands on the document of one image (pure): each takes the document and returns the next one
 * and the box to select. Boxes are addressed by their stable id (BoxAnnotation.key, see
 * shared/dataset/box-id.ts); every box of a document has one.
 */
import type { BoxAnnotation } from '../../../shared/api';
import { newBoxId } from '../../../shared/dataset/box-id';
import { nudge, withRect, type Rect, type Size } from './geometry';

export interface Doc {
  boxes: BoxAnnotation[];
  verified: boolean;
}

/** A box flag a person toggles. */
export type BoxFlag = 'difficult' | 'truncated';

/** What to do with accepted drafts of one class: keep the class, relabel, or remove (null). */
export type DraftMapping = Record<string, string | null>;

export type Command =
  | { type: 'add'; rect: Rect; label: string; track?: number }
  | { type: 'append'; boxes: readonly BoxAnnotation[] }
  | { type: 'delete'; id: string }
  | { type: 'duplicate'; id: string; image: Size | null }
  | { type: 'nudge'; id: string; dx: number; dy: number; image: Size | null }
  | { type: 'setRect'; id: string; rect: Rect; image: Size | null }
  | { type: 'relabel'; id: string; label: string }
  | { type: 'toggleFlag'; id: string; flag: BoxFlag }
  | { type: 'toggleVerified' }
  | { type: 'acceptDrafts'; ids: readonly string[] | 'all'; mapping?: DraftMapping }
  /** The box joins track `track` (null: leaves its track); a draft is accepted with it (a keyframe is a person's box). */
  | { type: 'setTrack'; id: string; track: number | null }
  /** The drafts of `tracks` on this image become `boxes` (drafts, each with its own track; new ids). */
  | { type: 'replaceTrackDrafts'; tracks: readonly number[]; boxes: readonly BoxAnnotation[] }
  /** The image's boxes and verified flag become these (the undo of a track operation); boxes keep their ids. */
  | { type: 'restoreBoxes'; boxes: readonly BoxAnnotation[]; verified: boolean };

export interface Applied {
  doc: Doc;
  /** The box to select afterwards; undefined: leave the selection alone. */
  select?: string | null;
}

/** The boxes with an id each (boxes read from a file have one; the rest get a new one). */
export function withIds(boxes: readonly BoxAnnotation[]): BoxAnnotation[] {
  return boxes.map((b) => (b.key ? b : { ...b, key: newBoxId() }));
}

const mapBox = (doc: Doc, id: string, f: (b: BoxAnnotation) => BoxAnnotation): Doc =>
  ({ ...doc, boxes: doc.boxes.map((b) => (b.key === id ? f(b) : b)) });

/** The command applied, or null when it changes nothing (no such box). */
export function applyCommand(doc: Doc, cmd: Command): Applied | null {
  const has = (id: string): boolean => doc.boxes.some((b) => b.key === id);
  switch (cmd.type) {
    case 'add': {
      const { rect: r } = cmd;
      const box: BoxAnnotation = { key: newBoxId(), label: cmd.label, xmin: r.x, ymin: r.y, xmax: r.x + r.width, ymax: r.y + r.height, difficult: false, truncated: false, ...(cmd.track !== undefined ? { track: cmd.track } : {}) };
      return { doc: { ...doc, boxes: [...doc.boxes, box] }, select: box.key };
    }
    case 'append':
      if (!cmd.boxes.length) return null;
      // copies: always new ids, so the source boxes keep theirs
      return { doc: { ...doc, boxes: [...doc.boxes, ...cmd.boxes.map((b) => ({ ...b, key: newBoxId() }))] } };
    case 'delete':
      return has(cmd.id) ? { doc: { ...doc, boxes: doc.boxes.filter((b) => b.key !== cmd.id) }, select: null } : null;
    case 'duplicate': {
      const src = doc.boxes.find((b) => b.key === cmd.id);
      if (!src) return null;
      const copy = nudge({ ...src, key: newBoxId() }, 10, 10, cmd.image);
      return { doc: { ...doc, boxes: [...doc.boxes, copy] }, select: copy.key };
    }
    case 'nudge':
      return has(cmd.id) ? { doc: mapBox(doc, cmd.id, (b) => nudge(b, cmd.dx, cmd.dy, cmd.image)), select: cmd.id } : null;
    case 'setRect':
      return has(cmd.id) ? { doc: mapBox(doc, cmd.id, (b) => withRect(b, cmd.rect, cmd.image)), select: cmd.id } : null;
    case 'relabel':
      return has(cmd.id) ? { doc: mapBox(doc, cmd.id, (b) => ({ ...b, label: cmd.label })), select: cmd.id } : null;
    case 'toggleFlag':
      return has(cmd.id) ? { doc: mapBox(doc, cmd.id, (b) => ({ ...b, [cmd.flag]: !b[cmd.flag] })), select: cmd.id } : null;
    case 'toggleVerified':
      return { doc: { ...doc, verified: !doc.verified } };
    case 'setTrack':
      return has(cmd.id)
        ? { doc: mapBox(doc, cmd.id, (b) => { const { track: _t, draft: _d, ...rest } = b; return cmd.track === null ? { ...rest, ...(b.draft ? { draft: true } : {}) } : { ...rest, track: cmd.track }; }), select: cmd.id }
        : null;
    case 'replaceTrackDrafts': {
      const kept = doc.boxes.filter((b) => !(b.draft && b.track !== undefined && cmd.tracks.includes(b.track)));
      return { doc: { ...doc, boxes: [...kept, ...cmd.boxes.map((b) => ({ ...b, draft: true, key: newBoxId() }))] } };
    }
    case 'restoreBoxes':
      return { doc: { boxes: withIds(cmd.boxes), verified: cmd.verified }, select: null };
    case 'acceptDrafts': {
      const picked = (b: BoxAnnotation): boolean => !!b.draft && (cmd.ids === 'all' || cmd.ids.includes(b.key ?? ''));
      if (!doc.boxes.some(picked)) return null;
      const boxes: BoxAnnotation[] = [];
      for (const b of doc.boxes) {
        if (!picked(b)) { boxes.push(b); continue; }
        const to = cmd.mapping && b.label in cmd.mapping ? cmd.mapping[b.label] : b.label;
        if (to === null || to === undefined) continue; // an ignored class: its drafts go
        const { draft: _draft, ...accepted } = b;
        boxes.push({ ...accepted, label: to });
      }
      return { doc: { ...doc, boxes }, ...(cmd.mapping ? { select: null } : {}) };
    }
  }
}
