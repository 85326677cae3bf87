/**
 * The Label view's video-track state: the track new boxes join while one is active (set by
 * "New track" or by picking a track), so a person draws an object's keyframes on several frames
 * as one track; and the latest track operation, undoable as one (see track-undo.ts). Kept apart
 * from the label store: it belongs to no image's document.
 */
import { create } from 'zustand';
import { useApp } from './app-store';
import type { TrackOpRecord } from './track-undo';

export interface TrackStore {
  /** The track a drawn box joins; null: drawn boxes join no track. */
  active: number | null;
  /** The latest operation that changed frames (only it can be undone); null: none. */
  lastOp: TrackOpRecord | null;
  setActive(track: number | null): void;
  setLastOp(op: TrackOpRecord | null): void;
}

export const useTracks = create<TrackStore>((set) => ({
  active: null,
  lastOp: null,
  setActive: (active) => set({ active }),
  setLastOp: (lastOp) => set({ lastOp }),
}));

// opening (or closing) another project: its undo has nothing to do with the new one
useApp.subscribe((s, prev) => {
  if (s.project?.root !== prev.project?.root && useTracks.getState().lastOp) useTracks.getState().setLastOp(null);
});
