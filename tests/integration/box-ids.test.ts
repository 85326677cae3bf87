/**
 * Box ids through the annotation store: kept in the VOC file (`<object id>`), the same after a
 * reopen, unchanged for the other boxes when one is deleted, and carried by the autosave's event.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openDatasetProject, type DatasetProject } from '../../main/dataset/project';
import type { DatasetEvents } from '../../shared/api/dataset';
import type { BoxAnnotation } from '../../shared/api';
import { copyWritable } from '../helpers/writable-copy';
import { tempFolders } from '../helpers/temp-folders';

const raccoonSrc = fileURLToPath(new URL('../../../shared/datasets/detection-voc/raccoon/', import.meta.url));
const temps = tempFolders();

function raccoonCopy(): string {
  const d = mkdtempSync(join(tmpdir(), 'detecta-ids-'));
  temps.push(d);
  copyWritable(join(raccoonSrc, 'images'), join(d, 'images'));
  copyWritable(join(raccoonSrc, 'annotations'), join(d, 'annotations'));
  return d;
}
async function open(dir: string): Promise<DatasetProject> {
  const p = await openDatasetProject(dir, { watch: false, autosaveDelayMs: 20 });
  await p.ready();
  return p;
}
const IMG = 'images/raccoon-119.jpg'; // three raccoons in the file
const box = (key: string | undefined, x: number): BoxAnnotation => ({ ...(key ? { key } : {}), label: 'raccoon', xmin: x, ymin: 10, xmax: x + 40, ymax: 60, difficult: false, truncated: false });

test('ids made by the editor are written, read back after a reopen, and survive deleting a neighbour', async () => {
  const d = raccoonCopy();
  let p = await open(d);
  const before = await p.getAnnotation(IMG);
  assert.deepEqual(before.boxes.map((b) => b.key), ['o0', 'o1', 'o2'], 'a LabelImg file has no ids: positions');
  // the editor deletes the middle box and adds one with its own id
  const edited = [before.boxes[0]!, before.boxes[2]!, box('bfeedfeedfeed', 5)];
  const r = await p.saveAnnotation(IMG, { boxes: edited, verified: false });
  assert.deepEqual(r.annotation.boxes.map((b) => b.key), ['o0', 'o2', 'bfeedfeedfeed']);
  const xml = readFileSync(join(d, 'annotations/raccoon-119.xml'), 'utf8');
  // a box still at its position needs no id in the file; a moved one and a new one have theirs
  assert.deepEqual([...xml.matchAll(/<object( id="([^"]+)")?>/g)].map((m) => m[2] ?? '-'), ['-', 'o2', 'bfeedfeedfeed']);
  await p.close();

  p = await open(d);
  const reread = await p.getAnnotation(IMG);
  assert.deepEqual(reread.boxes.map((b) => b.key), ['o0', 'o2', 'bfeedfeedfeed']);
  assert.equal(reread.boxes[2]!.xmin, 5);
  // deleting the first box leaves the others' ids as they were
  const r2 = await p.saveAnnotation(IMG, { boxes: reread.boxes.slice(1), verified: false });
  assert.deepEqual(r2.annotation.boxes.map((b) => b.key), ['o2', 'bfeedfeedfeed']);
  await p.close();
  p = await open(d);
  assert.deepEqual((await p.getAnnotation(IMG)).boxes.map((b) => b.key), ['o2', 'bfeedfeedfeed']);
  await p.close();
});

test('a box saved without an id gets one; saving the same boxes again is unchanged', async () => {
  const d = raccoonCopy();
  const p = await open(d);
  const r = await p.saveAnnotation(IMG, { boxes: [box(undefined, 3)], verified: false });
  const key = r.annotation.boxes[0]!.key!;
  assert.match(key, /^b[0-9a-f]{12}$/);
  assert.match(readFileSync(join(d, 'annotations/raccoon-119.xml'), 'utf8'), new RegExp(`<object id="${key}">`));
  const same = await p.saveAnnotation(IMG, { boxes: [box(key, 3)], verified: false });
  assert.equal(same.state, 'unchanged');
  const again = await p.saveAnnotation(IMG, { boxes: [box(undefined, 3)], verified: false });
  assert.equal(again.state, 'unchanged', 'a caller that sends no ids does not rewrite ids');
  assert.equal(again.annotation.boxes[0]!.key, key);
  // the same rectangle under another id is a different box: written
  const other = await p.saveAnnotation(IMG, { boxes: [box('bother0000000', 3)], verified: false });
  assert.equal(other.state, 'saved');
  await p.close();
});

test("an object's unknown XML children follow its id, not its position", async () => {
  const d = raccoonCopy();
  const file = join(d, 'annotations/raccoon-119.xml');
  writeFileSync(file, readFileSync(file, 'utf8').replace('</bndbox>', '</bndbox><occluded>1</occluded>'));
  const p = await open(d);
  const a = await p.getAnnotation(IMG);
  // the first box (with <occluded>) moves to the end
  await p.saveAnnotation(IMG, { boxes: [a.boxes[1]!, a.boxes[2]!, a.boxes[0]!], verified: false });
  const xml = readFileSync(file, 'utf8');
  const objects = xml.split('<object').slice(1);
  assert.match(objects[2]!, /^ id="o0">[\s\S]*<occluded>1<\/occluded>/);
  assert.doesNotMatch(objects[0]!, /occluded/);
  await p.close();
});

test("the autosave's 'saved' event carries the saved annotation with the box ids, and whose edit it wrote", async () => {
  const d = raccoonCopy();
  const p = await open(d);
  const saved = new Promise<DatasetEvents['dataset.saveState']>((resolve) => {
    p.onEvent((name, payload) => {
      const e = payload as DatasetEvents['dataset.saveState'];
      if (name === 'dataset.saveState' && e.state === 'saved') resolve(e);
    });
  });
  await p.autosave(IMG, { boxes: [box('bcafecafecafe', 7.4), box(undefined, 100)], verified: true, client: 'window-1', revision: 41 });
  const e = await saved;
  assert.equal(e.imageId, IMG);
  assert.equal(e.revision, 41, 'which edit the save wrote');
  assert.equal(e.client, 'window-1', 'whose edit');
  assert.ok(e.annotation);
  assert.equal(e.annotation.boxes[0]!.key, 'bcafecafecafe');
  assert.equal(e.annotation.boxes[0]!.xmin, 7, 'as written: rounded');
  assert.match(e.annotation.boxes[1]!.key!, /^b[0-9a-f]{12}$/);
  assert.equal(e.annotation.version, (await p.getAnnotation(IMG)).version);
  await p.close();
});
