import { useEffect, useState } from 'react';
import { X } from 'lucide-react';
import { ACTIONS, comboOf, type ActionId } from '../../store/label/keymap';
import { useLabelKeys } from '../../store/label-keys';

/** Every shortcut of the Label view, grouped; click a key to remap it (conflicts are refused). */
export function HelpOverlay({ onClose }: { onClose(): void }): React.JSX.Element {
  const { keymap, bind, resetKeys } = useLabelKeys();
  const [editing, setEditing] = useState<ActionId | null>(null);
  const [problem, setProblem] = useState<string | null>(null);

  useEffect(() => {
    const onKey = (e: KeyboardEvent): void => {
      e.preventDefault();
      e.stopImmediatePropagation();
      if (!editing) {
        if (e.key === 'Escape' || e.key === '?') onClose();
        return;
      }
      if (e.key === 'Escape') { setEditing(null); return; }
      const combo = comboOf(e);
      if (!combo) return;
      const err = bind(editing, combo);
      setProblem(err);
      if (!err) setEditing(null);
    };
    window.addEventListener('keydown', onKey, { capture: true });
    return () => window.removeEventListener('keydown', onKey, { capture: true });
  }, [editing, bind, onClose]);

  const groups = [...new Set(ACTIONS.map((a) => a.group))];
  return (
    <div className="overlay" role="dialog" aria-label="Keyboard shortcuts" data-testid="shortcut-help" onMouseDown={(e) => e.target === e.currentTarget && onClose()}>
      <div className="overlay-card">
        <header>
          <h2>Keyboard shortcuts</h2>
          <span className="muted small">Click a key to change it; Esc closes.</span>
          <div className="topbar-spacer" />
          <button type="button" className="button small" onClick={() => { resetKeys(); setProblem(null); }}>Reset to defaults</button>
          <button type="button" className="icon-button" aria-label="Close" onClick={onClose}><X size={16} /></button>
        </header>
        {problem ? <p className="error-text small" role="alert" data-testid="keymap-conflict">{problem}</p> : null}
        <div className="help-grid">
          {groups.map((g) => (
            <section key={g}>
              <h3>{g}</h3>
              <table>
                <tbody>
                  {ACTIONS.filter((a) => a.group === g).map((a) => (
                    <tr key={a.id} data-action={a.id}>
                      <td>{a.label}</td>
                      <td>
                        <button type="button" className={`kbd-button${editing === a.id ? ' editing' : ''}`} onClick={() => { setEditing(a.id); setProblem(null); }} aria-label={`Change the key of ${a.label}`}>
                          {editing === a.id ? 'press a key…' : keymap[a.id].map((k) => <kbd key={k}>{k}</kbd>)}
                        </button>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </section>
          ))}
          <section>
            <h3>Mouse</h3>
            <table>
              <tbody>
                <tr><td>Zoom to the cursor</td><td><kbd>Ctrl</kbd>+wheel</td></tr>
                <tr><td>Pan</td><td><kbd>Space</kbd>+drag, or drag on empty canvas</td></tr>
                <tr><td>Move / resize a box</td><td>drag it / its 8 handles</td></tr>
                <tr><td>Square box</td><td>hold <kbd>Ctrl</kbd> or <kbd>Shift</kbd> while drawing</td></tr>
              </tbody>
            </table>
          </section>
        </div>
      </div>
    </div>
  );
}
