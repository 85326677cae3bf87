/**
 * Tracking by detection (pure), ByteTrack-style: each frame's detections are matched to the
 * tracks by IoU and class in two rounds: first the confident detections (score ≥ high) against
 * every track, then the low-score ones (low ≤ score < high) against the tracks still unmatched,
 * which keeps an object through frames where the detector is unsure of it (occlusion, blur).
 * Matching is greedy by IoU (highest first) against each track's predicted box (its last box
 * moved by its last velocity). A track unmatched for more than `maxLost` frames ends.
 */
import { cornersIou, type Corners } from './convert';

export interface TrackDetection extends Corners {
  label: string;
  score: number;
}

export interface TrackState {
  track: number;
  label: string;
  /** The last box the track was seen at. */
  box: Corners;
  /** How far it moved per frame when last seen (corner deltas); zero at the start. */
  velocity: Corners;
  /** Frames since it was last matched (0: matched on the last frame). */
  lost: number;
}

export interface AssociationOptions {
  /** Score from which a detection is confident (first round). */
  high: number;
  /** Lowest score considered at all (second round: low ≤ score < high). */
  low: number;
  /** Least IoU for a match in the first round. */
  matchIou: number;
  /** Least IoU for a match in the second round (stricter: the detection is less sure). */
  lowMatchIou: number;
  /** Frames a track may go unmatched before it ends. */
  maxLost: number;
}

export const DEFAULT_ASSOCIATION: AssociationOptions = { high: 0.5, low: 0.1, matchIou: 0.2, lowMatchIou: 0.5, maxLost: 3 };

export interface Association {
  /** Track number → index of the detection it was matched to. */
  matches: Map<number, number>;
  unmatchedTracks: number[];
  /** Indices of the detections no track took. */
  unmatchedDetections: number[];
}

/** Where the track should be on the next frame: its last box moved by its velocity once per frame since. */
export function predictBox(s: TrackState): Corners {
  const n = s.lost + 1;
  return { xmin: s.box.xmin + s.velocity.xmin * n, ymin: s.box.ymin + s.velocity.ymin * n, xmax: s.box.xmax + s.velocity.xmax * n, ymax: s.box.ymax + s.velocity.ymax * n };
}

/** A track starting at a box (a keyframe). */
export function startTrack(track: number, label: string, box: Corners): TrackState {
  return { track, label, box: { ...box }, velocity: { xmin: 0, ymin: 0, xmax: 0, ymax: 0 }, lost: 0 };
}

/** Greedy matching of `tracks` to the detections `candidates` (indices), same class, IoU ≥ minIou. */
function greedy(tracks: readonly TrackState[], dets: readonly TrackDetection[], candidates: readonly number[], minIou: number, matches: Map<number, number>): void {
  const pairs: { track: number; det: number; iou: number }[] = [];
  for (const t of tracks) {
    const p = predictBox(t);
    for (const d of candidates) {
      if (dets[d]!.label !== t.label) continue;
      const v = cornersIou(p, dets[d]!);
      if (v >= minIou) pairs.push({ track: t.track, det: d, iou: v });
    }
  }
  pairs.sort((a, b) => b.iou - a.iou || a.track - b.track || a.det - b.det);
  const usedDets = new Set(matches.values());
  for (const p of pairs) {
    if (matches.has(p.track) || usedDets.has(p.det)) continue;
    matches.set(p.track, p.det);
    usedDets.add(p.det);
  }
}

/** The two-round (high, then low score) association of one frame's detections to the tracks. */
export function associate(tracks: readonly TrackState[], dets: readonly TrackDetection[], options: AssociationOptions = DEFAULT_ASSOCIATION): Association {
  const matches = new Map<number, number>();
  const high = dets.map((_, i) => i).filter((i) => dets[i]!.score >= options.high);
  const low = dets.map((_, i) => i).filter((i) => dets[i]!.score >= options.low && dets[i]!.score < options.high);
  greedy(tracks, dets, high, options.matchIou, matches);
  greedy(tracks.filter((t) => !matches.has(t.track)), dets, low, options.lowMatchIou, matches);
  const taken = new Set(matches.values());
  return {
    matches,
    unmatchedTracks: tracks.filter((t) => !matches.has(t.track)).map((t) => t.track),
    unmatchedDetections: dets.map((_, i) => i).filter((i) => !taken.has(i) && dets[i]!.score >= options.low),
  };
}

/**
 * One frame of tracking: associates the detections, moves matched tracks to their detection
 * (velocity from the move, spread over the frames it was lost), counts the others as lost and
 * drops those lost too long. Returns the tracks that go on and each matched track's box here.
 */
export function stepTracks(tracks: readonly TrackState[], dets: readonly TrackDetection[], options: AssociationOptions = DEFAULT_ASSOCIATION): { tracks: TrackState[]; found: Map<number, Corners> } {
  const { matches } = associate(tracks, dets, options);
  const found = new Map<number, Corners>();
  const next: TrackState[] = [];
  for (const t of tracks) {
    const d = matches.get(t.track);
    if (d === undefined) {
      if (t.lost + 1 <= options.maxLost) next.push({ ...t, lost: t.lost + 1 });
      continue;
    }
    const det = dets[d]!;
    const box: Corners = { xmin: det.xmin, ymin: det.ymin, xmax: det.xmax, ymax: det.ymax };
    const n = t.lost + 1;
    const velocity: Corners = { xmin: (box.xmin - t.box.xmin) / n, ymin: (box.ymin - t.box.ymin) / n, xmax: (box.xmax - t.box.xmax) / n, ymax: (box.ymax - t.box.ymax) / n };
    found.set(t.track, box);
    next.push({ ...t, box, velocity, lost: 0 });
  }
  return { tracks: next, found };
}
