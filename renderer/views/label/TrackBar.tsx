/**
 * Video tracks in the Label view (one toolbar row): "Add video…", and on a frame of a video the
 * track tools — the track drawn boxes join ("New track"; with a box selected, that box starts
 * it), "Interpolate" (drafts between the track's keyframes), "Track with model" (drafts on the
 * next frames from the loaded or active detector, associated ByteTrack-style), "Accept track"
 * (every draft of the track on every frame). Drafts are dashed on the canvas until accepted.
 * The latest of those operations can be undone as a whole ("Undo interpolate (N frames)"): every
 * frame it changed gets its boxes back, except frames changed since (named, left as they are).
 */
import { useEffect, useState } from 'react';
import { CheckCheck, Film, Plus, Route, ScanSearch, Undo2, X } from 'lucide-react';
import { api } from '../../client';
import { useApp } from '../../store/app-store';
import { useLabel } from '../../store/label-store';
import { useTracks } from '../../store/track-store';
import { OPERATION_NAMES, undoLabel, undoReport, type TrackOperation } from '../../store/track-undo';
import { selectCurrentId, selectSelectedBox } from '../../store/label/selectors';
import { useDetect } from '../detect/detect-store';
import type { LoadedDetector } from '../../detect/load-model';
import type { OpenedProject } from '../../../shared/api';
import type { VideoSequence } from '../../../shared/api/dataset';
import { nextTrackId } from '../../../shared/dataset/tracks';
import { errorMessage } from '../../../shared/error-message';
import { AddVideoDialog } from './AddVideoDialog';
import { acceptTrack, finishRecord, frameDetections, frameUrl, interpolate, loadFrames, trackWithModel, undoTrackOp, type FrameLog } from './track-ops';
import './track.css';

/** The video sequence the current image is a frame of (null: a photo, or not known yet). */
function useSequence(project: string, imageId: string | null): VideoSequence | null {
  const [seq, setSeq] = useState<VideoSequence | null>(null);
  useEffect(() => {
    if (!imageId) { setSeq(null); return; }
    let live = true;
    api.call('dataset.videoFrames', { project, imageId }).then(
      (s) => { if (live) setSeq(s); },
      (err: unknown) => { if (live) { setSeq(null); console.warn(`[tracks] ${imageId}: ${errorMessage(err)}`); } },
    );
    return () => { live = false; };
  }, [project, imageId]);
  return seq;
}

export function TrackBar({ project }: { project: OpenedProject }): React.JSX.Element {
  const notify = useApp((s) => s.notify);
  const currentId = useLabel(selectCurrentId);
  const selected = useLabel(selectSelectedBox);
  const active = useTracks((s) => s.active);
  const seq = useSequence(project.root, currentId);
  const [adding, setAdding] = useState(false);
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [frames, setFrames] = useState(10);
  const [minScore, setMinScore] = useState(0.4);
  const lastOp = useTracks((s) => (s.lastOp?.project === project.root ? s.lastOp : null));
  const [report, setReport] = useState<{ text: string; problem: boolean } | null>(null);

  useEffect(() => { useTracks.getState().setActive(null); }, [project.root]);
  const track = selected?.track ?? active;
  const index = seq && currentId ? seq.frames.findIndex((f) => f.imageId === currentId) : -1;
  const run = async (label: string, f: (s: VideoSequence) => Promise<void>): Promise<void> => {
    if (!seq) return;
    await busyWith(label, () => f(seq));
  };
  const busyWith = async (label: string, f: () => Promise<void>): Promise<void> => {
    setBusy(label);
    setError(null);
    setReport(null);
    try {
      await f();
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(null);
    }
  };
  /** An operation over the frames: what it changed becomes the one undoable operation (even when it failed half-way). */
  const runOp = (label: string, operation: TrackOperation, f: (s: VideoSequence, log: FrameLog) => Promise<void>): Promise<void> => run(label, async (s) => {
    const log: FrameLog = { frames: [] };
    try {
      await f(s, log);
    } finally {
      if (log.frames.length) {
        await finishRecord(project.root, operation, log).then(
          (rec) => useTracks.getState().setLastOp(rec),
          (err: unknown) => setError(`${log.frames.length} frame(s) changed, but the undo could not be prepared: ${errorMessage(err)}`),
        );
      }
    }
  });
  const doUndo = (): Promise<void> => busyWith('Undoing…', async () => {
    if (!lastOp) return;
    const outcome = await undoTrackOp(lastOp);
    // frames that failed stay undoable (try again); the rest is done
    const left = lastOp.frames.filter((f) => outcome.failed.some((x) => x.imageId === f.imageId));
    useTracks.getState().setLastOp(left.length ? { ...lastOp, frames: left } : null);
    setReport(undoReport(outcome));
  });

  const newTrack = (): Promise<void> => run('Numbering…', async (s) => {
    const id = nextTrackId(await loadFrames(project.root, s));
    const st = useLabel.getState();
    const sel = selected?.key;
    if (sel) st.run({ type: 'setTrack', id: sel, track: id });
    useTracks.getState().setActive(id);
  });
  const doInterpolate = (t: number): Promise<void> => runOp('Interpolating…', 'interpolate', async (s, log) => {
    const n = await interpolate(project.root, s, t, log);
    notify('info', n ? `Track #${t}: ${n} interpolated draft box(es) between its keyframes` : `Track #${t}: nothing to interpolate (it needs boxes on two frames with frames between them)`);
  });
  const doAccept = (t: number): Promise<void> => runOp('Accepting…', 'accept', async (s, log) => {
    const n = await acceptTrack(project.root, s, t, log);
    notify('info', n ? `Track #${t}: drafts accepted on ${n} frame(s)` : `Track #${t} has no drafts`);
  });
  const ensureModel = async (): Promise<LoadedDetector> => {
    const m = useDetect.getState().model ?? (await useDetect.getState().load({ kind: 'active', project: project.root }));
    if (!m) throw new Error(useDetect.getState().error ?? 'no model: train one (Train view) or load a detector in the Detect view');
    if (m.task !== 'detect') throw new Error(`${m.title} is a classifier: tracking needs a detector`);
    return m;
  };
  const doTrack = (): Promise<void> => runOp('Loading the model…', 'track', async (s, log) => {
    if (!currentId) return;
    const st = useLabel.getState();
    const tracks = track !== null ? [track] : [...new Set((st.doc?.boxes ?? []).filter((b) => b.track !== undefined && !b.draft).map((b) => b.track!))];
    if (!tracks.length) throw new Error('no track on this frame: give a box a track first (New track)');
    const m = await ensureModel();
    const classes = useApp.getState().project?.classes ?? project.classes;
    const r = await trackWithModel(project.root, s, currentId, tracks, (imageId) => frameDetections(m, project.root, classes, frameUrl(project.root, imageId), 0.1), {
      maxFrames: frames,
      high: minScore,
      log,
      onFrame: (done, total) => setBusy(`Tracking ${done} / ${total}…`),
    });
    notify('info', `Tracked ${tracks.map((t) => `#${t}`).join(', ')} over ${r.frames} frame(s): ${r.drafts} draft box(es)${r.alive.length < tracks.length ? `; lost: ${tracks.filter((t) => !r.alive.includes(t)).map((t) => `#${t}`).join(', ')}` : ''}`);
  });

  const noTrack = track === null ? 'select a box with a track, or start one (New track)' : null;
  return (
    <div className="canvas-toolbar tools track-bar" role="toolbar" aria-label="Video tracks">
      <button type="button" className="button small" title="Take frames of a video file into the project" onClick={() => setAdding(true)}><Film size={13} /> Add video…</button>
      {seq && index >= 0 ? (
        <>
          <span className="small muted video-frame" data-testid="video-frame" title={`${seq.video} at ${seq.frames[index]!.time.toFixed(2)} s`}>
            {seq.stem} {index + 1}/{seq.frames.length} · {seq.frames[index]!.time.toFixed(2)} s
          </span>
          <span className="tool-sep" />
          {track !== null ? (
            <span className="track-chip small" data-testid="active-track" title={selected?.track !== undefined ? 'The selected box\'s track' : 'New boxes join this track'}>
              #{track}
              {selected?.track === undefined ? <button type="button" className="icon-button tiny" aria-label="Stop drawing into this track" onClick={() => useTracks.getState().setActive(null)}><X size={11} /></button> : null}
            </span>
          ) : null}
          <button type="button" className="button small" disabled={busy !== null} title={selected ? `Start a new track with the selected box${selected.draft ? ' (accepting it)' : ''}; boxes drawn next join it` : 'Start a new track: boxes drawn next join it'} onClick={() => void newTrack()}><Plus size={13} /> New track</button>
          <button type="button" className="button small" disabled={busy !== null || track === null} title={noTrack ?? 'Draft boxes on the frames between this track\'s keyframes, moving linearly'} onClick={() => track !== null && void doInterpolate(track)}><Route size={13} /> Interpolate</button>
          <button type="button" className="button small" disabled={busy !== null} title="Follow the track (or every track on this frame) through the next frames with the model: draft boxes" onClick={() => void doTrack()}><ScanSearch size={13} /> Track with model</button>
          <label className="small" title="Frames to follow the track through">
            <input type="number" aria-label="Frames to track" min={1} max={500} value={frames} onChange={(e) => setFrames(Math.min(500, Math.max(1, Math.round(Number(e.target.value)) || 10)))} /> frames
          </label>
          <label className="small" title="Detections scoring at least this are matched first; weaker ones (down to 0.1) only keep a track going">
            score <input type="number" aria-label="Track score" min={0.1} max={0.99} step={0.05} value={minScore} onChange={(e) => setMinScore(Math.min(0.99, Math.max(0.1, Number(e.target.value) || 0.4)))} />
          </label>
          <button type="button" className="button small" disabled={busy !== null || track === null} title={noTrack ?? 'Accept every draft of this track on every frame'} onClick={() => track !== null && void doAccept(track)}><CheckCheck size={13} /> Accept track</button>
        </>
      ) : <span className="small muted">Video frames get track tools here</span>}
      {lastOp ? (
        <button
          type="button"
          className="button small"
          data-testid="track-undo"
          disabled={busy !== null}
          title={`Put back the boxes of every frame the last ${OPERATION_NAMES[lastOp.operation]} changed. Only the latest track operation that changed frames can be undone (a new one replaces it; opening another project forgets it); a frame changed since is left as it is and named. Ctrl+Z undoes edits of the open image only.`}
          onClick={() => void doUndo()}
        >
          <Undo2 size={13} /> {undoLabel(lastOp)}
        </button>
      ) : null}
      {busy ? <span className="busy" data-testid="track-busy">{busy}</span> : null}
      {error ? (
        <span className="error-text small" role="alert" data-testid="track-error">
          {error}
          <button type="button" className="icon-button tiny" aria-label="Dismiss the track error" onClick={() => setError(null)}><X size={12} /></button>
        </span>
      ) : null}
      {report ? (
        <span className={`small ${report.problem ? 'error-text' : 'muted'}`} role="status" data-testid="track-undo-report">
          {report.text}
          <button type="button" className="icon-button tiny" aria-label="Dismiss the undo report" onClick={() => setReport(null)}><X size={12} /></button>
        </span>
      ) : null}
      {adding ? <AddVideoDialog project={project.root} onClose={() => setAdding(false)} /> : null}
    </div>
  );
}
