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
