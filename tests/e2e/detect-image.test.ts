/**
 * Detect view, images: a detector with known weights (the project's active model) draws the red
 * and blue boxes where they must be and writes NAME_detected.png next to the image with the boxes
 * drawn in; the sliders re-filter instantly; the ready-made CenterNet model, downloaded from a
 * local mirror into the app's cache, finds the dog, bicycle and car in darknet's dog.jpg.
 */
import { test, expect, type Page } from '@playwright/test';
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { type E2eHost, repoRoot, type ServedApp, sharedDatasets, startE2eHost } from '../helpers/serve';
import { callApi, openDetectPage, sharedModels, shotPath, writeKnownPointsRun, writeKnownWeightsRun, writeShapesImage } from '../helpers/detect-fixtures';
import { serveFolder, type ServedFolder } from '../helpers/static-server';

let host: E2eHost;
let app: ServedApp;
let zoo: ServedFolder;
let project: string;
let page: Page;

test.describe.configure({ mode: 'serial' });

test.beforeAll(async ({ browser }) => {
  host = await startE2eHost('detecta-detect-img-', async (w) => {
    project = join(w, 'shapes');
    mkdirSync(join(project, 'images'), { recursive: true });
    await writeShapesImage(join(project, 'images', 'shapes.png'));
    await writeShapesImage(join(project, 'images', 'shapes2.png'));
    copyFileSync(join(sharedDatasets, 'image-fixtures/darknet-samples/dog.jpg'), join(project, 'images', 'dog.jpg'));
    await writeKnownWeightsRun(project);
    await writeKnownPointsRun(project);
    zoo = await serveFolder(sharedModels);
    return { DETECTA_MODEL_MIRROR: zoo.url };
  });
  app = host.app;
  page = await openDetectPage(browser, app.url, project);
  await callApi(page, 'model.setActive', { project, run: 'known', weights: 'best' });
});

test.afterAll(async () => {
  await page?.close();
  await host?.close();
  await zoo?.close();
});

const rows = (p: Page) => p.getByTestId('detection');

test('known-weights model: expected boxes, instant threshold, _detected.png written', async () => {
  await page.getByLabel('Model', { exact: true }).selectOption('active');
  await page.getByRole('button', { name: 'Load model' }).click();
  await expect(page.getByTestId('model-status')).toHaveAttribute('data-loaded', 'yes', { timeout: 60_000 });
  await expect(page.getByTestId('backend-in-use')).toHaveText(/WebGL|WebAssembly|CPU|WebGPU/);
  await page.getByLabel('Image path').fill(join(project, 'images', 'shapes.png'));
  await page.getByRole('button', { name: 'Add', exact: true }).click();
  await expect(rows(page)).toHaveCount(2, { timeout: 60_000 });
  const found = await rows(page).evaluateAll((els) => els.map((e) => `${e.getAttribute('data-label')} ${e.getAttribute('data-box')}`).sort());
  expect(found).toEqual(['blue 384,64,448,128', 'red 128,192,192,256']);
  await page.screenshot({ path: shotPath(repoRoot, 'image-known') });

  // class filter hides red instantly (decode only), then back
  await page.locator('.class-filter summary').click();
  await page.locator('.class-filter-list label', { hasText: 'red' }).locator('input').uncheck();
  await expect(rows(page)).toHaveCount(1);
  await expect(rows(page).first()).toHaveAttribute('data-label', 'blue');
  await page.locator('.class-filter-list label', { hasText: 'red' }).locator('input').check();
  await page.locator('.class-filter summary').click();
  await expect(rows(page)).toHaveCount(2);

  await page.getByRole('button', { name: 'Save annotated' }).click();
  const out = join(project, 'images', 'shapes_detected.png');
  await expect.poll(() => existsSync(out), { timeout: 20_000 }).toBe(true);
  const { data, info } = await sharp(out).raw().toBuffer({ resolveWithObject: true });
  expect([info.width, info.height]).toEqual([640, 640]);
  const at = (x: number, y: number) => Array.from(data.subarray((y * 640 + x) * info.channels, (y * 640 + x) * info.channels + 3));
  // box outlines in the class colours (#ff4d4f red class, #40a9ff blue class) on the square edges
  const redEdge = at(128, 240);
  expect(redEdge[0]).toBeGreaterThan(200);
  expect(redEdge[1]).toBeGreaterThan(40); // not the square's pure red: the outline
  const blueEdge = at(448, 110);
  expect(blueEdge[1]).toBeGreaterThan(120);
  expect(blueEdge[2]).toBeGreaterThan(200);
  expect(at(20, 620)).toEqual([128, 128, 128]); // untouched elsewhere

  // the same weights picked as a model folder (served under /model-files once opened) find the same boxes
  const weights = join(project, '.detecta', 'runs', 'known', 'weights', 'best');
  const refused = await page.evaluate(async (p) => (await fetch(`/model-files?path=${encodeURIComponent(p)}`)).status, join(weights, 'model.json'));
  expect(refused).toBe(403);
  await page.getByLabel('Model', { exact: true }).selectOption('folder');
  await page.getByLabel('Model folder').fill(weights);
  await page.getByRole('button', { name: 'Load model' }).click();
  await expect(page.getByTestId('model-status')).toContainText('known (best)');
  await expect(rows(page)).toHaveCount(2, { timeout: 30_000 });
  expect(await rows(page).evaluateAll((els) => els.map((e) => `${e.getAttribute('data-label')} ${e.getAttribute('data-box')}`).sort())).toEqual(['blue 384,64,448,128', 'red 128,192,192,256']);
  const projectFile = await page.evaluate(async (p) => (await fetch(`/model-files?path=${encodeURIComponent(p)}`)).status, join(project, 'images', 'dog.jpg'));
  expect(projectFile).toBe(403); // a project image is not a model file
});

test('a point-head (mobilenet-fpn) model decodes in the view: the same boxes as the YOLOv2 one', async () => {
  await page.getByLabel('Model', { exact: true }).selectOption('folder');
  await page.getByLabel('Model folder').fill(join(project, '.detecta', 'runs', 'known-points', 'weights', 'best'));
  await page.getByRole('button', { name: 'Load model' }).click();
  await expect(page.getByTestId('model-status')).toContainText('known-points (best)', { timeout: 60_000 });
  await page.getByRole('button', { name: 'shapes.png', exact: true }).click();
  await expect(rows(page)).toHaveCount(2, { timeout: 30_000 });
  expect(await rows(page).evaluateAll((els) => els.map((e) => `${e.getAttribute('data-label')} ${e.getAttribute('data-box')}`).sort())).toEqual(['blue 384,64,448,128', 'red 128,192,192,256']);
});

test('ready-made CenterNet from the model zoo finds dog, bicycle and car in dog.jpg', async () => {
  await page.getByLabel('Model', { exact: true }).selectOption('zoo:centernet-mobilenetv3-coco');
  await page.getByRole('button', { name: 'Load model' }).click();
  await expect(page.getByTestId('model-status')).toContainText('CenterNet', { timeout: 90_000 });
  expect(existsSync(join(app.modelCacheDir, 'centernet-mobilenetv3-coco', 'cache-manifest.json'))).toBe(true);
  await page.getByLabel('Image path').fill(join(project, 'images', 'dog.jpg'));
  await page.getByRole('button', { name: 'Add', exact: true }).click();
  await page.getByRole('button', { name: 'dog.jpg', exact: true }).click();
  await expect.poll(async () => (await rows(page).evaluateAll((els) => els.map((e) => e.getAttribute('data-label')))).sort().join(','), { timeout: 90_000 }).toMatch(/bicycle.*car.*dog/);
  await page.screenshot({ path: shotPath(repoRoot, 'image-centernet') });
  // raising the score threshold drops the weaker boxes without re-running the model
  const before = await rows(page).count();
  await page.getByLabel('Score threshold').fill('0.5');
  await expect.poll(() => rows(page).count()).toBeLessThan(before);
  // batch: every opened image is detected and saved, with progress
  await page.getByRole('button', { name: 'Detect & save all' }).click();
  await expect(page.getByTestId('batch-progress')).toContainText('2 / 2', { timeout: 60_000 });
  await expect.poll(() => existsSync(join(project, 'images', 'dog_detected.jpg')), { timeout: 20_000 }).toBe(true);
  const meta = await sharp(join(project, 'images', 'dog_detected.jpg')).metadata();
  expect([meta.format, meta.width, meta.height]).toEqual(['jpeg', 768, 576]);
});

function xmlOf(stem: string): string | null {
  const find = (dir: string): string | null => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      if (e.isDirectory() && e.name !== '.detecta') { const r = find(join(dir, e.name)); if (r) return r; }
      else if (e.name === `${stem}.xml`) return join(dir, e.name);
    }
    return null;
  };
  const f = find(project);
  return f ? readFileSync(f, 'utf8') : null;
}
const drafts = (xml: string | null): number => xml?.match(/<draft>1<\/draft>/g)?.length ?? 0;

test('pre-labeling in the Label view: draft boxes (dashed) on this image and on all unlabeled, accept one / all', async () => {
  test.setTimeout(180_000);
  await page.getByLabel('Model', { exact: true }).selectOption('active');
  await page.getByRole('button', { name: 'Load model' }).click();
  await expect(page.getByTestId('model-status')).toContainText('known', { timeout: 60_000 });
  await page.getByRole('navigation', { name: 'Views' }).getByRole('button', { name: /Label/ }).click();
  await page.getByTestId('image-list').getByText('images/shapes.png', { exact: true }).click();
  await expect(page.getByTestId('current-image')).toHaveText(/shapes\.png$/);
  await page.getByRole('button', { name: 'Detect on this image' }).click();
  await expect(page.getByTestId('draft-count')).toHaveText('2 drafts');
  await expect.poll(() => drafts(xmlOf('shapes')), { timeout: 15_000 }).toBe(2);
  await page.screenshot({ path: shotPath(repoRoot, 'label-drafts') });
  // the model's classes are not the project's (it has none): accepting asks, and each becomes a new class
  const addAsNewClasses = async (): Promise<void> => {
    const dialog = page.getByTestId('accept-drafts');
    await expect(dialog).toBeVisible();
    for (const select of await dialog.locator('select').all()) {
      const option = select.locator('option', { hasText: 'as a new class' });
      await select.selectOption({ label: (await option.textContent())! });
    }
    await dialog.getByRole('button', { name: 'Accept' }).click();
  };
  await page.getByTestId('box-list').locator('li').first().click();
  await page.getByRole('button', { name: 'Accept draft' }).click();
  await addAsNewClasses();
  await expect(page.getByTestId('draft-count')).toHaveText('1 draft');
  await expect.poll(() => drafts(xmlOf('shapes')), { timeout: 15_000 }).toBe(1);
  await page.getByRole('button', { name: 'Accept all' }).click();
  await addAsNewClasses();
  await expect(page.getByTestId('draft-count')).toHaveText('0 drafts');
  await expect.poll(() => drafts(xmlOf('shapes')), { timeout: 15_000 }).toBe(0);
  expect(xmlOf('shapes')).toMatch(/<name>red<\/name>[\s\S]*<name>blue<\/name>|<name>blue<\/name>[\s\S]*<name>red<\/name>/);

  // all unlabeled: shapes2.png gets its two drafts, dog.jpg (no red/blue cell) stays unlabeled
  await page.getByRole('button', { name: 'Detect on all unlabeled' }).click();
  await expect.poll(() => drafts(xmlOf('shapes2')), { timeout: 60_000 }).toBe(2);
  expect(xmlOf('dog')).toBeNull();
});
