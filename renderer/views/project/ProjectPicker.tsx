import { useEffect, useState } from 'react';
import { Clock, FolderOpen, Sparkles, Trash2 } from 'lucide-react';
import { api, inElectron } from '../../client';
import { useApp } from '../../store/app-store';
import { FolderBrowser } from './FolderBrowser';

/** First screen: open a folder of photos, reopen a recent project, or try the sample project. */
export function ProjectPicker(): React.JSX.Element {
  const { recent, loadRecent, openProject, createSample, busy, notify } = useApp();
  const [path, setPath] = useState('');
  const [browsing, setBrowsing] = useState(!inElectron);

  useEffect(() => { void loadRecent(); }, [loadRecent]);

  const browseNative = async (): Promise<void> => {
    try {
      const dir = await api.call('project.pickFolder', {});
      if (dir) await openProject(dir);
    } catch (err) {
      notify('error', err instanceof Error ? err.message : String(err));
    }
  };
  const forget = async (dir: string): Promise<void> => {
    try {
      await api.call('project.forgetRecent', { dir });
      await loadRecent();
    } catch (err) {
      notify('error', err instanceof Error ? err.message : String(err));
    }
  };

  return (
    <div className="picker" data-testid="project-picker">
      <section className="picker-hero">
        <h2>Open a folder of photos</h2>
        <p className="muted">
          Detecta Studio works on your images where they are. Boxes are saved as Pascal VOC XML next to each image, the way LabelImg does, and
          training runs live in the project&apos;s <code>.detecta</code> folder.
        </p>
        <form
          className="path-form"
          onSubmit={(e) => {
            e.preventDefault();
            if (path.trim()) void openProject(path.trim());
          }}
        >
          <input
            aria-label="Project folder"
            placeholder="/home/you/Pictures/minifigures"
            value={path}
            onChange={(e) => setPath(e.target.value)}
            spellCheck={false}
          />
          <button type="submit" className="button primary" disabled={!path.trim() || busy !== null}>
            <FolderOpen size={16} /> Open
          </button>
          {inElectron ? (
            <button type="button" className="button" onClick={() => void browseNative()}>
              Browse…
            </button>
          ) : (
            <button type="button" className="button" onClick={() => setBrowsing((b) => !b)} aria-expanded={browsing}>
              {browsing ? 'Hide folders' : 'Browse folders'}
            </button>
          )}
        </form>
        {browsing && !inElectron ? <FolderBrowser onNavigate={(dir, initial) => setPath((cur) => (initial && cur.trim() ? cur : dir))} onPick={(dir) => void openProject(dir)} /> : null}
      </section>

      <div className="picker-columns">
        <section className="card">
          <h3>
            <Clock size={16} /> Recent projects
          </h3>
          {recent.length === 0 ? <p className="muted">Projects you open appear here.</p> : null}
          <ul className="recent-list" data-testid="recent-projects">
            {recent.map((r) => (
              <li key={r.root} className={r.exists ? '' : 'missing'}>
                <button type="button" className="recent-open" disabled={!r.exists || busy !== null} onClick={() => void openProject(r.root)} title={r.root}>
                  <strong>{r.name}</strong>
                  <span className="muted">{r.exists ? r.root : `${r.root} — folder not found`}</span>
                </button>
                <button type="button" className="icon-button" aria-label={`Forget ${r.name}`} title="Remove from the list (the folder is not touched)" onClick={() => void forget(r.root)}>
                  <Trash2 size={14} />
                </button>
              </li>
            ))}
          </ul>
        </section>
        <section className="card sample-card">
          <h3>
            <Sparkles size={16} /> New here?
          </h3>
          <p className="muted">
            Open the sample project: 60 generated photos of toy bricks, balls and cones with their boxes already drawn. Label a few more, train a tiny
            detector in minutes, and try it on the webcam.
          </p>
          <button type="button" className="button primary" disabled={busy !== null} onClick={() => void createSample()}>
            Open sample project
          </button>
        </section>
      </div>
    </div>
  );
}
