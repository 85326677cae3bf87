/**
 * Object tracks on the frames of a video (pure). A track is the same object on a sequence of
 * frames: its boxes carry the same BoxAnnotation.track number (`<track>` in the VOC file).
 * Keyframes are a track's accepted (non-draft) boxes; what the app proposes between or after
 * them (interpolation here, tracking with a model in track-association.ts) are drafts of the
 * track until a person accepts them (acceptTrackDrafts), one frame's file at a time.
 */
import type { BoxAnnotation } from './types';
import type { Corners } from './convert';

/** One frame of a sequence: its image, its time in the video (seconds) and its boxes. */
export interface TrackFrame {
  imageId: string;
  time: number;
  boxes: readonly BoxAnnotation[];
}

/** A draft proposed for one frame. */
export interface FrameDraft {
  imageId: string;
  box: BoxAnnotation;
}

/** The box `t` of the way from `a` to `b` (0 = a, 1 = b), each corner moving linearly. */
export function lerpBox(a: Corners, b: Corners, t: number): Corners {
  const at = (x: number, y: number): number => x + (y - x) * t;
  return { xmin: at(a.xmin, b.xmin), ymin: at(a.ymin, b.ymin), xmax: at(a.xmax, b.xmax), ymax: at(a.ymax, b.ymax) };
}

const isKeyframeBox = (b: BoxAnnotation, track: number): boolean => b.track === track && !b.draft;

/** The track numbers used on any of the frames, ascending. */
export function tracksIn(frames: readonly { boxes: readonly BoxAnnotation[] }[]): number[] {
  const all = new Set<number>();
  for (const f of frames) for (const b of f.boxes) if (b.track !== undefined) all.add(b.track);
  return [...all].sort((x, y) => x - y);
}

/** A track number no box of the frames uses yet (one more than the highest; 1 for the first). */
export function nextTrackId(frames: readonly { boxes: readonly BoxAnnotation[] }[]): number {
  const used = tracksIn(frames);
  return used.length ? used[used.length - 1]! + 1 : 1;
}

/**
 * Linear interpolation of one track: on every frame strictly between two consecutive keyframes
 * of the track (in time order), a draft box with each corner moved in proportion to the frame's
 * time between theirs. The label, flags and pose come from the earlier keyframe. Frames before
 * the first keyframe and after the last get nothing; so does a track with fewer than two.
 */
export function interpolateTrack(frames: readonly TrackFrame[], track: number): FrameDraft[] {
  const ordered = [...frames].sort((a, b) => a.time - b.time);
  const keys: { index: number; box: BoxAnnotation }[] = [];
  ordered.forEach((f, index) => {
    const box = f.boxes.find((b) => isKeyframeBox(b, track));
    if (box) keys.push({ index, box });
  });
  const out: FrameDraft[] = [];
  for (let k = 0; k + 1 < keys.length; k++) {
    const from = keys[k]!;
    const to = keys[k + 1]!;
    const t0 = ordered[from.index]!.time;
    const span = ordered[to.index]!.time - t0;
    for (let i = from.index + 1; i < to.index; i++) {
      const f = ordered[i]!;
      // frames with the same time as a keyframe (span 0) sit on the earlier keyframe's box
      const t = span > 0 ? (f.time - t0) / span : 0;
      const { key: _key, draft: _draft, ...rest } = from.box;
      out.push({ imageId: f.imageId, box: { ...rest, ...lerpBox(from.box, to.box, t), track, draft: true } });
    }
  }
  return out;
}

/**
 * One frame's boxes with the track's drafts replaced by `drafts` (its accepted boxes stay).
 * The new drafts carry no key: the editor or the save gives them ids.
 */
export function replaceTrackDrafts(boxes: readonly BoxAnnotation[], track: number, drafts: readonly BoxAnnotation[]): BoxAnnotation[] {
  return [...boxes.filter((b) => !(b.track === track && b.draft)), ...drafts.map((d) => ({ ...d, track, draft: true }))];
}

/** One frame's boxes with the track's drafts accepted (no longer drafts); null when it has none. */
export function acceptTrackDrafts(boxes: readonly BoxAnnotation[], track: number): BoxAnnotation[] | null {
  if (!boxes.some((b) => b.track === track && b.draft)) return null;
  return boxes.map((b) => {
    if (b.track !== track || !b.draft) return b;
    const { draft: _draft, ...accepted } = b;
    return accepted;
  });
}
