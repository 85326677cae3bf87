/**
 * Imports of files written the way LabelMe, X-AnyLabeling, CVAT, Label Studio and Open Images write
 * them (shapes that are not boxes, rotated boxes, upload-prefixed names, CSV quoting), labels-only
 * matching to the project's photos, bad input reported with the file's name, and the CLI.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnSync } from 'node:child_process';
import sharp from 'sharp';
import { openDatasetProject, type DatasetProject } from '../../main/dataset/project';
import { importDataset } from '../../main/dataset/exchange';
import { tempFolders } from '../helpers/temp-folders';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const temps = tempFolders();
const tempDir = () => { const d = mkdtempSync(join(tmpdir(), 'detecta-ext-')); temps.push(d); return d; };

async function photo(file: string, width = 200, height = 100): Promise<void> {
  mkdirSync(join(file, '..'), { recursive: true });
  await sharp({ create: { width, height, channels: 3, background: { r: 200, g: 80, b: 40 } } }).toFile(file);
}

async function projectWith(...names: string[]): Promise<{ dir: string; p: DatasetProject }> {
  const dir = tempDir();
  for (const n of names) await photo(join(dir, 'images', n));
  const p = await openDatasetProject(dir, { watch: false });
  await p.ready();
  return { dir, p };
}

const boxes = async (p: DatasetProject, id: string) => (await p.getAnnotation(id)).boxes.map((b) => [b.label, b.xmin, b.ymin, b.xmax, b.ymax, b.difficult]);
const annotationFiles = (dir: string) => readdirSync(join(dir, 'images')).filter((n) => n.endsWith('.xml'));
const json = (file: string, v: unknown) => { mkdirSync(join(file, '..'), { recursive: true }); writeFileSync(file, JSON.stringify(v, null, 1)); };

test('LabelMe and X-AnyLabeling JSON: rectangles, polygons as bounding boxes (counted), points left out, labels-only by imagePath', async () => {
  const src = tempDir();
  await photo(join(src, 'a.jpg'));
  json(join(src, 'a.json'), {
    version: '5.4.1', flags: {}, imagePath: 'a.jpg', imageData: null, imageWidth: 200, imageHeight: 100,
    shapes: [
      { label: 'cat', points: [[120, 80], [20, 10]], group_id: null, shape_type: 'rectangle', flags: {} }, // dragged up-left
      { label: 'dog', points: [[10, 10], [50, 5], [60, 40], [15, 45]], shape_type: 'polygon', flags: {} },
      { label: 'dog', points: [[5, 5]], shape_type: 'point', flags: {} },
      { label: 'dog', points: [[100, 50], [110, 50]], shape_type: 'circle', flags: {} },
    ],
  });
  await photo(join(src, 'b.png'));
  json(join(src, 'b.json'), {
    version: '2.4.4', flags: {}, imagePath: 'b.png', imageData: null, imageWidth: 200, imageHeight: 100,
    shapes: [
      { label: 'car', points: [[30, 20], [90, 20], [90, 70], [30, 70]], shape_type: 'rectangle', difficult: true, group_id: null, description: '', attributes: {}, kie_linking: [] },
      { label: 'car', points: [[100, 40], [140, 20], [160, 60], [120, 80]], shape_type: 'rotation', direction: 0.46, difficult: false },
      { label: 'car', points: [[0, 0], [10, 10]], shape_type: 'line' },
    ],
  });
  // labels-only: the photo is already in the project, the JSON points at it from another folder
  json(join(src, 'labels/c.json'), { version: '5.0.1', flags: {}, imagePath: '..\\photos\\c.jpg', imageData: null, imageWidth: 200, imageHeight: 100, shapes: [{ label: 'cat', points: [[1, 2], [30, 40]], shape_type: 'rectangle' }] });
  writeFileSync(join(src, 'broken.json'), '{"shapes": [');
  json(join(src, 'package.json'), { name: 'not labels' });

  const { dir, p } = await projectWith('c.jpg');
  const r = await importDataset(p, 'labelme', src);
  assert.equal(r.images, 3);
  assert.equal(r.matched, 1);
  assert.equal(r.boxes, 6);
  assert.deepEqual(r.classes, ['cat', 'dog', 'car']);
  assert.deepEqual(await boxes(p, 'images/a.jpg'), [['cat', 20, 10, 120, 80, false], ['dog', 10, 5, 60, 45, false], ['dog', 90, 40, 110, 60, false]]);
  assert.deepEqual(await boxes(p, 'images/b.png'), [['car', 30, 20, 90, 70, true], ['car', 100, 20, 160, 80, false]]);
  assert.deepEqual(await boxes(p, 'images/c.jpg'), [['cat', 1, 2, 30, 40, false]]);
  const reasons = r.skipped.map((s) => `${s.severity} ${s.file}: ${s.reason}`);
  assert.ok(reasons.includes('warning a.json: 2 polygon/rotated/circle shape(s) imported as their bounding boxes'), reasons.join('\n'));
  assert.ok(reasons.includes('warning a.json: 1 point shape(s) left out (not a box)'));
  assert.ok(reasons.includes('warning b.json: 1 polygon/rotated/circle shape(s) imported as their bounding boxes'));
  assert.ok(reasons.includes('warning b.json: 1 line shape(s) left out (not a box)'));
  assert.ok(reasons.some((x) => /^error broken\.json: not valid JSON/.test(x)), 'a corrupt file is named');
  assert.equal(reasons.length, 5, reasons.join('\n'));
  assert.deepEqual(annotationFiles(dir).sort(), ['a.xml', 'b.xml', 'c.xml']);
  await p.close();
});

test('CVAT for images 1.1 XML: meta label order, rotated boxes and polygons bounded, other shapes listed, subsets become splits, labels only', async () => {
  const src = tempDir();
  writeFileSync(join(src, 'annotations.xml'), `<?xml version="1.0" encoding="utf-8"?>
<annotations>
  <version>1.1</version>
  <meta>
    <project><id>4</id><name>street &amp; park</name>
      <labels>
        <label><name>car</name><color>#fa3253</color><type>rectangle</type><attributes><attribute><name>difficult</name><input_type>checkbox</input_type></attribute></attributes></label>
        <label><name>person</name><type>any</type><attributes></attributes></label>
        <label><name>dog &lt;small&gt;</name><type>polygon</type><attributes></attributes></label>
      </labels>
    </project>
  </meta>
  <image id="0" name="street/one.jpg" subset="Train" task_id="7" width="200" height="100">
    <box label="car" source="manual" occluded="0" xtl="10.50" ytl="20.00" xbr="60.25" ybr="70.00" z_order="0">
      <attribute name="difficult">true</attribute>
    </box>
    <box label="person" source="manual" occluded="1" xtl="40.00" ytl="45.00" xbr="60.00" ybr="55.00" rotation="90.0" z_order="0"></box>
    <polygon label="dog &lt;small&gt;" source="manual" occluded="0" points="100.0,10.0;150.5,30.0;120.0,60.0" z_order="0"></polygon>
    <polyline label="person" source="manual" occluded="0" points="1.0,1.0;5.0,5.0" z_order="0"></polyline>
    <tag label="car" source="manual"></tag>
  </image>
  <image id="1" name="two.jpg" subset="Validation" task_id="7" width="200" height="100">
  </image>
  <image id="2" name="three.jpg" subset="Train" task_id="7" width="400" height="200">
    <box label="car" source="manual" occluded="0" xtl="20" ytl="20" xbr="100" ybr="60" z_order="0"></box>
  </image>
  <image id="3" name="nowhere.jpg" subset="Train" width="200" height="100"><box label="car" xtl="1" ytl="1" xbr="9" ybr="9"/></image>
  <track id="0" label="car" source="manual"><box frame="0" outside="0" occluded="0" keyframe="1" xtl="1" ytl="1" xbr="5" ybr="5" z_order="0"/></track>
</annotations>
`);
  const { dir, p } = await projectWith('one.jpg', 'two.jpg', 'three.jpg');
  const r = await importDataset(p, 'cvat', join(src, 'annotations.xml'));
  assert.deepEqual(r.classes, ['car', 'person', 'dog <small>']);
  assert.equal(r.images, 3, JSON.stringify(r.skipped));
  assert.equal(r.matched, 3);
  assert.deepEqual(await boxes(p, 'images/one.jpg'), [['car', 11, 20, 60, 70, true], ['person', 45, 40, 55, 60, false], ['dog <small>', 100, 10, 151, 60, false]]);
  assert.deepEqual(await boxes(p, 'images/two.jpg'), [], 'an image CVAT lists without shapes is a labeled negative');
  assert.ok(existsSync(join(dir, 'images/two.xml')));
  // three.jpg was labeled on a 400x200 copy: scaled to the project's 200x100 photo, and said so
  assert.deepEqual(await boxes(p, 'images/three.jpg'), [['car', 10, 10, 50, 30, false]]);
  assert.equal(p.getImage('images/one.jpg').split, 'train');
  assert.equal(p.getImage('images/two.jpg').split, 'val');
  const reasons = r.skipped.map((s) => `${s.severity}: ${s.reason}`);
  for (const want of [
    'warning: 1 track(s) (video annotation) left out: export the task as "CVAT for images"',
    'warning: street/one.jpg: 2 rotated box/polygon/ellipse/mask shape(s) imported as their bounding boxes',
    'warning: street/one.jpg: 1 polyline shape(s) left out (not a box)',
    'warning: street/one.jpg: 1 tag shape(s) left out (not a box)',
    'warning: images/three.jpg: the labels were made on a 400x200 copy; boxes scaled to 200x100',
    'error: image nowhere.jpg is neither with the labels nor in the project (matched by file name)',
  ]) assert.ok(reasons.includes(want), `${want}\n-- got --\n${reasons.join('\n')}`);
  assert.equal(reasons.length, 6);

  // corrupt XML: named, nothing written
  writeFileSync(join(src, 'broken.xml'), '<annotations><image name="one.jpg"><box></image></annotations>');
  const { dir: d2, p: p2 } = await projectWith('one.jpg');
  const bad = await importDataset(p2, 'cvat', join(src, 'broken.xml'));
  assert.equal(bad.images, 0);
  assert.equal(bad.skipped.length, 1);
  assert.match(bad.skipped[0]!.reason, /cannot read CVAT XML: malformed XML at line 1/);
  assert.equal(bad.skipped[0]!.file, 'broken.xml');
  assert.deepEqual(annotationFiles(d2), []);
  await p2.close();
  await p.close();
});

test('Label Studio JSON and JSON-MIN exports: percent boxes on the real photo size, upload prefixes, cancelled and repeated annotations', async () => {
  const src = tempDir();
  const rect = (id: string, x: number, y: number, w: number, h: number, label: string, rotation = 0) => ({
    id, type: 'rectanglelabels', from_name: 'label', to_name: 'image', original_width: 200, original_height: 100, image_rotation: 0,
    value: { rotation, x, y, width: w, height: h, rectanglelabels: [label] },
  });
  json(join(src, 'project-3-at-2026-12-06.json'), [
    { id: 1, data: { image: '/data/upload/3/1a2b3c4d-cat.jpg' }, predictions: [], annotations: [
      { id: 10, was_cancelled: true, updated_at: '2026-12-06T10:00:00Z', result: [rect('x', 0, 0, 50, 50, 'cat')] },
      { id: 11, was_cancelled: false, updated_at: '2026-12-06T11:00:00Z', result: [
        rect('r1', 10, 20, 30, 40, 'cat'),
        rect('r2', 50, 50, 10, 20, 'bird', 90),
        { id: 'c1', type: 'choices', from_name: 'quality', to_name: 'image', value: { choices: ['good'] } },
      ] },
    ] },
    { id: 2, data: { image: '/data/local-files/?d=photos%2Fdog%20park.jpg' }, annotations: [
      { id: 20, updated_at: '2026-12-06T09:00:00Z', result: [rect('d1', 0, 0, 10, 10, 'dog')] },
      { id: 21, updated_at: '2026-12-06T12:00:00Z', result: [
        rect('d2', 25, 25, 50, 50, 'dog'),
        { id: 'p1', type: 'polygonlabels', original_width: 200, original_height: 100, value: { points: [[10, 10], [20, 80], [5, 50]], polygonlabels: ['dog'] } },
      ] },
    ] },
    { id: 3, data: { image: '/data/upload/3/99999999-unlabeled.jpg' }, annotations: [] },
  ]);
  const { p } = await projectWith('cat.jpg', 'dog park.jpg', 'unlabeled.jpg');
  const r = await importDataset(p, 'labelstudio', src);
  assert.equal(r.images, 2, JSON.stringify(r.skipped));
  assert.equal(r.matched, 2);
  assert.deepEqual(r.classes, ['cat', 'bird', 'dog']);
  // rotated 90° clockwise around its top-left corner (100, 50): 20x20 px square → x 80..100, y 50..70
  assert.deepEqual(await boxes(p, 'images/cat.jpg'), [['cat', 20, 20, 80, 60, false], ['bird', 80, 50, 100, 70, false]]);
  assert.deepEqual(await boxes(p, 'images/dog park.jpg'), [['dog', 50, 25, 150, 75, false], ['dog', 10, 10, 40, 80, false]]);
  assert.equal(p.getImage('images/unlabeled.jpg').status, 'unlabeled');
  const reasons = r.skipped.map((s) => s.reason);
  for (const want of ['task 1: 1 cancelled annotation(s) skipped', 'task 2: 2 annotations; the most recently updated one was used', 'cat.jpg: 1 choices result(s) left out (not a box)', 'cat.jpg: 1 rotated rectangle/polygon(s) imported as their bounding boxes']) {
    assert.ok(reasons.includes(want), `${want}\n-- got --\n${reasons.join('\n')}`);
  }
  await p.close();

  // JSON-MIN: one record per task, the control's name as key
  const min = join(tempDir(), 'min.json');
  json(min, [{ image: '/data/upload/3/1a2b3c4d-cat.jpg', id: 1, label: [{ x: 10, y: 20, width: 30, height: 40, rotation: 0, rectanglelabels: ['cat'], original_width: 200, original_height: 100 }], annotator: 1 }]);
  const { p: p2 } = await projectWith('cat.jpg');
  const r2 = await importDataset(p2, 'labelstudio', min);
  assert.equal(r2.images, 1, JSON.stringify(r2.skipped));
  assert.deepEqual(await boxes(p2, 'images/cat.jpg'), [['cat', 20, 20, 80, 60, false]]);
  await p2.close();
});

test('Open Images CSV: class descriptions (no header, quoted commas), images under images/validation or matched by ImageID, unknown classes named', async () => {
  const src = tempDir();
  mkdirSync(join(src, 'annotations'));
  writeFileSync(join(src, 'annotations/class-descriptions-boxable.csv'), '/m/011k07,"Tortoise, land"\r\n/m/0199g,Bicycle\r\n');
  writeFileSync(join(src, 'annotations/validation-annotations-bbox.csv'), [
    'ImageID,Source,LabelName,Confidence,XMin,XMax,YMin,YMax,IsOccluded,IsTruncated,IsGroupOf,IsDepiction,IsInside',
    '0a1b2c3d4e5f6789,xclick,/m/011k07,1,0.1,0.5,0.2,0.8,0,1,0,0,0',
    '0a1b2c3d4e5f6789,xclick,/m/0199g,1,0.5,1,0,0.5,0,0,0,0,0',
    'ffee000011112222,xclick,/m/0199g,1,0.25,0.75,0.25,0.75,0,0,0,0,0',
    'ffee000011112222,xclick,/m/0xxxxx,1,0,0.1,0,0.1,0,0,0,0,0',
    '',
  ].join('\n'));
  await photo(join(src, 'images/validation/0a1b2c3d4e5f6789.jpg'));
  const { p } = await projectWith('ffee000011112222.jpg');
  const r = await importDataset(p, 'openimages', src);
  assert.equal(r.images, 2, JSON.stringify(r.skipped));
  assert.equal(r.matched, 1);
  assert.deepEqual(r.classes, ['Tortoise, land', 'Bicycle']);
  const one = (await p.getAnnotation('images/0a1b2c3d4e5f6789.jpg')).boxes;
  assert.deepEqual(one.map((b) => [b.label, b.xmin, b.ymin, b.xmax, b.ymax, b.truncated]), [['Tortoise, land', 20, 20, 100, 80, true], ['Bicycle', 100, 0, 200, 50, false]]);
  assert.deepEqual(await boxes(p, 'images/ffee000011112222.jpg'), [['Bicycle', 50, 25, 150, 75, false]]);
  assert.deepEqual(r.skipped.map((s) => [s.file, s.reason]), [['annotations/validation-annotations-bbox.csv', 'class /m/0xxxxx is not in the class-descriptions CSV; 1 box(es) left out']]);
  await p.close();
});

test('detecta dataset convert: --from coco FILE matches the project photos, --to cvat, import-only formats refused for --to', async () => {
  const cli = (...args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', 'main/cli/detecta.ts', 'dataset', ...args], { cwd: repoRoot, encoding: 'utf8' });
  const dir = tempDir();
  await photo(join(dir, 'images/cat.jpg'));
  const coco = join(tempDir(), 'instances_default.json');
  json(coco, { images: [{ id: 1, file_name: 'cat.jpg', width: 200, height: 100 }], annotations: [{ id: 1, image_id: 1, category_id: 1, bbox: [10, 10, 50, 30] }], categories: [{ id: 1, name: 'cat' }] });
  const imp = cli('convert', '--project', dir, '--from', 'coco', '--in', coco);
  assert.equal(imp.status, 0, imp.stderr);
  assert.match(imp.stdout, /imported 1 images \(1 matched to the project's images by file name\), 1 boxes, 1 classes \(coco\)/);
  assert.ok(existsSync(join(dir, 'images/cat.xml')));
  const out = join(tempDir(), 'cvat');
  const exp = cli('convert', '--project', dir, '--to', 'cvat', '--out', out, '--json');
  assert.equal(exp.status, 0, exp.stderr);
  assert.equal(JSON.parse(exp.stdout).boxes, 1);
  assert.match(readFileSync(join(out, 'annotations.xml'), 'utf8'), /<box label="cat" source="manual" occluded="0" xtl="10.00" ytl="10.00" xbr="60.00" ybr="40.00"/);
  const refused = cli('convert', '--project', dir, '--to', 'labelstudio', '--out', out);
  assert.equal(refused.status, 2);
  assert.match(refused.stderr, /cannot export to "labelstudio"/);
});

test('LabelMe JSON with the photo only embedded (imageData): the photo is written into the project (atomically, no temp file left)', async () => {
  const png = await sharp({ create: { width: 64, height: 48, channels: 3, background: { r: 1, g: 2, b: 3 } } }).png().toBuffer();
  const src = tempDir();
  json(join(src, 'e.json'), { version: '5.4.1', flags: {}, imagePath: 'e.png', imageData: png.toString('base64'), imageWidth: 64, imageHeight: 48, shapes: [{ label: 'cat', points: [[4, 4], [40, 30]], shape_type: 'rectangle' }] });
  const { dir, p } = await projectWith();
  const r = await importDataset(p, 'labelme', src);
  assert.deepEqual(r.skipped, []);
  assert.equal(r.images, 1);
  assert.deepEqual(readFileSync(join(dir, 'images/e.png')), png);
  assert.deepEqual(await boxes(p, 'images/e.png'), [['cat', 4, 4, 40, 30, false]]);
  assert.deepEqual(readdirSync(join(dir, 'images')).filter((n) => n.startsWith('.')), [], 'no temp file left');
  await p.close();
});

test('bad COCO input is named with the file and the field, an ambiguous name is not guessed, and nothing is written', async () => {
  const src = tempDir();
  json(join(src, 'annotations/instances_default.json'), { images: [{ id: 1, file_name: 'x.jpg' }], annotations: [{ image_id: 1, category_id: 1, bbox: '10 10 5 5' }], categories: [{ id: 1, name: 'cat' }] });
  writeFileSync(join(src, 'annotations/instances_val.json'), '{"images": [}');
  const dir = tempDir();
  await photo(join(dir, 'a/x.jpg'));
  await photo(join(dir, 'b/x.jpg'));
  const p = await openDatasetProject(dir, { watch: false, recursive: true });
  await p.ready();
  const r = await importDataset(p, 'coco', src);
  assert.equal(r.images, 0);
  assert.deepEqual(r.skipped.map((s) => s.file), ['annotations/instances_default.json', 'annotations/instances_val.json']);
  assert.match(r.skipped[0]!.reason, /^not a COCO detection file: annotations\.0\.bbox: /);
  assert.match(r.skipped[1]!.reason, /^not valid JSON: /);
  json(join(src, 'annotations/instances_default.json'), { images: [{ id: 1, file_name: 'x.jpg' }], annotations: [{ image_id: 1, category_id: 1, bbox: [1, 1, 5, 5] }], categories: [{ id: 1, name: 'cat' }] });
  const r2 = await importDataset(p, 'coco', join(src, 'annotations/instances_default.json'));
  assert.equal(r2.images, 0);
  assert.deepEqual(r2.skipped.map((s) => s.reason), ['x.jpg matches 2 project images (a/x.jpg, b/x.jpg); not guessed']);
  assert.deepEqual(p.listImages({ limit: 10 }).items.map((e) => e.status), ['unlabeled', 'unlabeled']);
  assert.equal(existsSync(join(dir, 'a/x.xml')) || existsSync(join(dir, 'b/x.xml')), false);
  await p.close();
});

test('Roboflow downloads: YOLOv8 (train/valid folders, data.yaml, README) and COCO (_annotations.coco.json per split) keep their splits', async () => {
  const y = tempDir();
  await photo(join(y, 'train/images/a.jpg'));
  await photo(join(y, 'valid/images/b.jpg'));
  mkdirSync(join(y, 'train/labels'), { recursive: true });
  mkdirSync(join(y, 'valid/labels'), { recursive: true });
  writeFileSync(join(y, 'train/labels/a.txt'), '0 0.5 0.5 0.5 0.5\n');
  writeFileSync(join(y, 'valid/labels/b.txt'), '1 0.25 0.25 0.1 0.2\n');
  writeFileSync(join(y, 'data.yaml'), "train: ../train/images\nval: ../valid/images\n\nnc: 2\nnames: ['cat', 'dog']\n\nroboflow:\n  workspace: me\n  version: 3\n");
  writeFileSync(join(y, 'README.roboflow.txt'), 'Exported via roboflow.com\n');
  const { p } = await projectWith();
  const r = await importDataset(p, 'ultralytics', y);
  assert.deepEqual(r.skipped, []);
  assert.deepEqual(await boxes(p, 'images/a.jpg'), [['cat', 50, 25, 150, 75, false]]);
  assert.deepEqual(await boxes(p, 'images/b.jpg'), [['dog', 40, 15, 60, 35, false]]);
  assert.deepEqual([p.getImage('images/a.jpg').split, p.getImage('images/b.jpg').split], ['train', 'val']);
  await p.close();

  const c = tempDir();
  await photo(join(c, 'train/a.jpg'));
  await photo(join(c, 'test/b.jpg'));
  const coco = (file: string) => ({ images: [{ id: 0, file_name: file, width: 200, height: 100 }], annotations: [{ id: 0, image_id: 0, category_id: 1, bbox: [10, 10, 20, 20], area: 400, iscrowd: 0 }], categories: [{ id: 0, name: 'animals', supercategory: 'none' }, { id: 1, name: 'cat', supercategory: 'animals' }] });
  json(join(c, 'train/_annotations.coco.json'), coco('a.jpg'));
  json(join(c, 'test/_annotations.coco.json'), coco('b.jpg'));
  const { p: p2 } = await projectWith();
  const r2 = await importDataset(p2, 'coco', c);
  assert.equal(r2.images, 2);
  assert.deepEqual(r2.classes, ['cat'], "Roboflow's category 0 (the dataset's name) is not a class");
  assert.deepEqual(r2.skipped.map((s) => `${s.file}: ${s.reason}`), ['test/_annotations.coco.json', 'train/_annotations.coco.json'].map((f) => `${f}: category "animals" is only the supercategory of others and has no boxes; not made a class`));
  assert.deepEqual([p2.getImage('images/a.jpg').split, p2.getImage('images/b.jpg').split], ['train', 'test']);
  await p2.close();
});

test('the wrong format for a folder says so instead of importing nothing silently', async () => {
  const src = tempDir();
  await photo(join(src, 'a.jpg'));
  json(join(src, 'notes.json'), { hello: 'world' });
  const { p } = await projectWith();
  for (const format of ['labelme', 'labelstudio', 'createml', 'coco', 'yolo', 'cvat', 'openimages', 'voc'] as const) {
    const r = await importDataset(p, format, src);
    assert.equal(r.images, 0, format);
    assert.equal(r.skipped.length, 1, `${format}: ${JSON.stringify(r.skipped)}`);
    assert.equal(r.skipped[0]!.severity, 'error');
    assert.match(r.skipped[0]!.reason, /^no .* found$/, format);
  }
  await p.close();
});
