/**
 * Label view, review queue (issue 21), in Chromium through the web host: a project of three
 * 320×320 images with planted label errors and the known-weights detector (red/blue 32 px cells,
 * tests/helpers/detect-fixtures.ts) as the active model. "Review labels" runs the model in the
 * page and lists a wrong class and a missing box on a.png, a loose box on b.png and a spurious box
 * on c.png; one-key fixes (A) rewrite each XML on disk as the finding showed: the class changed,
 * the box added, the box moved onto the model's cell, the box deleted; K keeps a label and the
 * next review leaves it out; Ctrl+Z undoes a fix (the editor's history); the queue sits beside
 * the canvas, not over it; "Label next" lists the unlabeled image and opens it. Screenshots at
 * 1280×720 and 1920×1080.
 */
import { test, expect, type Page } from '@playwright/test';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { XMLParser } from 'fast-xml-parser';
import { type E2eHost, repoRoot, startE2eHost } from '../helpers/serve';
import { callApi, writeKnownWeightsRun } from '../helpers/detect-fixtures';

let host: E2eHost;
let project: string;
let page: Page;

test.describe.configure({ mode: 'serial' });

type Box = [string, number, number, number, number];
const RED: [number, number, number] = [220, 30, 30];
const BLUE: [number, number, number] = [30, 30, 220];

/** A grey 320×320 PNG with coloured 32 px cells at the given corners. */
async function cells(file: string, squares: { at: [number, number]; rgb: [number, number, number] }[]): Promise<void> {
  await sharp({ create: { width: 320, height: 320, channels: 3, background: { r: 128, g: 128, b: 128 } } })
    .composite(await Promise.all(squares.map(async (s) => ({
      input: await sharp({ create: { width: 32, height: 32, channels: 3, background: { r: s.rgb[0], g: s.rgb[1], b: s.rgb[2] } } }).png().toBuffer(),
      left: s.at[0], top: s.at[1],
    }))))
    .png().toFile(file);
}

function voc(name: string, boxes: Box[]): string {
  const objects = boxes.map(([label, x1, y1, x2, y2]) => `<object><name>${label}</name><pose>Unspecified</pose><truncated>0</truncated><difficult>0</difficult><bndbox><xmin>${x1}</xmin><ymin>${y1}</ymin><xmax>${x2}</xmax><ymax>${y2}</ymax></bndbox></object>`);
  return `<annotation><folder>images</folder><filename>${name}</filename><size><width>320</width><height>320</height><depth>3</depth></size><segmented>0</segmented>${objects.join('')}</annotation>\n`;
}

const parser = new XMLParser({ isArray: (n) => n === 'object' });
function boxesOf(stem: string): Box[] {
  const file = join(project, 'images', `${stem}.xml`);
  if (!existsSync(file)) return [];
  const objects = (parser.parse(readFileSync(file, 'utf8')).annotation.object ?? []) as { name: string; bndbox: Record<string, number> }[];
  return objects.map((o) => [o.name, Number(o.bndbox.xmin), Number(o.bndbox.ymin), Number(o.bndbox.xmax), Number(o.bndbox.ymax)] as Box)
    .sort((a, b) => a[0].localeCompare(b[0]) || a[1] - b[1]);
}

test.beforeAll(async ({ browser }) => {
  host = await startE2eHost('detecta-review-', async (w) => {
    project = join(w, 'cells');
    mkdirSync(join(project, 'images'), { recursive: true });
    mkdirSync(join(project, '.detecta'), { recursive: true });
    writeFileSync(join(project, '.detecta', 'project.json'), JSON.stringify({ version: 1, classes: ['red', 'blue'] }));
    // a.png: a red cell labeled blue (wrong class), a blue cell without a label (missing)
    await cells(join(project, 'images', 'a.png'), [{ at: [64, 96], rgb: RED }, { at: [192, 32], rgb: BLUE }]);
    writeFileSync(join(project, 'images', 'a.xml'), voc('a.png', [['blue', 64, 96, 96, 128]]));
    // b.png: the red cell's label 10 px off to the right (IoU 0.52: loose)
    await cells(join(project, 'images', 'b.png'), [{ at: [128, 160], rgb: RED }]);
    writeFileSync(join(project, 'images', 'b.xml'), voc('b.png', [['red', 138, 160, 170, 192]]));
    // c.png: grey only, one red label on nothing (spurious); d.png: grey, a blue label on nothing (kept)
    await cells(join(project, 'images', 'c.png'), []);
    writeFileSync(join(project, 'images', 'c.xml'), voc('c.png', [['red', 32, 32, 64, 64]]));
    await cells(join(project, 'images', 'd.png'), []);
    writeFileSync(join(project, 'images', 'd.xml'), voc('d.png', [['blue', 224, 224, 256, 256]]));
    // e.png: unlabeled, for "Label next"
    await cells(join(project, 'images', 'e.png'), [{ at: [96, 96], rgb: RED }]);
    await writeKnownWeightsRun(project);
  });
  page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
  page.on('console', (m) => { if (m.type() === 'error') console.log('[page]', m.text()); });
  await page.goto(host.app.url);
  await page.getByLabel('Project folder').fill(project);
  await page.getByRole('button', { name: 'Open', exact: true }).click();
  await expect(page.getByTestId('label-view')).toBeVisible();
  await callApi(page, 'model.setActive', { project, run: 'known', weights: 'best' });
});

test.afterAll(async () => {
  await page?.close();
  await host?.close();
});

const shot = (name: string): string => join(repoRoot, 'test-results', 'screenshots', `label-review-${name}.png`);
const current = (p: Page) => p.getByTestId('review-current');

/** Selects the finding of `kind` on `image` in the list and waits until it is the current one. */
async function pick(p: Page, kind: string, image: string): Promise<void> {
  const labels: Record<string, string> = { missing: 'Missing box', spurious: 'Spurious box', 'wrong-class': 'Wrong class', loose: 'Loose box', duplicate: 'Duplicate' };
  await p.getByRole('list', { name: 'Findings' }).getByRole('button').filter({ hasText: labels[kind] }).filter({ hasText: image }).first().click();
  await expect(current(p)).toHaveAttribute('data-kind', kind);
  await expect(current(p)).toContainText(image);
  await expect(p.getByTestId('current-image')).toHaveText(`images/${image}`);
  await p.getByTestId('review-panel').focus();
}

test('review queue: findings of every planted kind; one-key fixes rewrite the XML; K keeps a label; Ctrl+Z undoes a fix', async () => {
  test.setTimeout(300_000);
  await page.getByRole('button', { name: 'Review labels' }).click();
  await expect(page.getByTestId('review-count')).toHaveText(/^5 findings in 4 labeled images$/, { timeout: 120_000 });
  const kinds = await page.getByRole('list', { name: 'Findings' }).getByRole('button').allTextContents();
  expect(kinds.filter((t) => t.includes('Wrong class') && t.includes('a.png'))).toHaveLength(1);
  expect(kinds.filter((t) => t.includes('Missing box') && t.includes('a.png'))).toHaveLength(1);
  expect(kinds.filter((t) => t.includes('Loose box') && t.includes('b.png'))).toHaveLength(1);
  expect(kinds.filter((t) => t.includes('Spurious box') && t.includes('c.png'))).toHaveLength(1);
  expect(kinds.filter((t) => t.includes('Spurious box') && t.includes('d.png'))).toHaveLength(1);

  await pick(page, 'loose', 'b.png');
  // the queue sits beside the image, not over it: the canvas ends where the queue begins
  const canvas = (await page.locator('.canvas-area .canvas-wrap').boundingBox())!;
  const drawer = (await page.getByTestId('review-panel').boundingBox())!;
  expect(canvas.x + canvas.width).toBeLessThanOrEqual(drawer.x + 1);
  expect(canvas.width).toBeGreaterThan(300);
  await expect(page.getByTestId('review-crop-label').locator('rect')).toHaveCount(1);
  await expect(page.getByTestId('review-crop-model').locator('rect')).toHaveCount(1);
  await page.screenshot({ path: shot('1280x720') });
  await page.setViewportSize({ width: 1920, height: 1080 });
  await page.screenshot({ path: shot('1920x1080') });
  await page.setViewportSize({ width: 1280, height: 720 });

  await page.keyboard.press('a');
  await expect.poll(() => boxesOf('b')).toEqual([['red', 128, 160, 160, 192]]);

  await pick(page, 'wrong-class', 'a.png');
  await page.keyboard.press('a');
  await expect.poll(() => boxesOf('a')).toEqual([['red', 64, 96, 96, 128]]);
  await pick(page, 'missing', 'a.png');
  await page.keyboard.press('a');
  await expect.poll(() => boxesOf('a')).toEqual([['blue', 192, 32, 224, 64], ['red', 64, 96, 96, 128]]);

  await pick(page, 'spurious', 'c.png');
  await page.keyboard.press('a');
  await expect.poll(() => boxesOf('c')).toEqual([]);
  // the editor's history holds the fix: back on c.png, Ctrl+Z (the editor's undo) puts the box back
  await page.getByTestId('image-list').getByRole('button', { name: /images\/c\.png/ }).click();
  await expect(page.getByTestId('current-image')).toHaveText('images/c.png');
  await page.keyboard.press('Control+z');
  await expect.poll(() => boxesOf('c')).toEqual([['red', 32, 32, 64, 64]]);

  // K keeps d.png's label: it stays on disk and the next review leaves the finding out
  await pick(page, 'spurious', 'd.png');
  await page.keyboard.press('k');
  await expect(page.getByRole('list', { name: 'Findings' }).getByRole('button').filter({ hasText: 'd.png' })).toHaveCount(0);
  expect(boxesOf('d')).toEqual([['blue', 224, 224, 256, 256]]);
  await page.getByRole('button', { name: 'Review again' }).click();
  // c.png's box is back (undone), so its spurious finding returns; d.png's stays dismissed
  await expect(page.getByTestId('review-count')).toHaveText(/^1 finding in 4 labeled images$/, { timeout: 120_000 });
  await expect(current(page)).toHaveAttribute('data-kind', 'spurious');
  await expect(current(page)).toContainText('c.png');

  // "Label next" lists the unlabeled image; a click opens it in the editor
  const next = page.getByRole('list', { name: 'Label next' }).getByRole('button');
  await expect(next).toHaveCount(1);
  await expect(next.first()).toContainText('images/e.png');
  await next.first().click();
  await expect(page.getByTestId('current-image')).toHaveText('images/e.png');
});
