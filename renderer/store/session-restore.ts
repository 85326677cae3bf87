/**
 * A page reload (F5 in the browser, a renderer reload in Electron) comes back to the same project
 * and view: the opened project's root and the view are kept in sessionStorage (per tab, gone when
 * the tab closes) and reopened on start. Runs and curves are then read back from the run folders.
 */
import { useApp, type ViewName } from './app-store';

const KEY = 'detecta.session';
const VIEWS: readonly ViewName[] = ['label', 'train', 'detect', 'status'];

interface Saved { root: string | null; view: ViewName }

function read(): Saved | null {
  const raw = sessionStorage.getItem(KEY);
  if (!raw) return null;
  try {
    const v = JSON.parse(raw) as Partial<Saved>;
    return { root: typeof v.root === 'string' ? v.root : null, view: VIEWS.includes(v.view as ViewName) ? (v.view as ViewName) : 'label' };
  } catch {
    sessionStorage.removeItem(KEY); // written by an older build; starting fresh loses nothing on disk
    return null;
  }
}

/** Reopens the saved project and view, then keeps the saved state current. Call once at start. */
export function restoreSession(): () => void {
  const saved = read();
  let restoring = Boolean(saved?.root);
  if (saved) {
    useApp.getState().setView(saved.view);
    if (saved.root) void useApp.getState().openProject(saved.root).finally(() => { restoring = false; useApp.getState().setView(saved.view); });
  }
  return useApp.subscribe((s) => {
    if (restoring) return;
    sessionStorage.setItem(KEY, JSON.stringify({ root: s.project?.root ?? null, view: s.view } satisfies Saved));
  });
}
