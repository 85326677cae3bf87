/**
 * Track operations over the frames of one video (the Label view's track bar): interpolate a
 * track between its keyframes, follow it with a detector (ByteTrack-style association, see
 * shared/dataset/track-association.ts), accept its drafts. They change many images: the image
 * open in the editor through the store's commands (one undo step each), the others through
 * dataset.saveAnnotation on the version just read (a file changed meanwhile gives a conflict,
 * never a silent overwrite). Pending edits are saved first.
 */
import { api, projectFileUrl } from '../../client';
import { useLabel } from '../../store/label-store';
import { docOf } from '../../store/label/document-slice';
import type { Command } from '../../store/label/commands';
import type { BoxAnnotation } from '../../../shared/api';
import type { VideoSequence } from '../../../shared/api/dataset';
import { acceptTrackDrafts, interpolateTrack, replaceTrackDrafts, type TrackFrame } from '../../../shared/dataset/tracks';
import { DEFAULT_ASSOCIATION, startTrack, stepTracks, type TrackDetection, type TrackState } from '../../../shared/dataset/track-association';
import { decodeOutputs } from '../../../shared/ml/adapters/decode';
import { runFrame } from '../../detect/run-frame';
import type { LoadedDetector } from '../../detect/load-model';
import { loadImage } from '../../lib/image-io';
import { useDetect } from '../detect/detect-store';
import { mapForProject } from './draft-classes';

/** The boxes of one image now: the editor's document when it is open there, else the file. */
async function boxesOf(project: string, imageId: string): Promise<{ boxes: BoxAnnotation[]; verified: boolean; version: string | null; open: boolean }> {
  const st = useLabel.getState();
  if (st.current?.id === imageId && st.doc) return { boxes: st.doc.boxes, verified: st.doc.verified, version: null, open: true };
  const a = await api.call('dataset.getAnnotation', { project, imageId });
  return { ...docOf(a), version: a.version, open: false };
}

/** Every frame of the sequence with its boxes, in time order (pending edits saved first). */
export async function loadFrames(project: string, seq: VideoSequence): Promise<TrackFrame[]> {
  await useLabel.getState().saveNow();
  const out: TrackFrame[] = [];
  for (const f of seq.frames) out.push({ imageId: f.imageId, time: f.time, boxes: (await boxesOf(project, f.imageId)).boxes });
  return out.sort((a, b) => a.time - b.time);
}

/**
 * Changes one image's boxes: `next` gives the new boxes from the present ones (null: nothing to
 * change); in the open image the same change runs as the store command `command` gives.
 */
async function changeImage(project: string, imageId: string, next: (boxes: BoxAnnotation[]) => BoxAnnotation[] | null, command: (boxes: BoxAnnotation[]) => Command | null): Promise<boolean> {
  const now = await boxesOf(project, imageId);
  if (now.open) {
    const cmd = command(now.boxes);
    return cmd !== null && useLabel.getState().run(cmd);
  }
  const boxes = next(now.boxes);
  if (!boxes) return false;
  await api.call('dataset.saveAnnotation', { project, imageId, boxes, verified: now.verified, baseVersion: now.version });
  return true;
}

/** Draft boxes of `track` on the frames between its keyframes; returns how many frames got one. */
export async function interpolate(project: string, seq: VideoSequence, track: number): Promise<number> {
  const drafts = interpolateTrack(await loadFrames(project, seq), track);
  let n = 0;
  for (const d of drafts) {
    if (await changeImage(project, d.imageId, (b) => replaceTrackDrafts(b, track, [d.box]), () => ({ type: 'replaceTrackDrafts', tracks: [track], boxes: [d.box] }))) n++;
  }
  return n;
}

/** Accepts every draft of `track` on every frame; returns how many frames were written. */
export async function acceptTrack(project: string, seq: VideoSequence, track: number): Promise<number> {
  await useLabel.getState().saveNow();
  let n = 0;
  for (const f of seq.frames) {
    const changed = await changeImage(project, f.imageId, (b) => acceptTrackDrafts(b, track), (b) => {
      const ids = b.filter((x) => x.track === track && x.draft).map((x) => x.key ?? '');
      return ids.length ? { type: 'acceptDrafts', ids } : null;
    });
    if (changed) n++;
  }
  return n;
}

/** A frame's detections down to `low` score, with the model's classes mapped onto the project's. */
export async function frameDetections(m: LoadedDetector, project: string, classes: readonly string[], imageUrl: string, low: number): Promise<TrackDetection[]> {
  const img = await loadImage(imageUrl);
  const settings = { ...useDetect.getState().settings(), scoreThreshold: low };
  const raw = await runFrame(m, img, img.naturalWidth, img.naturalHeight);
  const found = decodeOutputs(m.adapter, raw.outputs, raw.geometry, settings, m.detector).map((d) => ({
    label: m.adapter.labels[d.classId] ?? `class ${d.classId}`, xmin: d.x1, ymin: d.y1, xmax: d.x2, ymax: d.y2, score: d.score,
  }));
  return (await mapForProject(project, classes, found)).boxes;
}

export interface TrackRun {
  /** Frames looked at after the start frame. */
  frames: number;
  /** Draft boxes proposed. */
  drafts: number;
  /** The tracks still followed at the end (the others were lost or met a keyframe of theirs... see stepTracks). */
  alive: number[];
}

/**
 * Follows the tracks from their boxes on `fromImageId` through the later frames with the model:
 * each frame's detections are associated with the tracks and every matched track gets a draft
 * there (its earlier drafts on that frame replaced). A frame with an accepted box of a track
 * restarts that track from it. Stops when every track is lost, after `maxFrames`, or at the end.
 */
export async function trackWithModel(
  project: string,
  seq: VideoSequence,
  fromImageId: string,
  tracks: readonly number[],
  detect: (imageId: string) => Promise<TrackDetection[]>,
  options: { maxFrames: number; high: number; onFrame?: (done: number, total: number) => void },
): Promise<TrackRun> {
  // only the frames it may reach are read
  const ordered = [...seq.frames].sort((a, b) => a.time - b.time);
  const from = ordered.findIndex((f) => f.imageId === fromImageId);
  if (from < 0) throw new Error(`${fromImageId} is not a frame of ${seq.video}`);
  const frames = await loadFrames(project, { ...seq, frames: ordered.slice(from, from + options.maxFrames + 1) });
  const start = 0;
  let states: TrackState[] = [];
  for (const t of tracks) {
    const b = frames[start]!.boxes.find((x) => x.track === t);
    if (b) states.push(startTrack(t, b.label, b));
  }
  if (!states.length) throw new Error('no box of the track on this frame to start from: select a box with a track, or give it one');
  const assoc = { ...DEFAULT_ASSOCIATION, high: options.high };
  const last = Math.min(frames.length - 1, start + options.maxFrames);
  let drafts = 0;
  let done = 0;
  for (let i = start + 1; i <= last && states.length; i++) {
    const f = frames[i]!;
    // a keyframe of a track restarts it there (the person's box wins over the tracker's)
    const keyed = new Set<number>();
    states = states.map((s) => {
      const key = f.boxes.find((b) => b.track === s.track && !b.draft);
      if (!key) return s;
      keyed.add(s.track);
      return { ...s, box: { xmin: key.xmin, ymin: key.ymin, xmax: key.xmax, ymax: key.ymax }, lost: 0 };
    });
    const open = states.filter((s) => !keyed.has(s.track));
    if (open.length) {
      const step = stepTracks(open, await detect(f.imageId), assoc);
      states = [...states.filter((s) => keyed.has(s.track)), ...step.tracks];
      if (step.found.size) {
        const byTrack = new Map([...step.found].map(([t, box]) => [t, { ...box, label: open.find((s) => s.track === t)!.label, difficult: false, truncated: false, track: t, draft: true } as BoxAnnotation]));
        const apply = (boxes: BoxAnnotation[]): BoxAnnotation[] => {
          let out = boxes;
          for (const [t, b] of byTrack) out = replaceTrackDrafts(out, t, [b]);
          return out;
        };
        // one command in the open image: the tracks' drafts replaced together
        await changeImage(project, f.imageId, apply, () => ({ type: 'replaceTrackDrafts', tracks: [...byTrack.keys()], boxes: [...byTrack.values()] }));
        drafts += step.found.size;
      }
    }
    done++;
    options.onFrame?.(done, last - start);
  }
  return { frames: done, drafts, alive: states.map((s) => s.track) };
}

export const frameUrl = (root: string, imageId: string): string => projectFileUrl(`${root.replace(/[\\/]+$/, '')}/${imageId}`);
