/**
 * The Label canvas's interaction state machine (pure): what the pointer is doing (idle, draw,
 * pan, drag, resize) and the Space key (held to pan; tapped it toggles "verified"). The view feeds
 * it key and pointer events and acts on the state it lands in; nothing else keeps gesture state.
 *
 *   idle ──arm (W)──▶ draw ──pointer down──▶ draw (from a point) ──pointer up──▶ idle
 *   idle ──pointer down on empty canvas / middle button / Space held──▶ pan ──up──▶ idle
 *   idle ──pointer down on a box──▶ drag ──drag end──▶ idle;  transformer handle ──▶ resize ──▶ idle
 */
export interface Point { x: number; y: number }

export type Gesture =
  | { mode: 'idle' }
  /** Armed to draw; `from` (image pixels) once the button is down. */
  | { mode: 'draw'; from: Point | null }
  /** `origin`: pointer on screen at the start; `stage`: the view offset then. */
  | { mode: 'pan'; origin: Point; stage: Point; moved: boolean; emptyClick: boolean }
  | { mode: 'drag'; id: string }
  | { mode: 'resize'; id: string };

export interface Interaction {
  gesture: Gesture;
  /** 'held': Space is down and has not panned yet (releasing it is a tap); 'panned': it panned. */
  space: 'up' | 'held' | 'panned';
}

export type InteractionEvent =
  | { type: 'arm' }
  | { type: 'cancel' }
  | { type: 'spaceDown' }
  | { type: 'spaceUp' }
  /** Pointer down on the canvas: on what, where on screen (`screen`) and in the image (`image`). */
  | { type: 'pointerDown'; button: number; target: 'empty' | 'box' | 'selected' | 'handle'; boxId?: string; screen: Point; image: Point; stage: Point }
  | { type: 'pointerMove'; screen: Point }
  | { type: 'pointerUp' }
  | { type: 'dragStart'; id: string }
  | { type: 'resizeStart'; id: string }
  | { type: 'gestureEnd' };

export const IDLE: Interaction = { gesture: { mode: 'idle' }, space: 'up' };

/** Pointer travel (screen pixels) under which a press on empty canvas is a click. */
const CLICK_SLOP = 2;

export function interact(s: Interaction, e: InteractionEvent): Interaction {
  const g = s.gesture;
  switch (e.type) {
    case 'arm':
      return g.mode === 'idle' ? { ...s, gesture: { mode: 'draw', from: null } } : s;
    case 'cancel':
      return g.mode === 'draw' || g.mode === 'pan' ? { ...s, gesture: { mode: 'idle' } } : s;
    case 'spaceDown':
      return s.space === 'up' ? { ...s, space: 'held' } : s;
    case 'spaceUp':
      return { ...s, space: 'up' };
    case 'pointerDown': {
      if (g.mode === 'pan' || g.mode === 'drag' || g.mode === 'resize') return s;
      const pan = (emptyClick: boolean): Interaction => ({
        gesture: { mode: 'pan', origin: e.screen, stage: e.stage, moved: false, emptyClick },
        space: s.space === 'up' ? 'up' : 'panned',
      });
      if (e.button === 1 || (e.button === 0 && s.space !== 'up')) return pan(false);
      if (e.button !== 0) return s;
      if (g.mode === 'draw') return { ...s, gesture: { mode: 'draw', from: e.image } };
      if (e.target === 'empty') return pan(true);
      return s; // a box: its drag (or the transformer's resize) reports itself
    }
    case 'pointerMove':
      if (g.mode !== 'pan' || g.moved) return s;
      return Math.abs(e.screen.x - g.origin.x) + Math.abs(e.screen.y - g.origin.y) > CLICK_SLOP ? { ...s, gesture: { ...g, moved: true } } : s;
    case 'pointerUp':
      return g.mode === 'pan' || (g.mode === 'draw' && g.from) ? { ...s, gesture: { mode: 'idle' } } : s;
    case 'dragStart':
      return g.mode === 'idle' && s.space === 'up' ? { ...s, gesture: { mode: 'drag', id: e.id } } : s;
    case 'resizeStart':
      return g.mode === 'idle' ? { ...s, gesture: { mode: 'resize', id: e.id } } : s;
    case 'gestureEnd':
      return g.mode === 'drag' || g.mode === 'resize' ? { ...s, gesture: { mode: 'idle' } } : s;
  }
}

/** Releasing Space was a tap (it did not pan): the tap's action (verified) runs. */
export const spaceTapped = (before: Interaction): boolean => before.space === 'held';
