import { Crosshair, Info, LineChart, SquareDashedMousePointer, type LucideIcon } from 'lucide-react';
import { useApp, type ViewName } from '../store/app-store';

const ITEMS: { view: ViewName; label: string; icon: LucideIcon; needsProject: boolean; hint: string }[] = [
  { view: 'label', label: 'Label', icon: SquareDashedMousePointer, needsProject: true, hint: 'Draw boxes on your images' },
  { view: 'train', label: 'Train', icon: LineChart, needsProject: true, hint: 'Train a detector or classifier' },
  { view: 'detect', label: 'Detect', icon: Crosshair, needsProject: false, hint: 'Run a model on photos, video and webcam' },
];

export function Sidebar(): React.JSX.Element {
  const view = useApp((s) => s.view);
  const setView = useApp((s) => s.setView);
  const project = useApp((s) => s.project);
  const connection = useApp((s) => s.connection);
  return (
    <nav className="sidebar" aria-label="Views">
      <div className="brand" title="Detecta Studio">
        <svg viewBox="0 0 32 32" width="28" height="28" aria-hidden="true">
          <rect x="3" y="3" width="26" height="26" rx="6" fill="none" stroke="currentColor" strokeWidth="2.5" strokeDasharray="6 4" />
          <rect x="10" y="10" width="12" height="12" rx="2" fill="currentColor" />
        </svg>
      </div>
      {ITEMS.map(({ view: v, label, icon: Icon, needsProject, hint }) => {
        const disabled = needsProject && !project;
        return (
          <button
            key={v}
            type="button"
            className={`nav-item${view === v ? ' active' : ''}`}
            aria-current={view === v ? 'page' : undefined}
            disabled={disabled}
            title={disabled ? `${hint} — open a project first` : hint}
            onClick={() => setView(v)}
          >
            <Icon size={20} strokeWidth={1.8} />
            <span>{label}</span>
          </button>
        );
      })}
      <div className="sidebar-spacer" />
      <button type="button" className={`nav-item${view === 'status' ? ' active' : ''}`} onClick={() => setView('status')} title="Versions and TensorFlow backends">
        <Info size={20} strokeWidth={1.8} />
        <span>Status</span>
      </button>
      <div className={`conn conn-${connection}`} title={`Connection to the app: ${connection}`} />
    </nav>
  );
}
