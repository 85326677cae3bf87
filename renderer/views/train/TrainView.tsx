/**
 * The Train view: the run list on the left; on the right the new-run setup, a run (live progress,
 * curves, log, evaluation report, export), or the overlay of the runs ticked for comparison.
 */
import { useEffect, useState } from 'react';
import type { OpenedProject } from '../../../shared/api';
import { CompareCurves } from './CurveCharts';
import { RunList } from './RunList';
import { RunPanel } from './RunPanel';
import { SetupPanel } from './SetupPanel';
import { ClassifySetupPanel } from './ClassifySetupPanel';
import { panelsFor } from './metric-records';
import { useTrain } from './train-store';
import './train.css';

export function TrainView({ project }: { project: OpenedProject }): React.JSX.Element {
  const { attach, runs, selected, compare, live, details, runsError, started } = useTrain();
  useEffect(() => attach(project.root), [attach, project.root]);
  const summary = runs.find((r) => r.name === selected);
  const busy = runs.find((r) => r.active)?.name ?? null;
  const compared = compare.map((name) => ({ name, records: live[name]?.records ?? [] }));
  const task = compare.map((c) => details[c]?.config?.task).find(Boolean);
  const [newTask, setNewTask] = useState<'detect' | 'classify'>('detect');
  return (
    <div className="train-view" data-testid="train-view">
      <RunList />
      <div className="train-main">
        {runsError ? <p className="error-text card">{runsError}</p> : null}
        {compare.length > 0 ? (
          <section className="card compare-card">
            <h3>Comparing {compare.length} {compare.length === 1 ? 'run' : 'runs'}</h3>
            <CompareCurves runs={compared} panels={panelsFor(task)} />
          </section>
        ) : null}
        {selected === null ? (
          <>
            <div className="task-choice card" role="radiogroup" aria-label="Task">
              <span className="field-label">New run:</span>
              {(['detect', 'classify'] as const).map((t) => (
                <label key={t} className={`task-option${newTask === t ? ' selected' : ''}`}>
                  <input type="radio" name="train-task" value={t} checked={newTask === t} onChange={() => setNewTask(t)} />
                  {t === 'detect' ? 'Detect (boxes)' : 'Classify (whole images)'}
                </label>
              ))}
            </div>
            {newTask === 'detect'
              ? <SetupPanel project={project} busyRun={busy} onStarted={started} />
              : <ClassifySetupPanel project={project} busyRun={busy} onStarted={started} />}
          </>
        ) : summary ? (
          <RunPanel project={project.root} summary={summary} />
        ) : (
          <p className="muted">Loading run “{selected}”…</p>
        )}
      </div>
    </div>
  );
}
