/**
 * Keyboard shortcuts of the Label view (pure): the actions, LabelImg-compatible defaults, turning a
 * key event into a combo string ("Ctrl+Shift+Z"), lookup and conflict detection for remapping.
 */

export type ActionId =
  | 'draw' | 'cancel' | 'next' | 'prev' | 'nextUnlabeled' | 'delete' | 'duplicate' | 'copyPrevious'
  | 'undo' | 'redo' | 'save' | 'verify' | 'difficult' | 'truncated'
  | 'nudgeLeft' | 'nudgeRight' | 'nudgeUp' | 'nudgeDown'
  | 'nudgeLeftFast' | 'nudgeRightFast' | 'nudgeUpFast' | 'nudgeDownFast'
  | 'zoomIn' | 'zoomOut' | 'zoomFit' | 'fitWidth' | 'toggleHide' | 'toggleLabels' | 'help'
  | 'class1' | 'class2' | 'class3' | 'class4' | 'class5' | 'class6' | 'class7' | 'class8' | 'class9';

export type Keymap = Record<ActionId, string[]>;

export const ACTIONS: { id: ActionId; label: string; group: string }[] = [
  { id: 'draw', label: 'Draw a box (drag; Ctrl/Shift for a square)', group: 'Boxes' },
  { id: 'cancel', label: 'Cancel drawing / deselect', group: 'Boxes' },
  { id: 'delete', label: 'Delete the selected box', group: 'Boxes' },
  { id: 'duplicate', label: 'Duplicate the selected box', group: 'Boxes' },
  { id: 'copyPrevious', label: "Copy the previous image's boxes", group: 'Boxes' },
  { id: 'difficult', label: 'Toggle difficult on the selected box', group: 'Boxes' },
  { id: 'truncated', label: 'Toggle truncated on the selected box', group: 'Boxes' },
  { id: 'nudgeLeft', label: 'Move the box left 1 px', group: 'Boxes' },
  { id: 'nudgeRight', label: 'Move the box right 1 px', group: 'Boxes' },
  { id: 'nudgeUp', label: 'Move the box up 1 px', group: 'Boxes' },
  { id: 'nudgeDown', label: 'Move the box down 1 px', group: 'Boxes' },
  { id: 'nudgeLeftFast', label: 'Move the box left 10 px', group: 'Boxes' },
  { id: 'nudgeRightFast', label: 'Move the box right 10 px', group: 'Boxes' },
  { id: 'nudgeUpFast', label: 'Move the box up 10 px', group: 'Boxes' },
  { id: 'nudgeDownFast', label: 'Move the box down 10 px', group: 'Boxes' },
  { id: 'undo', label: 'Undo', group: 'Edit' },
  { id: 'redo', label: 'Redo', group: 'Edit' },
  { id: 'save', label: 'Save now (edits are also saved automatically)', group: 'Edit' },
  { id: 'verify', label: 'Toggle verified for the image', group: 'Edit' },
  { id: 'next', label: 'Next image', group: 'Images' },
  { id: 'prev', label: 'Previous image', group: 'Images' },
  { id: 'nextUnlabeled', label: 'Next unlabeled image', group: 'Images' },
  { id: 'zoomIn', label: 'Zoom in', group: 'View' },
  { id: 'zoomOut', label: 'Zoom out', group: 'View' },
  { id: 'zoomFit', label: 'Fit window', group: 'View' },
  { id: 'fitWidth', label: 'Fit width', group: 'View' },
  { id: 'toggleHide', label: 'Hide / show all boxes', group: 'View' },
  { id: 'toggleLabels', label: 'Show / hide labels on boxes', group: 'View' },
  { id: 'help', label: 'This help', group: 'View' },
  ...([1, 2, 3, 4, 5, 6, 7, 8, 9] as const).map((n) => ({ id: `class${n}` as ActionId, label: `Class ${n} (selected box, or the next box)`, group: 'Classes' })),
];

export const DEFAULT_KEYMAP: Keymap = {
  draw: ['W'], cancel: ['Escape'], next: ['D'], prev: ['A'], nextUnlabeled: ['Ctrl+U'],
  delete: ['Delete', 'Backspace'], duplicate: ['Ctrl+D'], copyPrevious: ['Ctrl+V'],
  undo: ['Ctrl+Z'], redo: ['Ctrl+Shift+Z', 'Ctrl+Y'], save: ['Ctrl+S'], verify: ['Space'], difficult: ['Ctrl+Shift+D'], truncated: ['Ctrl+Shift+T'],
  nudgeLeft: ['ArrowLeft'], nudgeRight: ['ArrowRight'], nudgeUp: ['ArrowUp'], nudgeDown: ['ArrowDown'],
  nudgeLeftFast: ['Shift+ArrowLeft'], nudgeRightFast: ['Shift+ArrowRight'], nudgeUpFast: ['Shift+ArrowUp'], nudgeDownFast: ['Shift+ArrowDown'],
  zoomIn: ['Ctrl+=', 'Ctrl++'], zoomOut: ['Ctrl+-'], zoomFit: ['Ctrl+0'], fitWidth: ['Ctrl+F'],
  toggleHide: ['Ctrl+H'], toggleLabels: ['Ctrl+L'], help: ['?'],
  class1: ['1'], class2: ['2'], class3: ['3'], class4: ['4'], class5: ['5'], class6: ['6'], class7: ['7'], class8: ['8'], class9: ['9'],
};

export interface KeyLike { key: string; code?: string; ctrlKey: boolean; metaKey: boolean; shiftKey: boolean; altKey: boolean }

const MODIFIER_KEYS = new Set(['Control', 'Shift', 'Alt', 'Meta', 'AltGraph', 'CapsLock']);

/**
 * The combo of a key event: modifiers in the order Ctrl, Alt, Shift, then the key (letters upper
 * case, ' ' as Space). Shift is dropped for printable symbols since it is part of the symbol
 * ("?" not "Shift+/"). Cmd counts as Ctrl. Null for a lone modifier.
 */
export function comboOf(e: KeyLike): string | null {
  if (MODIFIER_KEYS.has(e.key)) return null;
  let key = e.key === ' ' ? 'Space' : e.key;
  // With Ctrl held some layouts report control characters; the physical letter is in `code`.
  if (e.code && /^Key[A-Z]$/.test(e.code) && (e.ctrlKey || e.metaKey || e.altKey)) key = e.code.slice(3);
  if (key.length === 1) key = key.toUpperCase();
  const symbol = key.length === 1 && !/[A-Z0-9]/.test(key);
  const parts: string[] = [];
  if (e.ctrlKey || e.metaKey) parts.push('Ctrl');
  if (e.altKey) parts.push('Alt');
  if (e.shiftKey && !symbol) parts.push('Shift');
  parts.push(key);
  return parts.join('+');
}

/** Action bound to a combo, if any. */
export function actionFor(map: Keymap, combo: string): ActionId | null {
  for (const a of Object.keys(map) as ActionId[]) if (map[a].includes(combo)) return a;
  return null;
}

/** The other action already using `combo`, or null: a remap must not create a conflict. */
export function conflictOf(map: Keymap, action: ActionId, combo: string): ActionId | null {
  for (const a of Object.keys(map) as ActionId[]) if (a !== action && map[a].includes(combo)) return a;
  return null;
}

/** Every combo bound to more than one action (empty for a valid keymap). */
export function conflicts(map: Keymap): { combo: string; actions: ActionId[] }[] {
  const by = new Map<string, ActionId[]>();
  for (const a of Object.keys(map) as ActionId[]) for (const c of map[a]) by.set(c, [...(by.get(c) ?? []), a]);
  return [...by].filter(([, as]) => as.length > 1).map(([combo, actions]) => ({ combo, actions }));
}

/** Binds `combo` as the only key of `action`; throws when another action uses it. */
export function remap(map: Keymap, action: ActionId, combo: string): Keymap {
  const other = conflictOf(map, action, combo);
  if (other) throw new Error(`${combo} is already used by “${ACTIONS.find((x) => x.id === other)?.label ?? other}”`);
  return { ...map, [action]: [combo] };
}

/** A stored keymap merged over the defaults; unknown actions and non-string keys dropped. */
export function loadKeymap(stored: unknown): Keymap {
  const map: Keymap = { ...DEFAULT_KEYMAP };
  if (stored && typeof stored === 'object') {
    for (const [k, v] of Object.entries(stored as Record<string, unknown>)) {
      if (k in map && Array.isArray(v) && v.every((x) => typeof x === 'string')) map[k as ActionId] = v as string[];
    }
  }
  return conflicts(map).length ? { ...DEFAULT_KEYMAP } : map;
}
