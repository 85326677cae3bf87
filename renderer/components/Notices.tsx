import { X } from 'lucide-react';
import { useApp } from '../store/app-store';

/**
 * Notices sit in their own strip below the view (never over its controls). Errors stay until
 * dismissed or the project changes (never swallowed); info notices fade after a few seconds.
 */
export function Notices(): React.JSX.Element {
  const notices = useApp((s) => s.notices);
  const dismiss = useApp((s) => s.dismiss);
  return (
    <div className="notices" role="status" aria-live="polite" data-testid="notices">
      {notices.map((n) => (
        <div key={n.id} className={`notice notice-${n.kind}`} role={n.kind === 'error' ? 'alert' : undefined}>
          <span>{n.text}</span>
          {n.action ? (
            <button type="button" className="button small" onClick={() => { dismiss(n.id); n.action?.run(); }}>{n.action.label}</button>
          ) : null}
          <button type="button" className="icon-button" aria-label="Dismiss" onClick={() => dismiss(n.id)}>
            <X size={14} />
          </button>
        </div>
      ))}
    </div>
  );
}
