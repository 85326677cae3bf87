/**
 * Label view e2e against the web host on a temp copy of the raccoon dataset: every edit made with
 * the mouse and the keyboard is checked in the VOC XML on disk (parsed, within 1 px), then
 * navigation/filters/counter, and a save error (immutable/read-only file) that is shown, keeps
 * the edit and saves once the file is writable again.
 */
import { test, expect, type Page } from '@playwright/test';
import { chmodSync, mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { serveApp, repoRoot, sharedDatasets, type ServedApp } from '../helpers/serve';
import { copyWritable } from '../helpers/writable-copy';

let app: ServedApp;
let work: string;
let project: string;
let page: Page;

const UNLABELED = ['raccoon-10', 'raccoon-11', 'raccoon-12'];

test.describe.configure({ mode: 'serial' });

test.beforeAll(async ({ browser }) => {
  work = mkdtempSync(join(tmpdir(), 'detecta-label-'));
  project = join(work, 'raccoon');
  copyWritable(join(sharedDatasets, 'detection-voc/raccoon'), project);
  for (const s of UNLABELED) rmSync(join(project, 'annotations', `${s}.xml`));
  app = await serveApp({ HOME: work });
  page = await browser.newPage();
  await page.goto(app.url);
  await page.getByLabel('Project folder').fill(project);
  await page.getByRole('button', { name: 'Open', exact: true }).click();
  await expect(page.getByTestId('labeled-counter')).toHaveText('labeled 197 / 200');
});

test.afterAll(async () => {
  await page?.close();
  await app?.stop();
  if (work) {
    spawnSync('chattr', ['-R', '-i', work]);
    rmSync(work, { recursive: true, force: true });
  }
});

const shot = (name: string): string => join(repoRoot, 'test-results', 'screenshots', `label-${name}.png`);

interface XmlBox { name: string; xmin: number; ymin: number; xmax: number; ymax: number; difficult: number; truncated: number }
interface XmlDoc { verified: boolean; filename: string; width: number; boxes: XmlBox[] }
const parser = new XMLParser({ ignoreAttributes: false, isArray: (name) => name === 'object' });

function readXml(stem: string): XmlDoc | null {
  const file = join(project, 'annotations', `${stem}.xml`);
  if (!existsSync(file)) return null;
  const a = parser.parse(readFileSync(file, 'utf8')).annotation;
  return {
    verified: a['@_verified'] === 'yes',
    filename: String(a.filename),
    width: Number(a.size.width),
    boxes: (a.object ?? []).map((o: { name: string; difficult: number; truncated: number; bndbox: Record<string, number> }) => ({
      name: String(o.name), difficult: Number(o.difficult), truncated: Number(o.truncated),
      xmin: Number(o.bndbox.xmin), ymin: Number(o.bndbox.ymin), xmax: Number(o.bndbox.xmax), ymax: Number(o.bndbox.ymax),
    })),
  };
}

const near = (b: XmlBox | undefined, name: string, x0: number, y0: number, x1: number, y1: number): boolean =>
  !!b && b.name === name && Math.abs(b.xmin - x0) <= 1 && Math.abs(b.ymin - y0) <= 1 && Math.abs(b.xmax - x1) <= 1 && Math.abs(b.ymax - y1) <= 1;

async function expectXml(stem: string, check: (d: XmlDoc | null) => boolean, what: string): Promise<void> {
  await expect.poll(() => { const d = readXml(stem); return check(d) ? 'ok' : JSON.stringify(d?.boxes ?? null) + (d?.verified ? ' verified' : ''); }, { message: what, timeout: 10_000 }).toBe('ok');
}

/**
 * Screen point (whole pixels: mouse events carry integer coordinates) nearest to an image pixel,
 * with the exact image point it stands for, from the view transform the canvas publishes.
 */
async function screen(ix: number, iy: number): Promise<{ x: number; y: number; ix: number; iy: number }> {
  const canvas = page.getByTestId('annotation-canvas');
  await expect(canvas).not.toHaveAttribute('data-view', '');
  const [scale, ox, oy] = (await canvas.getAttribute('data-view'))!.split(',').map(Number) as [number, number, number];
  const box = (await canvas.locator('.konvajs-content').boundingBox())!;
  const x = Math.round(box.x + ox + ix * scale);
  const y = Math.round(box.y + oy + iy * scale);
  return { x, y, ix: (x - box.x - ox) / scale, iy: (y - box.y - oy) / scale };
}

async function drag(from: { x: number; y: number }, to: { x: number; y: number }, mods: 'Shift' | null = null): Promise<void> {
  await page.mouse.move(from.x, from.y);
  await page.mouse.down();
  if (mods) await page.keyboard.down(mods);
  await page.mouse.move(to.x, to.y, { steps: 6 });
  await page.mouse.up();
  if (mods) await page.keyboard.up(mods);
}

async function openImage(stem: string): Promise<void> {
  await page.getByTestId('image-list').locator(`[data-image-id="images/${stem}.jpg"]`).click();
  await expect(page.getByTestId('current-image')).toHaveText(`images/${stem}.jpg`);
  await expect(page.getByTestId('annotation-canvas')).not.toHaveAttribute('data-view', '');
}

test('draw, move, resize, relabel, nudge, delete, undo/redo, duplicate and verify: the XML follows every step', async () => {
  await openImage('raccoon-1');
  await expect(page.getByTestId('annotation-canvas')).toHaveAttribute('data-boxes', '1');
  const original = readXml('raccoon-1')!;
  expect(original.boxes).toHaveLength(1);

  // draw with W + drag; the type-to-search picker adds a new class
  await page.keyboard.press('w');
  const a = await screen(20, 20);
  const b = await screen(120, 90);
  await drag(a, b);
  let [x0, y0, x1, y1] = [a.ix, a.iy, b.ix, b.iy];
  await expect(page.getByTestId('class-picker')).toBeVisible();
  await page.getByLabel('Class name').fill('dog');
  await page.screenshot({ path: shot('01-class-picker') });
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('annotation-canvas')).toHaveAttribute('data-boxes', '2');
  await expectXml('raccoon-1', (d) => d?.boxes.length === 2 && near(d.boxes[1], 'dog', x0, y0, x1, y1), 'drawn box saved');
  await expect(page.getByTestId('class-list')).toContainText('dog');
  await expect(page.getByTestId('save-state')).toHaveAttribute('data-state', /saved|unchanged/);

  // move the (selected) new box by dragging its middle
  await expect(page.getByTestId('annotation-canvas')).toHaveAttribute('data-selected', '1');
  const m0 = await screen(70, 55);
  const m1 = await screen(100, 75);
  await drag(m0, m1);
  [x0, y0, x1, y1] = [x0 + m1.ix - m0.ix, y0 + m1.iy - m0.iy, x1 + m1.ix - m0.ix, y1 + m1.iy - m0.iy];
  await expectXml('raccoon-1', (d) => near(d?.boxes[1], 'dog', x0, y0, x1, y1), 'moved box saved');

  // resize with the bottom-right handle of the Transformer
  const r0 = await screen(x1, y1);
  const r1 = await screen(200, 150);
  await drag(r0, r1);
  [x1, y1] = [x1 + r1.ix - r0.ix, y1 + r1.iy - r0.iy];
  await expectXml('raccoon-1', (d) => near(d?.boxes[1], 'dog', x0, y0, x1, y1), 'resized box saved');
  // from here on the coordinates are the saved (rounded) ones
  [x0, y0, x1, y1] = ((bx) => [bx.xmin, bx.ymin, bx.xmax, bx.ymax])(readXml('raccoon-1')!.boxes[1]!);
  await page.screenshot({ path: shot('02-selected-box') });

  // relabel with the number key (class 1 = raccoon), nudge with the arrows (Shift = 10 px)
  await page.keyboard.press('1');
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('Shift+ArrowDown');
  await expectXml('raccoon-1', (d) => near(d?.boxes[1], 'raccoon', x0 + 1, y0 + 10, x1 + 1, y1 + 10), 'relabelled and nudged box saved');

  // delete, undo, redo (Ctrl+Shift+Z), undo, redo (Ctrl+Y)
  await page.keyboard.press('Delete');
  await expectXml('raccoon-1', (d) => d?.boxes.length === 1, 'deleted');
  await page.keyboard.press('Control+z');
  await expectXml('raccoon-1', (d) => d?.boxes.length === 2 && near(d.boxes[1], 'raccoon', x0 + 1, y0 + 10, x1 + 1, y1 + 10), 'undo restores the box');
  await page.keyboard.press('Control+Shift+Z');
  await expectXml('raccoon-1', (d) => d?.boxes.length === 1, 'redo deletes again');
  await page.keyboard.press('Control+z');
  await page.keyboard.press('Control+z'); // undo the nudge/relabel steps one by one
  await expectXml('raccoon-1', (d) => near(d?.boxes[1], 'raccoon', x0 + 1, y0, x1 + 1, y1), 'undo is per step');
  await page.keyboard.press('Control+y');
  await expectXml('raccoon-1', (d) => near(d?.boxes[1], 'raccoon', x0 + 1, y0 + 10, x1 + 1, y1 + 10), 'redo with Ctrl+Y');

  // duplicate the original box after selecting it with a click; difficult via the checkbox
  const o = original.boxes[0]!;
  await page.mouse.click(...Object.values(await screen(o.xmin + 15, o.ymax - 15)) as [number, number]);
  await expect(page.getByTestId('annotation-canvas')).toHaveAttribute('data-selected', '0');
  await page.keyboard.press('Control+d');
  await expectXml('raccoon-1', (d) => d?.boxes.length === 3 && d.boxes[2]?.name === 'raccoon', 'duplicated');
  await page.getByTestId('box-attrs').getByLabel('difficult').check();
  await expectXml('raccoon-1', (d) => d?.boxes[2]?.difficult === 1, 'difficult saved');

  // Space toggles verified (raccoon-1 starts verified)
  expect(original.verified).toBe(true);
  await page.mouse.move(5, 5);
  await page.keyboard.press('Space');
  await expectXml('raccoon-1', (d) => d?.verified === false, 'verified toggled off');
  await page.keyboard.press('Space');
  await expectXml('raccoon-1', (d) => d?.verified === true, 'verified toggled on');

  // LabelImg-compatible output: integers, original box kept exactly, filename and size
  const final = readXml('raccoon-1')!;
  expect(final.filename).toBe('raccoon-1.jpg');
  expect(final.width).toBe(650);
  expect(final.boxes[0]).toEqual(o);
  const text = readFileSync(join(project, 'annotations', 'raccoon-1.xml'), 'utf8');
  expect(text).toMatch(/<bndbox>\s*<xmin>\d+<\/xmin>\s*<ymin>\d+<\/ymin>\s*<xmax>\d+<\/xmax>\s*<ymax>\d+<\/ymax>\s*<\/bndbox>/);
  await page.screenshot({ path: shot('03-after-edits') });
});

test('D/A navigation, the unlabeled filter, next unlabeled and the counter', async () => {
  await openImage('raccoon-1');
  const list = page.getByTestId('image-list');
  const ids = await list.locator('[data-image-id]').evaluateAll((els) => els.map((e) => e.getAttribute('data-image-id')));
  const i = ids.indexOf('images/raccoon-1.jpg');
  await page.keyboard.press('d');
  await expect(page.getByTestId('current-image')).toHaveText(ids[i + 1]!);
  await page.keyboard.press('a');
  await expect(page.getByTestId('current-image')).toHaveText('images/raccoon-1.jpg');

  await page.getByLabel('Filter images').selectOption('unlabeled');
  await expect(page.getByTestId('list-total')).toHaveText('3 shown');
  await expect(page.getByTestId('current-image')).toHaveText('images/raccoon-10.jpg');
  await expect(page.getByTestId('labeled-counter')).toHaveText('labeled 197 / 200');
  await page.screenshot({ path: shot('04-filter-unlabeled') });

  // single-class mode: no picker, the box gets the default class
  await page.getByRole('button', { name: 'Default class raccoon' }).click();
  await expect(page.getByText('Single-class mode')).toBeVisible();
  await page.keyboard.press('w');
  await drag(await screen(30, 30), await screen(130, 100));
  await expect(page.getByTestId('class-picker')).toHaveCount(0);
  await expectXml('raccoon-10', (d) => d?.boxes.length === 1 && near(d.boxes[0], 'raccoon', 30, 30, 130, 100), 'first box of an unlabeled image');
  await expect(page.getByTestId('labeled-counter')).toHaveText('labeled 198 / 200');

  // the labelled image left the filter: D goes to the next unlabeled one
  await page.keyboard.press('d');
  await expect(page.getByTestId('current-image')).toHaveText('images/raccoon-11.jpg');
  await expect(page.getByTestId('list-total')).toHaveText('2 shown');

  // has class filter and jump to next unlabeled from the full list
  await page.getByLabel('Filter images').selectOption('class:dog');
  await expect(page.getByTestId('list-total')).toHaveText('0 shown');
  await page.getByLabel('Filter images').selectOption('difficult');
  await expect(page.getByTestId('list-total')).toHaveText('1 shown');
  await page.getByLabel('Filter images').selectOption('all');
  await expect(page.getByTestId('list-total')).toHaveText('200 shown');
  await openImage('raccoon-1');
  await page.keyboard.press('Control+u');
  await expect(page.getByTestId('current-image')).toHaveText('images/raccoon-11.jpg');
  await page.getByRole('button', { name: 'Default class raccoon' }).click();
  await expect(page.getByText('A class picker opens after each box.')).toBeVisible();
});

test('a save error is shown, keeps the edit across image switches, and saves once the file is writable', async () => {
  await openImage('raccoon-2');
  const before = readXml('raccoon-2')!;
  const b = before.boxes[0]!;
  const file = join(project, 'annotations', 'raccoon-2.xml');
  chmodSync(file, 0o444);
  // root ignores permissions: make it immutable as well so the atomic rename fails
  const root = process.getuid?.() === 0;
  if (root) expect(spawnSync('chattr', ['+i', file]).status, 'chattr +i').toBe(0);

  await page.mouse.click(...Object.values(await screen((b.xmin + b.xmax) / 2, (b.ymin + b.ymax) / 2)) as [number, number]);
  await expect(page.getByTestId('annotation-canvas')).toHaveAttribute('data-selected', '0');
  await page.keyboard.press('Shift+ArrowRight');
  await expect(page.getByTestId('save-state')).toHaveAttribute('data-state', 'error');
  await expect(page.getByTestId('save-error')).toContainText('Could not save');
  await expect(page.locator('.notice-error')).toContainText('raccoon-2');
  await page.screenshot({ path: shot('05-save-error') });
  expect(readXml('raccoon-2')!.boxes[0]).toEqual(b);

  // switching images does not lose the edit
  await page.keyboard.press('d');
  await expect(page.getByTestId('current-image')).not.toHaveText('images/raccoon-2.jpg');
  await openImage('raccoon-2');
  await expect(page.getByTestId('box-list')).toContainText(`${b.xmax - b.xmin}×${b.ymax - b.ymin}`);

  if (root) expect(spawnSync('chattr', ['-i', file]).status).toBe(0);
  chmodSync(file, 0o644);
  await expectXml('raccoon-2', (d) => near(d?.boxes[0], b.name, b.xmin + 10, b.ymin, b.xmax + 10, b.ymax), 'the retried save lands');
  await expect(page.getByTestId('save-state')).toHaveAttribute('data-state', /saved|unchanged|idle/);
});

test('zoom to cursor, fit, help overlay with remapping and conflict detection', async () => {
  await openImage('raccoon-1');
  const canvas = page.getByTestId('annotation-canvas');
  const view0 = (await canvas.getAttribute('data-view'))!;
  const p = await screen(300, 200);
  await page.mouse.move(p.x, p.y);
  await page.keyboard.down('Control');
  await page.mouse.wheel(0, -300);
  await page.keyboard.up('Control');
  await expect(canvas).not.toHaveAttribute('data-view', view0);
  const after = await screen(300, 200);
  expect(Math.abs(after.x - p.x)).toBeLessThan(2); // the point under the cursor stays put
  expect(Math.abs(after.y - p.y)).toBeLessThan(2);
  await page.screenshot({ path: shot('06-zoomed') });
  await page.keyboard.press('Control+0');
  await expect(canvas).toHaveAttribute('data-view', view0);

  await page.keyboard.press('?');
  const help = page.getByTestId('shortcut-help');
  await expect(help).toContainText('Draw a box');
  await page.screenshot({ path: shot('07-help') });
  await help.getByRole('button', { name: /Change the key of Draw a box/ }).click();
  await page.keyboard.press('d');
  await expect(page.getByTestId('keymap-conflict')).toContainText('already used by “Next image”');
  await page.keyboard.press('b');
  await expect(help.locator('[data-action="draw"] kbd')).toHaveText('B');
  await help.getByRole('button', { name: 'Reset to defaults' }).click();
  await expect(help.locator('[data-action="draw"] kbd')).toHaveText('W');
  await page.keyboard.press('Escape');
  await expect(help).toHaveCount(0);
});
