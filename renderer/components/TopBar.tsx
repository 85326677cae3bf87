import { FolderOpen, LogOut } from 'lucide-react';
import { useApp } from '../store/app-store';

const TITLES = { label: 'Label', train: 'Train', detect: 'Detect', status: 'Status' } as const;

export function TopBar(): React.JSX.Element {
  const project = useApp((s) => s.project);
  const view = useApp((s) => s.view);
  const closeProject = useApp((s) => s.closeProject);
  const busy = useApp((s) => s.busy);
  return (
    <header className="topbar">
      <h1 className="view-title">{TITLES[view]}</h1>
      {project ? (
        <div className="project-chip" data-testid="project-chip" title={project.root}>
          <FolderOpen size={16} />
          <strong>{project.name}</strong>
          <span className="muted">
            {project.labeled} / {project.images} labeled · {project.classes.length} {project.classes.length === 1 ? 'class' : 'classes'}
          </span>
          <button type="button" className="icon-button" title="Close project" aria-label="Close project" onClick={() => void closeProject()}>
            <LogOut size={15} />
          </button>
        </div>
      ) : null}
      <div className="topbar-spacer" />
      {busy ? <span className="busy" role="progressbar" aria-label={busy}>{busy}</span> : null}
    </header>
  );
}
