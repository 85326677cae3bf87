/**
 * Detect view, images, "Tiles" (issue 21): the known-weights detector (input 320) on the 640×640
 * shapes image runs as 3×3 overlapping 320 px tiles plus the whole image, and every merged box
 * lands on the red or the blue square in the image's own pixels (each tile's boxes mapped back);
 * turning Tiles off gives the plain single pass again; pre-labeling with Tiles drafts the merged boxes.
 */
import { test, expect, type Page } from '@playwright/test';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type E2eHost, startE2eHost } from '../helpers/serve';
import { callApi, openDetectPage, writeKnownWeightsRun, writeShapesImage } from '../helpers/detect-fixtures';

let host: E2eHost;
let project: string;
let page: Page;

test.describe.configure({ mode: 'serial' });

test.beforeAll(async ({ browser }) => {
  host = await startE2eHost('detecta-detect-tiles-', async (w) => {
    project = join(w, 'shapes');
    mkdirSync(join(project, 'images'), { recursive: true });
    await writeShapesImage(join(project, 'images', 'shapes.png'));
    await writeKnownWeightsRun(project);
    return {};
  });
  page = await openDetectPage(browser, host.app.url, project);
  await callApi(page, 'model.setActive', { project, run: 'known', weights: 'best' });
});

test.afterAll(async () => {
  await page?.close();
  await host?.close();
});

const rows = (p: Page) => p.getByTestId('detection');
const SQUARES = { red: [128, 192, 192, 256], blue: [384, 64, 448, 128] } as const;

test('Tiles: 9 tiles + the whole image, boxes merged back onto the squares; off again gives the single pass', async () => {
  await page.getByLabel('Model', { exact: true }).selectOption('active');
  await page.getByRole('button', { name: 'Load model' }).click();
  await expect(page.getByTestId('model-status')).toHaveAttribute('data-loaded', 'yes', { timeout: 60_000 });
  await page.getByLabel('Image path').fill(join(project, 'images', 'shapes.png'));
  await page.getByRole('button', { name: 'Add', exact: true }).click();
  await expect(rows(page)).toHaveCount(2, { timeout: 60_000 });
  await expect(page.getByTestId('image-canvas')).toHaveAttribute('data-tiles', '0');

  await page.getByLabel('Tiles', { exact: true }).check();
  await expect(page.getByLabel('Tile size')).toHaveValue('320');
  await expect(page.getByTestId('image-canvas')).toHaveAttribute('data-tiles', '10', { timeout: 60_000 });
  const boxes = await rows(page).evaluateAll((els) => els.map((e) => [e.getAttribute('data-label') ?? '', ...(e.getAttribute('data-box') ?? '').split(',').map(Number)] as [string, number, number, number, number]));
  expect(new Set(boxes.map((b) => b[0]))).toEqual(new Set(['red', 'blue']));
  for (const [label, x1, y1, x2, y2] of boxes) {
    const [sx1, sy1, sx2, sy2] = SQUARES[label as keyof typeof SQUARES];
    // the known model's boxes are one grid cell around a coloured cell: within half a 32 px cell of the square
    expect(x1 >= sx1 - 16 && y1 >= sy1 - 16 && x2 <= sx2 + 16 && y2 <= sy2 + 16, `${label} ${x1},${y1},${x2},${y2} on its square`).toBe(true);
  }

  await page.getByLabel('Tiles', { exact: true }).uncheck();
  await expect(page.getByTestId('image-canvas')).toHaveAttribute('data-tiles', '0', { timeout: 60_000 });
  expect(await rows(page).evaluateAll((els) => els.map((e) => `${e.getAttribute('data-label')} ${e.getAttribute('data-box')}`).sort())).toEqual(['blue 384,64,448,128', 'red 128,192,192,256']);
});

test('pre-labeling with Tiles: the drafts come from every tile pass, merged onto the squares', async () => {
  await page.getByRole('navigation', { name: 'Views' }).getByRole('button', { name: /Label/ }).click();
  await page.getByTestId('image-list').getByText('images/shapes.png', { exact: true }).click();
  await expect(page.getByTestId('current-image')).toHaveText(/shapes\.png$/);
  await expect(page.getByLabel('Pre-label with tiles')).not.toBeChecked();
  await page.getByLabel('Pre-label with tiles').check();
  await page.getByRole('button', { name: 'Detect on this image' }).click();
  // the known model gives one 32 px box per coloured 32 px cell: a tile at full scale sees each
  // 64 px square as 4 cells (blue, seen whole by two tiles, is merged to one set), the whole-image
  // pass one 64 px box per square: 2 × (4 + 1); the single pass gives 2
  await expect(page.getByTestId('draft-count')).toHaveText('10 drafts', { timeout: 30_000 });
});
