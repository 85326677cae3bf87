/**
 * The Label view's keyboard: one pair of window listeners that turn keys into actions (through
 * the remappable keymap) and feed Space into the interaction state machine (held: pan; tapped:
 * its action, "verified" by default). Shortcuts work everywhere except while typing.
 */
import { useEffect } from 'react';
import { useLabel } from '../../store/label-store';
import { useLabelKeys } from '../../store/label-keys';
import { actionFor, comboOf, type ActionId } from '../../store/label/keymap';
import { spaceTapped } from '../../store/label/interaction';

/** A focused text field takes keys; a focused checkbox or button must not eat Space. */
const typing = (t: EventTarget | null): boolean =>
  (t instanceof HTMLInputElement && !['checkbox', 'radio', 'button', 'submit'].includes(t.type)) || t instanceof HTMLSelectElement || t instanceof HTMLTextAreaElement;

/** Actions that repeat while their key is held. */
const REPEATS = (a: ActionId): boolean => a.startsWith('nudge') || a === 'undo' || a === 'redo' || a === 'next' || a === 'prev';

/** `enabled` false (a dialog is open): actions do not run; Space still tracks. */
export function useLabelKeyboard(enabled: boolean, run: (action: ActionId, shift: boolean) => void): void {
  const keymap = useLabelKeys((k) => k.keymap);
  useEffect(() => {
    const { interact } = useLabel.getState();
    const onKey = (e: KeyboardEvent): void => {
      const combo = comboOf(e);
      if (!combo) return;
      if (combo === 'Space' && !typing(e.target)) {
        if (!e.repeat) interact({ type: 'spaceDown' });
        if (enabled && actionFor(keymap, 'Space')) e.preventDefault();
        return;
      }
      if (!enabled) return;
      const action = actionFor(keymap, combo);
      // Ctrl+S saves even from a text field (and never opens the browser's "save page")
      if (!action || (typing(e.target) && action !== 'save')) return;
      e.preventDefault();
      if (e.repeat && !REPEATS(action)) return;
      run(action, e.shiftKey);
    };
    const onKeyUp = (e: KeyboardEvent): void => {
      if (e.key !== ' ') return;
      const before = interact({ type: 'spaceUp' });
      if (!enabled || typing(e.target)) return;
      const action = actionFor(keymap, 'Space');
      if (!action) return;
      e.preventDefault();
      if (spaceTapped(before)) run(action, false);
    };
    window.addEventListener('keydown', onKey);
    window.addEventListener('keyup', onKeyUp);
    return () => { window.removeEventListener('keydown', onKey); window.removeEventListener('keyup', onKeyUp); };
  }, [keymap, run, enabled]);
}
