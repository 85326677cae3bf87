/**
 * Asked when accepted drafts carry classes the project does not have (a model's classes): map each
 * onto a project class, add it as a new class, or ignore it (its drafts are removed). The answer
 * can be remembered for the model, so the next suggestions arrive mapped.
 */
import { useState } from 'react';

/** A project class name, NEW (add the model's class), or IGNORE. */
export type DraftChoice = string;
export const NEW = '\u0000new';
export const IGNORE = '\u0000ignore';

interface Props {
  unknown: string[];
  classes: string[];
  /** Title of the loaded model (remembering needs one), or null. */
  modelTitle: string | null;
  onAccept(choices: Record<string, DraftChoice>, remember: boolean): void;
  onCancel(): void;
}

export function AcceptDraftsDialog({ unknown, classes, modelTitle, onAccept, onCancel }: Props): React.JSX.Element {
  const [choices, setChoices] = useState<Record<string, DraftChoice>>({});
  const [remember, setRemember] = useState(modelTitle !== null);
  const missing = unknown.filter((u) => !choices[u]);
  return (
    <div className="class-picker accept-drafts" role="dialog" aria-label="Map the model's classes" data-testid="accept-drafts">
      <p className="small">These drafts carry the model's classes, which this project does not have. What are they?</p>
      <table>
        <tbody>
          {unknown.map((u) => (
            <tr key={u}>
              <td className="small"><strong>{u}</strong> →</td>
              <td>
                <select aria-label={`Map ${u} to`} value={choices[u] ?? ''} onChange={(e) => setChoices({ ...choices, [u]: e.target.value })}>
                  <option value="" disabled>choose…</option>
                  {classes.map((c) => <option key={c} value={c}>{c}</option>)}
                  <option value={NEW}>add “{u}” as a new class</option>
                  <option value={IGNORE}>ignore (remove these drafts)</option>
                </select>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <label className="check small" title={modelTitle ? '' : 'no model is loaded, so there is nothing to remember it for'}>
        <input type="checkbox" checked={remember} disabled={modelTitle === null} onChange={(e) => setRemember(e.target.checked)} /> remember for {modelTitle ?? 'this model'}
      </label>
      <div className="dialog-buttons">
        <button type="button" className="button small primary" disabled={missing.length > 0} onClick={() => onAccept(choices, remember && modelTitle !== null)}>Accept</button>
        <button type="button" className="button small" onClick={onCancel}>Cancel</button>
        {missing.length ? <span className="reason small">choose a class for {missing.map((m) => `“${m}”`).join(', ')}</span> : null}
      </div>
    </div>
  );
}
