/** The Label view's keymap (remappable, kept in localStorage, conflicts refused). */
import { create } from 'zustand';
import { DEFAULT_KEYMAP, loadKeymap, remap, type ActionId, type Keymap } from './label/keymap';

const STORAGE = 'detecta.label.keymap';

function readStored(): Keymap {
  const raw = typeof localStorage === 'undefined' ? null : localStorage.getItem(STORAGE);
  if (!raw) return { ...DEFAULT_KEYMAP };
  try {
    return loadKeymap(JSON.parse(raw));
  } catch (err) {
    console.warn(`Ignoring the stored keymap (${err instanceof Error ? err.message : String(err)}); using the defaults.`);
    return { ...DEFAULT_KEYMAP };
  }
}

interface KeysState {
  keymap: Keymap;
  /** Binds `combo` to `action`; returns the conflict message instead when another action uses it. */
  bind(action: ActionId, combo: string): string | null;
  resetKeys(): void;
}

export const useLabelKeys = create<KeysState>()((set, get) => ({
  keymap: readStored(),
  bind: (action, combo) => {
    try {
      const keymap = remap(get().keymap, action, combo);
      localStorage.setItem(STORAGE, JSON.stringify(keymap));
      set({ keymap });
      return null;
    } catch (err) {
      return err instanceof Error ? err.message : String(err);
    }
  },
  resetKeys: () => {
    localStorage.removeItem(STORAGE);
    set({ keymap: { ...DEFAULT_KEYMAP } });
  },
}));
