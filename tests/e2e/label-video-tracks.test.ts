/**
 * Video as a labeling source (issue 21), in the Label view through the web host: "Add video…"
 * takes every 5th frame of 30–34 s of a real clip (../shared/datasets/video) into the project;
 * boxes drawn on two frames as one track give interpolated drafts on the frames between them;
 * with NanoDet (COCO, from the zoo mirror) loaded, "Track with model" proposes the person's box on
 * the next frames; "Accept track" writes one box per frame with the track id into each XML.
 */
import { test, expect, type Page } from '@playwright/test';
import { copyFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { type E2eHost, repoRoot, sharedDatasets, startE2eHost } from '../helpers/serve';
import { callApi, openProject, sharedModels } from '../helpers/detect-fixtures';
import { serveFolder, type ServedFolder } from '../helpers/static-server';
import { drawBoxOnCanvas } from '../helpers/label-canvas';

let host: E2eHost;
let zoo: ServedFolder;
let project: string;
let page: Page;

test.describe.configure({ mode: 'serial' });

test.beforeAll(async ({ browser }) => {
  host = await startE2eHost('detecta-video-tracks-', async (w) => {
    project = join(w, 'people');
    mkdirSync(join(project, 'clips'), { recursive: true });
    copyFileSync(join(sharedDatasets, 'video/intel-sample-videos/one-by-one-person-detection.mp4'), join(project, 'clips', 'people.mp4'));
    zoo = await serveFolder(sharedModels);
    return { DETECTA_MODEL_MIRROR: zoo.url };
  });
  page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
  page.on('console', (m) => { if (m.type() === 'error') console.log('[page]', m.text()); });
  await openProject(page, host.app.url, project);
  await callApi(page, 'dataset.addClass', { project, name: 'person' });
  await callApi(page, 'dataset.setDefaultClass', { project, name: 'person' });
});

test.afterAll(async () => {
  await page?.close();
  await host?.close();
  await zoo?.close();
});

const shot = (name: string): string => join(repoRoot, 'test-results', 'screenshots', `label-video-${name}.png`);
const FRAMES = [300, 305, 310, 315, 320, 325, 330, 335];
const id = (frame: number): string => `images/people_${String(frame).padStart(6, '0')}.jpg`;

interface XmlBox { name: string; track: number | null; draft: boolean; xmin: number; ymin: number; xmax: number; ymax: number }
const parser = new XMLParser({ isArray: (name) => name === 'object' });
function boxesIn(frame: number): XmlBox[] | null {
  const file = join(project, 'images', `people_${String(frame).padStart(6, '0')}.xml`);
  if (!existsSync(file)) return null;
  const a = parser.parse(readFileSync(file, 'utf8')).annotation;
  return (a.object ?? []).map((o: { name: string; track?: number; draft?: number; bndbox: Record<string, number> }) => ({
    name: String(o.name), track: o.track === undefined ? null : Number(o.track), draft: Number(o.draft ?? 0) === 1,
    xmin: Number(o.bndbox.xmin), ymin: Number(o.bndbox.ymin), xmax: Number(o.bndbox.xmax), ymax: Number(o.bndbox.ymax),
  }));
}
const ofTrack = (frame: number, track: number): XmlBox[] => (boxesIn(frame) ?? []).filter((b) => b.track === track);

async function openFrame(frame: number): Promise<void> {
  await page.getByTestId('image-list').locator(`[data-image-id="${id(frame)}"]`).click();
  await expect(page.getByTestId('current-image')).toHaveText(id(frame));
  await expect(page.getByTestId('annotation-canvas')).not.toHaveAttribute('data-view', '');
}

test('Add video…: every 5th frame of 30–34 s becomes an image of the project, with its time', async () => {
  test.setTimeout(90_000);
  // the detector for the tracking test, loaded the way a user does it (Detect view, model zoo)
  await page.getByLabel('Model', { exact: true }).selectOption('zoo:nanodet-m-416-coco');
  await page.getByRole('button', { name: 'Load model' }).click();
  await expect(page.getByTestId('model-status')).toContainText('NanoDet', { timeout: 60_000 });

  await page.getByRole('navigation', { name: 'Views' }).getByRole('button', { name: /Label/ }).click();
  await page.getByRole('button', { name: 'Add video…' }).click();
  await page.getByLabel('Video file').fill(join(project, 'clips', 'people.mp4'));
  await page.getByLabel('Every n-th frame').fill('5');
  await page.getByLabel('Start (s)').fill('30');
  await page.getByLabel('End (s)').fill('34');
  await page.screenshot({ path: shot('add-dialog') });
  await page.getByRole('button', { name: 'Add frames' }).click();
  await expect(page.getByTestId('current-image')).toHaveText(id(300), { timeout: 30_000 });
  await expect(page.getByTestId('image-list').locator('[data-image-id]')).toHaveCount(FRAMES.length);
  for (const f of FRAMES) expect(existsSync(join(project, id(f))), id(f)).toBe(true);
  const index = JSON.parse(readFileSync(join(project, '.detecta', 'videos', 'people.json'), 'utf8')) as { video: string; frames: { imageId: string; time: number }[] };
  expect(index.video).toBe(join(project, 'clips', 'people.mp4'));
  expect(index.frames.map((f) => [f.imageId, f.time])).toEqual(FRAMES.map((f) => [id(f), f / 10]));
  await expect(page.getByTestId('video-frame')).toContainText('people 1/8 · 30.00 s');
});

test('two keyframes of a track give linearly interpolated drafts between them; Accept track writes them with the track id', async () => {
  test.setTimeout(60_000);
  await page.getByRole('button', { name: 'New track' }).click();
  await expect(page.getByTestId('active-track')).toHaveText(/#1/);
  await drawBoxOnCanvas(page, 100, 100, 300, 400);
  await expect.poll(() => ofTrack(300, 1).length, { message: 'keyframe 1 saved with track 1' }).toBe(1);
  await openFrame(315);
  await drawBoxOnCanvas(page, 250, 40, 400, 340);
  await expect.poll(() => ofTrack(315, 1).length, { message: 'keyframe 2 saved with track 1' }).toBe(1);
  const [k0, k1] = [ofTrack(300, 1)[0]!, ofTrack(315, 1)[0]!];
  expect(k0.draft || k1.draft).toBe(false);

  await page.getByRole('button', { name: 'Interpolate' }).click();
  // 30.5 s and 31 s lie 1/3 and 2/3 of the way from 30 s to 31.5 s
  for (const [frame, t] of [[305, 1 / 3], [310, 2 / 3]] as const) {
    await expect.poll(() => ofTrack(frame, 1).length, { message: `draft on ${frame}` }).toBe(1);
    const d = ofTrack(frame, 1)[0]!;
    expect(d.draft).toBe(true);
    for (const k of ['xmin', 'ymin', 'xmax', 'ymax'] as const) expect(Math.abs(d[k] - (k0[k] + (k1[k] - k0[k]) * t)), `${frame} ${k}`).toBeLessThanOrEqual(1);
  }
  expect(ofTrack(320, 1)).toEqual([]); // after the last keyframe: nothing
  await openFrame(310);
  await expect(page.getByTestId('draft-count')).toHaveText('1 draft');
  await page.screenshot({ path: shot('interpolated-1280') });

  await page.getByRole('button', { name: 'Accept track' }).click();
  for (const f of [300, 305, 310, 315]) {
    await expect.poll(() => JSON.stringify(boxesIn(f)?.map((b) => [b.track, b.draft])), { message: `frame ${f}: one accepted box of track 1` }).toBe(JSON.stringify([[1, false]]));
  }
  await expect(page.getByTestId('draft-count')).toHaveText('0 drafts');
  // the keyframes had no drafts: the two frames between them are what Accept track changed (undoable as one)
  await expect(page.getByTestId('track-undo')).toHaveText('Undo accept track (2 frames)');
});

test('with the model loaded, Track with model proposes the person on the next frames; Accept track writes one box per frame', async () => {
  test.setTimeout(120_000);
  await page.getByTestId('active-track').getByRole('button').click(); // stop drawing into track 1
  await openFrame(320);
  await page.getByRole('button', { name: 'Detect on this image' }).click();
  const person = page.getByTestId('box-list').locator('li', { hasText: 'person' }).first();
  await expect(person).toBeVisible({ timeout: 60_000 });
  await person.click();
  await page.getByRole('button', { name: 'New track' }).click();
  await expect(page.getByTestId('active-track')).toHaveText(/#2/);
  await expect.poll(() => ofTrack(320, 2).map((b) => [b.name, b.draft]), { message: 'the detection became keyframe 1 of track 2' }).toEqual([['person', false]]);

  await page.getByLabel('Frames to track').fill('3');
  await page.getByRole('button', { name: 'Track with model' }).click();
  for (const f of [325, 330, 335]) {
    await expect.poll(() => ofTrack(f, 2).map((b) => [b.name, b.draft]), { message: `tracked onto ${f}`, timeout: 60_000 }).toEqual([['person', true]]);
  }
  // the person barely moves: every proposal overlaps the keyframe box well
  const key = ofTrack(320, 2)[0]!;
  for (const f of [325, 330, 335]) {
    const b = ofTrack(f, 2)[0]!;
    const iw = Math.min(b.xmax, key.xmax) - Math.max(b.xmin, key.xmin);
    const ih = Math.min(b.ymax, key.ymax) - Math.max(b.ymin, key.ymin);
    const inter = Math.max(0, iw) * Math.max(0, ih);
    const iou = inter / ((b.xmax - b.xmin) * (b.ymax - b.ymin) + (key.xmax - key.xmin) * (key.ymax - key.ymin) - inter);
    expect(iou, `frame ${f}`).toBeGreaterThan(0.5);
  }
  await expect(page.getByTestId('track-undo')).toHaveText('Undo track with model (3 frames)');
  await openFrame(330);
  await page.screenshot({ path: shot('tracked-1280') });
  await page.setViewportSize({ width: 1920, height: 1080 });
  await page.screenshot({ path: shot('tracked-1920') });

  await page.getByRole('button', { name: 'Accept track' }).click();
  for (const f of [320, 325, 330, 335]) {
    await expect.poll(() => JSON.stringify(ofTrack(f, 2).map((b) => b.draft)), { message: `frame ${f}: one accepted box of track 2` }).toBe('[false]');
  }
  // track 1 is as it was
  for (const f of [300, 305, 310, 315]) expect(ofTrack(f, 1).map((b) => b.draft)).toEqual([false]);
});
