/**
 * Video-file mode: play a video with boxes (a detector) or the top-k classes (a classifier) drawn
 * on every presented frame, or process the whole video frame by frame (seeking at the chosen frame
 * rate) with progress, FPS and cancel, recording the annotated frames to WebM or MP4 (MediaRecorder
 * on a canvas stream; MP4 where the browser can record it) and writing the per-frame results as
 * JSON and CSV next to the source or into a chosen folder.
 */
import { useEffect, useRef, useState } from 'react';
import { Film, Play, Square } from 'lucide-react';
import { api, projectFileUrl } from '../../client';
import { useApp } from '../../store/app-store';
import { useDetect } from './detect-store';
import { predictFrame, type Prediction } from '../../detect/predict-frame';
import { drawPrediction } from '../../detect/draw';
import { drawOverlay, type LoopStats } from '../../detect/frame-loop';
import { startLiveLoop } from './live-loop';
import { videoDetectionsFile, videoFrameResult } from '../../detect/detections-file';
import { detectionsFileCsv, detectionsFileJson, type FrameResult as FileFrameResult } from '../../../shared/results/detections-file';
import { labelsOf } from '../../detect/load-model';
import { outputPath, resultSuffix } from './output-paths';
import { explainLoadFailure, resolveProjectPath } from './project-path';
import { PredictionList } from './PredictionList';
import { errorMessage } from '../../../shared/error-message';

interface Source { name: string; url: string; path: string | null }

function seek(video: HTMLVideoElement, t: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const done = (): void => { video.removeEventListener('seeked', done); video.removeEventListener('error', fail); resolve(); };
    const fail = (): void => { video.removeEventListener('seeked', done); video.removeEventListener('error', fail); reject(new Error(video.error?.message ?? 'the video cannot be decoded')); };
    video.addEventListener('seeked', done);
    video.addEventListener('error', fail);
    video.currentTime = t;
  });
}

/** The annotated video's container: the MIME types to try, best first, and the file extension. */
const OUTPUT_FORMATS = {
  webm: { label: 'WebM (VP9/VP8)', ext: '.webm', mimes: ['video/webm;codecs=vp9', 'video/webm;codecs=vp8', 'video/webm'] },
  mp4: { label: 'MP4 (H.264)', ext: '.mp4', mimes: ['video/mp4;codecs=avc1.42E01E', 'video/mp4;codecs=avc1', 'video/mp4'] },
} as const;
type OutputFormat = keyof typeof OUTPUT_FORMATS;

const supportedMime = (format: OutputFormat): string | undefined => OUTPUT_FORMATS[format].mimes.find((m) => MediaRecorder.isTypeSupported(m));

function recorderMime(format: OutputFormat): string {
  const mime = supportedMime(format);
  if (!mime) throw new Error(`this browser cannot record ${OUTPUT_FORMATS[format].label}`);
  return mime;
}

export function VideoMode(): React.JSX.Element {
  const notify = useApp((s) => s.notify);
  const { model, sampleMemory } = useDetect();
  const [source, setSource] = useState<Source | null>(null);
  const [pathInput, setPathInput] = useState('');
  const [folder, setFolder] = useState('');
  const [fps, setFps] = useState(30);
  const [format, setFormat] = useState<OutputFormat>('webm');
  const [prediction, setPrediction] = useState<Prediction | null>(null);
  const [stats, setStats] = useState<LoopStats | null>(null);
  const [job, setJob] = useState<{ done: number; total: number; fps: number; state: 'running' | 'done' | 'cancelled' | 'failed'; outputs: string[] } | null>(null);
  const videoRef = useRef<HTMLVideoElement>(null);
  const overlayRef = useRef<HTMLCanvasElement>(null);
  const cancelRef = useRef(false);
  /** True while the frame rate is being measured: live detection waits (it would make frames skip). */
  const estimatingRef = useRef(false);
  const processing = job?.state === 'running';
  const project = useApp((s) => s.project);
  const [sourceError, setSourceError] = useState<string | null>(null);
  const sourceRef = useRef<Source | null>(null);
  sourceRef.current = source;
  const openPath = (): void => {
    const r = resolveProjectPath(pathInput, project?.root ?? null);
    if ('error' in r) { setSourceError(r.error); return; }
    const p = r.path;
    setSourceError(null);
    estimatingRef.current = true;
    setSource({ name: p.slice(Math.max(p.lastIndexOf('/'), p.lastIndexOf('\\')) + 1), url: projectFileUrl(p), path: p });
  };

  // live boxes while playing
  useEffect(() => {
    const video = videoRef.current;
    if (!video || !model || processing) return;
    return startLiveLoop(video, () => overlayRef.current, () => estimatingRef.current || (video.paused && video.readyState < 2), {
      prediction: setPrediction,
      stats: (s) => { setStats(s); if (s.frames % 30 === 0) sampleMemory(); },
      error: (err) => notify('error', `Detection failed: ${errorMessage(err)}`),
    });
  }, [model, source, processing, notify, sampleMemory]);

  const estimateFps = (video: HTMLVideoElement): void => {
    // The frame rate from the media times of presented frames during a short muted play: the
    // smallest step between two presented frames is one frame (a skipped frame only makes a step
    // longer). The field stays editable.
    const times: number[] = [];
    let h = 0;
    let finished = false;
    const finish = (): void => {
      if (finished) return;
      finished = true;
      estimatingRef.current = false;
      video.cancelVideoFrameCallback(h);
      video.removeEventListener('ended', finish);
      video.pause();
      void seek(video, 0).catch(() => {});
      const steps = times.slice(1).map((t, i) => t - times[i]!).filter((d) => d > 1e-3);
      if (steps.length) setFps(Math.max(1, Math.min(120, Math.round(1 / Math.min(...steps)))));
    };
    const step = (_now: number, meta: VideoFrameCallbackMetadata): void => {
      times.push(meta.mediaTime);
      if (times.length >= 10) finish();
      else h = video.requestVideoFrameCallback(step);
    };
    h = video.requestVideoFrameCallback(step);
    video.addEventListener('ended', finish);
    video.muted = true;
    estimatingRef.current = true;
    video.play().catch(() => finish());
  };

  const process = async (): Promise<void> => {
    const video = videoRef.current;
    const m = model;
    if (!video || !m || !source) return;
    cancelRef.current = false;
    video.pause();
    const outputs: string[] = [];
    const total = Math.max(1, Math.round(video.duration * fps));
    setJob({ done: 0, total, fps: 0, state: 'running', outputs });
    const canvas = document.createElement('canvas');
    canvas.width = video.videoWidth;
    canvas.height = video.videoHeight;
    const ctx = canvas.getContext('2d');
    const frames: FileFrameResult[] = [];
    try {
      if (!ctx) throw new Error('no 2D canvas context');
      const outDir = folder.trim() ? (await api.call('detect.chooseOutputFolder', { path: folder.trim() })).dir : '';
      const stream = canvas.captureStream(0);
      const track = stream.getVideoTracks()[0] as CanvasCaptureMediaStreamTrack;
      const recorder = new MediaRecorder(stream, { mimeType: recorderMime(format), videoBitsPerSecond: 4_000_000 });
      const chunks: Blob[] = [];
      recorder.ondataavailable = (e) => { if (e.data.size) chunks.push(e.data); };
      const stopped = new Promise<void>((r) => { recorder.onstop = () => r(); });
      // The recorder runs only while a finished frame is shown, for one frame interval, so the
      // video keeps the source's timing however long detection takes (paused time is not recorded).
      recorder.start();
      recorder.pause();
      const hold = (): Promise<void> => new Promise((r) => setTimeout(r, 1000 / fps));
      const t0 = performance.now();
      for (let i = 0; i < total && !cancelRef.current; i++) {
        const t = Math.min((i + 0.5) / fps, video.duration - 1e-3);
        await seek(video, t);
        const p = useDetect.getState().interpret(await predictFrame(m, video, video.videoWidth, video.videoHeight));
        ctx.drawImage(video, 0, 0, canvas.width, canvas.height);
        drawPrediction(ctx, p, labelsOf(m), canvas.width, canvas.height);
        recorder.resume();
        track.requestFrame();
        await hold();
        recorder.pause();
        frames.push(videoFrameResult(i, t, p, labelsOf(m)));
        setPrediction(p);
        if (overlayRef.current) drawOverlay(video, overlayRef.current, p, m);
        setJob({ done: i + 1, total, fps: (i + 1) / ((performance.now() - t0) / 1000), state: 'running', outputs });
      }
      recorder.resume();
      recorder.stop();
      await stopped;
      sampleMemory();
      if (cancelRef.current) { setJob((j) => (j ? { ...j, state: 'cancelled' } : j)); return; }
      const recorded = new Blob(chunks, { type: recorder.mimeType.split(';')[0] });
      const meta = { source: source.path ?? source.name, model: m.title, task: m.task, width: video.videoWidth, height: video.videoHeight, fps };
      const results = m.task === 'classify' ? '_classifications' : '_detections';
      const write = async (suffix: string, ext: string, data: Blob): Promise<void> => {
        const r = await api.writeFile(outputPath(source.name, source.path, outDir, suffix, ext), data);
        outputs.push(r.path);
      };
      await write(resultSuffix(m.task), OUTPUT_FORMATS[format].ext, recorded);
      const file = videoDetectionsFile(meta, labelsOf(m), frames);
      await write(results, '.json', new Blob([detectionsFileJson(file)]));
      await write(results, '.csv', new Blob([detectionsFileCsv(file)]));
      setJob((j) => (j ? { ...j, state: 'done', outputs: [...outputs] } : j));
      notify('info', `Processed ${frames.length} frames: ${outputs.join(', ')}`);
    } catch (err) {
      setJob((j) => (j ? { ...j, state: 'failed' } : j));
      notify('error', `Processing stopped: ${errorMessage(err)}`);
    }
  };

  return (
    <div className="detect-mode">
      <aside className="detect-side">
        <label className="button small file-button">
          <Film size={14} /> Open a video…
          <input type="file" accept="video/*" aria-label="Open video" onChange={(e) => { const f = e.target.files?.[0]; if (f) { estimatingRef.current = true; setSourceError(null); setSource({ name: f.name, url: URL.createObjectURL(f), path: null }); } e.target.value = ''; }} />
        </label>
        <div className="inline-field">
          <input aria-label="Video path" placeholder="video path inside a project" value={pathInput} onChange={(e) => setPathInput(e.target.value)} onKeyDown={(e) => { if (e.key === 'Enter') openPath(); }} />
          <button type="button" className="button small" disabled={!pathInput.trim()} title={pathInput.trim() ? 'Open this video' : 'type a path first'} onClick={openPath}>Open</button>
        </div>
        {sourceError ? <p className="error-text small" role="alert" data-testid="video-error">{sourceError}</p> : null}
        {source ? <p className="small"><strong>{source.name}</strong></p> : <p className="muted small">Open a video file (WebM, MP4 where the browser decodes it).</p>}
        <label className="field">
          <span>Frames per second to process</span>
          <input type="number" aria-label="Frames per second" min={1} max={120} value={fps} onChange={(e) => setFps(Math.max(1, Math.min(120, Number(e.target.value) || 1)))} />
        </label>
        <label className="field">
          <span>Save to folder (empty: next to the video)</span>
          <input aria-label="Video output folder" value={folder} onChange={(e) => setFolder(e.target.value)} placeholder="/path/to/folder" />
        </label>
        <label className="field">
          <span>Annotated video format</span>
          <select aria-label="Annotated video format" value={format} onChange={(e) => setFormat(e.target.value as OutputFormat)}>
            {(Object.keys(OUTPUT_FORMATS) as OutputFormat[]).map((f) => (
              <option key={f} value={f} disabled={!supportedMime(f)}>{OUTPUT_FORMATS[f].label}{supportedMime(f) ? '' : ' (this browser cannot record it)'}</option>
            ))}
          </select>
        </label>
        <div className="row-buttons">
          <button type="button" className="button primary" disabled={!source || !model || processing} onClick={() => void process()}><Play size={14} /> Process whole video</button>
          {processing ? <button type="button" className="button" onClick={() => { cancelRef.current = true; }}><Square size={14} /> Cancel</button> : null}
        </div>
        {!processing && (!model || !source) ? <p className="reason small" data-testid="video-reason">{!model ? 'Load a model (above) to process the video.' : 'Open a video first.'}</p> : null}
        {job ? (
          <div className="progress-line" data-testid="video-progress" data-state={job.state}>
            <progress max={job.total} value={job.done} /> {job.done} / {job.total} frames · {job.fps.toFixed(1)} FPS · {job.state}
          </div>
        ) : null}
        {job?.outputs.length ? <ul className="small muted" data-testid="video-outputs">{job.outputs.map((o) => <li key={o}>{o}</li>)}</ul> : null}
      </aside>
      <section className="detect-stage">
        {source ? (
          <div className="video-wrap">
            <video ref={videoRef} src={source.url} controls muted playsInline data-testid="video" onLoadedMetadata={(e) => estimateFps(e.currentTarget)} onError={() => { estimatingRef.current = false; const src = source; void explainLoadFailure(src.url, src.path ?? src.name).then((m) => { if (sourceRef.current === src) setSourceError(m); }); }} />
            <canvas ref={overlayRef} className="det-overlay" data-testid="video-overlay" />
          </div>
        ) : <div className="stage-empty muted">{model ? 'Open a video.' : 'Load a model, then open a video.'}</div>}
        {stats && !processing ? <div className="stats" data-testid="video-stats">{stats.fps} FPS · {stats.inferMs.toFixed(0)} ms</div> : null}
      </section>
      <aside className="detect-side right">{model ? <PredictionList prediction={prediction} model={model} /> : null}</aside>
    </div>
  );
}
