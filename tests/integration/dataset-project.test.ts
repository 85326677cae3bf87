import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync, statSync, existsSync, mkdirSync, readdirSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { ApiError } from '../../shared/api/contract';
import { openDatasetProject, type DatasetProject } from '../../main/dataset/project';
import type { DatasetEvents } from '../../shared/api/dataset';
import { copyWritable } from '../helpers/writable-copy';
import { tempFolders } from '../helpers/temp-folders';

const datasets = fileURLToPath(new URL('../../../shared/datasets/', import.meta.url));
const raccoonSrc = join(datasets, 'detection-voc/raccoon');
const temps = tempFolders();

function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'detecta-ds-'));
  temps.push(d);
  return d;
}
function raccoonCopy(): string {
  const d = tempDir();
  copyWritable(join(raccoonSrc, 'images'), join(d, 'images'));
  copyWritable(join(raccoonSrc, 'annotations'), join(d, 'annotations'));
  return d;
}
async function open(dir: string, opts = {}): Promise<DatasetProject> {
  const p = await openDatasetProject(dir, { watch: false, autosaveDelayMs: 30, ...opts });
  await p.ready();
  return p;
}
const rejectsWith = (p: Promise<unknown>, code: string, re?: RegExp) =>
  assert.rejects(p, (e: unknown) => { assert.ok(e instanceof ApiError, String(e)); assert.equal(e.code, code); if (re) assert.match(e.message, re); return true; });

test('opens the raccoon set: LabelImg images/ + annotations/ layout, counts, paging, filters', async () => {
  const p = await open(raccoonSrc);
  const s = p.summary();
  assert.equal(s.images, 200);
  assert.equal(s.labeled, 200);
  assert.equal(s.unlabeled, 0);
  assert.equal(s.verified, 199);
  assert.equal(s.annotationDir, 'annotations');
  assert.deepEqual(s.classes, ['raccoon']);
  const page = p.listImages({ offset: 0, limit: 3 });
  assert.equal(page.total, 200);
  assert.deepEqual(page.items.map((i) => i.id), ['images/raccoon-1.jpg', 'images/raccoon-2.jpg', 'images/raccoon-3.jpg']);
  assert.equal(p.listImages({ offset: 198, limit: 10 }).items.length, 2);
  assert.equal(p.listImages({ filter: 'unverified' }).total, 1);
  assert.equal(p.listImages({ filter: 'class:raccoon' }).total, 200);
  assert.equal(p.listImages({ search: 'raccoon-10' }).total, 11);
  assert.equal(existsSync(join(raccoonSrc, '.detecta')), false, 'opening writes nothing');
  assert.ok(p.contains(join(raccoonSrc, 'images/raccoon-1.jpg')));
  assert.ok(!p.contains(join(raccoonSrc, '..', 'other')));
  assert.equal(p.resolveImage('images/raccoon-1.jpg'), join(p.root, 'images/raccoon-1.jpg'));
  assert.throws(() => p.resolveImage('../etc/passwd'), (e: unknown) => e instanceof ApiError && e.code === 'not_found');
  await p.close();
});

test('missing folder and a file instead of a folder give clear errors', async () => {
  await rejectsWith(openDatasetProject('/nonexistent/detecta-test'), 'not_found', /nonexistent/);
  await rejectsWith(openDatasetProject(join(raccoonSrc, 'SOURCE.md')), 'not_found', /not a folder/);
});

test('permission denied on the folder', { skip: process.getuid?.() === 0 ? 'running as root: permissions are not enforced' : false }, async () => {
  const d = tempDir();
  const { chmodSync } = await import('node:fs');
  chmodSync(d, 0o000);
  try {
    await rejectsWith(openDatasetProject(d), 'forbidden', /permission denied/);
  } finally {
    chmodSync(d, 0o755);
  }
});

test('open and save with no edit writes nothing; an edit writes LabelImg XML, atomically, with a backup', async () => {
  const d = raccoonCopy();
  const p = await open(d);
  const xml = join(d, 'annotations/raccoon-1.xml');
  const before = readFileSync(xml, 'utf8');
  const mtime = statSync(xml).mtimeMs;
  const a = await p.getAnnotation('images/raccoon-1.jpg');
  assert.deepEqual(a.size, { width: 650, height: 417, depth: 3 });
  const r0 = await p.saveAnnotation('images/raccoon-1.jpg', { boxes: a.boxes, verified: a.verified });
  assert.equal(r0.state, 'unchanged');
  assert.equal(statSync(xml).mtimeMs, mtime);
  assert.equal(existsSync(join(d, '.detecta')), false);

  const r1 = await p.saveAnnotation('images/raccoon-1.jpg', { boxes: [...a.boxes, { label: 'cat', xmin: 10.4, ymin: -5, xmax: 700, ymax: 40, difficult: true, truncated: false }], verified: false });
  assert.equal(r1.state, 'saved');
  assert.equal(r1.backup, '.detecta/backups/annotations/raccoon-1.xml');
  assert.equal(readFileSync(join(d, r1.backup!), 'utf8'), before);
  const after1 = readFileSync(xml, 'utf8');
  assert.match(after1, /^<annotation>\n\t<folder>images<\/folder>/);
  assert.match(after1, /<name>cat<\/name>\n\t\t<pose>Unspecified<\/pose>\n\t\t<truncated>0<\/truncated>\n\t\t<difficult>1<\/difficult>\n\t\t<bndbox>\n\t\t\t<xmin>10<\/xmin>\n\t\t\t<ymin>0<\/ymin>\n\t\t\t<xmax>650<\/xmax>\n\t\t\t<ymax>40<\/ymax>/);
  assert.deepEqual(r1.entry.classes, ['raccoon', 'cat']);
  assert.deepEqual(JSON.parse(readFileSync(join(d, '.detecta/project.json'), 'utf8')).classes, ['raccoon', 'cat']);
  assert.deepEqual(readdirSync(join(d, 'annotations')).filter((f) => f.endsWith('.tmp')), [], 'no temp files left');

  // a second save keeps the backup of the original (not of our own version)
  await p.saveAnnotation('images/raccoon-1.jpg', { boxes: a.boxes, verified: true });
  assert.equal(readFileSync(join(d, r1.backup!), 'utf8'), before);
  assert.equal(readFileSync(xml, 'utf8'), before, 'back to the original content');
  // restore the backup
  await p.saveAnnotation('images/raccoon-1.jpg', { boxes: [], verified: false });
  const restored = await p.restoreBackup('images/raccoon-1.jpg');
  assert.equal(restored.boxes.length, 1);
  assert.equal(readFileSync(xml, 'utf8'), before);
  await p.close();
});

test('bad boxes are refused with a clear message and nothing is written', async () => {
  const d = raccoonCopy();
  const p = await open(d);
  const xml = join(d, 'annotations/raccoon-2.xml');
  const before = readFileSync(xml, 'utf8');
  const box = { label: 'raccoon', xmin: 10, ymin: 10, xmax: 10, ymax: 50, difficult: false, truncated: false };
  await rejectsWith(p.saveAnnotation('images/raccoon-2.jpg', { boxes: [box], verified: false }), 'bad_request', /box 1 \("raccoon"\).*no area/);
  await rejectsWith(p.saveAnnotation('images/raccoon-2.jpg', { boxes: [{ ...box, xmin: 5000, xmax: 6000 }], verified: false }), 'bad_request', /no area inside the \d+x\d+ image/);
  await rejectsWith(p.saveAnnotation('images/raccoon-2.jpg', { boxes: [{ ...box, xmax: NaN }], verified: false }), 'bad_request', /not a number/);
  await rejectsWith(p.saveAnnotation('images/raccoon-2.jpg', { boxes: [{ ...box, xmax: 40, label: 'a\nb' }], verified: false }), 'bad_request', /control characters/);
  assert.equal(readFileSync(xml, 'utf8'), before);
  // XML-hostile class names are fine
  const r = await p.saveAnnotation('images/raccoon-2.jpg', { boxes: [{ ...box, xmax: 40, label: 'R&D <"x">' }], verified: false });
  assert.equal(r.state, 'saved');
  assert.equal((await p.getAnnotation('images/raccoon-2.jpg')).boxes[0]!.label, 'R&D <"x">');
  await p.close();
});

test('a malformed XML is listed as unreadable with file and reason, and never overwritten', async () => {
  const d = raccoonCopy();
  const bad = join(d, 'annotations/raccoon-3.xml');
  writeFileSync(bad, '<annotation><object><name>x</name></annotation>');
  const p = await open(d);
  assert.equal(p.summary().unreadable, 1);
  const [e] = p.listImages({ filter: 'unreadable' }).items;
  assert.equal(e!.id, 'images/raccoon-3.jpg');
  assert.match(e!.error!, /annotations\/raccoon-3\.xml: malformed XML at line 1/);
  await rejectsWith(p.getAnnotation('images/raccoon-3.jpg'), 'unreadable', /raccoon-3\.xml/);
  await rejectsWith(p.saveAnnotation('images/raccoon-3.jpg', { boxes: [], verified: false }), 'unreadable', /left untouched/);
  assert.equal(readFileSync(bad, 'utf8'), '<annotation><object><name>x</name></annotation>');
  const issues = await p.validate();
  assert.ok(issues.some((i) => i.file === 'annotations/raccoon-3.xml' && i.severity === 'error'));
  await p.close();
});

test('unknown elements survive an edit through the project (box keys keep <part>, <occluded>)', async () => {
  const d = tempDir();
  const src = join(datasets, 'voc-parser-fixtures/datumaro-voc/voc_dataset1');
  copyWritable(join(src, 'JPEGImages'), join(d, 'JPEGImages'));
  copyWritable(join(src, 'Annotations'), join(d, 'Annotations'));
  const p = await open(d);
  assert.equal(p.summary().annotationDir, 'Annotations');
  const a = await p.getAnnotation('JPEGImages/2007_000001.jpg');
  assert.equal(a.boxes.length, 2);
  const edited = a.boxes.map((b) => (b.label === 'cat' ? { ...b, xmax: b.xmax + 1 } : b));
  await p.saveAnnotation('JPEGImages/2007_000001.jpg', { boxes: edited, verified: true });
  const xml = readFileSync(join(d, 'Annotations/2007_000001.xml'), 'utf8');
  assert.match(xml, /^<annotation verified="yes">/);
  assert.match(xml, /<part>\s*<name>head<\/name>/);
  assert.match(xml, /<actions>[\s\S]*<walking>1<\/walking>/);
  // the image without annotation gets a new file in the annotation folder (LabelImg convention)
  await p.saveAnnotation('JPEGImages/2007_000002.jpg', { boxes: [{ label: 'dog', xmin: 1, ymin: 1, xmax: 5, ymax: 5, difficult: false, truncated: false }], verified: false });
  assert.ok(existsSync(join(d, 'Annotations/2007_000002.xml')));
  await p.close();
});

test('duplicate stems: x.jpg and x.png share x.xml; both are flagged and saving is refused', async () => {
  const d = tempDir();
  const img = join(raccoonSrc, 'images/raccoon-1.jpg');
  copyFileSync(img, join(d, 'x.jpg'));
  await sharp(img).png().toFile(join(d, 'x.png'));
  writeFileSync(join(d, 'x.xml'), '<annotation><filename>x.jpg</filename><object><name>a</name><bndbox><xmin>1</xmin><ymin>1</ymin><xmax>9</xmax><ymax>9</ymax></bndbox></object></annotation>');
  const p = await open(d);
  const jpg = p.getImage('x.jpg');
  const png = p.getImage('x.png');
  assert.equal(jpg.status, 'labeled', 'the file names x.jpg in <filename>');
  assert.equal(png.status, 'unlabeled');
  assert.match(png.error!, /share the annotation file x\.xml/);
  await rejectsWith(p.saveAnnotation('x.png', { boxes: [], verified: false }), 'conflict', /rename one of them/);
  await p.close();
});

test('class rename keeps the id and rewrites the files; add/default class', async () => {
  const d = raccoonCopy();
  const p = await open(d);
  assert.deepEqual(await p.addClass('dog'), ['raccoon', 'dog']);
  await rejectsWith(p.addClass('dog'), 'conflict');
  const r = await p.renameClass('raccoon', 'procyon');
  assert.deepEqual(r.classes, ['procyon', 'dog']);
  assert.equal(r.filesRewritten, 200);
  assert.match(readFileSync(join(d, 'annotations/raccoon-7.xml'), 'utf8'), /<name>procyon<\/name>/);
  assert.equal(p.listImages({ filter: 'class:procyon' }).total, 200);
  await rejectsWith(p.renameClass('dog', 'procyon'), 'conflict');
  const cfg = await p.setDefaultClass('dog');
  assert.equal(cfg.defaultClass, 'dog');
  await p.close();
  const again = await open(d);
  assert.deepEqual(again.summary().classes, ['procyon', 'dog']);
  await again.close();
});

test('split: persisted overrides; new images get a split without moving old ones', async () => {
  const d = raccoonCopy();
  const p = await open(d);
  const before = new Map(p.listImages({ limit: 5000 }).items.map((e) => [e.id, e.split]));
  const moved = await p.setSplit('images/raccoon-1.jpg', 'test');
  assert.equal(moved.split, 'test');
  await p.close();
  copyFileSync(join(d, 'images/raccoon-1.jpg'), join(d, 'images/new-photo.jpg'));
  const q = await open(d);
  const now = new Map(q.listImages({ limit: 5000 }).items.map((e) => [e.id, e.split]));
  assert.equal(now.size, 201);
  for (const [id, s] of before) if (id !== 'images/raccoon-1.jpg') assert.equal(now.get(id), s, id);
  assert.equal(now.get('images/raccoon-1.jpg'), 'test');
  await q.close();
});

test('autosave: debounced, last edit wins, saveState events, flushed on close', async () => {
  const d = raccoonCopy();
  const p = await openDatasetProject(d, { watch: false, autosaveDelayMs: 10_000 });
  await p.ready();
  const states: DatasetEvents['dataset.saveState']['state'][] = [];
  p.onEvent((name, payload) => { if (name === 'dataset.saveState') states.push((payload as DatasetEvents['dataset.saveState']).state); });
  const box = (x: number) => ({ label: 'raccoon', xmin: 1, ymin: 1, xmax: x, ymax: 20, difficult: false, truncated: false });
  await p.autosave('images/raccoon-4.jpg', { boxes: [box(10)], verified: false });
  await p.autosave('images/raccoon-4.jpg', { boxes: [box(30)], verified: false });
  await p.close(); // flushes long before the 10 s debounce
  assert.match(readFileSync(join(d, 'annotations/raccoon-4.xml'), 'utf8'), /<xmax>30<\/xmax>/);
  assert.deepEqual(states, ['pending', 'pending', 'saving', 'saved']);
});

test('watcher: XML and images changed by another tool show up without a restart', { timeout: 60_000 }, async () => {
  const d = raccoonCopy();
  const p = await openDatasetProject(d, { watch: true });
  await p.ready();
  // the image and its XML may arrive in one batch of disk changes or two: wait for the events
  // until the new image is indexed with its box, whatever the batching
  const isLabeled = (): boolean => { try { return p.getImage('images/zz-new.jpg').status === 'labeled'; } catch { return false; } };
  const reported = new Set<string>();
  const labeled = new Promise<void>((resolve) => {
    p.onEvent((name, payload) => {
      const ev = payload as DatasetEvents['dataset.changed'];
      if (name !== 'dataset.changed' || ev.reason !== 'disk') return;
      for (const id of ev.imageIds ?? []) reported.add(id);
      if (isLabeled()) resolve();
    });
  });
  copyFileSync(join(d, 'images/raccoon-1.jpg'), join(d, 'images/zz-new.jpg'));
  writeFileSync(join(d, 'annotations/zz-new.xml'), '<annotation><filename>zz-new.jpg</filename><object><name>owl</name><bndbox><xmin>1</xmin><ymin>1</ymin><xmax>9</xmax><ymax>9</ymax></bndbox></object></annotation>');
  await labeled;
  assert.ok(reported.has('images/zz-new.jpg'), `the events named the new image: ${[...reported].join(', ')}`);
  const e = p.getImage('images/zz-new.jpg');
  assert.equal(e.status, 'labeled');
  assert.deepEqual(e.classes, ['owl']);
  assert.ok(p.summary().classes.includes('owl'));
  // an edit by another tool to an existing file
  writeFileSync(join(d, 'annotations/raccoon-5.xml'), '<annotation><filename>raccoon-5.jpg</filename></annotation>');
  await new Promise<void>((resolve) => {
    if (p.getImage('images/raccoon-5.jpg').boxes === 0) resolve();
    p.onEvent((name) => { if (name === 'dataset.changed' && p.getImage('images/raccoon-5.jpg').boxes === 0) resolve(); });
  });
  assert.equal(p.getImage('images/raccoon-5.jpg').boxes, 0);
  await p.close();
});

test('EXIF orientation: size is the displayed (rotated) size; validate warns; BMP and undecodable images', async () => {
  const d = tempDir();
  // 60x40 pixels stored, orientation 6 (rotate 90° clockwise to display) → displayed 40x60
  await sharp({ create: { width: 60, height: 40, channels: 3, background: '#888' } }).jpeg().withMetadata({ orientation: 6 }).toFile(join(d, 'rot.jpg'));
  copyFileSync(join(datasets, 'image-fixtures/labelimg-tests/test.512.512.bmp'), join(d, 'pal.bmp'));
  writeFileSync(join(d, 'broken.png'), 'not a png at all');
  const p = await open(d);
  const a = await p.getAnnotation('rot.jpg');
  assert.deepEqual(a.size, { width: 40, height: 60, depth: 3 });
  const r = await p.saveAnnotation('rot.jpg', { boxes: [{ label: 'a', xmin: 0, ymin: 0, xmax: 100, ymax: 100, difficult: false, truncated: false }], verified: false });
  assert.deepEqual([r.annotation.boxes[0]!.xmax, r.annotation.boxes[0]!.ymax], [40, 60]);
  assert.match(readFileSync(join(d, 'rot.xml'), 'utf8'), /<width>40<\/width>\s*<height>60<\/height>/);
  assert.deepEqual((await p.getAnnotation('pal.bmp')).size, { width: 512, height: 512, depth: 3 });
  const broken = await p.getAnnotation('broken.png');
  assert.equal(broken.size, null);
  assert.match(broken.warnings.join('\n'), /cannot decode image .*broken\.png/);
  const issues = await p.validate();
  assert.ok(issues.some((i) => i.file === 'rot.jpg' && /EXIF orientation 6/.test(i.reason)));
  assert.ok(issues.some((i) => i.file === 'broken.png' && i.severity === 'error'));
  await p.close();
});

test('recursive option and natural order across folders; hidden folders skipped', async () => {
  const d = tempDir();
  const img = join(raccoonSrc, 'images/raccoon-1.jpg');
  for (const f of ['b/img10.jpg', 'b/img2.jpg', 'a/x.jpg', 'top.jpg', '.hidden/h.jpg']) {
    mkdirSync(join(d, f, '..'), { recursive: true });
    copyFileSync(img, join(d, f));
  }
  const flat = await open(d);
  assert.deepEqual(flat.listImages().items.map((i) => i.id), ['top.jpg']);
  await flat.close();
  const deep = await open(d, { recursive: true });
  assert.deepEqual(deep.listImages().items.map((i) => i.id), ['a/x.jpg', 'b/img2.jpg', 'b/img10.jpg', 'top.jpg']);
  await deep.close();
});

test("Detect's result images are not project images; a photo merely named *_detected is", async () => {
  const d = tempDir();
  const img = join(raccoonSrc, 'images/raccoon-1.jpg');
  for (const f of ['images/cat.jpg', 'images/cat_detected.jpg', 'images/cat_classified.png', 'images/dog_detected.jpg', 'webcam-20261123-101010_detected.jpg', 'webcam-20261123-101011_classified.jpg']) {
    mkdirSync(join(d, f, '..'), { recursive: true });
    copyFileSync(img, join(d, f));
  }
  const p = await open(d);
  // cat_detected/cat_classified sit beside cat.jpg (results); dog_detected.jpg has no dog.* beside it (a photo)
  assert.deepEqual(p.listImages().items.map((i) => i.id), ['images/cat.jpg', 'images/dog_detected.jpg']);
  await p.close();
});
