import { test } from 'node:test';
import assert from 'node:assert/strict';
import { IDLE, interact, spaceTapped, type Interaction, type InteractionEvent } from '../../renderer/store/label/interaction';

const down = (p: Partial<Extract<InteractionEvent, { type: 'pointerDown' }>> = {}): InteractionEvent =>
  ({ type: 'pointerDown', button: 0, target: 'empty', screen: { x: 10, y: 10 }, image: { x: 5, y: 5 }, stage: { x: 0, y: 0 }, ...p });
const run = (...events: InteractionEvent[]): Interaction => events.reduce(interact, IDLE);

test('draw: armed by W, drawn from the press, back to idle on release; Esc disarms', () => {
  const armed = run({ type: 'arm' });
  assert.deepEqual(armed.gesture, { mode: 'draw', from: null });
  const drawing = interact(armed, down({ image: { x: 7, y: 8 } }));
  assert.deepEqual(drawing.gesture, { mode: 'draw', from: { x: 7, y: 8 } });
  assert.equal(interact(drawing, { type: 'pointerUp' }).gesture.mode, 'idle');
  assert.equal(interact(armed, { type: 'pointerUp' }).gesture.mode, 'draw', 'armed, no press yet: still armed');
  assert.equal(interact(armed, { type: 'cancel' }).gesture.mode, 'idle');
});

test('pan: a press on empty canvas (a click unless it moves), the middle button, or any press with Space held', () => {
  const empty = run(down());
  assert.equal(empty.gesture.mode, 'pan');
  assert.equal(empty.gesture.mode === 'pan' && empty.gesture.emptyClick, true);
  const small = interact(empty, { type: 'pointerMove', screen: { x: 11, y: 10 } });
  assert.equal(small.gesture.mode === 'pan' && small.gesture.moved, false, 'a jitter is still a click');
  const moved = interact(small, { type: 'pointerMove', screen: { x: 30, y: 10 } });
  assert.equal(moved.gesture.mode === 'pan' && moved.gesture.moved, true);
  assert.equal(interact(moved, { type: 'pointerUp' }).gesture.mode, 'idle');
  assert.equal(run(down({ button: 1, target: 'box' })).gesture.mode, 'pan');
  assert.equal(run(down({ target: 'box' })).gesture.mode, 'idle', 'a box press is the drag\'s to report');
  assert.equal(run({ type: 'arm' }, { type: 'spaceDown' }, down()).gesture.mode, 'pan', 'Space pans even while armed to draw');
});

test('Space: a tap runs its action, a Space held to pan does not', () => {
  const held = run({ type: 'spaceDown' });
  assert.equal(spaceTapped(held), true);
  const panned = interact(held, down({ target: 'box' }));
  assert.equal(panned.gesture.mode, 'pan');
  assert.equal(panned.space, 'panned');
  const released = interact(interact(panned, { type: 'pointerUp' }), { type: 'spaceUp' });
  assert.equal(spaceTapped(interact(panned, { type: 'pointerUp' })), false);
  assert.equal(released.space, 'up');
  assert.equal(interact(held, { type: 'spaceDown' }), held, 'key repeat changes nothing');
});

test('drag and resize: started by the box, ended once; refused while Space is held', () => {
  const drag = run({ type: 'dragStart', id: 'b1' });
  assert.deepEqual(drag.gesture, { mode: 'drag', id: 'b1' });
  assert.equal(interact(drag, down()).gesture.mode, 'drag', 'no new gesture inside one');
  assert.equal(interact(drag, { type: 'gestureEnd' }).gesture.mode, 'idle');
  assert.deepEqual(run({ type: 'resizeStart', id: 'b2' }).gesture, { mode: 'resize', id: 'b2' });
  assert.equal(run({ type: 'spaceDown' }, { type: 'dragStart', id: 'b1' }).gesture.mode, 'idle');
});
