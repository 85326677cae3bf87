import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { writeSampleProject } from '../../main/sample/write-sample-project';
import { parseVocXml } from '../../shared/voc';
import { drawScene } from '../../shared/synthetic/scene';
import { repoRoot } from '../helpers/serve';

test('the sample project is JPEG photos with LabelImg-style VOC XML that match the drawn boxes', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'detecta-sample-'));
  try {
    const target = join(dir, 'bricks');
    const result = await writeSampleProject(target, { images: 4, seed: 5 });
    assert.equal(result.images, 4);
    assert.deepEqual(readdirSync(target).sort(), ['bricks_0001.jpg', 'bricks_0001.xml', 'bricks_0002.jpg', 'bricks_0002.xml', 'bricks_0003.jpg', 'bricks_0003.xml', 'bricks_0004.jpg', 'bricks_0004.xml']);
    let boxes = 0;
    for (let i = 0; i < 4; i++) {
      const stem = `bricks_000${i + 1}`;
      const meta = await sharp(join(target, `${stem}.jpg`)).metadata();
      assert.deepEqual([meta.format, meta.width, meta.height], ['jpeg', 320, 240]);
      const ann = parseVocXml(readFileSync(join(target, `${stem}.xml`), 'utf8'), `${stem}.xml`);
      assert.equal(ann.filename, `${stem}.jpg`);
      assert.deepEqual(ann.size, { width: 320, height: 240, depth: 3 });
      const scene = drawScene(5 * 100_003 + i);
      assert.deepEqual(
        ann.objects.map((o) => [o.name, o.bndbox.xmin, o.bndbox.ymin, o.bndbox.xmax, o.bndbox.ymax]),
        scene.boxes.map((b) => [b.className, b.x1, b.y1, b.x2, b.y2]),
      );
      boxes += ann.objects.length;
    }
    assert.equal(result.boxes, boxes);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the sample is never written into a folder that holds files', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'detecta-sample-'));
  try {
    writeFileSync(join(dir, 'mine.jpg'), 'precious');
    await assert.rejects(writeSampleProject(dir, { images: 2, seed: 1 }), /not empty/);
    assert.deepEqual(readdirSync(dir), ['mine.jpg']);
    assert.equal(readFileSync(join(dir, 'mine.jpg'), 'utf8'), 'precious');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('detecta sample writes the project from the command line and rejects bad arguments', () => {
  const dir = mkdtempSync(join(tmpdir(), 'detecta-sample-'));
  try {
    const cli = (args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', 'main/cli/detecta.ts', 'sample', ...args], { cwd: repoRoot, encoding: 'utf8' });
    const ok = cli(['--out', join(dir, 's'), '--images', '3', '--width', '96', '--height', '64']);
    assert.equal(ok.status, 0, ok.stderr);
    assert.match(ok.stdout, /wrote 3 images with \d+ boxes/);
    assert.equal(readdirSync(join(dir, 's')).filter((f) => f.endsWith('.xml')).length, 3);
    const bad = cli(['--out', join(dir, 't'), '--images', 'many']);
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /--images must be an integer/);
    mkdirSync(join(dir, 'u'));
    writeFileSync(join(dir, 'u', 'x.txt'), 'x');
    const busy = cli(['--out', join(dir, 'u')]);
    assert.equal(busy.status, 1);
    assert.match(busy.stderr, /not empty/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
