/**
 * One run: status and actions (pause / resume / cancel while it trains; resume a stopped run,
 * use as active model, open its folder, delete), the progress bar, and tabs for the learning
 * curves, the evaluation report and the model export; the log below.
 */
import { useEffect, useRef, useState } from 'react';
import { FolderOpen, Pause, Play, RotateCcw, Square, Star, Trash2 } from 'lucide-react';
import type { RunDetail, RunSummary } from '../../../shared/api';
import { api } from '../../client';
import { useApp } from '../../store/app-store';
import { RunCurves } from './CurveCharts';
import { ExportPanel } from './ExportPanel';
import { ReportPanel } from './ReportPanel';
import { formatDuration } from './RunList';
import { panelsFor } from './metric-records';
import { useTrain, type RunLive } from './train-store';
import { emptyBatch } from './batch-series';
import { errorMessage } from '../../../shared/error-message';

type Tab = 'curves' | 'report' | 'export';

export function RunPanel({ project, summary }: { project: string; summary: RunSummary }): React.JSX.Element {
  const notify = useApp((s) => s.notify);
  const { details, live, activeModel, refreshRuns, loadRun, select, setActiveModel } = useTrain();
  const detail: RunDetail | undefined = details[summary.name];
  const l: RunLive | undefined = live[summary.name];
  const [tab, setTab] = useState<Tab>('curves');
  const [confirmDelete, setConfirmDelete] = useState(false);
  const [folder, setFolder] = useState<string | null>(null);
  const [extraEpochs, setExtraEpochs] = useState('');
  useEffect(() => { setConfirmDelete(false); setFolder(null); setExtraEpochs(''); }, [summary.name]);

  const act = async (what: string, f: () => Promise<unknown>): Promise<void> => {
    try {
      await f();
    } catch (err) {
      notify('error', `${what}: ${errorMessage(err)}`);
    }
  };
  const running = summary.active;
  const epochs = summary.epochs ?? detail?.config?.train.epochs ?? null;
  const p = running ? l?.progress ?? null : null;
  const frac = p ? (p.epoch - 1 + p.batch / Math.max(1, p.batches)) / Math.max(1, p.epochs) : summary.epochs ? summary.epochsDone / summary.epochs : 0;
  const isActive = activeModel?.run === summary.name;
  const task = detail?.config?.task ?? summary.task;
  const config = detail?.config ?? null;
  const inputSize = summary.inputSize ?? (config ? (config.task === 'detect' ? config.detector.inputSize : config.inputSize) : null);
  const extra = extraEpochs.trim() === '' ? undefined : Number(extraEpochs);
  const extraError = extra !== undefined && !(Number.isInteger(extra) && extra >= 1 && extra <= 10_000) ? 'whole number of epochs, 1–10000' : null;

  return (
    <div className="run-panel" data-testid="run-panel" data-run={summary.name}>
      <header className="run-head card">
        <div className="run-title">
          <h2>{summary.name}</h2>
          <span className={`status-badge st-${summary.status}`} data-testid="run-status">{summary.status}</span>
          {isActive ? <span className="active-chip"><Star size={12} /> active model</span> : null}
          <span className="muted small">
            {summary.preset ?? 'preset pending'} · {inputSize !== null ? `${inputSize} px` : 'input size pending'} · {summary.backend ?? 'backend pending'} · {epochs !== null ? `${summary.epochsDone}/${epochs}` : summary.epochsDone} epochs · {formatDuration(summary.durationSeconds)}
          </span>
        </div>
        <div className="run-actions">
          {running ? (
            <>
              {summary.status === 'paused'
                ? <button type="button" className="button" onClick={() => void act('Resume', () => api.call('train.resume', { project }).then(refreshRuns))}><Play size={14} /> Resume</button>
                : <button type="button" className="button" onClick={() => void act('Pause', () => api.call('train.pause', { project }).then(refreshRuns))}><Pause size={14} /> Pause</button>}
              <button type="button" className="button danger" onClick={() => void act('Cancel', () => api.call('train.cancel', { project }))}><Square size={14} /> Cancel</button>
            </>
          ) : (
            <>
              {summary.resumable && summary.status !== 'completed' ? (
                <span className="resume-group">
                  <input aria-label="Total epochs for resume" placeholder={`epochs ${epochs ?? ''}`} value={extraEpochs} onChange={(e) => setExtraEpochs(e.target.value)} title="total epochs (empty = as configured)" />
                  <button type="button" className="button" disabled={Boolean(extraError)} onClick={() => void act('Resume the run', async () => {
                    await api.call('train.start', { project, resume: summary.name, ...(extra ? { epochs: extra } : {}) });
                    await refreshRuns();
                  })}><RotateCcw size={14} /> Resume training</button>
                </span>
              ) : null}
              {summary.resumable && summary.status === 'completed' ? (
                <span className="resume-group">
                  <input aria-label="Total epochs for resume" placeholder={`epochs > ${epochs ?? ''}`} value={extraEpochs} onChange={(e) => setExtraEpochs(e.target.value)} title="train on to this many epochs in total" />
                  <button type="button" className="button" disabled={!extra || Boolean(extraError) || extra <= (epochs ?? 0)} onClick={() => void act('Continue the run', async () => {
                    await api.call('train.start', { project, resume: summary.name, epochs: extra });
                    await refreshRuns();
                  })}><RotateCcw size={14} /> Train on</button>
                </span>
              ) : null}
              <button type="button" className="button" disabled={isActive || summary.epochsDone === 0} onClick={() => void act('Use as active model', async () => {
                setActiveModel(await api.call('model.setActive', { project, run: summary.name, weights: 'best' }));
              })}><Star size={14} /> {isActive ? 'Active model' : 'Use as active model'}</button>
            </>
          )}
          <button type="button" className="button" onClick={() => void act('Open the folder', async () => {
            const r = await api.call('train.openFolder', { project, run: summary.name });
            setFolder(r.path);
            if (!r.opened) notify('info', `Could not open a file manager (${r.reason ?? 'unknown reason'}); the path is shown below.`);
            else await navigator.clipboard?.writeText(r.path).catch(() => undefined);
          })}><FolderOpen size={14} /> Folder</button>
          {!running ? (
            confirmDelete ? (
              <span className="confirm">
                Delete “{summary.name}” and its weights?
                <button type="button" className="button danger small" onClick={() => void act('Delete the run', async () => {
                  await api.call('train.delete', { project, run: summary.name });
                  select(null);
                  await refreshRuns();
                })}>Delete</button>
                <button type="button" className="button small" onClick={() => setConfirmDelete(false)}>Keep</button>
              </span>
            ) : <button type="button" className="icon-button" title="Delete run" aria-label="Delete run" onClick={() => setConfirmDelete(true)}><Trash2 size={15} /></button>
          ) : null}
        </div>
        {folder ? <p className="small folder-line">Run folder: <code data-testid="run-folder">{folder}</code></p> : null}
        <Progress running={running} paused={summary.status === 'paused'} frac={frac} l={l} />
      </header>

      <nav className="tabs" role="tablist">
        {(['curves', 'report', 'export'] as const).map((t) => (
          <button key={t} type="button" role="tab" aria-selected={tab === t} className={`tab${tab === t ? ' active' : ''}`} onClick={() => setTab(t)}>
            {t === 'curves' ? 'Curves' : t === 'report' ? 'Evaluation report' : 'Export'}
          </button>
        ))}
      </nav>
      {tab === 'curves' ? (
        <>
          <RunCurves records={l?.records ?? []} batch={l?.batch ?? emptyBatch()} panels={panelsFor(task)} epochs={epochs} />
          <LogPanel lines={l?.logs ?? []} />
        </>
      ) : null}
      {tab === 'report' ? <ReportPanel project={project} run={summary.name} version={`${summary.status}-${summary.epochsDone}`} /> : null}
      {tab === 'export' ? <ExportPanel project={project} run={summary.name} hasBest={summary.epochsDone > 0} /> : null}
      {!l?.loaded ? <button type="button" className="link-button" onClick={() => void loadRun(summary.name)}>reload the run folder</button> : null}
    </div>
  );
}

function Progress({ running, paused, frac, l }: { running: boolean; paused: boolean; frac: number; l: RunLive | undefined }): React.JSX.Element | null {
  const p = l?.progress;
  if (!running) return null;
  const pct = Math.max(0, Math.min(1, frac)) * 100;
  return (
    <div className="progress" data-testid="train-progress" data-epoch={p?.epoch ?? 0} data-batch={p?.batch ?? 0}>
      <div className="progress-bar" role="progressbar" aria-valuemin={0} aria-valuemax={100} aria-valuenow={Math.round(pct)}>
        <div className={`progress-fill${paused ? ' paused' : ''}`} style={{ width: `${pct}%` }} />
      </div>
      <div className="progress-text small">
        {p ? (
          <>
            <span>epoch <strong>{p.epoch}</strong>/{p.epochs}</span>
            <span>batch <strong>{p.batch}</strong>/{p.batches}</span>
            <span>loss <strong>{(typeof p.loss === 'number' ? p.loss : p.loss.total).toFixed(3)}</strong></span>
            {'accuracy' in p ? <span>accuracy <strong>{p.accuracy.toFixed(3)}</strong></span> : null}
            <span><strong>{p.imagesPerSecond.toFixed(1)}</strong> images/s</span>
            <span>ETA <strong>{formatDuration(p.etaSeconds)}</strong></span>
            {paused ? <span className="warn-text">paused</span> : null}
          </>
        ) : <span className="muted">starting: loading images, building the model…</span>}
      </div>
    </div>
  );
}

function LogPanel({ lines }: { lines: RunLive['logs'] }): React.JSX.Element {
  const ref = useRef<HTMLDivElement>(null);
  const stick = useRef(true);
  useEffect(() => {
    const el = ref.current;
    if (el && stick.current) el.scrollTop = el.scrollHeight;
  }, [lines.length]);
  return (
    <section className="card">
      <h3>Log <span className="muted small">{lines.length} lines</span></h3>
      <div className="log" ref={ref} data-testid="train-log" onScroll={(e) => { const el = e.currentTarget; stick.current = el.scrollHeight - el.scrollTop - el.clientHeight < 24; }}>
        {lines.map((line, i) => (
          <div key={i} className={`log-line lv-${line.level}`}>
            <span className="log-time">{line.t ? new Date(line.t).toLocaleTimeString() : ''}</span>
            <span>{line.message}</span>
          </div>
        ))}
        {lines.length === 0 ? <div className="muted">No log lines yet.</div> : null}
      </div>
    </section>
  );
}
