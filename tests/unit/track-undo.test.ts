/**
 * The undo of a whole track operation (renderer/store/track-undo.ts): what is recorded per frame,
 * and at undo time which frames are restored, already as before, or left as they are (changed
 * since); plus the store command that restores the open image (restoreBoxes, an undo step itself).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { BoxAnnotation } from '../../shared/api';
import { frameVerdict, recordFrame, sameLabels, undoLabel, undoReport, type ChangedFrame } from '../../renderer/store/track-undo';
import { applyCommand } from '../../renderer/store/label/commands';
import { historyOf, record, redo, undo } from '../../renderer/store/label/history';

const box = (key: string, x: number, extra: Partial<BoxAnnotation> = {}): BoxAnnotation =>
  ({ key, label: 'person', xmin: x, ymin: 10, xmax: x + 50, ymax: 60, difficult: false, truncated: false, ...extra });
const keyframe = box('k', 100, { track: 1 });
const draft = box('d', 120, { track: 1, draft: true });

test('a frame recorded twice keeps what it had before the whole operation and the later version', () => {
  let frames: ChangedFrame[] = [];
  frames = recordFrame(frames, { imageId: 'a.jpg', boxes: [], verified: false, file: false, version: 'v1' });
  frames = recordFrame(frames, { imageId: 'b.jpg', boxes: [keyframe], verified: true, file: true, version: 'w1' });
  frames = recordFrame(frames, { imageId: 'a.jpg', boxes: [draft], verified: false, file: true, version: 'v2' });
  assert.deepEqual(frames.map((f) => [f.imageId, f.boxes.length, f.file, f.version]), [['a.jpg', 0, false, 'v2'], ['b.jpg', 1, true, 'w1']]);
  // the open image changed again: its version is not known until its autosave is written
  frames = recordFrame(frames, { imageId: 'b.jpg', boxes: [keyframe, draft], verified: true, file: true });
  assert.equal(frames[1]!.version, undefined);
  assert.equal(frames[1]!.boxes.length, 1);
});

test('the button names the operation and counts the frames', () => {
  const f: ChangedFrame = { imageId: 'a.jpg', boxes: [], verified: false, file: false, version: 'v' };
  assert.equal(undoLabel({ operation: 'interpolate', frames: [f, f, f] }), 'Undo interpolate (3 frames)');
  assert.equal(undoLabel({ operation: 'track', frames: [f] }), 'Undo track with model (1 frame)');
  assert.equal(undoLabel({ operation: 'accept', frames: [f, f] }), 'Undo accept track (2 frames)');
});

test('a frame as the operation left it is restored; one changed since is a conflict; one already as before needs nothing', () => {
  const rec: ChangedFrame = { imageId: 'f.jpg', boxes: [keyframe], verified: false, file: true, version: 'after' };
  const left = { boxes: [keyframe, draft], verified: false, unsaved: false };
  assert.equal(frameVerdict(rec, { ...left, version: 'after' }), 'restore');
  assert.equal(frameVerdict(rec, { ...left, version: 'edited' }), 'conflict');
  // an edit of it still on its way to the file
  assert.equal(frameVerdict(rec, { ...left, version: 'after', unsaved: true }), 'conflict');
  // Ctrl+Z in the editor already undid the operation there (ids and rounding aside): not undone twice
  assert.equal(frameVerdict(rec, { boxes: [{ ...keyframe, key: 'o0', xmin: 100.4 }], verified: false, version: 'before', unsaved: false }), 'as-before');
  // the verified flag counts
  assert.equal(frameVerdict(rec, { boxes: [keyframe], verified: true, version: 'other', unsaved: false }), 'conflict');
  // a version never known (the open image's save failed) is never restored over
  assert.equal(frameVerdict({ ...rec, version: undefined }, { ...left, version: 'after' }), 'conflict');
});

test('sameLabels compares what a file keeps: order, class, coordinates, flags, draft and track, not ids', () => {
  const a = { boxes: [keyframe, draft], verified: false };
  assert.equal(sameLabels(a, { boxes: [{ ...keyframe, key: 'x' }, { ...draft, key: 'y' }], verified: false }), true);
  assert.equal(sameLabels(a, { boxes: [draft, keyframe], verified: false }), false);
  assert.equal(sameLabels(a, { boxes: [keyframe, { ...draft, draft: false }], verified: false }), false);
  assert.equal(sameLabels(a, { boxes: [keyframe, { ...draft, track: 2 }], verified: false }), false);
  assert.equal(sameLabels(a, { boxes: [keyframe, { ...draft, xmax: draft.xmax + 1 }], verified: false }), false);
  assert.equal(sameLabels(a, { boxes: [keyframe], verified: false }), false);
});

test('the report names every frame left as it is and every failure', () => {
  const ok = undoReport({ operation: 'interpolate', restored: ['a.jpg', 'b.jpg'], asBefore: ['c.jpg'], conflicts: [], failed: [] });
  assert.deepEqual(ok, { text: 'Undid interpolate: 3 frames as before.', problem: false });
  const bad = undoReport({ operation: 'accept', restored: ['a.jpg'], asBefore: [], conflicts: ['images/x_000305.jpg'], failed: [{ imageId: 'y.jpg', error: 'disk full' }] });
  assert.equal(bad.problem, true);
  assert.equal(bad.text, 'Undid accept track: 1 frame as before; changed since — left as it is: images/x_000305.jpg; not restored: y.jpg (disk full).');
});

test('restoreBoxes puts an image\'s boxes and verified flag back as one undo step, itself undoable and redoable', () => {
  const before = { boxes: [keyframe], verified: true };
  const after = applyCommand(before, { type: 'replaceTrackDrafts', tracks: [1], boxes: [draft] })!.doc;
  let h = record(historyOf(before), after);
  const restored = applyCommand(after, { type: 'restoreBoxes', boxes: before.boxes, verified: false })!;
  assert.deepEqual(restored.doc, { boxes: [keyframe], verified: false }, 'the ids are kept');
  assert.equal(restored.select, null);
  h = record(h, restored.doc);
  const back = undo(h)!;
  assert.deepEqual(back.present, after, 'Ctrl+Z brings the operation\'s change back');
  assert.deepEqual(redo(back)!.present, restored.doc);
  // a box without an id gets one
  const noId = applyCommand(after, { type: 'restoreBoxes', boxes: [{ ...keyframe, key: undefined }] as BoxAnnotation[], verified: false })!;
  assert.match(noId.doc.boxes[0]!.key!, /^b[0-9a-f]{12}$/);
});
