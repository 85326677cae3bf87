/**
 * Run history: every run of the project with status, the mAP50 / mAP50-95 of its best weights (the epoch the report evaluates), backend, duration;
 * a checkbox per run overlays its curves with the others.
 */
import { Plus, Star } from 'lucide-react';
import type { RunSummary } from '../../../shared/api';
import { useTrain } from './train-store';

export function formatDuration(s: number | null | undefined): string {
  if (s === null || s === undefined || !Number.isFinite(s)) return '—';
  if (s < 60) return `${s.toFixed(0)} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`;
  return `${Math.floor(s / 3600)} h ${Math.round((s % 3600) / 60)} min`;
}

const fmt = (v: number | null): string => (v === null ? '—' : v.toFixed(3));

export function RunList(): React.JSX.Element {
  const { runs, selected, compare, activeModel, select, toggleCompare } = useTrain();
  return (
    <aside className="run-list" data-testid="run-list">
      <button type="button" className={`run-new${selected === null ? ' selected' : ''}`} onClick={() => select(null)}>
        <Plus size={15} /> New run
      </button>
      <div className="run-list-head muted small">
        <span>Runs ({runs.length})</span>
        {compare.length ? <button type="button" className="link-button" onClick={() => compare.forEach((r) => toggleCompare(r))}>clear compare</button> : <span>☐ = compare</span>}
      </div>
      <ul>
        {[...runs].reverse().map((r) => (
          <RunRow key={r.name} r={r} selected={selected === r.name} compared={compare.includes(r.name)} isActive={activeModel?.run === r.name}
            onSelect={() => select(r.name)} onCompare={() => toggleCompare(r.name)} />
        ))}
        {runs.length === 0 ? <li className="muted small run-empty">No runs yet.</li> : null}
      </ul>
    </aside>
  );
}

function RunRow({ r, selected, compared, isActive, onSelect, onCompare }: { r: RunSummary; selected: boolean; compared: boolean; isActive: boolean; onSelect: () => void; onCompare: () => void }): React.JSX.Element {
  return (
    <li className={`run-row${selected ? ' selected' : ''}`} data-run={r.name} data-status={r.status}>
      <input type="checkbox" checked={compared} onChange={onCompare} aria-label={`Compare ${r.name}`} />
      <button type="button" className="run-open" onClick={onSelect}>
        <span className="run-line">
          <strong>{r.name}</strong>
          {isActive ? <Star size={12} className="active-star" aria-label="active model" /> : null}
          <span className={`status-badge st-${r.status}`}>{r.status}</span>
        </span>
        {r.problem ? <span className="run-line error-text small" data-testid="run-problem">cannot be opened: {r.problem}</span> : (
          <span className="run-line muted small" title={r.bestEpoch ? `best weights: epoch ${r.bestEpoch}` : 'no validated epoch yet'}>
            {r.task === 'classify'
              ? <span>classify · val accuracy {fmt(r.accuracy)}</span>
              : <><span data-testid="run-map50">mAP50 {fmt(r.mAP50)}</span><span data-testid="run-map50-95">mAP50-95 {fmt(r['mAP50-95'])}</span></>}
          </span>
        )}
        {r.upgraded ? <span className="run-line muted small">made by an older version (read and upgraded)</span> : null}
        <span className="run-line muted small">
          <span>{r.preset ?? 'preset pending'} · {r.backend ?? '—'}</span><span>{r.epochs !== null ? `${r.epochsDone}/${r.epochs}` : r.epochsDone} ep · {formatDuration(r.durationSeconds)}</span>
        </span>
      </button>
    </li>
  );
}
