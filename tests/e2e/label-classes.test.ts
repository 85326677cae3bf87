/**
 * Issue 20, findings 1, 2, 5, 6 and 7 through the real UI on a copy of the raccoon set:
 * classes deleted and merged (the XML on disk and project.json follow, Undo puts them back, an
 * empty class is warned about before training), a model's classes never join the project by
 * themselves (drafts keep them, accepting asks, the answer is remembered per model), actions
 * that cannot work are disabled with their reason, Ctrl+S, selection across undo/redo, file-name
 * search, wheel zoom, live header counts and notices that expire or go with the project.
 */
import { test, expect, type Page } from '@playwright/test';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { repoRoot, sharedDatasets, startE2eHost, type E2eHost } from '../helpers/serve';
import { writeKnownWeightsRun, writeShapesImage } from '../helpers/detect-fixtures';
import { copyWritable } from '../helpers/writable-copy';

let host: E2eHost;
let project: string;
let page: Page;

test.describe.configure({ mode: 'serial' });

test.beforeAll(async ({ browser }) => {
  host = await startE2eHost('detecta-classes-', async (w) => {
    project = join(w, 'raccoon');
    copyWritable(join(sharedDatasets, 'detection-voc/raccoon'), project);
    // two photos the known-weights detector sees a red and a blue square on (its classes: red, blue)
    await writeShapesImage(join(project, 'images', 'shapes-1.png'));
    await writeShapesImage(join(project, 'images', 'shapes-2.png'));
    await writeKnownWeightsRun(project);
  });
  page = await browser.newPage();
  page.on('console', (m) => { if (m.type() === 'error') console.log('[page]', m.text()); });
  await page.goto(host.app.url);
  await page.getByLabel('Project folder').fill(project);
  await page.getByRole('button', { name: 'Open', exact: true }).click();
  await expect(page.getByTestId('labeled-counter')).toHaveText('labeled 200 / 202');
});

test.afterAll(async () => {
  await page?.close();
  await host?.close();
});

const shot = (name: string): string => join(repoRoot, 'test-results', 'screenshots', `classes-${name}.png`);
const parser = new XMLParser({ ignoreAttributes: false, isArray: (name) => name === 'object' });
interface Obj { name: string; draft?: number }
function objects(stem: string): Obj[] {
  try {
    return (parser.parse(readFileSync(join(project, 'annotations', `${stem}.xml`), 'utf8')).annotation.object ?? []) as Obj[];
  } catch {
    return [];
  }
}
const names = (stem: string): string => objects(stem).map((o) => o.name + (o.draft ? '*' : '')).join(',');
const projectJson = (): { classes: string[]; classMappings?: Record<string, Record<string, string | null>> } => JSON.parse(readFileSync(join(project, '.detecta', 'project.json'), 'utf8'));
const classRow = (c: string) => page.getByTestId('class-list').locator(`li[data-class="${c}"]`);

async function openImage(id: string): Promise<void> {
  await page.getByLabel('Search file names').fill(id.replace(/^images\//, '').replace(/\.\w+$/, ''));
  await page.getByTestId('image-list').locator(`[data-image-id="${id}"]`).click();
  await expect(page.getByTestId('current-image')).toHaveText(id);
  await expect(page.getByTestId('annotation-canvas')).not.toHaveAttribute('data-view', '');
}

async function drawBox(className: string, at: [number, number, number, number]): Promise<void> {
  const canvas = page.getByTestId('annotation-canvas');
  const [scale, ox, oy] = (await canvas.getAttribute('data-view'))!.split(',').map(Number) as [number, number, number];
  const box = (await canvas.locator('.konvajs-content').boundingBox())!;
  const pt = (ix: number, iy: number) => ({ x: box.x + ox + ix * scale, y: box.y + oy + iy * scale });
  const a = pt(at[0], at[1]);
  const b = pt(at[2], at[3]);
  await page.keyboard.press('w');
  await page.mouse.move(a.x, a.y);
  await page.mouse.down();
  await page.mouse.move(b.x, b.y, { steps: 5 });
  await page.mouse.up();
  await page.getByLabel('Class name').fill(className);
  await page.keyboard.press('Enter');
}

test('finding 1: a class can be deleted (boxes named first, XML rewritten, Undo) and merged; empty classes are warned about before training', async () => {
  await openImage('images/raccoon-1.jpg');
  await drawBox('dog', [10, 10, 80, 70]);
  await expect.poll(() => names('raccoon-1')).toBe('raccoon,dog');
  await expect(classRow('dog').getByTestId('class-count')).toHaveText('1');
  await expect(page.getByTestId('project-chip')).toContainText('2 classes');

  // delete: the confirmation names the boxes, the file and project.json follow
  await page.getByRole('button', { name: 'More for class dog' }).click();
  // the class menu opens under its row, full width (not squeezed beside it)
  const rowBox = (await classRow('dog').locator('.class-row').boundingBox())!;
  const menuBox = (await page.getByTestId('class-menu').boundingBox())!;
  expect(menuBox.y).toBeGreaterThanOrEqual(rowBox.y + rowBox.height - 1);
  expect(menuBox.width).toBeGreaterThan(rowBox.width * 0.9);
  await page.getByRole('button', { name: /Delete class \(1 box\)/ }).click();
  await expect(page.getByRole('alertdialog', { name: 'Delete dog?' })).toContainText('Delete “dog” and its 1 box in 1 image?');
  await page.screenshot({ path: shot('01-delete-confirm') });
  await page.getByRole('alertdialog', { name: 'Delete dog?' }).getByRole('button', { name: 'Delete', exact: true }).click();
  await expect(classRow('dog')).toHaveCount(0);
  await expect.poll(() => names('raccoon-1')).toBe('raccoon');
  expect(projectJson().classes).toEqual(['raccoon']);
  await expect(page.getByTestId('project-chip')).toContainText('1 class');
  await expect(page.getByTestId('annotation-canvas')).toHaveAttribute('data-boxes', '1');

  // undo from the notice
  await expect(page.getByTestId('notices')).toContainText('Deleted the class “dog” and 1 box in 1 file.');
  await page.getByTestId('notices').getByRole('button', { name: 'Undo' }).click();
  await expect(classRow('dog')).toHaveCount(1);
  await expect.poll(() => names('raccoon-1')).toBe('raccoon,dog');
  expect(projectJson().classes).toEqual(['raccoon', 'dog']);
  await expect(page.getByTestId('annotation-canvas')).toHaveAttribute('data-boxes', '2');

  // merge dog into raccoon
  await page.getByRole('button', { name: 'More for class dog' }).click();
  await page.getByLabel('Merge dog into').selectOption('raccoon');
  await page.getByRole('button', { name: /Merge 1 into “raccoon”/ }).click();
  await expect(classRow('dog')).toHaveCount(0);
  await expect.poll(() => names('raccoon-1')).toBe('raccoon,raccoon');
  expect(projectJson().classes).toEqual(['raccoon']);
  await expect(classRow('raccoon').getByTestId('class-count')).toHaveText('218');

  // an empty class: warned in the Label view and above "Start training"
  await page.getByLabel('New class').fill('cat');
  await page.getByRole('button', { name: 'Add', exact: true }).click();
  await expect(page.getByTestId('empty-classes')).toContainText('“cat” has no boxes');
  await page.getByRole('navigation', { name: 'Views' }).getByRole('button', { name: /Train/ }).click();
  await page.getByRole('button', { name: 'New run' }).click();
  await expect(page.getByTestId('empty-class-warning')).toContainText('“cat” has no boxes');
  await page.screenshot({ path: shot('02-train-empty-class-warning') });
  await page.getByRole('navigation', { name: 'Views' }).getByRole('button', { name: /Label/ }).click();
  await page.getByRole('button', { name: 'More for class cat' }).click();
  await page.getByRole('button', { name: /Delete class \(0 boxes\)/ }).click();
  await page.getByRole('alertdialog', { name: 'Delete cat?' }).getByRole('button', { name: 'Delete', exact: true }).click();
  await expect(page.getByTestId('empty-classes')).toHaveCount(0);
  expect(projectJson().classes).toEqual(['raccoon']);
});

test('class colours and order: a class named "blue car" is drawn blue, a picked colour is kept, moving a class changes the list in project.json', async () => {
  for (const c of ['blue car', 'cone']) {
    await page.getByLabel('New class').fill(c);
    await page.getByRole('button', { name: 'Add', exact: true }).click();
    await expect(classRow(c)).toHaveCount(1);
  }
  const swatch = (c: string) => classRow(c).locator('.class-pick .swatch');
  await expect(swatch('blue car')).toHaveCSS('background-color', 'rgb(77, 141, 255)');
  await page.getByRole('button', { name: 'More for class cone' }).click();
  await page.getByLabel('Colour of cone').fill('#00aa00');
  await expect(swatch('cone')).toHaveCSS('background-color', 'rgb(0, 170, 0)');
  await expect.poll(() => (projectJson() as { classColors?: Record<string, string> }).classColors?.cone).toBe('#00aa00');
  await page.getByRole('button', { name: 'Move cone up' }).click();
  await expect.poll(() => projectJson().classes.join(',')).toBe('raccoon,cone,blue car');
  await expect(page.getByTestId('class-list').locator('li').nth(1)).toHaveAttribute('data-class', 'cone');
  for (const c of ['cone', 'blue car']) {
    if (!(await classRow(c).getByTestId('class-menu').count())) await page.getByRole('button', { name: `More for class ${c}` }).click();
    await classRow(c).getByRole('button', { name: /Delete class/ }).click();
    await page.getByRole('alertdialog', { name: `Delete ${c}?` }).getByRole('button', { name: 'Delete', exact: true }).click();
    await expect(classRow(c)).toHaveCount(0);
  }
  expect(projectJson().classes).toEqual(['raccoon']);
});

test('findings 2 and 5: without a model pre-labeling is disabled with the reason; a model\'s classes stay on drafts until accepted and mapped, the mapping is remembered', async () => {
  await openImage('images/shapes-1.png');
  const bar = page.getByRole('toolbar', { name: 'Pre-labeling' });
  await expect(bar.getByRole('button', { name: 'Detect on all unlabeled' })).toBeDisabled();
  await expect(bar.getByRole('button', { name: 'Detect on this image' })).toBeDisabled();
  await expect(page.getByTestId('prelabel-reason')).toContainText('no model');

  // load a detector in the Detect view (its weights folder), then come back
  const weights = join(project, '.detecta', 'runs', 'known', 'weights', 'best');
  await page.getByRole('navigation', { name: 'Views' }).getByRole('button', { name: /Detect/ }).click();
  await page.getByLabel('Model', { exact: true }).selectOption('folder');
  await page.getByLabel('Model folder').fill(weights);
  await page.getByRole('button', { name: 'Load model' }).click();
  await expect(page.getByTestId('model-status')).toContainText('known (best)', { timeout: 60_000 });
  await page.getByRole('navigation', { name: 'Views' }).getByRole('button', { name: /Label/ }).click();
  await openImage('images/shapes-1.png');
  await expect(bar.getByRole('button', { name: 'Detect on this image' })).toBeEnabled();
  await bar.getByRole('button', { name: 'Detect on this image' }).click();
  await expect(page.getByTestId('draft-count')).toHaveText('2 drafts', { timeout: 60_000 });
  await expect.poll(() => names('shapes-1').split(',').sort().join(',')).toBe('blue*,red*');
  expect(projectJson().classes).toEqual(['raccoon']); // the model's classes did not join the project
  await expect(page.getByTestId('project-chip')).toContainText('1 class');
  await expect(classRow('red')).toHaveCount(0);

  await bar.getByRole('button', { name: 'Accept all' }).click();
  const dialog = page.getByTestId('accept-drafts');
  await expect(dialog).toContainText('red');
  await expect(dialog.getByRole('button', { name: 'Accept' })).toBeDisabled();
  await dialog.getByLabel('Map red to').selectOption('raccoon');
  await dialog.getByLabel('Map blue to').selectOption({ label: 'ignore (remove these drafts)' });
  await page.screenshot({ path: shot('03-map-model-classes') });
  await dialog.getByRole('button', { name: 'Accept' }).click();
  await expect.poll(() => names('shapes-1')).toBe('raccoon');
  expect(projectJson().classes).toEqual(['raccoon']);
  expect(projectJson().classMappings).toEqual({ [`folder:${weights}`]: { red: 'raccoon', blue: null } });

  // the remembered mapping applies to the next suggestions: red arrives as raccoon, blue is left out
  await openImage('images/shapes-2.png');
  await bar.getByRole('button', { name: 'Detect on this image' }).click();
  await expect(page.getByTestId('draft-count')).toHaveText('1 draft', { timeout: 60_000 });
  await expect.poll(() => names('shapes-2')).toBe('raccoon*');
  await expect(page.getByTestId('project-chip')).toContainText('202 / 202 labeled');
  await expect(bar.getByRole('button', { name: 'Detect on all unlabeled' })).toBeDisabled();
  await expect(page.getByTestId('prelabel-reason')).toContainText('no unlabeled images');

  // a detection run on a project image shows the model's classes in the project's terms
  await page.getByRole('navigation', { name: 'Views' }).getByRole('button', { name: /Detect/ }).click();
  await page.getByRole('tab', { name: 'Images' }).click();
  await page.getByLabel('Image path').fill('images/shapes-1.png');
  await page.getByRole('button', { name: 'Add', exact: true }).click();
  const row = (label: string) => page.locator(`[data-testid="detection"][data-label="${label}"]`);
  await expect(row('red').getByTestId('project-class')).toHaveText('→ raccoon', { timeout: 30_000 });
  await expect(row('blue').getByTestId('project-class')).toHaveText('(ignored in this project)');
  await page.screenshot({ path: shot('06-detect-in-project-terms') });
  await page.getByRole('navigation', { name: 'Views' }).getByRole('button', { name: /Label/ }).click();
});

test('finding 6: Ctrl+S saves with feedback, selection survives undo/redo, file-name search, the wheel zooms and never loses the image', async () => {
  await openImage('images/raccoon-2.jpg');
  const canvas = page.getByTestId('annotation-canvas');
  const before = objects('raccoon-2').length;
  await page.getByTestId('box-list').locator('li').first().click();
  await expect(canvas).toHaveAttribute('data-selected', '0');
  await page.keyboard.press('Delete');
  await expect(canvas).toHaveAttribute('data-boxes', String(before - 1));
  await page.keyboard.press('Control+z');
  await expect(canvas).toHaveAttribute('data-boxes', String(before));
  await expect(canvas).toHaveAttribute('data-selected', '0'); // the box the undo brought back is selected
  await page.keyboard.press('Control+d'); // so Ctrl+D acts on it at once
  await expect(canvas).toHaveAttribute('data-boxes', String(before + 1));
  await page.keyboard.press('Control+z');
  await page.keyboard.press('Control+Shift+z');
  await expect(canvas).toHaveAttribute('data-selected', String(before));
  await page.keyboard.press('Delete');
  await expect(canvas).toHaveAttribute('data-boxes', String(before));

  await page.keyboard.press('ArrowRight'); // nudge, then save at once
  await page.keyboard.press('Control+s');
  const chip = page.getByTestId('save-state');
  await expect(chip).toHaveAttribute('data-state', 'saved');
  await expect(chip).not.toHaveAttribute('data-saved-at', '');
  await expect(chip).toHaveText('Saved');

  // search
  const search = page.getByLabel('Search file names');
  await search.fill('raccoon-19');
  await expect(page.getByTestId('list-total')).toHaveText('11 shown'); // raccoon-19 and raccoon-190..199
  await search.fill('no-such-photo');
  await expect(page.getByTestId('image-list')).toContainText('No file name contains “no-such-photo”');
  await search.fill('');
  await expect(page.getByTestId('list-total')).toHaveText('202 shown');

  // wheel: zooms at the cursor; scrolling far never leaves the image off the canvas
  const view = async () => (await canvas.getAttribute('data-view'))!.split(',').map(Number) as [number, number, number];
  const [s0] = await view();
  const area = (await canvas.boundingBox())!;
  await page.mouse.move(area.x + area.width / 2, area.y + area.height / 2);
  await page.mouse.wheel(0, -400);
  await expect.poll(async () => (await view())[0] > s0).toBe(true);
  for (let i = 0; i < 8; i++) { await page.keyboard.down('Shift'); await page.mouse.wheel(0, 2000); await page.keyboard.up('Shift'); }
  for (let i = 0; i < 8; i++) await page.mouse.wheel(0, 3000);
  const [s, x, y] = await view();
  expect(s, 'zooming out stops while the image is still worth looking at').toBeGreaterThan(s0 / 5);
  const size = await page.evaluate(() => { const img = document.querySelector('[data-testid="annotation-canvas"] canvas') as HTMLCanvasElement | null; return img ? { w: img.width, h: img.height } : null; });
  expect(size).not.toBeNull();
  const nat = objects('raccoon-2').length ? parser.parse(readFileSync(join(project, 'annotations', 'raccoon-2.xml'), 'utf8')).annotation.size : null;
  const iw = Number(nat.width) * s;
  const ih = Number(nat.height) * s;
  expect(x + iw).toBeGreaterThan(0);
  expect(x).toBeLessThan(area.width);
  expect(y + ih).toBeGreaterThan(0);
  expect(y).toBeLessThan(area.height);
  await page.screenshot({ path: shot('04-wheel-zoomed-out') });
  await page.keyboard.press('Control+0');
});

test('finding 7: the header follows files changed on disk; an empty folder says so; notices go with the project', async () => {
  await expect(page.getByTestId('project-chip')).toContainText('202 / 202 labeled');
  // another program adds a photo with its annotation
  copyFileSync(join(project, 'images', 'raccoon-3.jpg'), join(project, 'images', 'zz-new.jpg'));
  await expect(page.getByTestId('project-chip')).toContainText('202 / 203 labeled');

  // an info notice expires by itself
  await page.getByRole('button', { name: 'Rename class raccoon' }).click();
  await page.getByLabel('Rename raccoon').fill('procyon');
  await page.keyboard.press('Enter');
  const info = page.getByTestId('notices').getByText('Renamed “raccoon” to “procyon”');
  await expect(info).toBeVisible();
  await expect(info).toHaveCount(0, { timeout: 20_000 });
  expect(projectJson().classes).toEqual(['procyon']);

  // an error notice stays until dismissed, but not across a project switch
  await page.getByLabel('New class').fill('procyon');
  await page.getByRole('button', { name: 'Add', exact: true }).click();
  await expect(page.getByTestId('notices').getByRole('alert')).toContainText('a class named "procyon" already exists');

  const empty = mkdtempSync(join(tmpdir(), 'detecta-empty-'));
  mkdirSync(join(empty, 'nothing-here'));
  await page.getByRole('button', { name: 'Close project' }).click();
  await expect(page.getByTestId('notices').getByRole('alert')).toHaveCount(0);
  await page.getByLabel('Project folder').fill(join(empty, 'nothing-here'));
  await page.getByRole('button', { name: 'Open', exact: true }).click();
  await expect(page.getByTestId('notices').getByRole('alert')).toContainText('has no images');
  await page.screenshot({ path: shot('05-empty-folder') });
  await page.getByRole('button', { name: 'Close project' }).click();
  await expect(page.getByTestId('recent-projects')).toContainText('raccoon');
  await expect(page.getByTestId('recent-projects')).not.toContainText('nothing-here');
  rmSync(empty, { recursive: true, force: true });
});
