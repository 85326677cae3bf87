/**
 * The Label editor as a document model, end to end on a temp copy of the raccoon set:
 * - box ids are made in the editor and stay the same across edits, saves, a restart of the host
 *   and a fresh window (they live in the VOC file as <object id>);
 * - a pan, a drag-pan and wheel zooms re-render the canvas but not the image list or the side
 *   panel (render counts from useRenderCount, switched on by window.__detectaRenders).
 */
import { test, expect, type Browser, type Page } from '@playwright/test';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serveApp, sharedDatasets, type ServedApp } from '../helpers/serve';
import { copyWritable } from '../helpers/writable-copy';

let app: ServedApp;
let work: string;
let project: string;

test.describe.configure({ mode: 'serial' });

test.beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'detecta-labeldoc-'));
  project = join(work, 'raccoon');
  copyWritable(join(sharedDatasets, 'detection-voc/raccoon'), project);
  app = await serveApp({ HOME: work });
});

test.afterAll(async () => {
  await app?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

async function openProject(browser: Browser, countRenders = false): Promise<Page> {
  const page = await browser.newPage();
  if (countRenders) await page.addInitScript(() => { (window as { __detectaRenders?: Record<string, number> }).__detectaRenders = {}; });
  await page.goto(app.url);
  await page.getByLabel('Project folder').fill(project);
  await page.getByRole('button', { name: 'Open', exact: true }).click();
  try {
    await expect(page.getByTestId('labeled-counter')).toHaveText('labeled 200 / 200');
  } catch (err) {
    // this open failed twice in CI and never here: say what the window showed instead
    const shown = await page.locator('body').innerText().catch((e: unknown) => `(page text unreadable: ${String(e)})`);
    throw new Error(`${(err as Error).message}\nthe window showed:\n${shown.slice(0, 2000)}\nweb host output:\n${app.output().slice(-2000)}`);
  }
  return page;
}

async function openImage(page: Page, stem: string): Promise<void> {
  await page.getByLabel('Search file names').fill(stem);
  await page.getByTestId('image-list').locator(`[data-image-id="images/${stem}.jpg"]`).click();
  await expect(page.getByTestId('current-image')).toHaveText(`images/${stem}.jpg`);
  await expect(page.getByTestId('annotation-canvas')).not.toHaveAttribute('data-view', '');
}

const boxIds = (page: Page): Promise<string[]> =>
  page.getByTestId('box-list').locator('li').evaluateAll((els) => els.map((e) => e.getAttribute('data-box-id') ?? ''));
const fileIds = (stem: string): string[] =>
  [...readFileSync(join(project, 'annotations', `${stem}.xml`), 'utf8').matchAll(/<object(?: id="([^"]*)")?>/g)].map((m) => m[1] ?? '');

async function saved(page: Page): Promise<void> {
  await expect(page.getByTestId('save-state')).toHaveAttribute('data-state', /^(saved|unchanged)$/);
}

test('box ids are stable across edits, saves, a restarted host and a new window', async ({ browser }) => {
  let page = await openProject(browser);
  await openImage(page, 'raccoon-119'); // three raccoons
  await expect(page.getByTestId('annotation-canvas')).toHaveAttribute('data-boxes', '3');
  const [a, b, c] = await boxIds(page);
  expect(new Set([a, b, c]).size).toBe(3);

  // delete the middle box: the others keep their ids, in the window and in the file
  await page.getByTestId('box-list').locator(`[data-box-id="${b}"]`).click();
  await expect(page.getByTestId('annotation-canvas')).toHaveAttribute('data-selected-id', b!);
  await page.keyboard.press('Delete');
  await saved(page);
  expect(await boxIds(page)).toEqual([a, c]);
  await expect.poll(() => fileIds('raccoon-119').length).toBe(2);

  // duplicate the last box: the copy gets a new id made in the window, which the file keeps
  await page.getByTestId('box-list').locator(`[data-box-id="${c}"]`).click();
  await page.keyboard.press('Control+d');
  await expect(page.getByTestId('annotation-canvas')).toHaveAttribute('data-boxes', '3');
  const afterDup = await boxIds(page);
  const copy = afterDup[2]!;
  expect(copy).not.toBe(c);
  expect(copy).toMatch(/^b[0-9a-f]{12}$/);
  await saved(page);
  await expect.poll(() => fileIds('raccoon-119')[2]).toBe(copy);

  // more edits and saves (nudge, undo, verified) do not change any id
  await page.keyboard.press('Shift+ArrowRight');
  await saved(page);
  await page.keyboard.press('Control+z');
  await saved(page);
  expect(await boxIds(page)).toEqual(afterDup);
  await page.close();

  // a restarted host and a new window read the same ids from the file
  await app.stop();
  app = await serveApp({ HOME: work });
  page = await openProject(browser);
  await openImage(page, 'raccoon-119');
  await expect(page.getByTestId('annotation-canvas')).toHaveAttribute('data-boxes', '3');
  expect(await boxIds(page)).toEqual(afterDup);
  // ...and deleting the first box there still leaves the others' ids alone
  await page.getByTestId('box-list').locator(`[data-box-id="${a}"]`).click();
  await page.keyboard.press('Delete');
  await saved(page);
  expect(await boxIds(page)).toEqual(afterDup.slice(1));
  await expect.poll(() => fileIds('raccoon-119')).toEqual(afterDup.slice(1));
  await page.close();
});

test('a pan or a wheel zoom re-renders the canvas, not the image list or the side panel', async ({ browser }) => {
  const page = await openProject(browser, true);
  await openImage(page, 'raccoon-12');
  await saved(page).catch(() => undefined); // nothing to save: the chip may say idle
  const canvas = page.getByTestId('annotation-canvas');
  const counts = (): Promise<Record<string, number>> => page.evaluate(() => ({ ...(window as { __detectaRenders?: Record<string, number> }).__detectaRenders }));
  // the list's virtualizer settles after the first paint: wait until the counts stay put
  let before = await counts();
  await expect.poll(async () => { const now = await counts(); const same = JSON.stringify(now) === JSON.stringify(before); before = now; return same; }, { intervals: [300] }).toBe(true);
  expect(before['label.list']).toBeGreaterThan(0);
  expect(before['label.side']).toBeGreaterThan(0);

  const area = (await canvas.locator('.konvajs-content').boundingBox())!;
  const view0 = await canvas.getAttribute('data-view');
  // wheel zooms at the cursor
  await page.mouse.move(area.x + area.width / 2, area.y + area.height / 2);
  for (let i = 0; i < 5; i++) await page.mouse.wheel(0, -120);
  await expect(canvas).not.toHaveAttribute('data-view', view0!);
  // Alt+wheel and Shift+wheel scroll
  await page.keyboard.down('Shift');
  await page.mouse.wheel(0, 80);
  await page.keyboard.up('Shift');
  // a drag on the image pans (with Space held: no box is grabbed)
  const view1 = await canvas.getAttribute('data-view');
  await page.keyboard.down('Space');
  await page.mouse.move(area.x + area.width / 2, area.y + area.height / 2);
  await page.mouse.down();
  await page.mouse.move(area.x + area.width / 2 - 60, area.y + area.height / 2 - 40, { steps: 8 });
  await page.mouse.up();
  await page.keyboard.up('Space');
  await expect(canvas).not.toHaveAttribute('data-view', view1!);

  const after = await counts();
  expect(after['label.canvas']).toBeGreaterThan(before['label.canvas'] ?? 0);
  expect(after['label.list'], 'image list renders').toBe(before['label.list']);
  expect(after['label.side'], 'side panel renders').toBe(before['label.side']);
  // the Space held to pan was not a tap: "verified" did not change
  await expect(page.getByTestId('verified').locator('input')).toBeChecked();

  // Space held over the selected box pans too: the box does not move
  const xml = readFileSync(join(project, 'annotations', 'raccoon-12.xml'), 'utf8');
  await page.getByTestId('box-list').locator('li').first().click();
  await expect(canvas).toHaveAttribute('data-selected', '0');
  await page.keyboard.press('Control+0'); // fit: the whole box on screen
  await expect(canvas).toHaveAttribute('data-view', view0!);
  const [scale, ox, oy] = (await canvas.getAttribute('data-view'))!.split(',').map(Number) as [number, number, number];
  const b0 = xml.match(/<xmin>(\d+)<\/xmin>\s*<ymin>(\d+)<\/ymin>\s*<xmax>(\d+)<\/xmax>\s*<ymax>(\d+)<\/ymax>/)!.slice(1).map(Number) as [number, number, number, number];
  const cx = area.x + ox + ((b0[0] + b0[2]) / 2) * scale;
  const cy = area.y + oy + ((b0[1] + b0[3]) / 2) * scale;
  const view2 = await canvas.getAttribute('data-view');
  await page.keyboard.down('Space');
  await page.mouse.move(cx, cy);
  await page.mouse.down();
  await page.mouse.move(cx + 50, cy + 30, { steps: 6 });
  await page.mouse.up();
  await page.keyboard.up('Space');
  await expect(canvas).not.toHaveAttribute('data-view', view2!);
  await expect(page.getByTestId('save-state')).not.toHaveAttribute('data-state', /pending|saving/);
  expect(readFileSync(join(project, 'annotations', 'raccoon-12.xml'), 'utf8')).toBe(xml);
  await expect(page.getByRole('button', { name: /^Undo/ })).toBeDisabled();
  await page.close();
});

test('one drag of a box, however many pointer moves, is one undo step', async ({ browser }) => {
  const page = await openProject(browser);
  await openImage(page, 'raccoon-13');
  const canvas = page.getByTestId('annotation-canvas');
  const file = join(project, 'annotations', 'raccoon-13.xml');
  const original = readFileSync(file, 'utf8');
  const coords = (xml: string): number[] => xml.match(/<xmin>(\d+)<\/xmin>\s*<ymin>(\d+)<\/ymin>\s*<xmax>(\d+)<\/xmax>\s*<ymax>(\d+)<\/ymax>/)!.slice(1).map(Number);
  const [x0, y0, x1, y1] = coords(original) as [number, number, number, number];
  await page.getByTestId('box-list').locator('li').first().click();
  await expect(canvas).toHaveAttribute('data-selected', '0');
  const [scale, ox, oy] = (await canvas.getAttribute('data-view'))!.split(',').map(Number) as [number, number, number];
  const area = (await canvas.locator('.konvajs-content').boundingBox())!;
  const cx = area.x + ox + ((x0 + x1) / 2) * scale;
  const cy = area.y + oy + ((y0 + y1) / 2) * scale;
  await page.mouse.move(cx, cy);
  await page.mouse.down();
  await page.mouse.move(cx + 40, cy + 25, { steps: 20 });
  await expect(canvas).toHaveAttribute('data-mode', 'drag');
  await page.mouse.up();
  await expect(canvas).toHaveAttribute('data-mode', 'idle');
  await expect.poll(() => coords(readFileSync(file, 'utf8'))[0]).not.toBe(x0);
  await saved(page);
  await page.keyboard.press('Control+z');
  await expect.poll(() => coords(readFileSync(file, 'utf8'))).toEqual([x0, y0, x1, y1]);
  await expect(page.getByRole('button', { name: /^Undo/ })).toBeDisabled();
  await page.close();
});
