import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ACTIONS, DEFAULT_KEYMAP, actionFor, comboOf, conflictOf, conflicts, loadKeymap, remap } from '../../renderer/store/label/keymap';

const ev = (key: string, mods: Partial<{ ctrlKey: boolean; shiftKey: boolean; altKey: boolean; metaKey: boolean; code: string }> = {}) => ({ key, ctrlKey: false, shiftKey: false, altKey: false, metaKey: false, ...mods });

test('combos: letters upper case, modifiers in order, symbols without Shift, Cmd as Ctrl', () => {
  assert.equal(comboOf(ev('w')), 'W');
  assert.equal(comboOf(ev('Z', { ctrlKey: true, shiftKey: true })), 'Ctrl+Shift+Z');
  assert.equal(comboOf(ev('z', { metaKey: true })), 'Ctrl+Z');
  assert.equal(comboOf(ev('?', { shiftKey: true })), '?');
  assert.equal(comboOf(ev(' ')), 'Space');
  assert.equal(comboOf(ev('ArrowLeft', { shiftKey: true })), 'Shift+ArrowLeft');
  assert.equal(comboOf(ev('\u0004', { ctrlKey: true, code: 'KeyD' })), 'Ctrl+D');
  assert.equal(comboOf(ev('Shift', { shiftKey: true })), null);
});

test('the default keymap is LabelImg-like, complete and without conflicts', () => {
  assert.deepEqual(conflicts(DEFAULT_KEYMAP), []);
  for (const a of ACTIONS) assert.ok(DEFAULT_KEYMAP[a.id].length > 0, a.id);
  assert.equal(actionFor(DEFAULT_KEYMAP, 'W'), 'draw');
  assert.equal(actionFor(DEFAULT_KEYMAP, 'D'), 'next');
  assert.equal(actionFor(DEFAULT_KEYMAP, 'A'), 'prev');
  assert.equal(actionFor(DEFAULT_KEYMAP, 'Ctrl+Y'), 'redo');
  assert.equal(actionFor(DEFAULT_KEYMAP, 'Space'), 'verify');
  assert.equal(actionFor(DEFAULT_KEYMAP, '3'), 'class3');
  assert.equal(actionFor(DEFAULT_KEYMAP, 'Q'), null);
});

test('remapping refuses a key used by another action and accepts a free one', () => {
  assert.equal(conflictOf(DEFAULT_KEYMAP, 'draw', 'D'), 'next');
  assert.throws(() => remap(DEFAULT_KEYMAP, 'draw', 'D'), /already used by “Next image”/);
  const m = remap(DEFAULT_KEYMAP, 'draw', 'B');
  assert.equal(actionFor(m, 'B'), 'draw');
  assert.equal(actionFor(m, 'W'), null);
  assert.equal(conflictOf(m, 'draw', 'B'), null);
});

test('a stored keymap is merged over the defaults; a conflicting one falls back', () => {
  assert.equal(actionFor(loadKeymap({ draw: ['B'], bogus: ['X'], next: [3] }), 'B'), 'draw');
  assert.equal(actionFor(loadKeymap({ draw: ['B'], next: [3] }), 'D'), 'next');
  assert.deepEqual(loadKeymap({ draw: ['D'] }), DEFAULT_KEYMAP);
  assert.deepEqual(loadKeymap('junk'), DEFAULT_KEYMAP);
});
