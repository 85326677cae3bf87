/**
 * Track operations over the frames of one video (the Label view's track bar): interpolate a
 * track between its keyframes, follow it with a detector (ByteTrack-style association, see
 * shared/dataset/track-association.ts), accept its drafts. They change many images: the image
 * open in the editor through the store's commands (one undo step each), the others through
 * dataset.saveAnnotation on the version just read (a file changed meanwhile gives a conflict,
 * never a silent overwrite). Pending edits are saved first. Each operation records in a FrameLog
 * what every frame it changed had before, so the whole operation is undone as one (undoTrackOp,
 * see store/track-undo.ts).
 */
import { api, projectFileUrl } from '../../client';
import { useLabel } from '../../store/label-store';
import { docOf } from '../../store/label/document-slice';
import type { Command } from '../../store/label/commands';
import type { BoxAnnotation } from '../../../shared/api';
import type { VideoSequence } from '../../../shared/api/dataset';
import { ApiError } from '../../../shared/api/contract';
import { errorMessage } from '../../../shared/error-message';
import { frameVerdict, recordFrame, type ChangedFrame, type TrackOperation, type TrackOpRecord, type UndoOutcome } from '../../store/track-undo';
import { acceptTrackDrafts, interpolateTrack, replaceTrackDrafts, type TrackFrame } from '../../../shared/dataset/tracks';
import { DEFAULT_ASSOCIATION, startTrack, stepTracks, type TrackDetection, type TrackState } from '../../../shared/dataset/track-association';
import { decodeOutputs } from '../../../shared/ml/adapters/decode';
import { runFrame } from '../../detect/run-frame';
import type { LoadedDetector } from '../../detect/load-model';
import { loadImage } from '../../lib/image-io';
import { useDetect } from '../detect/detect-store';
import { mapForProject } from './draft-classes';

/** The boxes of one image now: the editor's document when it is open there, else the file. */
async function boxesOf(project: string, imageId: string): Promise<{ boxes: BoxAnnotation[]; verified: boolean; version: string | null; open: boolean; file: boolean }> {
  const st = useLabel.getState();
  if (st.current?.id === imageId && st.doc) {
    const file = st.annotation?.imageId === imageId ? st.annotation.exists : true;
    return { boxes: st.doc.boxes, verified: st.doc.verified, version: null, open: true, file };
  }
  const a = await api.call('dataset.getAnnotation', { project, imageId });
  return { ...docOf(a), version: a.version, open: false, file: a.exists };
}

/** Every frame of the sequence with its boxes, in time order (pending edits saved first). */
export async function loadFrames(project: string, seq: VideoSequence): Promise<TrackFrame[]> {
  await useLabel.getState().saveNow();
  const out: TrackFrame[] = [];
  for (const f of seq.frames) out.push({ imageId: f.imageId, time: f.time, boxes: (await boxesOf(project, f.imageId)).boxes });
  return out.sort((a, b) => a.time - b.time);
}

/** The frames an operation has changed so far, with what they had before (see recordFrame). */
export interface FrameLog {
  frames: ChangedFrame[];
}

/**
 * Changes one image's boxes: `next` gives the new boxes from the present ones (null: nothing to
 * change); in the open image the same change runs as the store command `command` gives. A change
 * is recorded in `log` (the open image's version is known once its autosave is written: finishRecord).
 */
async function changeImage(
  project: string,
  imageId: string,
  next: (boxes: BoxAnnotation[]) => BoxAnnotation[] | null,
  command: (boxes: BoxAnnotation[]) => Command | null,
  log: FrameLog,
): Promise<boolean> {
  const now = await boxesOf(project, imageId);
  const before = { imageId, boxes: now.boxes, verified: now.verified, file: now.file };
  if (now.open) {
    const cmd = command(now.boxes);
    if (cmd === null || !useLabel.getState().run(cmd)) return false;
    log.frames = recordFrame(log.frames, before);
    return true;
  }
  const boxes = next(now.boxes);
  if (!boxes) return false;
  const saved = await api.call('dataset.saveAnnotation', { project, imageId, boxes, verified: now.verified, baseVersion: now.version });
  if (saved.state === 'unchanged') return false;
  log.frames = recordFrame(log.frames, { ...before, version: saved.annotation.version });
  return true;
}

/**
 * The undo record of an operation that changed `log`'s frames: the open image's change is saved
 * now (the editor's autosave) and the version it left read back.
 */
export async function finishRecord(project: string, operation: TrackOperation, log: FrameLog): Promise<TrackOpRecord> {
  if (log.frames.some((f) => f.version === undefined)) await useLabel.getState().saveNow();
  const frames: ChangedFrame[] = [];
  for (const f of log.frames) {
    frames.push(f.version !== undefined ? f : { ...f, version: (await api.call('dataset.getAnnotation', { project, imageId: f.imageId })).version });
  }
  return { project, operation, frames };
}

/**
 * Undoes a whole operation: every recorded frame gets back its boxes and verified flag (a frame
 * that had no annotation file gets none again), unless its file changed since (another version,
 * or an edit not saved yet): that frame is left as it is and reported as a conflict. A frame open
 * in the editor is restored by a store command (one step of its history: Ctrl+Z there brings the
 * operation's change back); the others are saved on the version the operation left. Pending
 * edits are saved first; if that fails nothing is undone.
 */
export async function undoTrackOp(rec: TrackOpRecord): Promise<UndoOutcome> {
  const { project } = rec;
  await useLabel.getState().saveNow();
  const saving = useLabel.getState();
  if (saving.saveState === 'error') throw new Error(`the pending edits could not be saved (${saving.saveError ?? 'save failed'}): nothing was undone`);
  const out: UndoOutcome = { operation: rec.operation, restored: [], asBefore: [], conflicts: [], failed: [] };
  const fail = (imageId: string, err: unknown): void => {
    // the file changed between the read and the write: left as it is, like any changed frame
    if (err instanceof ApiError && err.code === 'conflict') out.conflicts.push(imageId);
    else out.failed.push({ imageId, error: errorMessage(err) });
  };
  let open: ChangedFrame | null = null;
  for (const f of rec.frames) {
    try {
      const a = await api.call('dataset.getAnnotation', { project, imageId: f.imageId });
      const st = useLabel.getState();
      const verdict = frameVerdict(f, { version: a.version, boxes: a.boxes, verified: a.verified, unsaved: f.imageId in st.unsaved });
      if (verdict === 'conflict') { out.conflicts.push(f.imageId); continue; }
      if (verdict === 'as-before') { out.asBefore.push(f.imageId); continue; }
      if (st.current?.id === f.imageId && st.doc && st.run({ type: 'restoreBoxes', boxes: f.boxes, verified: f.verified })) {
        open = f;
        continue; // counted once written, below
      }
      if (!f.file && a.version !== null) await api.call('dataset.removeAnnotation', { project, imageId: f.imageId, baseVersion: a.version });
      else await api.call('dataset.saveAnnotation', { project, imageId: f.imageId, boxes: f.boxes, verified: f.verified, baseVersion: f.version ?? null });
      out.restored.push(f.imageId);
    } catch (err) {
      fail(f.imageId, err);
    }
  }
  if (open !== null) {
    try {
      // the open image's restore is written now, so the files are as the report says
      await useLabel.getState().saveNow();
      const st = useLabel.getState();
      if (st.current?.id === open.imageId && st.saveState === 'error') throw new Error(`${st.saveError ?? 'save failed'} (the editor keeps the restored boxes and retries)`);
      if (!open.file && st.current?.id === open.imageId && !(open.imageId in st.unsaved)) {
        // it had no file: the one the operation wrote goes, and the editor reads the image again (its edits' base)
        const version = (await api.call('dataset.getAnnotation', { project, imageId: open.imageId })).version;
        if (version !== null) await api.call('dataset.removeAnnotation', { project, imageId: open.imageId, baseVersion: version });
        await useLabel.getState().reloadCurrent();
      }
      out.restored.push(open.imageId);
    } catch (err) {
      fail(open.imageId, err);
    }
  }
  return out;
}

/** Draft boxes of `track` on the frames between its keyframes; returns how many frames got one. */
export async function interpolate(project: string, seq: VideoSequence, track: number, log: FrameLog): Promise<number> {
  const drafts = interpolateTrack(await loadFrames(project, seq), track);
  let n = 0;
  for (const d of drafts) {
    if (await changeImage(project, d.imageId, (b) => replaceTrackDrafts(b, track, [d.box]), () => ({ type: 'replaceTrackDrafts', tracks: [track], boxes: [d.box] }), log)) n++;
  }
  return n;
}

/** Accepts every draft of `track` on every frame; returns how many frames were written. */
export async function acceptTrack(project: string, seq: VideoSequence, track: number, log: FrameLog): Promise<number> {
  await useLabel.getState().saveNow();
  let n = 0;
  for (const f of seq.frames) {
    const changed = await changeImage(project, f.imageId, (b) => acceptTrackDrafts(b, track), (b) => {
      const ids = b.filter((x) => x.track === track && x.draft).map((x) => x.key ?? '');
      return ids.length ? { type: 'acceptDrafts', ids } : null;
    }, log);
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
  options: { maxFrames: number; high: number; log: FrameLog; onFrame?: (done: number, total: number) => void },
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
        await changeImage(project, f.imageId, apply, () => ({ type: 'replaceTrackDrafts', tracks: [...byTrack.keys()], boxes: [...byTrack.values()] }), options.log);
        drafts += step.found.size;
      }
    }
    done++;
    options.onFrame?.(done, last - start);
  }
  return { frames: done, drafts, alive: states.map((s) => s.track) };
}

export const frameUrl = (root: string, imageId: string): string => projectFileUrl(`${root.replace(/[\\/]+$/, '')}/${imageId}`);
