/**
 * Export a run's weights as a package (train.export): a TF.js LayersModel folder, or that plus an
 * ONNX model checked against TF.js on the validation images (its numbers are shown here) and a
 * runnable example.
 */
import { useState } from 'react';
import { FolderOpen, PackageCheck } from 'lucide-react';
import { api } from '../../client';
import { useApp } from '../../store/app-store';
import type { ExportResult, ModelExportFormat } from '../../../shared/api';
import { errorMessage } from '../../../shared/error-message';
import { ApiError } from '../../../shared/api/contract';

export function ExportPanel({ project, run, hasBest }: { project: string; run: string; hasBest: boolean }): React.JSX.Element {
  const nativeDialogs = useApp((s) => s.info?.nativeDialogs ?? false);
  const [dir, setDir] = useState('');
  const [weights, setWeights] = useState<'best' | 'last'>(hasBest ? 'best' : 'last');
  const [format, setFormat] = useState<ModelExportFormat>('tfjs');
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<ExportResult | null>(null);
  const [error, setError] = useState<string | null>(null);
  const dirError = dir.trim() === '' ? null : /^(\/|[A-Za-z]:[\\/]|\\\\)/.test(dir.trim()) ? null : 'use an absolute folder path';
  const pick = async (): Promise<void> => {
    try {
      const picked = await api.call('project.pickFolder', {});
      if (picked) setDir(picked);
    } catch (err) {
      setError(errorMessage(err));
    }
  };
  const run_ = async (): Promise<void> => {
    setBusy(true);
    setResult(null);
    try {
      // exporting here is the user's choice of this folder (or of its parent, for a new folder)
      const target = dir.trim();
      await api.call('detect.chooseOutputFolder', { path: target }).catch(async (err: unknown) => {
        if (!(err instanceof ApiError) || err.code !== 'not_found') throw err;
        await api.call('detect.chooseOutputFolder', { path: target.replace(/[\\/][^\\/]+[\\/]?$/, '') || target });
      });
      setResult(await api.call('train.export', { project, run, weights, format, dir: target }));
      setError(null);
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <section className="card" data-testid="export-panel">
      <h3>Export the model</h3>
      <p className="muted small">
        TF.js writes a TensorFlow.js LayersModel folder (model.json + weights, loadable with tf.loadLayersModel in any web page), detecta-model.json with the classes, anchors
        or strides, input size and thresholds, and a README. ONNX adds model.onnx (opset 17, for ONNX Runtime, OpenCV DNN, TensorRT…) and a runnable example; it is first
        checked against the TF.js model on the validation images, and nothing is written when they disagree.
      </p>
      <div className="export-row">
        <label className={`field grow${dirError ? ' invalid' : ''}`}>
          <span className="field-label">Folder</span>
          <input value={dir} onChange={(e) => setDir(e.target.value)} placeholder="/home/me/models/bricks-detector" aria-label="Export folder" />
          {dirError ? <span className="field-error">{dirError}</span> : null}
        </label>
        {nativeDialogs ? <button type="button" className="button" onClick={() => void pick()}><FolderOpen size={14} /> Choose…</button> : null}
        <label className="field">
          <span className="field-label">Format</span>
          <select value={format} onChange={(e) => setFormat(e.target.value as ModelExportFormat)} aria-label="Format">
            <option value="tfjs">TF.js</option>
            <option value="onnx">ONNX (+ TF.js)</option>
          </select>
        </label>
        <label className="field">
          <span className="field-label">Weights</span>
          <select value={weights} onChange={(e) => setWeights(e.target.value as 'best' | 'last')} aria-label="Weights">
            <option value="best" disabled={!hasBest}>best</option>
            <option value="last">last</option>
          </select>
        </label>
        <button type="button" className="button primary" onClick={() => void run_()} disabled={busy || !dir.trim() || Boolean(dirError)}><PackageCheck size={14} /> {busy ? (format === 'onnx' ? 'Exporting and checking…' : 'Exporting…') : 'Export'}</button>
      </div>
      {error ? <p className="error-text small" role="alert">{error}</p> : null}
      {result ? <p className="ok small" data-testid="export-result">Exported {result.files.length} files to <code>{result.dir}</code>: {result.files.join(', ')}</p> : null}
      {result?.verification ? <VerificationTable v={result.verification} /> : null}
    </section>
  );
}

const metricText = (v: number | null): string => (v === null ? '–' : v.toFixed(4));

/** The check the ONNX model passed: output difference and validation metric of both runtimes. */
function VerificationTable({ v }: { v: NonNullable<ExportResult['verification']> }): React.JSX.Element {
  return (
    <table className="small" data-testid="export-verification">
      <caption className="muted">Checked on {v.images} {v.split} images: {v.runtime} against TF.js ({v.tfjsBackend})</caption>
      <tbody>
        <tr><th scope="row">max |ONNX − TF.js|</th><td>{v.maxAbsDiff.toExponential(2)}</td><td className="muted">allowed {v.tolerance}</td></tr>
        <tr><th scope="row">{v.metric} ONNX</th><td>{metricText(v.onnx)}</td><td className="muted">TF.js {metricText(v.tfjs)} (allowed difference {v.metricTolerance})</td></tr>
      </tbody>
    </table>
  );
}
