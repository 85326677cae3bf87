import { test } from 'node:test';
import assert from 'node:assert/strict';
import { History } from '../../renderer/views/label/undo';

test('undo and redo walk the steps; a new edit drops the redo branch', () => {
  const h = new History<number[]>([]);
  h.push([1]);
  h.push([1, 2]);
  assert.deepEqual(h.undo(), [1]);
  assert.deepEqual(h.undo(), []);
  assert.equal(h.undo(), null);
  assert.equal(h.canUndo, false);
  assert.deepEqual(h.redo(), [1]);
  assert.equal(h.canRedo, true);
  h.push([9]);
  assert.equal(h.canRedo, false);
  assert.equal(h.redo(), null);
  assert.deepEqual(h.present, [9]);
  assert.deepEqual(h.undo(), [1]);
});

test('the history keeps at most `limit` steps', () => {
  const h = new History(0, 3);
  for (let i = 1; i <= 10; i++) h.push(i);
  let n = 0;
  while (h.undo() !== null) n++;
  assert.equal(n, 3);
  assert.equal(h.present, 7);
});

test('replacePresent changes the present without a step', () => {
  const h = new History('a');
  h.push('b');
  h.replacePresent('B');
  assert.equal(h.present, 'B');
  assert.equal(h.undo(), 'a');
  assert.equal(h.redo(), 'B');
});

test('selection after undo/redo: the box the step changed, else the old selection while it exists', async () => {
  const { selectionAfter } = await import('../../renderer/views/label/undo');
  const a = { label: 'a' }, b = { label: 'b' }, c = { label: 'c' }, b2 = { label: 'b', moved: true };
  assert.equal(selectionAfter([a, c], [a, b, c], null), 1, 'an undone delete selects the box it brings back');
  assert.equal(selectionAfter([a, b2, c], [a, b, c], 1), 1, 'an undone move selects the moved box');
  assert.equal(selectionAfter([a, b, c], [a, b], 0), 0, 'an undone add keeps the selection');
  assert.equal(selectionAfter([a, b, c], [a, b], 2), null, 'a selection past the end is dropped');
  assert.equal(selectionAfter([a, b], [a, b], 1), 1, 'a verified toggle keeps it');
});
