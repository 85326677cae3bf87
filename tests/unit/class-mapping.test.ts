import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mapClass, mapModelBoxes, unknownClasses } from '../../shared/dataset/class-mapping';
import { classColor, namedColor } from '../../renderer/views/label/class-colors';
import { mergeClasses, removeClass, reorderClasses } from '../../shared/dataset/classes';

const b = (label: string) => ({ label, xmin: 0, ymin: 0, xmax: 5, ymax: 5 });

test('model classes: remembered mapping first, then same-name project classes, else unmapped drafts', () => {
  const project = ['raccoon', 'person'];
  const mapping = { dog: 'raccoon', cat: null, bear: 'deleted-since' };
  assert.equal(mapClass('dog', project, mapping), 'raccoon');
  assert.equal(mapClass('cat', project, mapping), null);
  assert.equal(mapClass('person', project, mapping), 'person');
  assert.equal(mapClass('bear', project, mapping), undefined, 'a target no longer in the project is not used');
  const r = mapModelBoxes([b('dog'), b('cat'), b('bear'), b('person'), b('bear')], project, mapping);
  assert.deepEqual(r.boxes.map((x) => x.label), ['raccoon', 'bear', 'person', 'bear']);
  assert.equal(r.dropped, 1);
  assert.deepEqual(r.unmapped, ['bear']);
  assert.deepEqual(unknownClasses(['a', 'raccoon', 'a', 'b'], project), ['a', 'b']);
});

test('class colours: picked, then the colour the name says, then the palette; unknown classes grey', () => {
  const classes = ['raccoon', 'dog', 'cat', 'blue car'];
  assert.equal(namedColor('Blue car'), '#4d8dff');
  assert.equal(namedColor('raccoon'), null);
  assert.equal(classColor(classes, 'blue car'), '#4d8dff', 'a class named blue is drawn blue whatever its id');
  assert.equal(classColor(classes, 'blue car', { 'blue car': '#0F0' }), '#00ff00');
  assert.match(classColor(classes, 'dog'), /^#[0-9a-f]{6}$/);
  assert.equal(classColor(classes, 'bear'), '#ced4da');
  const many = Array.from({ length: 40 }, (_, i) => `c${i}`);
  for (const c of many) assert.match(classColor(many, c), /^#[0-9a-f]{6}$/, 'hex past the palette too (an alpha is appended)');
});

test('class list operations: remove, merge, reorder are checked', () => {
  assert.deepEqual(removeClass(['a', 'b', 'c'], 'b'), ['a', 'c']);
  assert.throws(() => removeClass(['a'], 'x'), /no class named "x"/);
  assert.deepEqual(mergeClasses(['a', 'b', 'c'], 'c', 'a'), ['a', 'b']);
  assert.throws(() => mergeClasses(['a', 'b'], 'a', 'a'), /itself/);
  assert.deepEqual(reorderClasses(['a', 'b'], ['b', 'a']), ['b', 'a']);
  assert.throws(() => reorderClasses(['a', 'b'], ['b', 'b']), /every class once/);
});

test('Detect view paths: relative ones start at the open project, without a project they are refused with what to do', async () => {
  const { resolveProjectPath } = await import('../../renderer/views/detect/project-path');
  assert.deepEqual(resolveProjectPath('clip.mp4', '/home/u/bricks'), { path: '/home/u/bricks/clip.mp4' });
  assert.deepEqual(resolveProjectPath('./videos/a.webm', '/home/u/bricks/'), { path: '/home/u/bricks/videos/a.webm' });
  assert.deepEqual(resolveProjectPath('/data/x.mp4', '/home/u/bricks'), { path: '/data/x.mp4' });
  assert.deepEqual(resolveProjectPath('C:\\\\clips\\\\a.mp4', null), { path: 'C:\\\\clips\\\\a.mp4' });
  assert.match((resolveProjectPath('clip.mp4', null) as { error: string }).error, /open a project first/);
  assert.match((resolveProjectPath('  ', '/p') as { error: string }).error, /type a path/);
});
