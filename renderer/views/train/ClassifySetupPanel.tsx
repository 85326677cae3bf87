/**
 * New classifier run: where the labeled images come from (a folder with one sub-folder per class,
 * or crops of this project's boxes with padding), the CNN preset and the schedule. Fields are
 * validated with the API's schema before anything is sent.
 */
import { useMemo, useState } from 'react';
import type { OpenedProject } from '../../../shared/api';
import { api } from '../../client';
import { useApp } from '../../store/app-store';
import { CLASSIFY_PRESETS, buildClassifierConfig, defaultClassifySetup, type ClassifySetupValues } from './classify-form';
import { resolvedBackend } from './setup-form';
import { BackendField, SelectField, StartBar, TextField, type InputExtras, type SelectOption } from './form-fields';
import { errorMessage } from '../../../shared/error-message';

const SOURCES: SelectOption<ClassifySetupValues['sourceKind']>[] = [
  { value: 'folder', label: 'class folders (one sub-folder per class)' },
  { value: 'crops', label: "this project's boxes (crops)" },
  { value: 'idx', label: 'IDX files (MNIST / Fashion-MNIST format)' },
];
const OPTIMIZERS: SelectOption<ClassifySetupValues['optimizer']>[] = [
  { value: 'preset', label: "preset's" },
  { value: 'adam', label: 'Adam' },
  { value: 'adagrad', label: 'Adagrad' },
];
const BALANCE: SelectOption<ClassifySetupValues['balance']>[] = [
  { value: 'none', label: 'none' },
  { value: 'weights', label: 'loss weights (1 / count)' },
  { value: 'oversample', label: 'oversample smaller classes' },
];

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
      notify('error', `Could not start training: ${errorMessage(err)}`);
    } finally {
      setStarting(false);
    }
  };

  const field = (f: keyof ClassifySetupValues, label: string, hint?: string, extra?: InputExtras): React.JSX.Element => (
    <TextField label={label} value={String(v[f])} onChange={(x) => set(f, x as never)} error={errors[f]} hint={hint} aria-label={label} {...extra} />
  );

  return (
    <div className="setup" data-testid="classify-setup">
      <section className="card">
        <h3>Images</h3>
        <div className="form-grid">
          <SelectField label="Source" name="Classifier source" value={v.sourceKind} onChange={(x) => set('sourceKind', x)} options={SOURCES} />
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
          <SelectField label="Model preset" name="Classifier preset" value={v.preset} onChange={(x) => set('preset', x)} options={CLASSIFY_PRESETS.map((p) => ({ value: p.name, label: p.label }))} />
          <BackendField value={v.backend} onChange={(x) => set('backend', x)} backends={backends} resolved={be} error={errors.backend} />
          {v.preset === 'mobilenet-embeddings' ? null : field('inputSize', 'Input size (px)', 'square side; empty: chosen from the images')}
          {field('epochs', 'Epochs')}
          {field('batchSize', 'Batch size')}
          {field('learningRate', 'Learning rate', "empty: the preset's")}
          <SelectField label="Optimizer" name="Optimizer" value={v.optimizer} onChange={(x) => set('optimizer', x)} options={OPTIMIZERS} />
          <SelectField label="Class balance" name="Class balance" value={v.balance} onChange={(x) => set('balance', x)} options={BALANCE} />
          {field('patience', 'Early-stop patience', 'epochs without a better val accuracy; 0 = off')}
        </div>
      </section>

      <StartBar errors={errors} busyRun={busyRun} disabled={!config || starting} onStart={() => void start()} />
    </div>
  );
}
