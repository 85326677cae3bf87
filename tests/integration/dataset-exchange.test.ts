import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnSync } from 'node:child_process';
import { openDatasetProject, type DatasetProject } from '../../main/dataset/project';
import { exportDataset, importDataset } from '../../main/dataset/exchange';
import type { ExportFormat } from '../../shared/dataset/types';
import { copyWritable } from '../helpers/writable-copy';
import { tempFolders } from '../helpers/temp-folders';

const datasets = fileURLToPath(new URL('../../../shared/datasets/', import.meta.url));
const raccoonSrc = join(datasets, 'detection-voc/raccoon');
const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const temps = tempFolders();
const tempDir = () => { const d = mkdtempSync(join(tmpdir(), 'detecta-ex-')); temps.push(d); return d; };

async function open(dir: string): Promise<DatasetProject> {
  const p = await openDatasetProject(dir, { watch: false });
  await p.ready();
  return p;
}

/** Every box of every image, by image file name: "label x1 y1 x2 y2". */
async function boxesByName(p: DatasetProject): Promise<Map<string, { label: string; xmin: number; ymin: number; xmax: number; ymax: number }[]>> {
  const out = new Map();
  for await (const { entry } of p.annotations()) out.set(entry.name, (await p.getAnnotation(entry.id)).boxes);
  return out;
}

for (const format of ['yolo', 'ultralytics', 'coco', 'createml', 'voc', 'labelme', 'cvat'] as ExportFormat[]) {
  test(`raccoon VOC → ${format} → VOC keeps every box within 1 px`, async () => {
    const src = await open(raccoonSrc);
    const out = join(tempDir(), format);
    const report = await exportDataset(src, format, out);
    assert.equal(report.images, 200);
    assert.equal(report.boxes, 217);
    assert.deepEqual(report.skipped, []);
    const original = await boxesByName(src);
    await src.close();
    assert.equal(existsSync(join(raccoonSrc, '.detecta')), false, 'exporting writes nothing into the source project');

    const dest = tempDir();
    const p = await open(dest);
    const imported = await importDataset(p, format, out);
    assert.equal(imported.images, 200, JSON.stringify(imported.skipped.slice(0, 3)));
    assert.equal(imported.boxes, 217);
    assert.deepEqual(imported.classes, ['raccoon']);
    const back = await boxesByName(p);
    assert.equal(back.size, 200);
    for (const [name, boxes] of original) {
      const got = back.get(name);
      assert.ok(got, `${name} missing after import`);
      assert.equal(got.length, boxes.length, name);
      boxes.forEach((b, i) => {
        assert.equal(got[i]!.label, b.label);
        for (const k of ['xmin', 'ymin', 'xmax', 'ymax'] as const) assert.ok(Math.abs(got[i]![k] - b[k]) <= 1, `${name} box ${i} ${k}: ${b[k]} → ${got[i]![k]}`);
      });
    }
    // importing again overwrites nothing
    const again = await importDataset(p, format, out);
    assert.equal(again.images, 0);
    assert.ok(again.skipped.every((s) => /already labeled/.test(s.reason)));
    await p.close();
  });
}

test('export layouts: Darknet files, Ultralytics data.yaml, COCO categories from 1', async () => {
  const d = tempDir();
  copyWritable(join(raccoonSrc, 'images'), join(d, 'images'));
  copyWritable(join(raccoonSrc, 'annotations'), join(d, 'annotations'));
  const p = await open(d);
  await p.addClass('a "quoted": class');
  const y = join(d, '..', `${d.split('/').pop()}-yolo`); temps.push(y);
  await exportDataset(p, 'yolo', y, { copyImages: false });
  assert.equal(readFileSync(join(y, 'classes.txt'), 'utf8'), 'raccoon\na "quoted": class\n');
  assert.match(readFileSync(join(y, 'obj.data'), 'utf8'), /classes = 2/);
  assert.match(readFileSync(join(y, 'images/raccoon-1.txt'), 'utf8'), /^0 0\.\d{6} /);
  assert.equal(existsSync(join(y, 'images/raccoon-1.jpg')), false, '--no-images');
  const u = tempDir();
  await exportDataset(p, 'ultralytics', u);
  const yaml = readFileSync(join(u, 'data.yaml'), 'utf8');
  assert.match(yaml, /train: images\/train/);
  assert.match(yaml, /  1: "a \\"quoted\\": class"/);
  const c = tempDir();
  await exportDataset(p, 'coco', c);
  const coco = JSON.parse(readFileSync(join(c, 'annotations/instances_train.json'), 'utf8'));
  assert.deepEqual(coco.categories.map((x: { id: number }) => x.id), [1, 2]);
  assert.equal(coco.annotations[0].category_id, 1);
  await p.close();
});

test('detecta dataset CLI: stats --json, validate exit codes, convert, bad arguments', () => {
  const cli = (...args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', 'main/cli/detecta.ts', 'dataset', ...args], { cwd: repoRoot, encoding: 'utf8' });
  const stats = cli('stats', '--project', raccoonSrc, '--json');
  assert.equal(stats.status, 0, stats.stderr);
  const s = JSON.parse(stats.stdout);
  assert.equal(s.summary.images, 200);
  assert.equal(s.summary.verified, 199);
  assert.equal(s.classes[0].boxes, 217);

  assert.equal(cli('validate', '--project', raccoonSrc).status, 0);
  const d = tempDir();
  copyWritable(join(raccoonSrc, 'images'), join(d, 'images'));
  copyWritable(join(raccoonSrc, 'annotations'), join(d, 'annotations'));
  rmSync(join(d, 'annotations/raccoon-9.xml'));
  cpSync(join(raccoonSrc, 'SOURCE.md'), join(d, 'annotations/raccoon-9.xml'));
  const v = cli('validate', '--project', d, '--json');
  assert.equal(v.status, 1);
  const issues = JSON.parse(v.stdout).issues;
  assert.ok(issues.some((i: { file: string; reason: string }) => i.file === 'annotations/raccoon-9.xml' && /malformed XML|expected <annotation>/.test(i.reason)));

  const out = join(d, '..', `${d.split('/').pop()}-out`); temps.push(out);
  const conv = cli('convert', '--project', d, '--to', 'coco', '--out', out, '--json');
  assert.equal(conv.status, 1, 'the unreadable file is reported as skipped');
  assert.equal(JSON.parse(conv.stdout).images, 199);

  for (const args of [[], ['stats'], ['bogus', '--project', d], ['convert', '--project', d, '--to', 'pdf', '--out', out], ['stats', '--project', d, '--nope']]) {
    const r = cli(...args);
    assert.equal(r.status, 2, args.join(' '));
    assert.match(r.stderr, /detecta dataset: /);
  }
  assert.equal(cli('--help').status, 0);
  const missing = cli('stats', '--project', '/nonexistent/x');
  assert.equal(missing.status, 1);
  assert.match(missing.stderr, /\/nonexistent\/x: it does not exist/);
});
