/**
 * The Detect view's top bar: model choice (a detector or a classifier), backend, and the settings
 * of the loaded model: score/IoU sliders and the class filter for a detector, top-k for a classifier.
 */
import { useEffect, useState } from 'react';
import { Cpu, FolderOpen, Loader2 } from 'lucide-react';
import { api } from '../../client';
import type { ZooListEntry } from '../../../shared/api/detect';
import { useApp } from '../../store/app-store';
import { useDetect, type ModelChoice } from './detect-store';
import { BACKEND_LABELS, candidateBackends, wasmThreadsInUse, webgpuAdapter, type BackendName } from '../../detect/backends';
import { inputDescription, labelsOf } from '../../detect/load-model';
import { errorMessage } from '../../../shared/error-message';

export function ModelBar(): React.JSX.Element {
  const project = useApp((s) => s.project);
  const notify = useApp((s) => s.notify);
  const { model, loading, error, backend, backendNote, score, iou, hidden, topK, load, switchBackend, set, toggleClass } = useDetect();
  const [adapter, setAdapter] = useState<string | null>(null);
  useEffect(() => {
    if (backend !== 'webgpu') return;
    void webgpuAdapter().then((a) => setAdapter(a ? `${a.name}${a.software ? ' (software)' : ''}` : null));
  }, [backend]);
  const [zoo, setZoo] = useState<ZooListEntry[]>([]);
  const [pick, setPick] = useState<string>(project ? 'active' : 'zoo:centernet-mobilenetv3-coco');
  const [folder, setFolder] = useState('');

  useEffect(() => {
    api.call('detect.zooList', {}).then((r) => setZoo(r.entries), (err: unknown) => notify('error', `Could not list the ready-made models: ${errorMessage(err)}`));
  }, [notify, model]);

  const choice = (): ModelChoice | null => {
    if (pick === 'active') return project ? { kind: 'active', project: project.root } : null;
    if (pick === 'folder') return folder.trim() ? { kind: 'folder', path: folder.trim() } : null;
    return { kind: 'zoo', id: pick.slice(4) };
  };
  const c = choice();
  const labels = model ? labelsOf(model) : [];

  return (
    <div className="detect-bar">
      <div className="detect-row">
        <label className="field">
          <span>Model</span>
          <select aria-label="Model" value={pick} onChange={(e) => setPick(e.target.value)}>
            {project ? <option value="active">Project's active model</option> : null}
            {zoo.map((z) => (
              <option key={z.id} value={`zoo:${z.id}`}>{z.title}{z.cached ? '' : ` · download ${(z.bytes / 1e6).toFixed(1)} MB`}</option>
            ))}
            <option value="folder">A tfjs model folder…</option>
          </select>
        </label>
        {pick === 'folder' ? (
          <label className="field grow">
            <span>Model folder</span>
            <input aria-label="Model folder" placeholder="/path/to/folder with model.json" value={folder} onChange={(e) => setFolder(e.target.value)} />
          </label>
        ) : null}
        <button type="button" className="button primary" disabled={!c || loading !== null} onClick={() => { if (c) void load(c); }}>
          {loading ? <Loader2 size={14} className="spin" /> : <FolderOpen size={14} />} Load model
        </button>
        <label className="field">
          <span>Backend</span>
          <select aria-label="Backend" value={backend ?? ''} disabled={loading !== null} onChange={(e) => void switchBackend(e.target.value as BackendName)}>
            {backend ? null : <option value="">(chosen on load)</option>}
            {candidateBackends().map((b) => <option key={b} value={b}>{BACKEND_LABELS[b]}</option>)}
          </select>
        </label>
        <div className="model-status" data-testid="model-status" data-loaded={model ? 'yes' : 'no'} data-task={model?.task ?? ''}>
          {loading ? <span className="busy">{loading}</span> : model ? (
            <>
              <strong>{model.title}</strong>
              <span className="muted"> · {model.task === 'classify' ? 'classifier · ' : ''}{inputDescription(model)} · {labels.length} classes · </span>
              <span className="backend-chip" data-testid="backend-in-use" title={backend === 'webgpu' && adapter ? adapter : undefined}><Cpu size={12} /> {backend ? BACKEND_LABELS[backend] : '?'}{backend === 'wasm' ? <span className="muted" data-testid="wasm-threads"> · {wasmThreadsInUse()} threads</span> : null}{backend === 'webgpu' && adapter ? <span className="muted" data-testid="gpu-adapter"> · {adapter}</span> : null}</span>
            </>
          ) : <span className="muted">No model loaded</span>}
        </div>
      </div>
      {error ? <div className="error-text small" role="alert">{error}</div> : null}
      {backendNote ? <div className="muted small">{backendNote}</div> : null}
      {model?.task === 'classify' ? (
        <div className="detect-row">
          <label className="slider">
            <span>Top <b data-testid="topk-value">{Math.min(topK, labels.length)}</b> of {labels.length} classes</span>
            <input type="range" aria-label="Top-k classes" min={1} max={Math.max(1, Math.min(10, labels.length))} step={1} value={Math.min(topK, labels.length)} onChange={(e) => set({ topK: Number(e.target.value) })} />
          </label>
          <span className="muted small">Input: the whole frame, stretched to {inputDescription(model)} as in training.</span>
        </div>
      ) : (
        <div className="detect-row">
          <label className="slider">
            <span>Score ≥ <b data-testid="score-value">{score.toFixed(2)}</b></span>
            <input type="range" aria-label="Score threshold" min={0.01} max={0.99} step={0.01} value={score} onChange={(e) => set({ score: Number(e.target.value) })} />
          </label>
          <label className="slider">
            <span>NMS IoU <b>{iou.toFixed(2)}</b></span>
            <input type="range" aria-label="NMS IoU threshold" min={0.05} max={0.95} step={0.05} value={iou} onChange={(e) => set({ iou: Number(e.target.value) })} />
          </label>
          <details className="class-filter">
            <summary>Classes: {labels.length - hidden.length} / {labels.length} shown</summary>
            <div className="class-filter-list">
              <button type="button" className="button small" onClick={() => set({ hidden: [] })}>All</button>
              <button type="button" className="button small" onClick={() => set({ hidden: labels.map((_, i) => i) })}>None</button>
              {labels.map((l, i) => (
                <label key={i} className="check"><input type="checkbox" checked={!hidden.includes(i)} onChange={() => toggleClass(i)} /> {l}</label>
              ))}
            </div>
          </details>
        </div>
      )}
    </div>
  );
}
