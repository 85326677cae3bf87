/**
 * One undo for a whole track operation (issue 21), in the Label view through the web host: frames
 * of a real clip (../shared/datasets/video), two keyframes of a track, "Interpolate" with a frame
 * between them open in the editor → drafts on disk → "Undo interpolate (3 frames)" → those frames
 * have no drafts again (no annotation file, as before) and the keyframes' files are byte for byte as before; the
 * open image's restore is itself an editor step (Ctrl+Z / Ctrl+Shift+Z). A frame edited after the
 * operation is left as it is and named, the others are restored.
 */
import { test, expect, type Page } from '@playwright/test';
import { copyFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { type E2eHost, repoRoot, sharedDatasets, startE2eHost } from '../helpers/serve';
import { callApi, openProject } from '../helpers/detect-fixtures';
import { drawBoxOnCanvas } from '../helpers/label-canvas';

let host: E2eHost;
let project: string;
let other: string;
let page: Page;

test.describe.configure({ mode: 'serial' });

const FRAMES = [300, 305, 310, 315, 320, 325, 330, 335];
const id = (frame: number): string => `images/people_${String(frame).padStart(6, '0')}.jpg`;
const xmlFile = (frame: number): string => join(project, 'images', `people_${String(frame).padStart(6, '0')}.xml`);
const shot = (name: string): string => join(repoRoot, 'test-results', 'screenshots', `label-video-undo-${name}.png`);

test.beforeAll(async ({ browser }) => {
  host = await startE2eHost('detecta-video-undo-', async (w) => {
    project = join(w, 'people');
    mkdirSync(join(project, 'clips'), { recursive: true });
    copyFileSync(join(sharedDatasets, 'video/intel-sample-videos/one-by-one-person-detection.mp4'), join(project, 'clips', 'people.mp4'));
    other = join(w, 'raccoons');
    mkdirSync(other);
    copyFileSync(join(sharedDatasets, 'detection-voc/raccoon/images/raccoon-1.jpg'), join(other, 'raccoon-1.jpg'));
  });
  page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
  page.on('console', (m) => { if (m.type() === 'error') console.log('[page]', m.text()); });
  await openProject(page, host.app.url, project);
  await callApi(page, 'dataset.addClass', { project, name: 'person' });
  await callApi(page, 'dataset.setDefaultClass', { project, name: 'person' });
  await callApi(page, 'dataset.addVideo', { project, video: join(project, 'clips', 'people.mp4'), every: 5, start: 30, end: 34 });
  // the app opens the project again on reload, now with its frames: no "no images" notice left from the empty folder
  await page.reload();
  await page.getByRole('navigation', { name: 'Views' }).getByRole('button', { name: /Label/ }).click();
  await expect(page.getByTestId('image-list').locator('[data-image-id]')).toHaveCount(FRAMES.length, { timeout: 30_000 });
});

test.afterAll(async () => {
  await page?.close();
  await host?.close();
});

interface XmlBox { track: number | null; draft: boolean; xmin: number }
const parser = new XMLParser({ isArray: (name) => name === 'object' });
function boxesIn(frame: number): XmlBox[] {
  if (!existsSync(xmlFile(frame))) return [];
  const a = parser.parse(readFileSync(xmlFile(frame), 'utf8')).annotation;
  return (a.object ?? []).map((o: { track?: number; draft?: number; bndbox: Record<string, number> }) => ({
    track: o.track === undefined ? null : Number(o.track), draft: Number(o.draft ?? 0) === 1, xmin: Number(o.bndbox.xmin),
  }));
}
const drafts = (frame: number): XmlBox[] => boxesIn(frame).filter((b) => b.draft);
const xmlText = (frame: number): string => readFileSync(xmlFile(frame), 'utf8');

async function openFrame(frame: number): Promise<void> {
  await page.getByTestId('image-list').locator(`[data-image-id="${id(frame)}"]`).click();
  await expect(page.getByTestId('current-image')).toHaveText(id(frame));
  await expect(page.getByTestId('annotation-canvas')).not.toHaveAttribute('data-view', '');
}

async function interpolateFrom310(): Promise<void> {
  await openFrame(310);
  await page.getByRole('button', { name: 'Interpolate' }).click();
  for (const f of [305, 310, 315]) await expect.poll(() => drafts(f).map((b) => b.track), { message: `draft of track 1 on ${f}` }).toEqual([1]);
  await expect(page.getByTestId('track-undo')).toHaveText('Undo interpolate (3 frames)');
}

let keyframes: string[] = [];

test('Undo interpolate takes the drafts off every frame the interpolation wrote, the open one through the editor; keyframes untouched', async () => {
  test.setTimeout(90_000);
  await openFrame(300);
  await page.getByRole('button', { name: 'New track' }).click();
  await expect(page.getByTestId('active-track')).toHaveText(/#1/);
  await drawBoxOnCanvas(page, 100, 100, 300, 400);
  await expect.poll(() => boxesIn(300).map((b) => [b.track, b.draft]), { message: 'keyframe 1 saved' }).toEqual([[1, false]]);
  await openFrame(320);
  await drawBoxOnCanvas(page, 250, 40, 400, 340);
  await expect.poll(() => boxesIn(320).map((b) => [b.track, b.draft]), { message: 'keyframe 2 saved' }).toEqual([[1, false]]);
  await expect(page.getByTestId('track-undo')).toHaveCount(0); // nothing to undo yet
  keyframes = [xmlText(300), xmlText(320)];

  // the frame in the middle is open: its draft comes through the editor (one undo step there)
  await interpolateFrom310();
  await expect(page.getByTestId('draft-count')).toHaveText('1 draft');
  await expect(page.getByTestId('track-undo')).toHaveAttribute('title', /Only the latest track operation/);
  await page.screenshot({ path: shot('button-1280') });
  await page.getByRole('toolbar', { name: 'Video tracks' }).screenshot({ path: shot('track-bar') });

  await page.getByTestId('track-undo').click();
  await expect(page.getByTestId('track-undo-report')).toHaveText('Undid interpolate: 3 frames as before.');
  // they had no annotation file: they have none again, and count as unlabeled
  for (const f of [305, 310, 315]) await expect.poll(() => existsSync(xmlFile(f)), { message: `no annotation file for ${f}` }).toBe(false);
  await expect(page.getByTestId('labeled-counter')).toHaveText(/labeled 2 \/ 8/);
  expect([xmlText(300), xmlText(320)]).toEqual(keyframes);
  await expect(page.getByTestId('draft-count')).toHaveText('0 drafts');
  await expect(page.getByTestId('track-undo')).toHaveCount(0); // done: nothing left to undo

  // in the editor, the restore is an edit like any other: Ctrl+Z brings this frame's draft back, Ctrl+Shift+Z takes it off again
  await page.keyboard.press('Control+z');
  await expect(page.getByTestId('draft-count')).toHaveText('1 draft');
  await expect.poll(() => drafts(310).length, { message: 'Ctrl+Z saved the draft again' }).toBe(1);
  await page.keyboard.press('Control+Shift+z');
  await expect(page.getByTestId('draft-count')).toHaveText('0 drafts');
  await expect.poll(() => drafts(310), { message: 'Ctrl+Shift+Z took it off again' }).toEqual([]);
  for (const f of [305, 315]) expect(boxesIn(f), `${f} untouched by the editor's undo`).toEqual([]);
});

test('a frame edited after the operation is left as it is and named; the other frames are restored', async () => {
  test.setTimeout(90_000);
  await interpolateFrom310();
  // a person moves the draft on 305 after the interpolation
  await openFrame(305);
  const before = drafts(305)[0]!.xmin;
  await page.getByTestId('box-list').locator('li', { hasText: 'person' }).first().click();
  await page.keyboard.press('ArrowRight');
  await expect.poll(() => drafts(305).map((b) => b.xmin), { message: 'the moved draft is saved' }).toEqual([before + 1]);

  await page.getByTestId('track-undo').click();
  const report = page.getByTestId('track-undo-report');
  await expect(report).toHaveText(`Undid interpolate: 2 frames as before; changed since — left as it is: ${id(305)}.`);
  await expect(report).toHaveClass(/error-text/);
  for (const f of [310, 315]) await expect.poll(() => boxesIn(f), { message: `no box left on ${f}` }).toEqual([]);
  expect(drafts(305).map((b) => [b.track, b.xmin]), 'the edited frame is left as it is').toEqual([[1, before + 1]]);
  await expect(page.getByTestId('draft-count')).toHaveText('1 draft');
  expect([xmlText(300), xmlText(320)]).toEqual(keyframes);
  await page.screenshot({ path: shot('conflict-1280') });
});

async function openFolder(dir: string): Promise<void> {
  await page.getByRole('button', { name: 'Close project' }).click();
  const field = page.getByLabel('Project folder');
  await expect(field).not.toHaveValue(''); // the picker fills in the folder above the last project first
  await field.fill(dir);
  await page.getByRole('button', { name: 'Open', exact: true }).click();
  await expect(page.getByTestId('project-chip')).toHaveAttribute('title', dir);
}

test('opening another project forgets the undo', async () => {
  test.setTimeout(60_000);
  await interpolateFrom310();
  await openFolder(other);
  await expect(page.getByTestId('track-undo')).toHaveCount(0);
  await openFolder(project);
  await page.getByRole('navigation', { name: 'Views' }).getByRole('button', { name: /Label/ }).click();
  await expect(page.getByRole('toolbar', { name: 'Video tracks' })).toBeVisible();
  await expect(page.getByTestId('track-undo')).toHaveCount(0);
  // the drafts stay: forgetting the undo changes no file
  for (const f of [305, 310, 315]) expect(drafts(f).map((b) => b.track), `${f}`).toEqual([1]);
});
