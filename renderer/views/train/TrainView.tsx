import { CheckCircle2, Circle } from 'lucide-react';
import type { OpenedProject } from '../../../shared/api';
import { useApp } from '../../store/app-store';

/** Training readiness of the project: what the dataset has and what this machine can train on. */
export function TrainView({ project }: { project: OpenedProject }): React.JSX.Element {
  const backends = useApp((s) => s.backends);
  const backend = backends?.find((b) => b.available);
  const checks = [
    { ok: project.classes.length > 0, text: `${project.classes.length} ${project.classes.length === 1 ? 'class' : 'classes'} in the project` },
    { ok: project.labeled >= 10, text: `${project.labeled} labeled images (at least 10 needed for a train/validation split)` },
    { ok: project.unreadable === 0, text: project.unreadable === 0 ? 'no unreadable annotation files' : `${project.unreadable} unreadable annotation files (fix them in the Label view)` },
    { ok: Boolean(backend), text: backend ? `training backend: ${backend.label}` : 'probing training backends…' },
  ];
  return (
    <div className="page" data-testid="train-view">
      <section className="card">
        <h3>Dataset</h3>
        <div className="stat-grid">
          <Stat label="images" value={project.images} />
          <Stat label="labeled" value={project.labeled} />
          <Stat label="verified" value={project.verified} />
          <Stat label="classes" value={project.classes.length} />
        </div>
      </section>
      <section className="card">
        <h3>Ready to train?</h3>
        <ul className="checklist">
          {checks.map((c) => (
            <li key={c.text}>
              {c.ok ? <CheckCircle2 size={16} className="ok" /> : <Circle size={16} className="off" />} {c.text}
            </li>
          ))}
        </ul>
        <p className="muted small">
          The training engine (YOLO-style detectors and CNN classifiers, live loss and mAP curves) is not part of this build yet; this view shows what a
          run will start from.
        </p>
      </section>
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
