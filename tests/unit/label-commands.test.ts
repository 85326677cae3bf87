import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyCommand, withIds, type Doc } from '../../renderer/store/label/commands';
import type { BoxAnnotation } from '../../shared/api';

const box = (key: string, x: number, extra: Partial<BoxAnnotation> = {}): BoxAnnotation =>
  ({ key, label: 'raccoon', xmin: x, ymin: 10, xmax: x + 50, ymax: 60, difficult: false, truncated: false, ...extra });
const doc = (...boxes: BoxAnnotation[]): Doc => ({ boxes, verified: false });
const image = { width: 200, height: 100 };
const keys = (d: Doc): (string | undefined)[] => d.boxes.map((b) => b.key);
const ok = (r: ReturnType<typeof applyCommand>) => r ?? assert.fail('the command changed nothing');

test('add gives the new box a new id and selects it; the others keep theirs', () => {
  const r = ok(applyCommand(doc(box('a', 0)), { type: 'add', rect: { x: 5, y: 6, width: 20, height: 30 }, label: 'cat' }));
  assert.equal(r.doc.boxes.length, 2);
  const added = r.doc.boxes[1]!;
  assert.match(added.key!, /^b[0-9a-f]{12}$/);
  assert.equal(r.select, added.key);
  assert.deepEqual([added.xmin, added.ymin, added.xmax, added.ymax, added.label], [5, 6, 25, 36, 'cat']);
  assert.equal(r.doc.boxes[0]!.key, 'a');
});

test('delete, duplicate, nudge, relabel and flags address boxes by id, not position', () => {
  const d = doc(box('a', 0), box('b', 60), box('c', 120));
  const del = ok(applyCommand(d, { type: 'delete', id: 'b' }));
  assert.deepEqual(keys(del.doc), ['a', 'c']);
  assert.equal(del.select, null);
  // after the delete, 'c' moved to index 1: commands still find it by id
  const nudged = ok(applyCommand(del.doc, { type: 'nudge', id: 'c', dx: 5, dy: -20, image }));
  assert.deepEqual([nudged.doc.boxes[1]!.xmin, nudged.doc.boxes[1]!.ymin], [125, 0], 'clamped into the image');
  const dup = ok(applyCommand(nudged.doc, { type: 'duplicate', id: 'a', image }));
  const copy = dup.doc.boxes[2]!;
  assert.notEqual(copy.key, 'a');
  assert.equal(dup.select, copy.key);
  assert.deepEqual([copy.xmin, copy.ymin], [10, 20]);
  const rel = ok(applyCommand(dup.doc, { type: 'relabel', id: copy.key!, label: 'dog' }));
  assert.deepEqual(rel.doc.boxes.map((b) => b.label), ['raccoon', 'raccoon', 'dog']);
  const flag = ok(applyCommand(rel.doc, { type: 'toggleFlag', id: 'a', flag: 'difficult' }));
  assert.equal(flag.doc.boxes[0]!.difficult, true);
  assert.equal(ok(applyCommand(flag.doc, { type: 'toggleFlag', id: 'a', flag: 'difficult' })).doc.boxes[0]!.difficult, false);
  assert.equal(applyCommand(d, { type: 'delete', id: 'gone' }), null, 'an unknown id changes nothing');
  assert.equal(ok(applyCommand(d, { type: 'toggleVerified' })).doc.verified, true);
});

test('setRect moves or resizes one box inside the image', () => {
  const r = ok(applyCommand(doc(box('a', 0), box('b', 60)), { type: 'setRect', id: 'b', rect: { x: 190, y: 5, width: 30, height: 20 }, image }));
  assert.deepEqual([r.doc.boxes[1]!.xmin, r.doc.boxes[1]!.xmax], [170, 200]);
  assert.equal(r.doc.boxes[0]!.xmin, 0);
});

test('appended copies and suggestions get new ids (the source keeps its own)', () => {
  const src = [box('a', 0), box('b', 60)];
  const r = ok(applyCommand(doc(box('a', 0)), { type: 'append', boxes: src }));
  assert.equal(new Set(keys(r.doc)).size, 3);
  assert.equal(r.doc.boxes[0]!.key, 'a');
  assert.deepEqual(withIds([{ ...box('x', 0), key: undefined }]).map((b) => typeof b.key), ['string']);
});

test('accept drafts: the selected one, all, or all through a class mapping (null removes)', () => {
  const d = doc(box('a', 0, { draft: true, label: 'person' }), box('b', 60, { draft: true, label: 'dog' }), box('c', 120));
  const one = ok(applyCommand(d, { type: 'acceptDrafts', ids: ['b'] }));
  assert.deepEqual(one.doc.boxes.map((b) => !!b.draft), [true, false, false]);
  const all = ok(applyCommand(d, { type: 'acceptDrafts', ids: 'all' }));
  assert.deepEqual(all.doc.boxes.map((b) => !!b.draft), [false, false, false]);
  const mapped = ok(applyCommand(d, { type: 'acceptDrafts', ids: 'all', mapping: { person: null, dog: 'raccoon' } }));
  assert.deepEqual(mapped.doc.boxes.map((b) => [b.key, b.label, !!b.draft]), [['b', 'raccoon', false], ['c', 'raccoon', false]]);
  assert.equal(applyCommand(doc(box('c', 0)), { type: 'acceptDrafts', ids: 'all' }), null);
});
