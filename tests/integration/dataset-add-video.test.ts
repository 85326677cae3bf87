/**
 * `detecta dataset add-video` on a real clip (../shared/datasets/video): frames become JPEG images
 * the project lists as a sequence, each with its video and time in .detecta/videos/<stem>.json;
 * a second run writes nothing, a foreign file at a frame's name is left alone, bad input and a
 * missing ffmpeg give clear errors. And track ids: `<track>` in the VOC object, read and written.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnSync } from 'node:child_process';
import sharp from 'sharp';
import { openDatasetProject } from '../../main/dataset/project';
import { addVideoFrames, videoTools } from '../../main/dataset/video-frames';
import { videoIndexSchema } from '../../shared/dataset/video-frames';
import { tempFolders } from '../helpers/temp-folders';
import { requireTool } from '../helpers/system-tools';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const CLIP = fileURLToPath(new URL('../../../shared/datasets/video/intel-sample-videos/car-detection.mp4', import.meta.url));
const temps = tempFolders();
const cli = (...args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', 'main/cli/detecta.ts', 'dataset', ...args], { cwd: repoRoot, encoding: 'utf8' });

test('detecta dataset add-video: every 5th frame of 2–4 s become images with their times; nothing is written twice or over a foreign file', async () => {
  requireTool('ffmpeg');
  const dir = temps.make('detecta-video-');
  mkdirSync(join(dir, 'images'));
  // a file of someone else's at the name the frame at 2.8 s (frame 35) would take
  writeFileSync(join(dir, 'images', 'car-detection_000035.jpg'), 'not ours');
  const r = cli('add-video', '--project', dir, '--video', CLIP, '--every', '5', '--start', '2', '--end', '4', '--json');
  assert.equal(r.status, 0, r.stderr);
  const report = JSON.parse(r.stdout) as { written: number; picked: number; skipped: { file: string; reason: string }[]; frames: string[] };
  assert.equal(report.picked, 5);
  assert.equal(report.written, 4);
  assert.deepEqual(report.skipped.map((s) => s.file), ['images/car-detection_000035.jpg']);
  assert.equal(readFileSync(join(dir, 'images', 'car-detection_000035.jpg'), 'utf8'), 'not ours');
  const names = readdirSync(join(dir, 'images')).sort();
  assert.deepEqual(names, ['car-detection_000025.jpg', 'car-detection_000030.jpg', 'car-detection_000035.jpg', 'car-detection_000040.jpg', 'car-detection_000045.jpg']);
  const meta = await sharp(join(dir, 'images', 'car-detection_000025.jpg')).metadata();
  assert.deepEqual([meta.format, meta.width, meta.height], ['jpeg', 768, 432]);

  const index = videoIndexSchema.parse(JSON.parse(readFileSync(join(dir, '.detecta', 'videos', 'car-detection.json'), 'utf8')));
  assert.equal(index.video, CLIP);
  assert.equal(index.fps, 12.5);
  assert.deepEqual(index.frames.map((f) => [f.imageId, f.frame, f.time]), [
    ['images/car-detection_000025.jpg', 25, 2],
    ['images/car-detection_000030.jpg', 30, 2.4],
    ['images/car-detection_000040.jpg', 40, 3.2],
    ['images/car-detection_000045.jpg', 45, 3.6],
  ]);

  // the project lists the frames in order
  const p = await openDatasetProject(dir, { watch: false });
  await p.ready();
  assert.deepEqual(p.listImages({}).items.map((e) => e.id), names.map((n) => `images/${n}`));
  await p.close();

  // again: nothing new, nothing rewritten
  const before = statSync(join(dir, 'images', 'car-detection_000025.jpg')).mtimeMs;
  const again = cli('add-video', '--project', dir, '--video', CLIP, '--every', '5', '--start', '2', '--end', '4', '--json');
  assert.equal(again.status, 0, again.stderr);
  const second = JSON.parse(again.stdout) as { written: number; existing: number };
  assert.deepEqual([second.written, second.existing], [0, 4]);
  assert.equal(statSync(join(dir, 'images', 'car-detection_000025.jpg')).mtimeMs, before);
});

test('add-video: --fps with a range, --min-change keeps only frames that differ from the last kept one', async () => {
  requireTool('ffmpeg');
  const dir = temps.make('detecta-video-');
  const p = await openDatasetProject(dir, { watch: false });
  await p.ready();
  const all = await addVideoFrames(p, CLIP, { fps: 2, end: 3 });
  assert.equal(all.written, 6);
  const dir2 = temps.make('detecta-video-');
  const p2 = await openDatasetProject(dir2, { watch: false, recursive: true });
  await p2.ready();
  // a threshold no two frames of the clip reach: only the first frame stays
  const few = await addVideoFrames(p2, CLIP, { fps: 2, end: 3, minChange: 0.9 });
  assert.deepEqual([few.picked, few.written, few.dir], [1, 1, 'car-detection']);
  assert.deepEqual(p2.listImages({}).items.map((e) => e.id), ['car-detection/car-detection_000000.jpg']);
  await p.close();
  await p2.close();
});

test('add-video: clear errors for a file that is no video, bad options and a missing ffmpeg; nothing written', async () => {
  const dir = temps.make('detecta-video-');
  const notVideo = join(dir, 'notes.mp4');
  writeFileSync(notVideo, 'hello');
  const r = cli('add-video', '--project', dir, '--video', notVideo);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /notes\.mp4 cannot be read as a video/);
  const p = await openDatasetProject(dir, { watch: false });
  await p.ready();
  await assert.rejects(addVideoFrames(p, CLIP, { every: 2, fps: 1 }), /either every N frames or frames per second/);
  await assert.rejects(addVideoFrames(p, CLIP, { start: 5, end: 2 }), /must come after start/);
  await assert.rejects(addVideoFrames(p, join(dir, 'missing.mp4')), /missing\.mp4 does not exist/);
  assert.throws(() => videoTools({ PATH: '/nonexistent' }), /needs ffmpeg, and none was found on PATH; install ffmpeg/);
  assert.throws(() => videoTools({ PATH: process.env.PATH ?? '', DETECTA_FFMPEG: '/nonexistent/ffmpeg' }), /DETECTA_FFMPEG=\/nonexistent\/ffmpeg does not exist/);
  await p.close();
  assert.deepEqual(readdirSync(dir).filter((n) => n !== '.detecta'), ['notes.mp4']);
});

test('track ids: <track> inside the object is read as BoxAnnotation.track, written back, and removed with the track', async () => {
  const dir = temps.make('detecta-track-');
  mkdirSync(join(dir, 'images'));
  await sharp({ create: { width: 100, height: 80, channels: 3, background: { r: 10, g: 20, b: 30 } } }).jpeg().toFile(join(dir, 'images', 'f_000001.jpg'));
  // a file from another tool with its own extra element in the object
  writeFileSync(join(dir, 'images', 'f_000001.xml'), `<annotation><filename>f_000001.jpg</filename><size><width>100</width><height>80</height><depth>3</depth></size>
<object><name>car</name><occluded>1</occluded><track>7</track><bndbox><xmin>10</xmin><ymin>10</ymin><xmax>50</xmax><ymax>40</ymax></bndbox></object></annotation>`);
  const p = await openDatasetProject(dir, { watch: false });
  await p.ready();
  const a = await p.getAnnotation('images/f_000001.jpg');
  assert.equal(a.boxes[0]!.track, 7);
  await p.saveAnnotation('images/f_000001.jpg', { boxes: [{ ...a.boxes[0]!, xmin: 12, track: 9 }, { label: 'car', xmin: 60, ymin: 10, xmax: 90, ymax: 30, difficult: false, truncated: false, track: 9, draft: true }], verified: false });
  const xml = readFileSync(join(dir, 'images', 'f_000001.xml'), 'utf8');
  assert.equal((xml.match(/<track>9<\/track>/g) ?? []).length, 2);
  assert.doesNotMatch(xml, /<track>7<\/track>/);
  assert.match(xml, /<occluded>1<\/occluded>/);
  const b = await p.getAnnotation('images/f_000001.jpg');
  assert.deepEqual(b.boxes.map((x) => [x.track, x.draft ?? false]), [[9, false], [9, true]]);
  // a change of the track alone is a change: written, not 'unchanged'
  const again = await p.saveAnnotation('images/f_000001.jpg', { boxes: [{ ...b.boxes[0]!, track: 11 }, b.boxes[1]!], verified: false });
  assert.equal(again.state, 'saved');
  assert.deepEqual((await p.getAnnotation('images/f_000001.jpg')).boxes.map((x) => x.track), [11, 9]);
  await p.close();
});
