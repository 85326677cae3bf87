/**
 * Detect view, video file: a clip of ../shared/datasets/video (converted to WebM/VP8 with ffmpeg,
 * Debian's Chromium lacks H.264) is played with boxes and processed whole with NanoDet from the
 * model zoo: an annotated WebM and a detections JSON with one entry per frame (plus CSV) appear
 * next to the clip.
 */
import { test, expect, type Page } from '@playwright/test';
import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { type E2eHost, repoRoot, type ServedApp, sharedDatasets, startE2eHost } from '../helpers/serve';
import { ffmpeg, openDetectPage, sharedModels, shotPath } from '../helpers/detect-fixtures';
import { serveFolder, type ServedFolder } from '../helpers/static-server';

let host: E2eHost;
let app: ServedApp;
let zoo: ServedFolder;
let project: string;
let page: Page;
const FPS = 8;
const SECONDS = 2;

test.beforeAll(async ({ browser }) => {
  host = await startE2eHost('detecta-detect-video-', async (w) => {
    project = join(w, 'people');
    mkdirSync(join(project, 'clips'), { recursive: true });
    ffmpeg(['-ss', '8', '-i', join(sharedDatasets, 'video/intel-sample-videos/one-by-one-person-detection.mp4'), '-t', String(SECONDS), '-r', String(FPS), '-vf', 'scale=416:-2', '-c:v', 'libvpx', '-b:v', '1M', '-an', join(project, 'clips', 'people.webm')]);
    zoo = await serveFolder(sharedModels);
    return { DETECTA_MODEL_MIRROR: zoo.url };
  });
  app = host.app;
  page = await openDetectPage(browser, app.url, project);
});

test.afterAll(async () => {
  await page?.close();
  await host?.close();
  await zoo?.close();
});

test('process a whole video: annotated WebM + one detections entry per frame', async () => {
  test.setTimeout(240_000);
  const frames = Number(spawnSync('ffprobe', ['-v', 'error', '-count_frames', '-select_streams', 'v:0', '-show_entries', 'stream=nb_read_frames', '-of', 'csv=p=0', join(project, 'clips', 'people.webm')], { encoding: 'utf8' }).stdout.trim());
  expect(frames).toBe(FPS * SECONDS);
  await page.getByLabel('Model', { exact: true }).selectOption('zoo:nanodet-m-416-coco');
  await page.getByRole('button', { name: 'Load model' }).click();
  await expect(page.getByTestId('model-status')).toContainText('NanoDet', { timeout: 90_000 });
  await page.getByRole('tab', { name: /Video file/ }).click();
  await page.getByLabel('Video path').fill(join(project, 'clips', 'people.webm'));
  await page.getByRole('button', { name: 'Open', exact: true }).click();
  // the frame rate is measured from presented frames on open (live detection waits for it)
  await expect(page.getByLabel('Frames per second')).toHaveValue(String(FPS), { timeout: 30_000 });
  // live boxes while playing
  await page.getByTestId('video').evaluate((v: HTMLVideoElement) => v.play());
  await expect(page.getByTestId('video-stats')).toContainText('FPS', { timeout: 60_000 });
  await page.screenshot({ path: shotPath(repoRoot, 'video-play') });
  await page.getByRole('button', { name: 'Process whole video' }).click();
  await expect(page.getByTestId('video-progress')).toHaveAttribute('data-state', 'done', { timeout: 180_000 });
  await page.screenshot({ path: shotPath(repoRoot, 'video-done') });
  const webm = join(project, 'clips', 'people_detected.webm');
  const json = join(project, 'clips', 'people_detections.json');
  const csv = join(project, 'clips', 'people_detections.csv');
  for (const f of [webm, json, csv]) expect(existsSync(f), f).toBe(true);
  expect(statSync(webm).size).toBeGreaterThan(10_000);
  const probe = spawnSync('ffprobe', ['-v', 'error', '-count_frames', '-select_streams', 'v:0', '-show_entries', 'stream=codec_name,width,nb_read_frames', '-of', 'csv=p=0', webm], { encoding: 'utf8' });
  expect(probe.status).toBe(0);
  const [codec, width, recorded] = probe.stdout.trim().split(',');
  expect(codec).toMatch(/vp8|vp9/);
  expect(Number(width)).toBe(416);
  expect(Number(recorded)).toBeGreaterThan(0);
  // the annotated video keeps the clip's length (each processed frame is recorded for 1/fps)
  const seconds = Number(spawnSync('ffprobe', ['-v', 'error', '-show_entries', 'format=duration', '-of', 'csv=p=0', webm], { encoding: 'utf8' }).stdout.trim());
  const lastPacket = Number(spawnSync('ffprobe', ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'packet=pts_time', '-of', 'csv=p=0', webm], { encoding: 'utf8' }).stdout.split(/[\n,]/).map(Number).filter(Number.isFinite).reduce((a, b) => Math.max(a, b), 0));
  expect(Number.isFinite(seconds) ? seconds : lastPacket, `duration ${seconds}, last packet ${lastPacket}`).toBeGreaterThan(SECONDS * 0.6);
  expect(lastPacket, `duration ${seconds}, last packet ${lastPacket}`).toBeGreaterThan(SECONDS * 0.6);
  expect(lastPacket).toBeLessThan(SECONDS * 1.6);
  const doc = JSON.parse(readFileSync(json, 'utf8')) as { frameCount: number; frames: { frame: number; detections: { label: string; x1: number; y1: number; x2: number; y2: number }[] }[] };
  expect(doc.frameCount).toBe(frames);
  expect(doc.frames.map((f) => f.frame)).toEqual(Array.from({ length: frames }, (_, i) => i));
  expect(doc.frames.filter((f) => f.detections.some((d) => d.label === 'person')).length).toBeGreaterThan(frames / 2);
  // each entry is its own frame (the served clip is seekable): the person moves, so the boxes differ
  const boxesOf = (f: (typeof doc.frames)[number]) => JSON.stringify(f.detections.map((d) => [d.label, Math.round(d.x1), Math.round(d.y1), Math.round(d.x2), Math.round(d.y2)]));
  expect(new Set(doc.frames.map(boxesOf)).size).toBeGreaterThan(frames / 2);
  const csvFrames = new Set(readFileSync(csv, 'utf8').trim().split('\n').slice(1).map((l) => l.split(',')[0]));
  expect(csvFrames.size).toBe(frames);
});
