/**
 * The Label view's video-track state: the track new boxes join while one is active (set by
 * "New track" or by picking a track), so a person draws an object's keyframes on several frames
 * as one track. Kept apart from the label store: it belongs to no image's document.
 */
import { create } from 'zustand';

export interface TrackStore {
  /** The track a drawn box joins; null: drawn boxes join no track. */
  active: number | null;
  setActive(track: number | null): void;
}

export const useTracks = create<TrackStore>((set) => ({
  active: null,
  setActive: (active) => set({ active }),
}));
