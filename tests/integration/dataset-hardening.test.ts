/**
 * Annotation files from hostile or unusual folders (hardening issue, items 4, 6, 9 and 12):
 * another tool's ISO-8859-1 or UTF-16 file keeps its encoding and accents after an edit, and its
 * backup keeps the original bytes; encodings we cannot write back are refused untouched; a symlink
 * to a FIFO or /dev/zero and an oversized XML are reported instead of freezing the project;
 * read-only files are refused and permissions are kept; long image names save; temp files left
 * by a crash are cleaned up when the project opens.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiError } from '../../shared/api/contract';
import { openDatasetProject, type DatasetProject } from '../../main/dataset/project';
import { writeSampleProject } from '../../main/sample/write-sample-project';
import { makeDirs } from '../../main/dataset/make-dirs';
import { exportDataset } from '../../main/dataset/exchange/export';
import { tempFolders } from '../helpers/temp-folders';

const temps = tempFolders();

/** A project of `n` generated photos without annotations (bricks_0001.jpg ...). */
async function photos(n: number): Promise<string> {
  const d = mkdtempSync(join(tmpdir(), 'detecta-hard-'));
  temps.push(d);
  await writeSampleProject(d, { images: n, seed: 2, width: 96, height: 64 });
  for (const f of readdirSync(d)) if (f.endsWith('.xml')) rmSync(join(d, f));
  rmSync(join(d, '.detecta'), { recursive: true, force: true });
  return d;
}

/** Opens a project as the app does (it edits, so it finishes what a crash left). */
async function open(dir: string): Promise<DatasetProject> {
  const p = await openDatasetProject(dir, { watch: false, autosaveDelayMs: 30, recover: true });
  await p.ready();
  return p;
}

const voc = (name: string, extra = ''): string =>
  `<annotation><folder>photos</folder><filename>${name}</filename><size><width>96</width><height>64</height><depth>3</depth></size>` +
  `<object><name>café</name><pose>Unspecified</pose><truncated>0</truncated><difficult>0</difficult><bndbox><xmin>5</xmin><ymin>6</ymin><xmax>30</xmax><ymax>40</ymax></bndbox></object>${extra}</annotation>\n`;

const addBox = async (p: DatasetProject, imageId: string): Promise<void> => {
  const ann = await p.getAnnotation(imageId);
  await p.saveAnnotation(imageId, { boxes: [...ann.boxes, { label: 'café', xmin: 40, ymin: 10, xmax: 80, ymax: 50, difficult: false, truncated: false }], verified: false });
};

test('ISO-8859-1 and UTF-16 files keep their encoding and accents after an edit; backups keep the original bytes', async () => {
  const d = await photos(2);
  const latin1 = Buffer.from(`<?xml version="1.0" encoding="ISO-8859-1"?>\n${voc('bricks_0001.jpg')}`, 'latin1');
  writeFileSync(join(d, 'bricks_0001.xml'), latin1);
  const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(`<?xml version="1.0" encoding="UTF-16"?>\n${voc('bricks_0002.jpg')}`, 'utf16le')]);
  writeFileSync(join(d, 'bricks_0002.xml'), utf16);
  const p = await open(d);
  try {
    assert.deepEqual((await p.getAnnotation('bricks_0001.jpg')).boxes.map((b) => b.label), ['café']);
    assert.deepEqual((await p.getAnnotation('bricks_0002.jpg')).boxes.map((b) => b.label), ['café']);
    await addBox(p, 'bricks_0001.jpg');
    await addBox(p, 'bricks_0002.jpg');

    const a = readFileSync(join(d, 'bricks_0001.xml'));
    assert.match(a.toString('latin1'), /^<\?xml version="1.0" encoding="ISO-8859-1"\?>/);
    assert.equal(a.toString('latin1').match(/café/g)?.length, 2, 'both names in ISO-8859-1 bytes (é = 0xE9)');
    assert.equal(a.includes(Buffer.from('\ufffd', 'utf8')), false, 'no replacement characters');
    assert.ok(readFileSync(join(d, '.detecta/backups/bricks_0001.xml')).equals(latin1), 'the backup holds the original bytes');

    const b = readFileSync(join(d, 'bricks_0002.xml'));
    assert.deepEqual([...b.subarray(0, 2)], [0xff, 0xfe], 'still UTF-16 with its byte-order mark');
    assert.equal(b.subarray(2).toString('utf16le').match(/café/g)?.length, 2);
    assert.ok(readFileSync(join(d, '.detecta/backups/bricks_0002.xml')).equals(utf16));

    // reopened, the files read the same: nothing was garbled for good
    await p.close();
    const again = await open(d);
    assert.deepEqual((await again.getAnnotation('bricks_0001.jpg')).boxes.map((x) => x.label), ['café', 'café']);
    assert.deepEqual((await again.getAnnotation('bricks_0002.jpg')).boxes.map((x) => x.label), ['café', 'café']);
    await again.close();
  } finally {
    await p.close();
  }
});

test('encodings that cannot be written back, and invalid UTF-8, are refused and left untouched', async () => {
  const d = await photos(2);
  const cp1252 = Buffer.from(`<?xml version="1.0" encoding="windows-1252"?>\n${voc('bricks_0001.jpg')}`, 'latin1');
  writeFileSync(join(d, 'bricks_0001.xml'), cp1252);
  const broken = Buffer.concat([Buffer.from(voc('bricks_0002.jpg').slice(0, 60)), Buffer.from([0xc3, 0x28]), Buffer.from(voc('bricks_0002.jpg').slice(60))]);
  writeFileSync(join(d, 'bricks_0002.xml'), broken);
  const p = await open(d);
  try {
    assert.equal(p.getImage('bricks_0001.jpg').status, 'unreadable');
    assert.match(p.getImage('bricks_0001.jpg').error ?? '', /windows-1252/);
    assert.match(p.getImage('bricks_0002.jpg').error ?? '', /not valid UTF-8/);
    for (const id of ['bricks_0001.jpg', 'bricks_0002.jpg']) {
      await assert.rejects(p.saveAnnotation(id, { boxes: [{ label: 'x', xmin: 1, ymin: 1, xmax: 9, ymax: 9, difficult: false, truncated: false }], verified: false }),
        (e: unknown) => e instanceof ApiError && e.code === 'unreadable');
    }
    assert.ok(readFileSync(join(d, 'bricks_0001.xml')).equals(cp1252));
    assert.ok(readFileSync(join(d, 'bricks_0002.xml')).equals(broken));
  } finally {
    await p.close();
  }
});

test('a FIFO, /dev/zero and a huge XML are reported as unreadable; the project opens and the others load', async () => {
  const d = await photos(4);
  execFileSync('mkfifo', [join(d, 'pipe')]);
  symlinkSync(join(d, 'pipe'), join(d, 'bricks_0001.xml'));
  symlinkSync('/dev/zero', join(d, 'bricks_0002.xml'));
  writeFileSync(join(d, 'bricks_0003.xml'), voc('bricks_0003.jpg', `<note>${'x'.repeat(20 * 1024 * 1024)}</note>`));
  writeFileSync(join(d, 'bricks_0004.xml'), voc('bricks_0004.jpg'));
  const p = await open(d); // before the fix this never returned (FIFO) or read gigabytes (/dev/zero)
  try {
    assert.match(p.getImage('bricks_0001.jpg').error ?? '', /not a regular file/);
    assert.match(p.getImage('bricks_0002.jpg').error ?? '', /not a regular file/);
    assert.match(p.getImage('bricks_0003.jpg').error ?? '', /more than an annotation file can be/);
    assert.equal(p.getImage('bricks_0004.jpg').boxes, 1);
  } finally {
    await p.close();
  }
});

test('a read-only annotation is refused untouched; a replaced file keeps its permissions', async () => {
  const d = await photos(2);
  writeFileSync(join(d, 'bricks_0001.xml'), voc('bricks_0001.jpg'));
  writeFileSync(join(d, 'bricks_0002.xml'), voc('bricks_0002.jpg'));
  chmodSync(join(d, 'bricks_0001.xml'), 0o444);
  chmodSync(join(d, 'bricks_0002.xml'), 0o640);
  const before = readFileSync(join(d, 'bricks_0001.xml'));
  const p = await open(d);
  try {
    await assert.rejects(addBox(p, 'bricks_0001.jpg'), (e: unknown) => e instanceof ApiError && e.code === 'forbidden' && /read-only/.test(e.message));
    assert.ok(readFileSync(join(d, 'bricks_0001.xml')).equals(before));
    assert.equal(statSync(join(d, 'bricks_0001.xml')).mode & 0o777, 0o444);
    await addBox(p, 'bricks_0002.jpg');
    assert.equal((await p.getAnnotation('bricks_0002.jpg')).boxes.length, 2);
    assert.equal(statSync(join(d, 'bricks_0002.xml')).mode & 0o777, 0o640);
  } finally {
    await p.close();
  }
});

test('a 240-byte image name saves, and temp files left by a crash are removed when the project opens', async () => {
  const d = await photos(2);
  const long = `${'a'.repeat(236)}.jpg`;
  renameSync(join(d, 'bricks_0002.jpg'), join(d, long));
  const leftovers = ['.~0123456789ab.detecta.tmp', '.bricks_0001.xml.4242.deadbeef.tmp'];
  for (const n of leftovers) {
    writeFileSync(join(d, n), 'half a file');
    utimesSync(join(d, n), new Date(Date.now() - 3_600_000), new Date(Date.now() - 3_600_000));
  }
  writeFileSync(join(d, '.~fedcba987654.detecta.tmp'), 'a write in flight'); // too young to be a leftover
  const p = await open(d);
  try {
    for (const n of leftovers) assert.equal(existsSync(join(d, n)), false, `${n} removed`);
    assert.equal(existsSync(join(d, '.~fedcba987654.detecta.tmp')), true, 'a fresh temp file is kept');
    await addBox(p, long);
    assert.equal((await p.getAnnotation(long)).boxes.length, 1);
    assert.ok(existsSync(join(d, `${'a'.repeat(236)}.xml`)));
  } finally {
    await p.close();
  }
});

test('an output folder where none can be made fails at once with a clear message (no endless loop)', async () => {
  await assert.rejects(writeSampleProject('/proc/detecta-x/sample', { images: 1, seed: 1 }), (e: unknown) => e instanceof ApiError && /\/proc.*does not take new folders/.test(e.message));
  await assert.rejects(makeDirs('/proc/detecta-x'), (e: unknown) => e instanceof ApiError && e.code === 'io');
  const d = await photos(1);
  await assert.rejects(makeDirs(join(d, 'bricks_0001.jpg', 'sub')), (e: unknown) => e instanceof ApiError && /not a folder/.test(e.message));
  await makeDirs(join(d, 'a', 'b', 'c'));
  assert.ok(statSync(join(d, 'a', 'b', 'c')).isDirectory());
});

test('a failed project.json write leaves the class list as it was', async () => {
  const d = await photos(1);
  const p = await open(d);
  try {
    await p.addClass('ball');
    const config = join(d, '.detecta', 'project.json');
    chmodSync(config, 0o444);
    await assert.rejects(p.addClass('cone'), (e: unknown) => e instanceof ApiError && /read-only/.test(e.message));
    assert.deepEqual(p.getConfig().classes, ['ball']);
    chmodSync(config, 0o644);
    await p.addClass('cone');
    assert.deepEqual(p.getConfig().classes, ['ball', 'cone']);
  } finally {
    await p.close();
  }
});

test('writes never follow a link out of the project: annotation folder, backups, an export into the project itself', async () => {
  const d = await photos(2);
  const elsewhere = mkdtempSync(join(tmpdir(), 'detecta-elsewhere-'));
  temps.push(elsewhere);
  mkdirSync(join(elsewhere, 'ann'));
  writeFileSync(join(elsewhere, 'ann', 'bricks_0001.xml'), voc('bricks_0001.jpg'));
  const outsideBefore = readFileSync(join(elsewhere, 'ann', 'bricks_0001.xml'));
  symlinkSync(join(elsewhere, 'ann'), join(d, 'annotations'));
  // the backups folder is a link out too
  mkdirSync(join(d, '.detecta'));
  mkdirSync(join(elsewhere, 'backups'));
  symlinkSync(join(elsewhere, 'backups'), join(d, '.detecta', 'backups'));
  writeFileSync(join(d, 'bricks_0002.xml'), voc('bricks_0002.jpg'));

  const p = await open(d);
  try {
    assert.equal(p.getImage('bricks_0001.jpg').boxes, 1, 'a linked annotation folder is still read');
    await assert.rejects(addBox(p, 'bricks_0001.jpg'), (e: unknown) => e instanceof ApiError && e.code === 'forbidden' && /outside the project/.test(e.message));
    assert.ok(readFileSync(join(elsewhere, 'ann', 'bricks_0001.xml')).equals(outsideBefore));
    // a file we did not write gets a backup first: the backup folder leads outside, so nothing is written
    await assert.rejects(addBox(p, 'bricks_0002.jpg'), (e: unknown) => e instanceof ApiError && e.code === 'forbidden');
    assert.deepEqual(readdirSync(join(elsewhere, 'backups')), []);
    assert.equal((await p.getAnnotation('bricks_0002.jpg')).boxes.length, 1);

    symlinkSync('.', join(d, 'self'));
    const before = readFileSync(join(d, 'bricks_0002.xml'));
    await assert.rejects(exportDataset(p, 'voc', join(d, 'self')), (e: unknown) => e instanceof ApiError && /holds the project's own images/.test(e.message));
    assert.ok(readFileSync(join(d, 'bricks_0002.xml')).equals(before), 'the annotations were not rewritten in place');
    const report = await exportDataset(p, 'yolo', join(d, 'export-yolo'));
    assert.ok(report.images >= 1, 'an export into a fresh folder inside the project is fine');
  } finally {
    await p.close();
  }
});

test('two windows editing one image: the stale save is refused as a conflict instead of silently winning', async () => {
  const d = await photos(1);
  writeFileSync(join(d, 'bricks_0001.xml'), voc('bricks_0001.jpg').replace('<object>', '<object><name>dog</name><pose>Left</pose><truncated>0</truncated><difficult>0</difficult><bndbox><xmin>50</xmin><ymin>5</ymin><xmax>90</xmax><ymax>60</ymax></bndbox></object><object>'));
  const p = await open(d);
  try {
    const a = await p.getAnnotation('bricks_0001.jpg'); // window A
    const b = await p.getAnnotation('bricks_0001.jpg'); // window B, same version
    assert.equal(a.version, b.version);
    assert.deepEqual(a.boxes.map((x) => x.label), ['dog', 'café']);
    // A deletes the dog
    const savedA = await p.saveAnnotation('bricks_0001.jpg', { boxes: [a.boxes[1]!], verified: false, baseVersion: a.version, client: 'A' });
    assert.notEqual(savedA.annotation.version, a.version);
    // B, still showing the dog, moves the cat (its keys are positions in the old file): refused
    const moved = b.boxes.map((x, i) => (i === 1 ? { ...x, xmin: 6 } : x));
    await assert.rejects(p.saveAnnotation('bricks_0001.jpg', { boxes: moved, verified: false, baseVersion: b.version, client: 'B' }),
      (e: unknown) => e instanceof ApiError && e.code === 'conflict' && (e.details as { version: string }).version === savedA.annotation.version);
    const now = await p.getAnnotation('bricks_0001.jpg');
    assert.deepEqual(now.boxes.map((x) => [x.label, x.pose]), [['café', 'Unspecified']], "A's edit stands, no attributes moved between boxes");
    // A's own next edit, still naming the version it started from, is not a conflict with itself
    await p.saveAnnotation('bricks_0001.jpg', { boxes: [{ ...now.boxes[0]!, xmax: 31 }], verified: false, baseVersion: a.version, client: 'A' });
    // "keep mine" in B: resent on the current version, it wins knowingly
    const current = await p.getAnnotation('bricks_0001.jpg');
    await p.saveAnnotation('bricks_0001.jpg', { boxes: moved, verified: false, baseVersion: current.version, client: 'B' });
    assert.equal((await p.getAnnotation('bricks_0001.jpg')).boxes.length, 2);
    // another program rewrites the file: A's next autosave on the old version reports a conflict event
    const before = await p.getAnnotation('bricks_0001.jpg');
    writeFileSync(join(d, 'bricks_0001.xml'), voc('bricks_0001.jpg'));
    const events: unknown[] = [];
    p.onEvent((name, payload) => { if (name === 'dataset.saveState') events.push(payload); });
    await p.autosave('bricks_0001.jpg', { boxes: [], verified: false, baseVersion: before.version, client: 'A' });
    await p.flush();
    assert.ok(events.some((e) => (e as { state: string; conflict?: unknown }).state === 'error' && (e as { conflict?: unknown }).conflict), JSON.stringify(events));
    assert.equal((await p.getAnnotation('bricks_0001.jpg')).boxes.length, 1, 'the program\'s file was not overwritten');
  } finally {
    await p.close();
  }
});
