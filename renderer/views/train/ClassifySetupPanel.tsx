/**
 * New classifier run: where the labeled images come from (a folder with one sub-folder per class,
 * or crops of this project's boxes with padding), the CNN preset and the schedule. Fields are
 * validated with the API's schema before anything is sent.
 */
import { useMemo, useState } from 'react';
import { Play } from 'lucide-react';
import type { OpenedProject } from '../../../shared/api';
import { api } from '../../client';
import { useApp } from '../../store/app-store';
import { CLASSIFY_PRESETS, buildClassifierConfig, defaultClassifySetup, type ClassifySetupValues } from './classify-form';
import { resolvedBackend } from './setup-form';

const message = (err: unknown): string => (err instanceof Error ? err.message : String(err));

export function ClassifySetupPanel({ project, busyRun, onStarted }: { project: OpenedProject; busyRun: string | null; onStarted: (run: string) => void }): React.JSX.Element {
  const backends = useApp((s) => s.backends);
  const notify = useApp((s) => s.notify);
  const [v, setV] = useState<ClassifySetupValues>(defaultClassifySetup);
  const [starting, setStarting] = useState(false);
  const { config, errors } = useMemo(() => buildClassifierConfig(v, backends), [v, backends]);
  const be = resolvedBackend(v.backend, backends);
  const set = <K extends keyof ClassifySetupValues>(k: K, value: ClassifySetupValues[K]): void => setV((s) => ({ ...s, [k]: value }));

  const start = async (): Promise<void> => {
    if (!config) return;
    setStarting(true);
    try {
      const r = await api.call('train.start', { project: project.root, classifier: config, ...(v.name.trim() ? { name: v.name.trim() } : {}) });
      if (r.run) onStarted(r.run);
    } catch (err) {
      notify('error', `Could not start training: ${message(err)}`);
    } finally {
      setStarting(false);
    }
  };

  const Err = ({ f }: { f: string }): React.JSX.Element | null => (errors[f] ? <span className="field-error" role="alert">{errors[f]}</span> : null);
  const field = (f: keyof ClassifySetupValues, label: string, hint?: string, extra?: React.InputHTMLAttributes<HTMLInputElement>): React.JSX.Element => (
    <label className={`field${errors[f] ? ' invalid' : ''}`}>
      <span className="field-label">{label}</span>
      <input value={String(v[f])} onChange={(e) => set(f, e.target.value as never)} aria-invalid={Boolean(errors[f])} aria-label={label} {...extra} />
      {hint && !errors[f] ? <span className="field-hint">{hint}</span> : null}
      <Err f={f} />
    </label>
  );

  return (
    <div className="setup" data-testid="classify-setup">
      <section className="card">
        <h3>Images</h3>
        <div className="form-grid">
          <label className="field">
            <span className="field-label">Source</span>
            <select value={v.sourceKind} onChange={(e) => set('sourceKind', e.target.value as ClassifySetupValues['sourceKind'])} aria-label="Classifier source">
              <option value="folder">class folders (one sub-folder per class)</option>
              <option value="crops">this project's boxes (crops)</option>
              <option value="idx">IDX files (MNIST / Fashion-MNIST format)</option>
            </select>
          </label>
          {v.sourceKind === 'folder'
            ? field('folder', 'Class folder', 'absolute path; each sub-folder name is a class', { placeholder: `${project.root}/…` })
            : v.sourceKind === 'idx'
              ? <>
                {field('idxDir', 'IDX folder', 'train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-… (.gz too); the t10k files are the test set', { placeholder: '/path/to/fashion-mnist' })}
                {field('trainLimit', 'Train images', 'empty: all of them; a number uses the first N (quick runs)')}
              </>
              : field('padding', 'Crop padding', `context around each box, fraction of its side; ${project.classes.length} classes: ${project.classes.join(', ') || '—'}`)}
        </div>
      </section>

      <section className="card">
        <h3>Model and schedule</h3>
        <div className="form-grid">
          {field('name', 'Run name', undefined, { placeholder: 'classify, classify2… (automatic)' })}
          <label className="field">
            <span className="field-label">Model preset</span>
            <select value={v.preset} onChange={(e) => set('preset', e.target.value as ClassifySetupValues['preset'])} aria-label="Classifier preset">
              {CLASSIFY_PRESETS.map((p) => <option key={p.name} value={p.name}>{p.label}</option>)}
            </select>
          </label>
          <label className={`field${errors.backend ? ' invalid' : ''}`}>
            <span className="field-label">Backend</span>
            <select value={v.backend} onChange={(e) => set('backend', e.target.value as ClassifySetupValues['backend'])} aria-label="Backend">
              <option value="auto">auto{be ? ` (${be})` : ''}</option>
              {(backends ?? []).map((b) => (
                <option key={b.name} value={b.name} disabled={!b.available} title={`${b.label}: ${b.detail}`}>{b.name}{b.available ? '' : ' (not available)'}</option>
              ))}
            </select>
            <Err f="backend" />
          </label>
          {v.preset === 'mobilenet-embeddings' ? null : field('inputSize', 'Input size (px)', 'square side; empty: chosen from the images')}
          {field('epochs', 'Epochs')}
          {field('batchSize', 'Batch size')}
          {field('learningRate', 'Learning rate', "empty: the preset's")}
          <label className="field">
            <span className="field-label">Optimizer</span>
            <select value={v.optimizer} onChange={(e) => set('optimizer', e.target.value as ClassifySetupValues['optimizer'])} aria-label="Optimizer">
              <option value="preset">preset's</option>
              <option value="adam">Adam</option>
              <option value="adagrad">Adagrad</option>
            </select>
          </label>
          <label className="field">
            <span className="field-label">Class balance</span>
            <select value={v.balance} onChange={(e) => set('balance', e.target.value as ClassifySetupValues['balance'])} aria-label="Class balance">
              <option value="none">none</option>
              <option value="weights">loss weights (1 / count)</option>
              <option value="oversample">oversample smaller classes</option>
            </select>
          </label>
          {field('patience', 'Early-stop patience', 'epochs without a better val accuracy; 0 = off')}
        </div>
      </section>

      <div className="setup-actions">
        {Object.keys(errors).length ? <span className="field-error" data-testid="setup-errors">{Object.keys(errors).length} {Object.keys(errors).length === 1 ? 'field needs' : 'fields need'} fixing</span> : null}
        {busyRun ? <span className="muted small">run “{busyRun}” is training; cancel it to start another</span> : null}
        <button type="button" className="button primary" onClick={() => void start()} disabled={!config || starting || Boolean(busyRun)}>
          <Play size={14} /> Start training
        </button>
      </div>
    </div>
  );
}
