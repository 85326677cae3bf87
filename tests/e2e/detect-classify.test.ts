/**
 * Detect view with a classifier. A classifier with known weights (red/green/blue by the frame's
 * mean colour) is the project's active model: it ranks the classes of three photos (top-1 right
 * for each), the top-k slider re-ranks instantly, NAME_classified.png is written with the ranking
 * drawn in, a batch classifies and saves every image, and the results CSV lists them. The same
 * weights load as a picked model folder. A video that turns from red to green is processed into
 * NAME_classified.mp4 (H.264) and per-frame classes. On Chromium's fake camera (a blue test card) the view
 * shows the live top-k with FPS and a flat tensor count, and a snapshot is saved with its classes.
 */
import { test, expect, type Page } from '@playwright/test';
import { existsSync, mkdirSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import sharp from 'sharp';
import config from '../../playwright.config';
import { type E2eHost, repoRoot, type ServedApp, startE2eHost } from '../helpers/serve';
import { callApi, ffmpeg, openDetectPage, shotPath, writeColourImage, writeKnownClassifierRun } from '../helpers/detect-fixtures';

const camDir = join(tmpdir(), 'detecta-fake-camera');
const camFile = join(camDir, 'blue-card.y4m');
if (!existsSync(camFile)) {
  mkdirSync(camDir, { recursive: true });
  ffmpeg(['-f', 'lavfi', '-i', 'color=c=0x2840d8:s=320x240:r=10', '-t', '2', '-pix_fmt', 'yuv420p', camFile]);
}

test.use({
  launchOptions: {
    ...config.use?.launchOptions,
    args: [...(config.use?.launchOptions?.args ?? []), '--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream', `--use-file-for-fake-video-capture=${camFile}`],
  },
});
test.describe.configure({ mode: 'serial' });

const COLOURS = { red: [220, 40, 40], green: [40, 200, 60], blue: [40, 60, 220] } as const;

let host: E2eHost;
let app: ServedApp;
let project: string;
let weights: string;
let page: Page;

test.beforeAll(async ({ browser }) => {
  host = await startE2eHost('detecta-detect-classify-', async (w) => {
    project = join(w, 'colours');
    mkdirSync(join(project, 'images'), { recursive: true });
    for (const [name, rgb] of Object.entries(COLOURS)) await writeColourImage(join(project, 'images', `${name}.png`), [...rgb]);
    weights = await writeKnownClassifierRun(project);
    mkdirSync(join(project, 'clips'));
    // 1 s red, then 1 s green, 5 frames per second
    ffmpeg(['-f', 'lavfi', '-i', 'color=c=0xdc2828:s=160x120:r=5:d=1', '-f', 'lavfi', '-i', 'color=c=0x28c83c:s=160x120:r=5:d=1', '-filter_complex', '[0:v][1:v]concat=n=2:v=1[v]', '-map', '[v]', '-c:v', 'libvpx', '-b:v', '200k', join(project, 'clips', 'turn.webm')]);
  });
  app = host.app;
  page = await openDetectPage(browser, app.url, project);
  await callApi(page, 'model.setActive', { project, run: 'known-colours', weights: 'best' });
});

test.afterAll(async () => {
  await page?.close();
  await host?.close();
});

const scores = (p: Page) => p.getByTestId('class-scores');
const num = async (p: Page, id: string): Promise<number> => Number((await p.getByTestId(id).textContent())?.match(/\d+/)?.[0] ?? NaN);

test('images: top-k per photo, instant top-k slider, _classified.png, batch and CSV', async () => {
  test.setTimeout(180_000);
  await page.getByLabel('Model', { exact: true }).selectOption('active');
  await page.getByRole('button', { name: 'Load model' }).click();
  const status = page.getByTestId('model-status');
  await expect(status).toHaveAttribute('data-task', 'classify', { timeout: 60_000 });
  await expect(status).toContainText('classifier');
  await expect(status).toContainText('16×16 colour');
  await expect(status).toContainText('3 classes');
  // a classifier has a top-k setting, not detection thresholds
  await expect(page.getByLabel('Score threshold')).toHaveCount(0);
  await expect(page.getByLabel('Top-k classes')).toBeVisible();

  await page.getByRole('button', { name: 'Add project images' }).click();
  await expect(page.getByTestId('image-items').locator('li')).toHaveCount(3);
  for (const name of Object.keys(COLOURS)) {
    await page.getByRole('button', { name: `${name}.png`, exact: true }).click();
    await expect(scores(page)).toHaveAttribute('data-top', name, { timeout: 60_000 });
    await expect(scores(page).getByTestId('class-score')).toHaveCount(3);
    expect(Number(await scores(page).getByTestId('class-score').first().getAttribute('data-score'))).toBeGreaterThan(0.9);
    await expect(page.getByTestId('image-canvas')).toHaveAttribute('data-top', name);
  }
  await page.screenshot({ path: shotPath(repoRoot, 'classify-image') });

  // top-k 1: one row, the same winner, no re-run needed
  await page.getByLabel('Top-k classes').fill('1');
  await expect(page.getByTestId('topk-value')).toHaveText('1');
  await expect(scores(page).getByTestId('class-score')).toHaveCount(1);
  await expect(scores(page)).toHaveAttribute('data-top', 'blue');

  // the current image (blue.png) saved with its ranking drawn in the top-left corner
  await page.getByRole('button', { name: 'Save annotated' }).click();
  const out = join(project, 'images', 'blue_classified.png');
  await expect.poll(() => existsSync(out), { timeout: 20_000 }).toBe(true);
  const { data, info } = await sharp(out).raw().toBuffer({ resolveWithObject: true });
  expect([info.width, info.height]).toEqual([480, 360]);
  const at = (x: number, y: number) => Array.from(data.subarray((y * info.width + x) * info.channels, (y * info.width + x) * info.channels + 3));
  expect(Math.max(...at(10, 10))).toBeLessThan(70); // the dark panel over the grey background
  expect(at(240, 180)).toEqual([...COLOURS.blue]); // the picture itself is untouched
  expect(Math.min(...at(470, 350))).toBeGreaterThan(100);

  // batch: every image classified and saved, with progress
  await page.getByRole('button', { name: 'Classify & save all' }).click();
  await expect(page.getByTestId('batch-progress')).toContainText('3 / 3', { timeout: 60_000 });
  for (const name of Object.keys(COLOURS)) await expect.poll(() => existsSync(join(project, 'images', `${name}_classified.png`)), { timeout: 20_000 }).toBe(true);

  // the results CSV: one top-1 row per image, its own colour
  const download = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Results CSV' }).click();
  const csv = await download;
  expect(csv.suggestedFilename()).toBe('classifications.csv');
  const lines = readFileSync((await csv.path())!, 'utf8').trim().split('\n');
  expect(lines[0]).toBe('image,rank,label,class_id,score');
  expect(lines.slice(1).map((l) => l.split(',').slice(0, 3).join(',').replace(/^.*[\\/]/, '')).sort()).toEqual(['blue.png,1,blue', 'green.png,1,green', 'red.png,1,red']);
});

test('the same classifier picked as a model folder', async () => {
  await page.getByLabel('Model', { exact: true }).selectOption('folder');
  await page.getByLabel('Model folder').fill(weights);
  await page.getByRole('button', { name: 'Load model' }).click();
  await expect(page.getByTestId('model-status')).toContainText('known-colours (best)', { timeout: 30_000 });
  await page.getByRole('button', { name: 'red.png', exact: true }).click();
  await expect(scores(page)).toHaveAttribute('data-top', 'red', { timeout: 30_000 });
});

test('video: every frame classified, written as _classified.mp4 and per-frame classes', async () => {
  test.setTimeout(120_000);
  await page.getByRole('tab', { name: /Video file/ }).click();
  await page.getByLabel('Video path').fill(join(project, 'clips', 'turn.webm'));
  await page.getByRole('button', { name: 'Open', exact: true }).click();
  await expect(page.getByLabel('Frames per second')).toHaveValue('5', { timeout: 30_000 });
  await page.getByLabel('Annotated video format').selectOption('mp4');
  await page.getByRole('button', { name: 'Process whole video' }).click();
  await expect(page.getByTestId('video-progress')).toHaveAttribute('data-state', 'done', { timeout: 90_000 });
  const mp4 = join(project, 'clips', 'turn_classified.mp4');
  const probe = spawnSync('ffprobe', ['-v', 'error', '-count_frames', '-select_streams', 'v:0', '-show_entries', 'format=format_name:stream=codec_name,width,nb_read_frames', '-of', 'json', mp4], { encoding: 'utf8' });
  expect(probe.status, probe.stderr).toBe(0);
  const info = JSON.parse(probe.stdout) as { format: { format_name: string }; streams: { codec_name: string; width: number; nb_read_frames: string }[] };
  expect(info.format.format_name).toContain('mp4');
  expect(info.streams[0]!.codec_name).toBe('h264');
  expect(info.streams[0]!.width).toBe(160);
  expect(Number(info.streams[0]!.nb_read_frames)).toBeGreaterThan(0);
  const rows = readFileSync(join(project, 'clips', 'turn_classifications.csv'), 'utf8').trim().split('\n');
  expect(rows[0]).toBe('frame,time,rank,label,class_id,score');
  const firsts = rows.slice(1).map((r) => r.split(',')).filter((c) => c[2] === '1').map((c) => c[3]);
  expect(firsts).toEqual(['red', 'red', 'red', 'red', 'red', 'green', 'green', 'green', 'green', 'green']);
  const json = JSON.parse(readFileSync(join(project, 'clips', 'turn_classifications.json'), 'utf8')) as { task: string; frameCount: number };
  expect([json.task, json.frameCount]).toEqual(['classify', 10]);
});

test('webcam: live top-k on every frame, flat tensor count, snapshot saved with its classes', async () => {
  test.setTimeout(180_000);
  await page.getByLabel('Top-k classes').fill('3');
  await page.getByRole('tab', { name: /Webcam/ }).click();
  await page.getByRole('button', { name: 'Start camera' }).click();
  await expect.poll(() => num(page, 'frames'), { timeout: 60_000 }).toBeGreaterThan(10);
  await expect(page.getByTestId('webcam-overlay')).toHaveAttribute('data-top', 'blue');
  await expect(scores(page)).toHaveAttribute('data-top', 'blue');
  await expect(scores(page).getByTestId('class-score')).toHaveCount(3);
  await page.screenshot({ path: shotPath(repoRoot, 'classify-webcam') });
  const f0 = await num(page, 'frames');
  const t0 = await num(page, 'tensors');
  await expect.poll(() => num(page, 'frames'), { timeout: 60_000 }).toBeGreaterThan(f0 + 40);
  await expect.poll(() => num(page, 'tensors'), { timeout: 10_000 }).toBe(t0);

  await page.getByRole('button', { name: 'Snapshot' }).click();
  await expect(page.getByTestId('snapshot-summary')).toContainText('blue', { timeout: 20_000 });
  await expect(page.getByRole('button', { name: 'Add to project' })).toHaveCount(0); // no boxes to add
  await page.getByRole('button', { name: 'Save annotated' }).click();
  await expect.poll(() => readdirSync(project).filter((f) => /^webcam-.*_classified\.jpg$/.test(f)).length, { timeout: 20_000 }).toBe(1);
});
