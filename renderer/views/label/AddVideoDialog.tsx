/**
 * "Add video…" in the Label view: frames of a video file become images of the project
 * (dataset.addVideo: every n-th frame or n per second, a time range, only frames that changed).
 * Afterwards the image list shows that video's frames (searched by its name), first frame open.
 */
import { useState } from 'react';
import { api } from '../../client';
import { useApp } from '../../store/app-store';
import { useLabel } from '../../store/label-store';
import { errorMessage } from '../../../shared/error-message';

const num = (s: string): number | undefined => (s.trim() === '' ? undefined : Number(s));

export function AddVideoDialog({ project, onClose }: { project: string; onClose(): void }): React.JSX.Element {
  const notify = useApp((s) => s.notify);
  const web = useApp((s) => s.info?.transport === 'web');
  const [video, setVideo] = useState('');
  const [mode, setMode] = useState<'every' | 'fps'>('every');
  const [step, setStep] = useState('10');
  const [start, setStart] = useState('');
  const [end, setEnd] = useState('');
  const [minChange, setMinChange] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const add = async (): Promise<void> => {
    setBusy(true);
    setError(null);
    try {
      const n = num(step);
      const params = {
        project,
        video: video.trim(),
        ...(mode === 'every' ? { every: n ?? 1 } : { fps: n ?? 1 }),
        ...(num(start) !== undefined ? { start: num(start)! } : {}),
        ...(num(end) !== undefined ? { end: num(end)! } : {}),
        ...(num(minChange) ? { minChange: num(minChange)! } : {}),
      };
      const r = await api.call('dataset.addVideo', params);
      notify('info', `${r.written} frame(s) of ${r.stem} added to ${r.dir || 'the project'}${r.existing ? ` (${r.existing} were already there)` : ''}${r.skipped.length ? `; ${r.skipped.length} skipped: ${r.skipped[0]!.reason}` : ''}`);
      onClose();
      await useLabel.getState().refreshList();
      await useLabel.getState().setSearch(`${r.stem}_`);
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="class-picker add-video" role="dialog" aria-label="Add video" data-testid="add-video">
      <p className="small">Frames of a video become images of this project (JPEG, named by frame number), each remembering its time in the video.</p>
      <label className="small field">Video file
        <input type="text" aria-label="Video file" placeholder="/path/to/clip.mp4" value={video} onChange={(e) => setVideo(e.target.value)} autoFocus />
      </label>
      {web ? <p className="muted small">In the browser the video must lie inside the project folder.</p> : null}
      <div className="add-video-row small">
        <select aria-label="Pick frames" value={mode} onChange={(e) => setMode(e.target.value as 'every' | 'fps')}>
          <option value="every">every n-th frame</option>
          <option value="fps">frames per second</option>
        </select>
        <input type="number" aria-label={mode === 'every' ? 'Every n-th frame' : 'Frames per second'} min={mode === 'every' ? 1 : 0.01} step={mode === 'every' ? 1 : 0.5} value={step} onChange={(e) => setStep(e.target.value)} />
      </div>
      <div className="add-video-row small">
        <label>from <input type="number" aria-label="Start (s)" min={0} step={0.5} placeholder="0" value={start} onChange={(e) => setStart(e.target.value)} /> s</label>
        <label>to <input type="number" aria-label="End (s)" min={0} step={0.5} placeholder="end" value={end} onChange={(e) => setEnd(e.target.value)} /> s</label>
      </div>
      <label className="small add-video-row" title="Keep a frame only when its grey levels differ from the last kept frame by at least this much on average (0–1); empty keeps every picked frame">
        min change <input type="number" aria-label="Min change" min={0} max={1} step={0.01} placeholder="0" value={minChange} onChange={(e) => setMinChange(e.target.value)} />
      </label>
      {error ? <p className="error-text small" role="alert" data-testid="add-video-error">{error}</p> : null}
      <div className="dialog-buttons">
        <button type="button" className="button small primary" disabled={busy || !video.trim()} onClick={() => void add()}>{busy ? 'Adding…' : 'Add frames'}</button>
        <button type="button" className="button small" disabled={busy} onClick={onClose}>Cancel</button>
      </div>
    </div>
  );
}
