import { test } from 'node:test';
import assert from 'node:assert/strict';
import { beginGesture, canRedo, canUndo, endGesture, historyOf, record, redo, replacePresent, selectionAfter, undo, type History } from '../../renderer/store/label/history';

const walk = <T>(h: History<T>, f: typeof undo): History<T> => f(h) ?? assert.fail('no step');

test('undo and redo walk the steps; a new edit drops the redo branch', () => {
  let h = record(record(historyOf<number[]>([]), [1]), [1, 2]);
  h = walk(h, undo);
  assert.deepEqual(h.present, [1]);
  h = walk(h, undo);
  assert.deepEqual(h.present, []);
  assert.equal(undo(h), null);
  assert.equal(canUndo(h), false);
  h = walk(h, redo);
  assert.deepEqual(h.present, [1]);
  assert.equal(canRedo(h), true);
  h = record(h, [9]);
  assert.equal(canRedo(h), false);
  assert.equal(redo(h), null);
  assert.deepEqual(walk(h, undo).present, [1]);
});

test('the history keeps at most `limit` steps, and never changes a value it was given', () => {
  let h = historyOf(0);
  for (let i = 1; i <= 10; i++) h = record(h, i, 3);
  const frozen = h;
  let n = 0;
  for (let u = undo(h); u; u = undo(u)) { n++; h = u; }
  assert.equal(n, 3);
  assert.equal(h.present, 7);
  assert.equal(frozen.present, 10, 'histories are values');
});

test('replacePresent changes the present without a step', () => {
  const h = replacePresent(record(historyOf('a'), 'b'), 'B');
  assert.equal(h.present, 'B');
  assert.equal(walk(h, undo).present, 'a');
  assert.equal(walk(walk(h, undo), redo).present, 'B');
});

test('a gesture (begin … end) is one undo step however many edits it makes', () => {
  let h = record(historyOf('start'), 'before drag');
  h = beginGesture(h);
  assert.equal(canUndo(h) && h.past.length, 1, 'beginning a gesture records nothing');
  for (const x of ['drag 1', 'drag 2', 'drag 3']) h = record(h, x);
  h = endGesture(h);
  assert.equal(h.present, 'drag 3');
  h = walk(h, undo);
  assert.equal(h.present, 'before drag', 'one undo takes back the whole drag');
  // a gesture that changed nothing leaves no step; edits after it are separate steps again
  h = endGesture(beginGesture(h));
  h = record(record(h, 'x'), 'y');
  assert.equal(walk(h, undo).present, 'x');
});

test('selection after undo/redo (by box id): the box the step changed, else the old selection while it exists', () => {
  const a = { key: 'a', label: 'a' }, b = { key: 'b', label: 'b' }, c = { key: 'c', label: 'c' }, b2 = { key: 'b', label: 'b', moved: true };
  assert.equal(selectionAfter([a, c], [a, b, c], null), 'b', 'an undone delete selects the box it brings back');
  assert.equal(selectionAfter([a, b2, c], [a, b, c], 'b'), 'b', 'an undone move selects the moved box');
  assert.equal(selectionAfter([a, b, c], [a, b], 'a'), 'a', 'an undone add keeps the selection');
  assert.equal(selectionAfter([a, b, c], [a, b], 'c'), null, 'a selection that is gone is dropped');
  assert.equal(selectionAfter([a, b], [a, b], 'b'), 'b', 'a verified toggle keeps it');
});
