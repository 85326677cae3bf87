/**
 * The Label store (renderer/store/label) against a real dataset project on a copy of the raccoon
 * set: its API calls go straight to DatasetProject and the project's saveState events come back as
 * they would over the transport. Commands by box id, one undo step per command and per gesture,
 * the save queue, no annotation re-read after a save (the event carries it), and list rows
 * updated in place after a save.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openDatasetProject, type DatasetProject } from '../../main/dataset/project';
import type { DatasetEvents } from '../../shared/api/dataset';
import type { LabelDeps } from '../../renderer/store/label/state';
import { createLabelStore } from '../../renderer/store/label/create-label-store';
import { copyWritable } from '../helpers/writable-copy';
import { tempFolders } from '../helpers/temp-folders';

const raccoonSrc = fileURLToPath(new URL('../../../shared/datasets/detection-voc/raccoon/', import.meta.url));
const temps = tempFolders();

async function setup() {
  const dir = mkdtempSync(join(tmpdir(), 'detecta-labelstore-'));
  temps.push(dir);
  copyWritable(join(raccoonSrc, 'images'), join(dir, 'images'));
  copyWritable(join(raccoonSrc, 'annotations'), join(dir, 'annotations'));
  const project: DatasetProject = await openDatasetProject(dir, { watch: false, autosaveDelayMs: 10 });
  await project.ready();
  const calls: string[] = [];
  const notices: string[] = [];
  const api = {
    call: async (method: string, p: Record<string, unknown>): Promise<unknown> => {
      calls.push(method);
      const imageId = p.imageId as string;
      switch (method) {
        case 'dataset.listImages': return project.listImages(p as Parameters<DatasetProject['listImages']>[0]);
        case 'dataset.getAnnotation': return project.getAnnotation(imageId);
        case 'dataset.getImage': return project.getImage(imageId);
        case 'dataset.autosave': await project.autosave(imageId, p as unknown as Parameters<DatasetProject['autosave']>[1]); return { scheduled: true };
        case 'dataset.flush': await project.flush(); return { flushed: true };
        default: throw new Error(`unexpected call ${method}`);
      }
    },
  } as unknown as LabelDeps['api'];
  const store = createLabelStore({ api, notify: (kind, text) => notices.push(`${kind}: ${text}`) });
  const settled = new Set<string>();
  const listUpdates: Promise<void>[] = [];
  project.onEvent((name, payload) => {
    if (name === 'dataset.changed') {
      const e = payload as DatasetEvents['dataset.changed'];
      if (e.reason === 'save') listUpdates.push(store.getState().onImagesSaved(e.imageIds));
    }
    if (name !== 'dataset.saveState') return;
    const { project: _p, ...e } = payload as DatasetEvents['dataset.saveState'];
    store.getState().onSaveState(e);
    if (e.state === 'saved' || e.state === 'unchanged' || e.state === 'error') settled.add(e.imageId);
  });
  /** Waits until the store has no unsaved edit left. */
  const allSaved = async (): Promise<void> => {
    for (let i = 0; i < 500 && Object.keys(store.getState().unsaved).length; i++) await new Promise((r) => setTimeout(r, 10));
    assert.deepEqual(Object.keys(store.getState().unsaved), [], 'every edit saved');
    await Promise.all(listUpdates);
  };
  const fileIds = (stem: string): string[] =>
    [...readFileSync(join(dir, 'annotations', `${stem}.xml`), 'utf8').matchAll(/<object(?: id="([^"]*)")?>/g)].map((m) => m[1] ?? '-');
  await store.getState().reset(dir);
  return { dir, project, store, calls, notices, allSaved, fileIds };
}

test('commands address boxes by id, are one undo step each, and reach the file with their ids', async () => {
  const { project, store, calls, allSaved, fileIds } = await setup();
  const st = store.getState;
  const index = st().pages[0]!.findIndex((e) => e.id === 'images/raccoon-119.jpg');
  await st().select(index);
  assert.deepEqual(st().doc!.boxes.map((b) => b.key), ['o0', 'o1', 'o2']);
  const reads = calls.filter((c) => c === 'dataset.getAnnotation').length;

  st().setSelected('o1');
  st().deleteSelected();
  st().addBox({ x: 10, y: 20, width: 30, height: 40 }, 'raccoon');
  const added = st().selectedId!;
  assert.match(added, /^b[0-9a-f]{12}$/);
  st().setSelected('o2');
  st().nudgeSelected(5, 0);
  st().toggleFlag('difficult');
  assert.deepEqual(st().doc!.boxes.map((b) => b.key), ['o0', 'o2', added]);
  await allSaved();
  assert.deepEqual(fileIds('raccoon-119'), ['-', 'o2', added], 'a box at its old position needs no id; the moved and the new one carry theirs');
  assert.equal(calls.filter((c) => c === 'dataset.getAnnotation').length, reads, 'nothing is read back after the saves');
  assert.equal(st().baseVersions['images/raccoon-119.jpg'], (await project.getAnnotation('images/raccoon-119.jpg')).version, 'the saved event gave the new version');

  // four commands, four undo steps, back to the file as it was
  for (let i = 0; i < 4; i++) st().undo();
  assert.equal(st().canUndo, false);
  assert.deepEqual(st().doc!.boxes.map((b) => b.key), ['o0', 'o1', 'o2']);
  await allSaved();
  assert.deepEqual(fileIds('raccoon-119'), ['-', '-', '-']);
  st().redo();
  assert.deepEqual(st().doc!.boxes.map((b) => b.key), ['o0', 'o2']);
  await project.close();
});

test('a gesture (drag) is one undo step however many moves it makes; a no-op command is no step', async () => {
  const { project, store, allSaved } = await setup();
  const st = store.getState;
  st().setImageSize(st().annotation!.size); // what the canvas reports once the image is decoded
  const id = st().doc!.boxes[0]!.key!;
  const start = st().doc!.boxes[0]!;
  st().beginGesture();
  for (const x of [10, 20, 30]) st().moveBox(id, { x, y: 5, width: 50, height: 50 });
  st().endGesture();
  assert.equal(st().doc!.boxes[0]!.xmin, 30);
  st().undo();
  assert.deepEqual(st().doc!.boxes[0], start);
  assert.equal(st().canUndo, false);
  // a box already at the left edge nudged left changes nothing: no step, nothing to save
  st().moveBox(id, { x: 0, y: 5, width: 50, height: 50 });
  await allSaved();
  const steps = st().histories[st().current!.id]!.past.length;
  st().setSelected(id);
  st().nudgeSelected(-1, 0);
  assert.equal(st().histories[st().current!.id]!.past.length, steps);
  assert.deepEqual(Object.keys(st().unsaved), []);
  await project.close();
});

test('an edit stays in the store until saved, across image switches, and accept-drafts maps classes', async () => {
  const { project, store, allSaved, dir } = await setup();
  const st = store.getState;
  const first = st().current!.id;
  st().appendBoxes(first, [{ label: 'person', xmin: 1, ymin: 1, xmax: 40, ymax: 40, difficult: false, truncated: false, draft: true }]);
  await st().step(1);
  assert.notEqual(st().current!.id, first);
  await st().select(0);
  const drafts = st().doc!.boxes.filter((b) => b.draft);
  assert.equal(drafts.length, 1, 'the draft is back when returning to the image');
  st().acceptDrafts('all', { person: 'raccoon' });
  assert.deepEqual(st().doc!.boxes.map((b) => [b.label, !!b.draft]).at(-1), ['raccoon', false]);
  assert.equal(st().doc!.boxes.at(-1)!.key, drafts[0]!.key, 'an accepted draft keeps its id');
  await allSaved();
  assert.match(readFileSync(join(dir, 'annotations', 'raccoon-1.xml'), 'utf8'), new RegExp(`<object id="${drafts[0]!.key}">\\s*<name>raccoon</name>`));
  await project.close();
});


test('a save updates its row of the image list in place; the list is fetched again only when the filter may change', async () => {
  const { project, store, calls, allSaved } = await setup();
  const st = store.getState;
  const id = st().current!.id;
  const row = (): { boxes: number; difficult: boolean } => st().entryAt(st().currentIndex)!;
  const lists = (): number => calls.filter((c) => c === 'dataset.listImages').length;
  const before = lists();
  const otherPage = st().pages[0]!.slice(1);
  st().addBox({ x: 10, y: 20, width: 30, height: 40 }, 'raccoon');
  st().toggleFlag('difficult');
  await allSaved();
  assert.equal(row().boxes, 2);
  assert.equal(row().difficult, true);
  assert.equal(lists(), before, 'no list fetched for a save under "all images"');
  assert.ok(st().pages[0]!.slice(1).every((e, i) => e === otherPage[i]), 'the other rows are the same objects');
  // under "has difficult boxes", clearing the flag takes the image out of the list: fetched again
  await st().setFilter('difficult');
  const i = st().pages[0]!.findIndex((e) => e.id === id);
  await st().select(i);
  const n = st().total;
  const fetched = lists();
  st().setSelected(st().doc!.boxes.at(-1)!.key!);
  st().toggleFlag('difficult');
  await allSaved();
  assert.ok(lists() > fetched);
  assert.equal(st().total, n - 1);
  await project.close();
});
