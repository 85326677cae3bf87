/**
 * New-run setup: dataset readiness and split, model and schedule, augmentation per op, anchors
 * (k-means of the project's boxes with mean IoU), backend with what this machine has. Every field
 * is validated on the client with the API's schema; the engine saves the config with the run.
 * A time budget (min) lets the trainer plan the epochs (the Epochs field is then disabled and
 * reads "planned"), and the input size, batch size and frozen epochs unless they are typed.
 */
import { useEffect, useMemo, useState } from 'react';
import { CheckCircle2, Circle, RefreshCw } from 'lucide-react';
import type { AnchorsResult, OpenedProject } from '../../../shared/api';
import { MOBILENET_CUT_LAYERS } from '../../../shared/ml/backbone/mobilenet';
import { defaultInputSize } from '../../../shared/ml/detector/config';
import { api } from '../../client';
import { useApp } from '../../store/app-store';
import { AUGMENT_OPS, OP_LABELS, augmentRows, budgetOn, buildConfig, defaultSetup, hasPretrainedBackbone, isAnchorFree, opParams, plannedFields, resolvedBackend, type SetupValues } from './setup-form';
import { BackendField, SelectField, StartBar, TextField, type InputExtras, type SelectOption } from './form-fields';
import { TrainReadiness } from './TrainReadiness';
import { errorMessage } from '../../../shared/error-message';

const PRESETS: SelectOption<SetupValues['preset']>[] = [
  { value: 'nanodet-m', label: 'nanodet-m (default)' },
  { value: 'mobilenet-fpn', label: 'mobilenet-fpn (lighter)' },
  { value: 'mobilenet', label: 'mobilenet (YOLOv2)' },
  { value: 'tiny', label: 'tiny (YOLOv2, from scratch)' },
  { value: 'darknet19', label: 'darknet19 (YOLOv2 full)' },
];
const SCHEDULES: SelectOption<SetupValues['lrSchedule']>[] = [
  { value: 'cosine', label: 'cosine decay' },
  { value: 'linear', label: 'linear decay' },
  { value: 'constant', label: 'constant' },
];
const CUT_LAYERS: SelectOption<string>[] = [
  { value: '', label: 'default' },
  ...Object.entries(MOBILENET_CUT_LAYERS).map(([name, stride]) => ({ value: name, label: `${name} (stride ${stride})` })),
];
const ANCHOR_MODES: SelectOption<SetupValues['anchors']>[] = [
  { value: 'kmeans', label: 'k-means on the train boxes' },
  { value: 'preset', label: 'YOLOv2 preset anchors' },
];

export function SetupPanel({ project, busyRun, onStarted }: { project: OpenedProject; busyRun: string | null; onStarted: (run: string) => void }): React.JSX.Element {
  const backends = useApp((s) => s.backends);
  const notify = useApp((s) => s.notify);
  const [v, setV] = useState<SetupValues>(defaultSetup);
  const [showAdvanced, setShowAdvanced] = useState(false);
  const [starting, setStarting] = useState(false);
  const { config, errors } = useMemo(() => buildConfig(v, backends), [v, backends]);
  const be = resolvedBackend(v.backend, backends);
  const budget = budgetOn(v);
  const planned = plannedFields(v);
  // a planned input size is not known here: the anchors preview uses the backend's default
  const inputDefault = defaultInputSize(be === 'tensorflow-gpu');
  const effectiveInput = v.inputSizeTouched && !planned.inputSize ? Number(v.inputSize) : inputDefault;
  const set = <K extends keyof SetupValues>(k: K, value: SetupValues[K]): void => setV((s) => ({ ...s, [k]: value }));

  const [anchors, setAnchors] = useState<AnchorsResult | null>(null);
  const [anchorsError, setAnchorsError] = useState<string | null>(null);
  const [anchorsBusy, setAnchorsBusy] = useState(false);
  const k = Number(v.numAnchors);
  const anchorsValid = Number.isInteger(k) && k >= 1 && k <= 9 && Number.isInteger(effectiveInput) && effectiveInput >= 32 && effectiveInput % 32 === 0;
  const computeAnchors = async (): Promise<void> => {
    if (!anchorsValid) return;
    setAnchorsBusy(true);
    try {
      setAnchors(await api.call('train.anchors', { project: project.root, k, inputSize: effectiveInput }));
      setAnchorsError(null);
    } catch (err) {
      setAnchors(null);
      setAnchorsError(errorMessage(err));
    } finally {
      setAnchorsBusy(false);
    }
  };
  useEffect(() => {
    const t = setTimeout(() => { void computeAnchors(); }, 300);
    return () => clearTimeout(t);
    // recomputed when the anchor count, input size or labels change
  }, [k, effectiveInput, project.root, project.labeled]);

  const start = async (): Promise<void> => {
    if (!config) return;
    setStarting(true);
    try {
      const r = await api.call('train.start', { project: project.root, config, ...(v.name.trim() ? { name: v.name.trim() } : {}) });
      if (r.run) onStarted(r.run);
    } catch (err) {
      notify('error', `Could not start training: ${errorMessage(err)}`);
    } finally {
      setStarting(false);
    }
  };

  const checks = [
    { ok: project.classes.length > 0, text: `${project.classes.length} ${project.classes.length === 1 ? 'class' : 'classes'}: ${project.classes.join(', ') || '—'}` },
    { ok: project.labeled >= 10, text: `${project.labeled} labeled images (at least 10 for a train/validation split)` },
    { ok: project.unreadable === 0, text: project.unreadable === 0 ? 'no unreadable annotation files' : `${project.unreadable} unreadable annotation files (fix them in the Label view)` },
    { ok: Boolean(be), text: be ? `training backend: ${backends?.find((b) => b.name === be)?.label ?? be}` : 'probing training backends…' },
  ];
  const val = project.splits.val;
  const field = (f: keyof SetupValues, label: string, hint?: string, extra?: InputExtras): React.JSX.Element => (
    <TextField label={label} value={String(v[f])} onChange={(x) => set(f, x as never)} error={errors[f]} hint={hint} {...extra} />
  );
  /** A field a time budget plans until the user types a value: empty with "planned" while planned. */
  const plannable = (f: 'batchSize' | 'freezeEpochs', touched: 'batchSizeTouched' | 'freezeEpochsTouched', label: string, hint?: string): React.JSX.Element => (
    <TextField
      label={label}
      value={budget && !v[touched] ? '' : v[f]}
      onChange={(x) => setV((s) => ({ ...s, [f]: x, [touched]: true }))}
      error={errors[f]}
      hint={planned[f] ? 'planned from the time budget (type a value to fix it)' : hint}
      placeholder={planned[f] ? 'planned' : undefined}
    />
  );

  return (
    <div className="setup" data-testid="train-setup">
      <section className="card">
        <h3>Dataset</h3>
        <div className="stat-grid">
          <Stat label="images" value={project.images} />
          <Stat label="labeled" value={project.labeled} />
          <Stat label="verified" value={project.verified} />
          <Stat label="classes" value={project.classes.length} />
        </div>
        <div className="split-summary" data-testid="split-summary">
          <span>split:</span>
          <span className="split-chip train">{project.splits.train} train</span>
          <span className="split-chip val">{val} val</span>
          <span className="split-chip test">{project.splits.test} test</span>
          {val === 0 ? <span className="muted small">no val images in the project split: the trainer holds out {Math.round(Number(v.valFraction) * 100) || '?'}% (seeded)</span> : null}
        </div>
        <ul className="checklist">
          {checks.map((c) => (
            <li key={c.text}>{c.ok ? <CheckCircle2 size={16} className="ok" /> : <Circle size={16} className="off" />} {c.text}</li>
          ))}
        </ul>
        <TrainReadiness project={project} />
      </section>

      <section className="card">
        <h3>Model and schedule</h3>
        <div className="form-grid">
          {field('name', 'Run name', undefined, { placeholder: 'train, train2… (automatic)' })}
          <SelectField label="Model preset" name="Model preset" value={v.preset} onChange={(x) => setV((s) => ({ ...s, preset: x, augmentOps: augmentRows(x) }))} options={PRESETS} />
          <BackendField value={v.backend} onChange={(x) => set('backend', x)} backends={backends} resolved={be} error={errors.backend} />
          <TextField
            label="Input size (px)"
            aria-label="Input size"
            value={v.inputSizeTouched ? v.inputSize : budget ? '' : String(inputDefault)}
            onChange={(x) => setV((s) => ({ ...s, inputSize: x, inputSizeTouched: true }))}
            error={errors.inputSize}
            placeholder={planned.inputSize ? 'planned' : undefined}
            hint={planned.inputSize ? 'planned from the box sizes (type a size to fix it)' : `multiple of 32; default ${inputDefault} on ${be ?? 'this backend'}`}
          />
          {field('minutes', 'Time budget (min)', budget ? 'training and validation end on the budget' : 'empty = off; plans epochs, input size, batch and frozen epochs', { 'aria-label': 'Time budget', placeholder: 'off' })}
          <TextField
            label="Epochs"
            value={budget ? '' : v.epochs}
            onChange={(x) => set('epochs', x)}
            error={budget ? undefined : errors.epochs}
            disabled={budget}
            placeholder={budget ? 'planned' : undefined}
            hint={budget ? 'planned from the time budget and the measured speed' : undefined}
          />
          {plannable('batchSize', 'batchSizeTouched', 'Batch size')}
          {field('trainTimes', 'Train times', 'passes over the train set per epoch')}
          {field('learningRate', 'Learning rate')}
          <SelectField label="LR schedule" name="LR schedule" value={v.lrSchedule} onChange={(x) => set('lrSchedule', x)} options={SCHEDULES} />
          {field('warmupEpochs', 'Warm-up epochs', 'linear warm-up from 0')}
          {field('finalLrFactor', 'Final LR factor', 'end LR = LR × factor')}
          {field('patience', 'Early-stop patience', '0 = off')}
          {hasPretrainedBackbone(v.preset) ? (
            <>
              {plannable('freezeEpochs', 'freezeEpochsTouched', 'Frozen backbone epochs')}
              {field('finetuneLrFactor', 'Fine-tune LR factor', 'LR × factor once the backbone is unfrozen')}
              {v.preset === 'mobilenet' ? <SelectField label="Backbone cut layer" name="Backbone cut layer" value={v.backboneCut} onChange={(x) => set('backboneCut', x)} options={CUT_LAYERS} /> : null}
              {field('backbone', v.preset === 'nanodet-m' ? 'NanoDet weights' : 'Backbone model.json', v.preset === 'nanodet-m' ? 'folder of nanodet-m.json; empty = model zoo' : 'path or URL; empty = model zoo')}
            </>
          ) : null}
        </div>
        <button type="button" className="link-button" onClick={() => setShowAdvanced((s) => !s)}>{showAdvanced ? 'Hide' : 'Show'} advanced settings</button>
        {showAdvanced ? (
          <div className="form-grid" data-testid="advanced-settings">
            {field('seed', 'Seed')}
            {field('valFraction', 'Val fraction', 'used when the project has no val split')}
            {field('evalConfidence', 'Eval confidence', 'threshold for P / R / F1 and the confusion matrix')}
            {field('clipNorm', 'Gradient clip norm', 'empty = off')}
            {v.preset === 'tiny' ? field('tinyWidths', 'Tiny widths', 'e.g. 8,16,16,32,32,32 (empty = preset)', { 'aria-label': 'Tiny widths' }) : null}
          </div>
        ) : null}
      </section>

{isAnchorFree(v.preset) ? null : (
      <section className="card">
        <h3>Anchors</h3>
        <div className="anchors-row">
          <SelectField label="Mode" name="Anchor mode" fieldClass="inline" value={v.anchors} onChange={(x) => set('anchors', x)} options={ANCHOR_MODES} />
          <TextField label="Anchors (k)" aria-label="Number of anchors" fieldClass="inline" style={{ width: 70 }} value={v.numAnchors} onChange={(x) => set('numAnchors', x)} error={errors.numAnchors} />
          <button type="button" className="button small" onClick={() => void computeAnchors()} disabled={!anchorsValid || anchorsBusy}>
            <RefreshCw size={13} /> Recompute
          </button>
        </div>
        {anchorsError ? <p className="error-text small">{anchorsError}</p> : null}
        {anchors ? (
          <div data-testid="anchors">
            <p className="small">
              mean IoU <strong data-testid="anchors-iou">{anchors.meanIoU.toFixed(3)}</strong> over {anchors.boxes} boxes of the {anchors.split === 'train' ? 'train split' : 'whole project'}, grid {anchors.grid}×{anchors.grid} at {anchors.inputSize} px
              {v.anchors === 'preset' ? <span className="muted"> — shown for comparison; this run uses the preset anchors</span> : null}
            </p>
            <div className="anchor-list">
              {anchors.anchorsPx.map(([w, h], i) => (
                <div key={i} className="anchor-chip" title={`${anchors.anchors[i]![0].toFixed(2)} × ${anchors.anchors[i]![1].toFixed(2)} grid cells`}>
                  <span className="anchor-box" style={{ width: Math.max(4, (w / anchors.inputSize) * 48), height: Math.max(4, (h / anchors.inputSize) * 48) }} />
                  {w.toFixed(0)}×{h.toFixed(0)}
                </div>
              ))}
            </div>
          </div>
        ) : null}
      </section>
      )}

      <section className="card">
        <h3>
          Augmentation
          <label className="toggle"><input type="checkbox" checked={v.augment} onChange={(e) => set('augment', e.target.checked)} aria-label="Augmentation on" /> on</label>
        </h3>
        {errors.augment ? <p className="field-error">{errors.augment}</p> : null}
        <table className={`table aug-table${v.augment ? '' : ' disabled'}`}>
          <thead><tr><th>op</th><th>on</th><th>probability p</th><th>strength</th></tr></thead>
          <tbody>
            {AUGMENT_OPS.map((op) => {
              const vals = v.augmentOps[op];
              const params = opParams(op);
              const input = (key: string): React.JSX.Element => {
                const f = `augmentOps.${op}.${key}`;
                return (
                  <label key={key} className={`aug-param${errors[f] ? ' invalid' : ''}`}>
                    {key !== 'p' ? <span className="muted small">{key}</span> : null}
                    <input
                      aria-label={`${OP_LABELS[op]} ${key}`}
                      value={String(vals[key] ?? '')}
                      disabled={!v.augment || !vals.enabled}
                      onChange={(e) => setV((s) => ({ ...s, augmentOps: { ...s.augmentOps, [op]: { ...s.augmentOps[op], [key]: e.target.value } } }))}
                    />
                    {errors[f] ? <span className="field-error">{errors[f]}</span> : null}
                  </label>
                );
              };
              return (
                <tr key={op}>
                  <td>{OP_LABELS[op]}</td>
                  <td>
                    <input type="checkbox" aria-label={`${OP_LABELS[op]} on`} checked={Boolean(vals.enabled)} disabled={!v.augment}
                      onChange={(e) => setV((s) => ({ ...s, augmentOps: { ...s.augmentOps, [op]: { ...s.augmentOps[op], enabled: e.target.checked } } }))} />
                  </td>
                  <td>{input('p')}</td>
                  <td className="aug-strength">{params.filter((p) => p !== 'p').map(input)}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </section>

      <StartBar errors={errors} busyRun={busyRun} disabled={!config || starting || project.labeled === 0} reason={project.labeled === 0 ? 'no labeled images yet: draw boxes in the Label view first' : null} onStart={() => void start()} />
    </div>
  );
}

function Stat({ label, value }: { label: string; value: number }): React.JSX.Element {
  return (
    <div className="stat">
      <div className="value">{value.toLocaleString()}</div>
      <div className="label">{label}</div>
    </div>
  );
}
