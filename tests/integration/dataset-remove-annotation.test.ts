/**
 * dataset.removeAnnotation (the undo of a track operation on a frame that had no annotation file):
 * on a copy of raccoon, the file goes only at the version named (else 'conflict', file intact), a
 * file this session did not write is backed up first, the image is unlabeled again in the index
 * and after reopening, and an image without a file is left alone.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ApiError } from '../../shared/api/contract';
import { openDatasetProject, type DatasetProject } from '../../main/dataset/project';
import { copyWritable } from '../helpers/writable-copy';
import { tempFolders } from '../helpers/temp-folders';

const raccoonSrc = join(fileURLToPath(new URL('../../../shared/datasets/', import.meta.url)), 'detection-voc/raccoon');
const temps = tempFolders();

async function open(dir: string): Promise<DatasetProject> {
  const p = await openDatasetProject(dir, { watch: false, autosaveDelayMs: 30 });
  await p.ready();
  return p;
}

test('removeAnnotation removes the file only at the version named, backs up a file it did not write, and leaves the image unlabeled', async () => {
  const d = mkdtempSync(join(tmpdir(), 'detecta-remove-'));
  temps.push(d);
  copyWritable(join(raccoonSrc, 'images'), join(d, 'images'));
  copyWritable(join(raccoonSrc, 'annotations'), join(d, 'annotations'));
  const id = 'images/raccoon-3.jpg';
  const xml = join(d, 'annotations/raccoon-3.xml');
  const original = readFileSync(xml, 'utf8');
  let p = await open(d);
  const labeled = p.summary().labeled;
  const a = await p.getAnnotation(id);
  assert.ok(a.version && a.boxes.length > 0);

  await assert.rejects(p.removeAnnotation(id, 'not-its-version'), (e: unknown) => e instanceof ApiError && e.code === 'conflict' && /changed elsewhere/.test(e.message));
  assert.equal(readFileSync(xml, 'utf8'), original, 'a refused removal leaves the file as it was');

  const gone = await p.removeAnnotation(id, a.version!);
  assert.equal(existsSync(xml), false);
  assert.deepEqual([gone.exists, gone.boxes, gone.version], [false, [], null]);
  assert.equal(readFileSync(join(d, '.detecta/backups/annotations/raccoon-3.xml'), 'utf8'), original, 'a file it did not write is backed up');
  assert.equal(p.getImage(id).status, 'unlabeled');
  assert.equal(p.summary().labeled, labeled - 1);
  assert.ok(p.listImages({ filter: 'unlabeled', limit: 5000 }).items.some((e) => e.id === id));

  // a file this session wrote goes without a backup (the original's backup stays)
  const saved = await p.saveAnnotation(id, { boxes: [{ label: 'raccoon', xmin: 10, ymin: 10, xmax: 60, ymax: 60, difficult: false, truncated: false, draft: true, track: 1 }], verified: false, baseVersion: null });
  assert.equal(existsSync(xml), true);
  await p.removeAnnotation(id, saved.annotation.version!);
  assert.equal(existsSync(xml), false);
  assert.equal(readFileSync(join(d, '.detecta/backups/annotations/raccoon-3.xml'), 'utf8'), original);
  // no file: nothing to do
  assert.equal((await p.removeAnnotation(id, 'anything')).exists, false);
  await p.close();

  p = await open(d);
  assert.equal(p.getImage(id).status, 'unlabeled');
  assert.equal(p.summary().labeled, labeled - 1);
  await p.close();
});
