/**
 * Webcam mode: pick a camera and a resolution, see live boxes (a detector) or the live top-k
 * classes (a classifier) with FPS, inference ms and the tensor count (flat while running), pause,
 * take a snapshot; a snapshot can be saved annotated or, with a detector, added to the project as
 * a new image whose predicted boxes become draft annotations.
 */
import { useEffect, useRef, useState } from 'react';
import { Camera, ImagePlus, Pause, Play, Power, Save } from 'lucide-react';
import { api } from '../../client';
import { useApp } from '../../store/app-store';
import { useDetect } from './detect-store';
import { predictFrame, predictionCount, type Prediction } from '../../detect/predict-frame';
import { annotatedBlob } from '../../detect/draw';
import type { LoopStats } from '../../detect/frame-loop';
import { startLiveLoop } from './live-loop';
import { labelsOf } from '../../detect/load-model';
import { webcamResultName } from '../../../shared/dataset/result-files';
import { PredictionList } from './PredictionList';
import { canvasToBlob } from '../../lib/image-io';
import { classNameProblem } from '../../../shared/dataset/classes';
import { errorMessage } from '../../../shared/error-message';
import { mapForProject } from '../label/draft-classes';

const RESOLUTIONS = [[320, 240], [640, 480], [1280, 720], [1920, 1080]] as const;

interface Snapshot { canvas: HTMLCanvasElement; prediction: Prediction; annotated: Blob; url: string }

function snapshotSummary(p: Prediction): string {
  if (p.task === 'detect') return `${p.dets.length} box(es)`;
  const best = p.top[0];
  return best ? `${best.className} ${best.score.toFixed(2)}` : 'no class';
}

export function WebcamMode(): React.JSX.Element {
  const project = useApp((s) => s.project);
  const notify = useApp((s) => s.notify);
  const { model, tensors, sampleMemory } = useDetect();
  const [devices, setDevices] = useState<MediaDeviceInfo[]>([]);
  const [deviceId, setDeviceId] = useState('');
  const [res, setRes] = useState('640x480');
  const [stream, setStream] = useState<MediaStream | null>(null);
  const [paused, setPaused] = useState(false);
  const [prediction, setPrediction] = useState<Prediction | null>(null);
  const [stats, setStats] = useState<LoopStats | null>(null);
  const [snap, setSnap] = useState<Snapshot | null>(null);
  const [folder, setFolder] = useState('');
  const videoRef = useRef<HTMLVideoElement>(null);
  const overlayRef = useRef<HTMLCanvasElement>(null);
  const pausedRef = useRef(false);
  pausedRef.current = paused;

  const listDevices = async (): Promise<void> => {
    const all = await navigator.mediaDevices.enumerateDevices();
    setDevices(all.filter((d) => d.kind === 'videoinput'));
  };
  useEffect(() => { void listDevices().catch((err: unknown) => notify('error', `Cannot list cameras: ${errorMessage(err)}`)); }, [notify]);

  const stop = (): void => {
    stream?.getTracks().forEach((t) => t.stop());
    setStream(null);
    setStats(null);
  };
  useEffect(() => () => { stream?.getTracks().forEach((t) => t.stop()); }, [stream]);

  const start = async (): Promise<void> => {
    stop();
    const [w, h] = res.split('x').map(Number);
    try {
      const s = await navigator.mediaDevices.getUserMedia({ video: { ...(deviceId ? { deviceId: { exact: deviceId } } : {}), width: { ideal: w }, height: { ideal: h } }, audio: false });
      setStream(s);
      setPaused(false);
      await listDevices(); // labels appear once permission is given
    } catch (err) {
      notify('error', `Cannot open the camera: ${errorMessage(err)}`);
    }
  };

  useEffect(() => {
    const video = videoRef.current;
    if (!video || !stream) return;
    video.srcObject = stream;
    void video.play().catch((err: unknown) => notify('error', `Cannot play the camera stream: ${errorMessage(err)}`));
    return startLiveLoop(video, () => overlayRef.current, () => pausedRef.current, {
      prediction: setPrediction,
      stats: (s) => { setStats(s); if (s.frames % 10 === 0) sampleMemory(); },
      error: (err) => notify('error', `Detection failed: ${errorMessage(err)}`),
    });
  }, [stream, notify, sampleMemory]);

  useEffect(() => { if (paused) videoRef.current?.pause(); else if (stream) void videoRef.current?.play(); }, [paused, stream]);

  const snapshot = async (): Promise<void> => {
    const video = videoRef.current;
    const m = useDetect.getState().model;
    if (!video || !m || !video.videoWidth) return;
    const canvas = document.createElement('canvas');
    canvas.width = video.videoWidth;
    canvas.height = video.videoHeight;
    canvas.getContext('2d')?.drawImage(video, 0, 0);
    const p = useDetect.getState().interpret(await predictFrame(m, canvas, canvas.width, canvas.height));
    const blob = await annotatedBlob(canvas, canvas.width, canvas.height, p, labelsOf(m), 'image/jpeg');
    if (snap) URL.revokeObjectURL(snap.url);
    setSnap({ canvas, prediction: p, annotated: blob, url: URL.createObjectURL(blob) });
  };

  const addToProject = async (): Promise<void> => {
    const m = useDetect.getState().model;
    if (!snap || !project || m?.task !== 'detect' || snap.prediction.task !== 'detect') return;
    try {
      const found = snap.prediction.dets.map((d) => {
        const label = m.adapter.labels[d.classId] ?? `class ${d.classId}`;
        if (classNameProblem(label)) throw new Error(`class "${label}": ${classNameProblem(label)}`);
        return { label, xmin: d.x1, ymin: d.y1, xmax: d.x2, ymax: d.y2, difficult: false, truncated: false, draft: true };
      });
      // the model's classes go through its remembered mapping; the rest stay drafts with the model's class (not added to the project)
      const { boxes, dropped, unmapped } = await mapForProject(project.root, project.classes, found);
      const r = await api.call('detect.addSnapshot', { project: project.root, jpeg: new Uint8Array(await (await canvasToBlob(snap.canvas, 'image/jpeg')).arrayBuffer()), boxes });
      notify('info', `Added ${r.imageId} with ${r.boxes} draft box(es)${dropped ? ` (${dropped} of ignored classes left out)` : ''}; review them in the Label view${unmapped.length ? ` (accepting asks what ${unmapped.join(', ')} ${unmapped.length === 1 ? 'is' : 'are'})` : ''}`);
    } catch (err) {
      notify('error', `Could not add the snapshot: ${errorMessage(err)}`);
    }
  };

  const saveAnnotated = async (): Promise<void> => {
    if (!snap) return;
    try {
      const dir = folder.trim() ? (await api.call('detect.chooseOutputFolder', { path: folder.trim() })).dir : project?.root;
      if (!dir) throw new Error('choose an output folder');
      const name = webcamResultName(snap.prediction.task, new Date());
      const r = await api.writeFile(`${dir.replace(/[\\/]+$/, '')}/${name}`, snap.annotated);
      notify('info', `Saved ${r.path}`);
    } catch (err) {
      notify('error', `Could not save the snapshot: ${errorMessage(err)}`);
    }
  };

  return (
    <div className="detect-mode">
      <aside className="detect-side">
        <label className="field">
          <span>Camera</span>
          <select aria-label="Camera" value={deviceId} onChange={(e) => setDeviceId(e.target.value)}>
            <option value="">Default camera</option>
            {devices.map((d, i) => <option key={d.deviceId || i} value={d.deviceId}>{d.label || `Camera ${i + 1}`}</option>)}
          </select>
        </label>
        <label className="field">
          <span>Resolution</span>
          <select aria-label="Resolution" value={res} onChange={(e) => setRes(e.target.value)}>
            {RESOLUTIONS.map(([w, h]) => <option key={w} value={`${w}x${h}`}>{w} × {h}</option>)}
          </select>
        </label>
        <div className="row-buttons">
          {stream ? <button type="button" className="button" onClick={stop}><Power size={14} /> Stop camera</button>
            : <button type="button" className="button primary" onClick={() => void start()}><Camera size={14} /> Start camera</button>}
          <button type="button" className="button" disabled={!stream} onClick={() => setPaused((p) => !p)}>{paused ? <><Play size={14} /> Resume</> : <><Pause size={14} /> Pause</>}</button>
        </div>
        <button type="button" className="button" disabled={!stream || !model} onClick={() => void snapshot()}><Camera size={14} /> Snapshot</button>
        {snap ? (
          <div className="snapshot" data-testid="snapshot">
            <img src={snap.url} alt={snap.prediction.task === 'classify' ? 'Snapshot with its classes' : 'Snapshot with detections'} />
            <p className="small muted" data-testid="snapshot-summary">{snapshotSummary(snap.prediction)}</p>
            <div className="row-buttons">
              {snap.prediction.task === 'detect' ? <button type="button" className="button small" disabled={!project} title={project ? '' : 'open a project first'} onClick={() => void addToProject()}><ImagePlus size={13} /> Add to project</button> : null}
              <button type="button" className="button small" onClick={() => void saveAnnotated()}><Save size={13} /> Save annotated</button>
            </div>
            <label className="field">
              <span>Save to folder (empty: project folder)</span>
              <input aria-label="Snapshot folder" value={folder} onChange={(e) => setFolder(e.target.value)} />
            </label>
          </div>
        ) : null}
      </aside>
      <section className="detect-stage">
        {stream ? (
          <div className="video-wrap">
            <video ref={videoRef} muted playsInline data-testid="webcam-video" />
            <canvas ref={overlayRef} className="det-overlay" data-testid="webcam-overlay" data-detections={prediction ? predictionCount(prediction) : 0} data-top={prediction?.task === 'classify' ? prediction.top[0]?.className ?? '' : undefined} />
          </div>
        ) : <div className="stage-empty muted">{model ? 'Start the camera.' : 'Load a model, then start the camera.'}</div>}
        {stream ? (
          <div className="stats" data-testid="webcam-stats">
            <span data-testid="fps">{stats?.fps ?? 0} FPS</span> · <span data-testid="infer-ms">{stats ? stats.inferMs.toFixed(0) : '–'} ms</span> · <span data-testid="frames">{stats?.frames ?? 0} frames</span> · <span data-testid="tensors">{tensors} tensors</span>{paused ? ' · paused' : ''}
          </div>
        ) : null}
      </section>
      <aside className="detect-side right">{model ? <PredictionList prediction={prediction} model={model} /> : null}</aside>
    </div>
  );
}
