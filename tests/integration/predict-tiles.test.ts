/**
 * Tiled detection (issue 21) through `detecta predict --tile`, spawned as a user would: a tiny
 * detector trained on the sample project's 64×64 scenes (one ball each, 35–50 % of the image)
 * is run on a 1024×768 photo (darknet's horses.jpg) with six such scenes pasted into it. One pass
 * at the model's 64 px input shrinks each ball to 2 px and finds none of them; 64 px tiles that
 * overlap by half find most of them. Both results are the one detections file format.
 * `detecta dataset review --tile` runs the same tiles: in a project holding that photo with the
 * balls labeled, the untiled review calls every label spurious (the model sees nothing there), the
 * tiled one confirms most of them.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import sharp from 'sharp';
import { writeSampleProject } from '../../main/sample/write-sample-project';
import { drawScene } from '../../shared/synthetic/scene';
import { parseDetectionsFile, type DetectionRecord } from '../../shared/results/detections-file';

const ROOT = resolve(import.meta.dirname, '..', '..');
const PHOTO = resolve(ROOT, '..', 'shared', 'datasets', 'image-fixtures', 'darknet-samples', 'horses.jpg');
const detecta = (args: string[]) => promisify(execFile)(process.execPath, ['--import', 'tsx', 'main/cli/detecta.ts', ...args], { cwd: ROOT, maxBuffer: 64 << 20 });

const SCENE = { width: 64, height: 64, classes: ['ball'], minObjects: 1, maxObjects: 1, minSize: 0.35, maxSize: 0.5 } as const;
const SPOTS = [[100, 120], [400, 90], [760, 200], [230, 500], [560, 430], [850, 620]] as const;

interface Box { x1: number; y1: number; x2: number; y2: number }

let root = '';
let photo = '';
const pasted: Box[] = [];
before(async () => {
  root = await mkdtemp(join(tmpdir(), 'detecta-tiles-'));
  const project = join(root, 'project');
  await writeSampleProject(project, { images: 48, seed: 3, ...SCENE, classes: [...SCENE.classes] });
  await detecta(['train', '--project', project, '--preset', 'tiny', '--imgsz', '64', '--epochs', '15', '--batch', '8', '--lr', '0.003', '--no-augment', '--backend', 'wasm', '--name', 'small', '--json']);
  // scenes the model never saw (other seeds), pasted at their own size into a large photo
  const composites = SPOTS.map(([left, top], i) => {
    const s = drawScene(7000 + i, { ...SCENE, classes: [...SCENE.classes] });
    const b = s.boxes[0];
    pasted.push({ x1: left + b.x1, y1: top + b.y1, x2: left + b.x2, y2: top + b.y2 });
    return { input: Buffer.from(s.rgb), raw: { width: 64, height: 64, channels: 3 as const }, left, top };
  });
  photo = join(root, 'horses_with_balls.jpg');
  await sharp(PHOTO).resize(1024, 768, { fit: 'cover' }).composite(composites).jpeg({ quality: 95 }).toFile(photo);
});
after(async () => { await rm(root, { recursive: true, force: true }); });

/** A pasted ball counts as found when a detection's centre lies inside its box. */
const found = (dets: DetectionRecord[]): number =>
  pasted.filter((g) => dets.some((d) => { const cx = (d.x1 + d.x2) / 2, cy = (d.y1 + d.y2) / 2; return cx >= g.x1 && cx <= g.x2 && cy >= g.y1 && cy <= g.y2; })).length;

async function predict(out: string, extra: string[]): Promise<DetectionRecord[]> {
  await detecta(['predict', '--model', join(root, 'project', '.detecta', 'runs', 'small'), '--source', photo, '--out', out, '--backend', 'wasm', '--json', ...extra]);
  const file = parseDetectionsFile(await readFile(join(out, 'detections.json'), 'utf8'), 'detections.json');
  assert.equal(file.kind, 'images');
  if (file.kind !== 'images') return [];
  assert.equal(file.images.length, 1);
  assert.deepEqual([file.images[0].width, file.images[0].height], [1024, 768]);
  return file.images[0].detections ?? [];
}

test('detecta predict --tile finds small objects in a large photo that the untiled pass misses', { timeout: 240_000 }, async () => {
  const whole = await predict(join(root, 'whole'), []);
  const tiled = await predict(join(root, 'tiled'), ['--tile', '--tile-overlap', '0.5']);
  console.log(`pasted balls found: untiled ${found(whole)} of ${pasted.length} (${whole.length} boxes), tiled ${found(tiled)} of ${pasted.length} (${tiled.length} boxes)`);
  assert.equal(found(whole), 0, 'one 64 px pass over a 1024 px photo sees no 25 px ball');
  assert.ok(found(tiled) >= 4, `tiles found ${found(tiled)} of ${pasted.length}`);
  for (const d of tiled) assert.ok(d.x1 >= 0 && d.y1 >= 0 && d.x2 <= 1024 && d.y2 <= 768 && d.x2 > d.x1 && d.y2 > d.y1, `box inside the photo: ${JSON.stringify(d)}`);
});

test('detecta predict --tile refuses bad tile options', async () => {
  const model = join(root, 'project', '.detecta', 'runs', 'small');
  for (const [args, pattern] of [
    [['--tile', '8'], /--tile SIZE must be a whole number of pixels, at least 16, got "8"/],
    [['--tile', '--tile-overlap', '1.5'], /--tile-overlap must be a fraction in \[0, 0\.9\], got "1\.5"/],
    [['--tile-overlap', '0.3'], /--tile-overlap needs --tile/],
  ] as const) {
    await assert.rejects(detecta(['predict', '--model', model, '--source', photo, '--out', join(root, 'bad'), ...args]), (err: { code: number; stderr: string }) => {
      assert.equal(err.code, 2, err.stderr);
      assert.match(err.stderr, pattern);
      return true;
    });
  }
});

test('detecta dataset review --tile confirms labels of small objects that the untiled review calls spurious', { timeout: 240_000 }, async () => {
  const project = join(root, 'review-project');
  await mkdir(join(project, 'images'), { recursive: true });
  await copyFile(photo, join(project, 'images', 'photo.jpg'));
  const objects = pasted.map((b) => `<object><name>ball</name><pose>Unspecified</pose><truncated>0</truncated><difficult>0</difficult><bndbox><xmin>${Math.round(b.x1)}</xmin><ymin>${Math.round(b.y1)}</ymin><xmax>${Math.round(b.x2)}</xmax><ymax>${Math.round(b.y2)}</ymax></bndbox></object>`);
  await writeFile(join(project, 'images', 'photo.xml'), `<annotation><folder>images</folder><filename>photo.jpg</filename><size><width>1024</width><height>768</height><depth>3</depth></size><segmented>0</segmented>${objects.join('')}</annotation>\n`);
  const model = join(root, 'project', '.detecta', 'runs', 'small');
  const review = async (extra: string[]): Promise<{ kind: string; boxId: string | null }[]> => {
    const file = join(root, `review${extra.length ? '-tiled' : ''}.json`);
    const { stdout } = await detecta(['dataset', 'review', '--project', project, '--model', model, '--top', '0', '--json', file, '--conf', '0.25', '--backend', 'wasm', ...extra]);
    if (extra.length) assert.match(stdout, /\(tiles of 64 px, overlap 0\.5\)/);
    return (JSON.parse(await readFile(file, 'utf8')) as { findings: { kind: string; boxId: string | null }[] }).findings;
  };
  const spurious = (f: { kind: string }[]): number => f.filter((x) => x.kind === 'spurious').length;
  const whole = await review([]);
  const tiled = await review(['--tile', '--tile-overlap', '0.5']);
  console.log(`labels called spurious: untiled ${spurious(whole)} of ${pasted.length}, tiled ${spurious(tiled)}`);
  assert.equal(spurious(whole), pasted.length, 'without tiles the model sees none of the balls');
  assert.ok(spurious(tiled) <= 2, `with tiles most labels are confirmed: ${JSON.stringify(tiled)}`);
});

test('detecta dataset review refuses bad tile options as predict does', async () => {
  await assert.rejects(detecta(['dataset', 'review', '--project', root, '--tile', '8']), (err: { code: number; stderr: string }) => {
    assert.equal(err.code, 2, err.stderr);
    assert.match(err.stderr, /--tile SIZE must be a whole number of pixels, at least 16, got "8"/);
    return true;
  });
});
