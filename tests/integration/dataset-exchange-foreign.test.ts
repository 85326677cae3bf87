/**
 * Import/export with other tools' formats on real fixture files (../shared/datasets/voc-parser-fixtures:
 * CVAT, Datumaro, Roboflow, X-AnyLabeling) and on files written here the way LabelMe, X-AnyLabeling,
 * CVAT, Label Studio and Open Images write them; labels-only imports matched to the project's photos.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { openDatasetProject, type DatasetProject } from '../../main/dataset/project';
import { exportDataset, importDataset } from '../../main/dataset/exchange';
import { EXPORT_FORMATS } from '../../shared/dataset/types';
import { parseVocXml } from '../../shared/voc';
import { copyWritable } from '../helpers/writable-copy';
import { tempFolders } from '../helpers/temp-folders';

const fixtures = fileURLToPath(new URL('../../../shared/datasets/voc-parser-fixtures/', import.meta.url));
const temps = tempFolders();
const tempDir = () => { const d = mkdtempSync(join(tmpdir(), 'detecta-exf-')); temps.push(d); return d; };

type Box = { label: string; xmin: number; ymin: number; xmax: number; ymax: number; difficult?: boolean };

async function open(dir: string): Promise<DatasetProject> {
  const p = await openDatasetProject(dir, { watch: false });
  await p.ready();
  return p;
}

async function photo(file: string, width: number, height: number): Promise<void> {
  mkdirSync(join(file, '..'), { recursive: true });
  await sharp({ create: { width, height, channels: 3, background: { r: 90, g: 120, b: 60 } } }).jpeg({ quality: 60 }).toFile(file);
}

/** Boxes of every labeled image of a project, by image file name. */
async function boxesByName(p: DatasetProject): Promise<Map<string, Box[]>> {
  const out = new Map<string, Box[]>();
  for await (const { entry } of p.annotations()) out.set(entry.name, (await p.getAnnotation(entry.id)).boxes);
  return out;
}

/** The boxes of VOC XML files as LabelImg would keep them (whole pixels), by image file name. */
function vocOriginals(dir: string, imageExt = '.jpg'): Map<string, Box[]> {
  const out = new Map<string, Box[]>();
  for (const f of readdirSync(dir).filter((n) => n.endsWith('.xml'))) {
    const ann = parseVocXml(readFileSync(join(dir, f), 'utf8'), f);
    out.set(f.replace(/\.xml$/, imageExt), ann.objects.map((o) => ({ label: o.name, ...o.bndbox, difficult: !!o.difficult })));
  }
  return out;
}

function assertSameBoxes(got: Map<string, Box[]>, want: Map<string, Box[]>, what: string): void {
  assert.deepEqual([...got.keys()].sort(), [...want.keys()].sort(), `${what}: same labeled images`);
  for (const [name, boxes] of want) {
    const g = got.get(name)!;
    assert.equal(g.length, boxes.length, `${what}: ${name} box count`);
    // order may differ between formats that group by class: compare sorted
    const key = (b: Box) => `${b.label}|${Math.round(b.xmin)}|${Math.round(b.ymin)}`;
    const gs = [...g].sort((a, b) => key(a).localeCompare(key(b)));
    const ws = [...boxes].sort((a, b) => key(a).localeCompare(key(b)));
    ws.forEach((b, i) => {
      assert.equal(gs[i]!.label, b.label, `${what}: ${name} box ${i} label`);
      for (const k of ['xmin', 'ymin', 'xmax', 'ymax'] as const) assert.ok(Math.abs(gs[i]![k] - b[k]) <= 1, `${what}: ${name} box ${i} ${k}: ${b[k]} → ${gs[i]![k]}`);
    });
  }
}

/** The CVAT VOC export of 100 VOC2012 images with photos of the sizes its XML gives (the fixture has no images). */
async function cvatSample(withAnnotations: boolean): Promise<string> {
  const src = join(fixtures, 'cvat-voc-export-voc2012-sample100');
  const d = tempDir();
  if (withAnnotations) copyWritable(join(src, 'Annotations'), join(d, 'Annotations'));
  for (const f of readdirSync(join(src, 'Annotations'))) {
    const ann = parseVocXml(readFileSync(join(src, 'Annotations', f), 'utf8'), f);
    await photo(join(d, withAnnotations ? 'JPEGImages' : 'images', f.replace(/\.xml$/, '.jpg')), ann.size!.width, ann.size!.height);
  }
  return d;
}
const sampleOriginals = () => vocOriginals(join(fixtures, 'cvat-voc-export-voc2012-sample100/Annotations'));

/** Real-tool fixtures that have their images, copied writable. */
function fixtureProjects(): { name: string; dir: string }[] {
  const out: { name: string; dir: string }[] = [];
  for (const [name, rel] of [['x-anylabeling', 'x-anylabeling'], ['roboflow', 'datumaro-roboflow-voc'], ['kaggle-relaxed', 'datumaro-kaggle-relaxed-voc/relaxed_voc2'], ['datumaro-voc1', 'datumaro-voc/voc_dataset1']] as const) {
    const d = tempDir();
    copyWritable(join(fixtures, rel), d);
    out.push({ name, dir: d });
  }
  return out;
}

for (const format of EXPORT_FORMATS) {
  test(`round trip VOC → ${format} → VOC on voc-parser-fixtures (CVAT sample100, X-AnyLabeling, Roboflow, Datumaro)`, async () => {
    const projects = [{ name: 'cvat-sample100', dir: await cvatSample(true) }, ...fixtureProjects()];
    for (const { name, dir } of projects) {
      const src = await openDatasetProject(dir, { watch: false, recursive: true });
      await src.ready();
      const before = await boxesByName(src);
      assert.ok(before.size > 0, `${name}: fixture has labeled images`);
      const out = join(tempDir(), format);
      const report = await exportDataset(src, format, out);
      assert.deepEqual(report.skipped, [], `${name}: nothing skipped on export`);
      const classes = src.summary().classes;
      await src.close();
      const dest = await open(tempDir());
      const back = await importDataset(dest, format, out);
      assert.deepEqual(back.skipped.filter((s) => s.severity === 'error'), [], `${name}: no errors on import`);
      assert.equal(back.images, before.size, `${name}: every labeled image imported`);
      assert.deepEqual(back.classes, classes, `${name}: same classes in the same order`);
      assertSameBoxes(await boxesByName(dest), before, `${name} via ${format}`);
      await dest.close();
    }
  });
}

test('difficult survives VOC, COCO, LabelMe and CVAT round trips; splits survive every format that has them', async () => {
  const dir = await cvatSample(true);
  const src = await open(dir);
  // mark one box difficult and put three images in chosen splits
  const id = 'JPEGImages/2007_000027.jpg';
  const ann = await src.getAnnotation(id);
  await src.saveAnnotation(id, { verified: false, boxes: ann.boxes.map((b) => ({ ...b, difficult: true })) });
  await src.setSplit('JPEGImages/2007_000032.jpg', 'val');
  await src.setSplit('JPEGImages/2007_000033.jpg', 'test');
  const splitOf = (p: DatasetProject) => new Map(p.listImages({ limit: 5000 }).items.map((e) => [e.name, e.split]));
  const want = splitOf(src);
  for (const format of ['voc', 'coco', 'labelme', 'cvat', 'yolo', 'ultralytics'] as const) {
    const out = join(tempDir(), format);
    await exportDataset(src, format, out);
    const dest = await open(tempDir());
    await importDataset(dest, format, out);
    const got = await dest.getAnnotation('images/2007_000027.jpg');
    if (format !== 'yolo' && format !== 'ultralytics') assert.ok(got.boxes.every((b) => b.difficult), `${format}: difficult kept`);
    if (format !== 'labelme') assert.deepEqual(splitOf(dest), want, `${format}: every image keeps its split`);
    await dest.close();
  }
  await src.close();
});

test('labels-only COCO (one instances_default.json made elsewhere) into a project that holds the photos in images/ gives the VOC boxes', async () => {
  const project = await cvatSample(false);
  const want = sampleOriginals();
  // a COCO file as CVAT writes it: one file, file_name = bare name, categories from 1, float bboxes
  const classes = [...new Set([...want.values()].flat().map((b) => b.label))];
  const images: unknown[] = [];
  const annotations: unknown[] = [];
  [...want.entries()].forEach(([name, boxes], i) => {
    const ann = parseVocXml(readFileSync(join(fixtures, 'cvat-voc-export-voc2012-sample100/Annotations', name.replace('.jpg', '.xml')), 'utf8'));
    images.push({ id: i + 1, file_name: name, width: ann.size!.width, height: ann.size!.height });
    for (const b of boxes) annotations.push({ id: annotations.length + 1, image_id: i + 1, category_id: classes.indexOf(b.label) + 1, bbox: [b.xmin, b.ymin, b.xmax - b.xmin, b.ymax - b.ymin], area: 1, iscrowd: 0, segmentation: [] });
  });
  const elsewhere = tempDir();
  mkdirSync(join(elsewhere, 'annotations'));
  const file = join(elsewhere, 'annotations/instances_default.json');
  writeFileSync(file, JSON.stringify({ licenses: [], info: {}, categories: classes.map((name, i) => ({ id: i + 1, name, supercategory: '' })), images, annotations }));

  const p = await open(project);
  const r = await importDataset(p, 'coco', file);
  assert.deepEqual(r.skipped, []);
  assert.equal(r.images, 100);
  assert.equal(r.matched, 100);
  assert.equal(r.boxes, 273);
  assert.deepEqual(r.classes, classes);
  assert.equal(readdirSync(join(project, 'images')).filter((n) => n.endsWith('.jpg')).length, 100, 'no image copied');
  assertSameBoxes(await boxesByName(p), want, 'labels-only COCO');
  await p.close();
});

test('labels-only CVAT "YOLO 1.1" (obj.names, obj.data, train.txt, obj_train_data/*.txt) gives the VOC boxes', async () => {
  const project = await cvatSample(false);
  const want = sampleOriginals();
  const classes = [...new Set([...want.values()].flat().map((b) => b.label))];
  const x = tempDir();
  mkdirSync(join(x, 'obj_train_data'));
  writeFileSync(join(x, 'obj.names'), classes.join('\n') + '\n');
  writeFileSync(join(x, 'obj.data'), `classes = ${classes.length}\ntrain = data/train.txt\nnames = data/obj.names\nbackup = backup/\n`);
  writeFileSync(join(x, 'train.txt'), [...want.keys()].map((n) => `data/obj_train_data/${n}\n`).join(''));
  for (const [name, boxes] of want) {
    const ann = parseVocXml(readFileSync(join(fixtures, 'cvat-voc-export-voc2012-sample100/Annotations', name.replace('.jpg', '.xml')), 'utf8'));
    const { width: w, height: h } = ann.size!;
    const lines = boxes.map((b) => `${classes.indexOf(b.label)} ${((b.xmin + b.xmax) / 2 / w).toFixed(6)} ${((b.ymin + b.ymax) / 2 / h).toFixed(6)} ${((b.xmax - b.xmin) / w).toFixed(6)} ${((b.ymax - b.ymin) / h).toFixed(6)}`);
    writeFileSync(join(x, 'obj_train_data', name.replace('.jpg', '.txt')), lines.join('\n') + '\n');
  }
  const p = await open(project);
  const splitsBefore = p.listImages({ limit: 500 }).items.map((e) => e.split);
  const r = await importDataset(p, 'yolo', x);
  assert.deepEqual(r.skipped, []);
  assert.equal(r.images, 100);
  assert.equal(r.matched, 100);
  assert.deepEqual(r.classes, classes);
  assertSameBoxes(await boxesByName(p), want, 'labels-only CVAT YOLO 1.1');
  assert.deepEqual(p.listImages({ limit: 500 }).items.map((e) => e.split), splitsBefore, 'a lone train.txt leaves the project split alone');
  // a label whose photo is not in the project is listed, not dropped silently
  writeFileSync(join(x, 'obj_train_data/missing_photo.txt'), '0 0.5 0.5 0.2 0.2\n');
  const again = await importDataset(p, 'yolo', join(x, 'obj.data')); // a file names its folder
  assert.equal(again.images, 0);
  assert.ok(again.skipped.some((s) => s.file === 'obj_train_data/missing_photo.txt' && /neither with the labels nor in the project/.test(s.reason)), JSON.stringify(again.skipped.slice(-2)));
  assert.equal(again.skipped.filter((s) => /already labeled/.test(s.reason)).length, 100, 'nothing existing is overwritten');
  await p.close();
});

test('VOC ImageSets/Main split files become the project split (Datumaro voc_dataset1: train.txt, test.txt, per-class lists ignored)', async () => {
  const dest = await open(tempDir());
  const r = await importDataset(dest, 'voc', join(fixtures, 'datumaro-voc/voc_dataset1'));
  assert.equal(r.images, 1);
  assert.equal(dest.getImage('images/2007_000001.jpg').split, 'train');
  assert.equal(dest.getConfig().split.overrides['images/2007_000001.jpg'], 'train');
  await dest.close();
  // sample100 with split files written here: every image follows them
  const dir = await cvatSample(true);
  const names = readdirSync(join(dir, 'Annotations')).map((f) => f.replace('.xml', ''));
  mkdirSync(join(dir, 'ImageSets/Main'), { recursive: true });
  writeFileSync(join(dir, 'ImageSets/Main/train.txt'), names.slice(0, 60).join('\n') + '\n\n# comment\n');
  writeFileSync(join(dir, 'ImageSets/Main/val.txt'), names.slice(60, 90).join('\n') + '\n');
  writeFileSync(join(dir, 'ImageSets/Main/test.txt'), names.slice(90).join('\n') + '\n');
  writeFileSync(join(dir, 'ImageSets/Main/person_train.txt'), names.map((n) => `${n} -1`).join('\n') + '\n');
  const p = await open(tempDir());
  await importDataset(p, 'voc', dir);
  const split = new Map(p.listImages({ limit: 500 }).items.map((e) => [e.name.replace('.jpg', ''), e.split]));
  names.forEach((n, i) => assert.equal(split.get(n), i < 60 ? 'train' : i < 90 ? 'val' : 'test', n));
  await p.close();
});

test('labels-only CVAT "PASCAL VOC 1.1" export (Annotations/ + labelmap.txt, no images) into a project holding the photos gives the same boxes, classes in labelmap order', async () => {
  const project = await cvatSample(false);
  const fixture = join(fixtures, 'cvat-voc-export-voc2012-sample100');
  const p = await open(project);
  const r = await importDataset(p, 'voc', fixture);
  assert.deepEqual(r.skipped, []);
  assert.equal(r.images, 100);
  assert.equal(r.matched, 100);
  const labelmap = readFileSync(join(fixture, 'labelmap.txt'), 'utf8').split('\n').filter((l) => l && !l.startsWith('#')).map((l) => l.split(':')[0]);
  assert.deepEqual(r.classes, labelmap.filter((n) => n !== 'background'));
  assertSameBoxes(await boxesByName(p), sampleOriginals(), 'labels-only CVAT VOC');
  await p.close();
});

test('Label Studio JSON and Open Images CSV made from the CVAT sample100 boxes import (labels only) to the same boxes', async () => {
  const want = sampleOriginals();
  const sizes = new Map([...want.keys()].map((name) => {
    const ann = parseVocXml(readFileSync(join(fixtures, 'cvat-voc-export-voc2012-sample100/Annotations', name.replace('.jpg', '.xml')), 'utf8'));
    return [name, ann.size!] as const;
  }));
  // Label Studio: percent of the original size, uploads named <8 hex>-<name>
  const ls = [...want.entries()].map(([name, boxes], i) => {
    const { width: w, height: h } = sizes.get(name)!;
    return {
      id: i + 1, data: { image: `/data/upload/1/${(0x1000000 + i).toString(16).padStart(8, '0')}-${name}` },
      annotations: [{ id: i + 1, was_cancelled: false, result: boxes.map((b, k) => ({
        id: `b${k}`, type: 'rectanglelabels', from_name: 'label', to_name: 'image', original_width: w, original_height: h,
        value: { x: (b.xmin / w) * 100, y: (b.ymin / h) * 100, width: ((b.xmax - b.xmin) / w) * 100, height: ((b.ymax - b.ymin) / h) * 100, rotation: 0, rectanglelabels: [b.label] },
      })) }],
    };
  });
  const lsFile = join(tempDir(), 'export.json');
  writeFileSync(lsFile, JSON.stringify(ls));
  const p1 = await open(await cvatSample(false));
  const r1 = await importDataset(p1, 'labelstudio', lsFile);
  assert.deepEqual(r1.skipped, []);
  assert.equal(r1.matched, 100);
  assertSameBoxes(await boxesByName(p1), want, 'Label Studio');
  await p1.close();

  // Open Images: ImageID = stem, MIDs described in class-descriptions-boxable.csv
  const classes = [...new Set([...want.values()].flat().map((b) => b.label))];
  const mid = (c: string) => `/m/0${classes.indexOf(c).toString(36)}x`;
  const oi = tempDir();
  writeFileSync(join(oi, 'class-descriptions-boxable.csv'), classes.map((c) => `${mid(c)},${c}\n`).join(''));
  const rows = ['ImageID,Source,LabelName,Confidence,XMin,XMax,YMin,YMax,IsOccluded,IsTruncated,IsGroupOf,IsDepiction,IsInside'];
  for (const [name, boxes] of want) {
    const { width: w, height: h } = sizes.get(name)!;
    for (const b of boxes) rows.push([name.replace('.jpg', ''), 'xclick', mid(b.label), 1, b.xmin / w, b.xmax / w, b.ymin / h, b.ymax / h, 0, 0, 0, 0, 0].join(','));
  }
  writeFileSync(join(oi, 'train-annotations-bbox.csv'), rows.join('\n') + '\n');
  const p2 = await open(await cvatSample(false));
  const r2 = await importDataset(p2, 'openimages', oi);
  assert.deepEqual(r2.skipped, []);
  assert.equal(r2.matched, 100);
  assert.deepEqual(r2.classes, classes);
  assertSameBoxes(await boxesByName(p2), want, 'Open Images');
  await p2.close();
});
