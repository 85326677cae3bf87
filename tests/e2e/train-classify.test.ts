/**
 * A classifier run from the Train view in Chromium through the web host: a class-folder dataset
 * (coloured squares / discs / bars) inside a project folder, Classify chosen in the setup form,
 * the source pointed at the class folder, a few epochs trained from the UI with the accuracy curve
 * gaining points, then the report: accuracy above chance, the per-class table with macro and
 * weighted rows, a non-empty confusion matrix and its CSV. The run then becomes the project's
 * active model and classifies one of its images in the Detect view (top-3 of the 3 classes).
 * Screenshots in test-results/screenshots/.
 */
import { test, expect, type Page } from '@playwright/test';
import { join } from 'node:path';
import { cliSampleProject, repoRoot, startE2eHost, type E2eHost, type ServedApp } from '../helpers/serve';
import { writeClassFolders } from '../helpers/class-folders';

let host: E2eHost;
let app: ServedApp;
let project: string;
let shapes: string;

test.beforeAll(async () => {
  host = await startE2eHost('detecta-e2e-classify-', async (w) => {
    project = join(w, 'shape-photos');
    cliSampleProject(project, ['--images', '6', '--seed', '4', '--width', '64', '--height', '64']);
    shapes = join(project, 'shapes');
    await writeClassFolders(shapes, { perClass: 16, size: 24, seed: 5 });
  });
  app = host.app;
});

test.afterAll(async () => { await host?.close(); });

const shot = (name: string): string => join(repoRoot, 'test-results', 'screenshots', `${name}.png`);
async function tallShot(page: Page, name: string): Promise<void> {
  const size = page.viewportSize() ?? { width: 1400, height: 860 };
  const height = await page.locator('.train-main').evaluate((el) => el.scrollHeight + 60);
  await page.setViewportSize({ width: size.width, height: Math.min(4000, Math.max(size.height, height)) });
  // charts follow their container's size in a ResizeObserver callback, which runs before the next frame is drawn
  await page.evaluate(() => new Promise<void>((resolve) => requestAnimationFrame(() => requestAnimationFrame(() => resolve()))));
  await page.screenshot({ path: shot(name) });
  await page.setViewportSize(size);
}
const points = async (page: Page, testId: string): Promise<number> => Number(await page.getByTestId(testId).locator('.chart-box').getAttribute('data-points'));

test('trains a classifier on class folders from the Train view and reports accuracy and confusions', async ({ page }) => {
  test.setTimeout(300_000);
  await page.goto(app.url);
  await page.getByLabel('Project folder').fill(project);
  await page.getByRole('button', { name: 'Open', exact: true }).click();
  await expect(page.getByTestId('project-chip')).toContainText('shape-photos');
  await page.getByRole('button', { name: 'Train' }).click();
  await expect(page.getByTestId('train-view')).toBeVisible();

  await page.getByRole('radio', { name: /Classify/ }).check();
  const setup = page.getByTestId('classify-setup');
  await expect(setup).toBeVisible();
  await expect(setup.getByRole('button', { name: 'Start training' })).toBeDisabled(); // no folder yet
  await setup.getByLabel('Class folder').fill(shapes);
  await setup.getByLabel('Classifier preset').selectOption('fashion-mnist-cnn');
  await setup.getByLabel('Input size (px)').fill('24');
  await setup.getByLabel('Epochs').fill('6');
  await setup.getByLabel('Batch size').fill('8');
  await setup.getByLabel('Learning rate').fill('abc');
  await expect(setup.locator('.field.invalid')).toContainText('not a number');
  await setup.getByLabel('Learning rate').fill('0.003');
  await expect(setup.getByTestId('setup-errors')).toHaveCount(0);
  await tallShot(page, 'train-classify-01-setup');
  await setup.getByRole('button', { name: 'Start training' }).click();

  const panel = page.getByTestId('run-panel');
  await expect(panel).toHaveAttribute('data-run', 'classify');
  await expect.poll(() => points(page, 'chart-accuracy'), { timeout: 120_000 }).toBeGreaterThanOrEqual(2); // train + val of one epoch
  const first = await points(page, 'chart-accuracy');
  await expect.poll(() => points(page, 'chart-accuracy'), { timeout: 120_000 }).toBeGreaterThan(first);
  await expect(page.getByTestId('run-status')).toHaveText('completed', { timeout: 180_000 });
  await expect.poll(() => points(page, 'chart-accuracy')).toBe(6 * 2);
  expect(await points(page, 'chart-loss')).toBe(6 * 2);
  await tallShot(page, 'train-classify-02-curves');

  // after a reload the curves come back from metrics.csv
  await page.reload();
  await expect(page.getByTestId('run-panel')).toHaveAttribute('data-run', 'classify');
  await expect.poll(() => points(page, 'chart-accuracy'), { timeout: 30_000 }).toBe(6 * 2);
  await expect(page.locator('.run-row[data-run="classify"]')).toContainText('accuracy');

  await page.getByRole('tab', { name: 'Evaluation report' }).click();
  const report = page.getByTestId('eval-report');
  await expect(report).toBeVisible();
  const accuracy = Number(await report.getByTestId('report-accuracy').textContent());
  expect(accuracy).toBeGreaterThan(1 / 3);
  const table = report.getByTestId('class-table');
  for (const row of ['red', 'green', 'blue', 'macro', 'weighted']) await expect(table).toContainText(row);
  const matrix = report.getByTestId('confusion-matrix');
  expect(Number(await matrix.getAttribute('data-total'))).toBeGreaterThan(0);
  await expect(matrix.locator('thead th')).toHaveCount(4); // corner + 3 classes, no background column
  await expect(report.getByTestId('most-confused')).toBeVisible();
  const download = page.waitForEvent('download');
  await matrix.locator('xpath=ancestor::section').getByRole('button', { name: 'CSV' }).click();
  expect((await download).suggestedFilename()).toBe('classify-confusion.csv');
  await tallShot(page, 'train-classify-03-report');

  // the trained run as the project's active model, used in the Detect view
  await page.getByRole('tab', { name: 'Curves' }).click();
  await page.getByRole('button', { name: 'Use as active model' }).click();
  await expect(page.getByTestId('run-panel').getByRole('button', { name: 'Active model', exact: true })).toBeDisabled();
  await page.getByRole('navigation', { name: 'Views' }).getByRole('button', { name: /Detect/ }).click();
  await page.getByLabel('Model', { exact: true }).selectOption('active');
  await page.getByRole('button', { name: 'Load model' }).click();
  await expect(page.getByTestId('model-status')).toHaveAttribute('data-task', 'classify', { timeout: 60_000 });
  await expect(page.getByTestId('model-status')).toContainText('24×24 colour');
  await page.getByLabel('Image path').fill(join(shapes, 'green', 'green_000.png'));
  await page.getByRole('button', { name: 'Add', exact: true }).click();
  const ranked = page.getByTestId('class-scores').getByTestId('class-score');
  await expect(ranked).toHaveCount(3, { timeout: 60_000 });
  expect((await ranked.evaluateAll((els) => els.map((e) => e.getAttribute('data-label')))).sort()).toEqual(['blue', 'green', 'red']);
  const total = (await ranked.evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-score'))))).reduce((a, b) => a + b, 0);
  expect(total).toBeCloseTo(1, 2); // softmax over all three classes
  await page.screenshot({ path: shot('train-classify-04-detect') });
});

test("box crops of the project's labeled images train from the Train view", async ({ page }) => {
  test.setTimeout(240_000);
  await page.goto(app.url);
  await page.getByLabel('Project folder').fill(project);
  await page.getByRole('button', { name: 'Open', exact: true }).click();
  await page.getByRole('button', { name: 'Train' }).click();
  await page.getByRole('button', { name: 'New run' }).click();
  await page.getByRole('radio', { name: /Classify/ }).check();
  const setup = page.getByTestId('classify-setup');
  await setup.getByLabel('Classifier source').selectOption('crops');
  await expect(setup.getByText(/3 classes: brick, cone, ball|3 classes: ball, brick, cone/)).toBeVisible();
  await setup.getByLabel('Crop padding').fill('5');
  await expect(setup.locator('.field.invalid')).toContainText(/2/); // padding above 2 is refused
  await setup.getByLabel('Crop padding').fill('0.2');
  await setup.getByLabel('Run name').fill('crops');
  await setup.getByLabel('Input size (px)').fill('16');
  await setup.getByLabel('Epochs').fill('3');
  await setup.getByLabel('Batch size').fill('8');
  await setup.getByRole('button', { name: 'Start training' }).click();
  await expect(page.getByTestId('run-panel')).toHaveAttribute('data-run', 'crops');
  await expect(page.getByTestId('run-status')).toHaveText('completed', { timeout: 180_000 });
  await expect.poll(() => points(page, 'chart-accuracy')).toBe(3 * 2);
  await page.getByRole('tab', { name: 'Evaluation report' }).click();
  const table = page.getByTestId('eval-report').getByTestId('class-table');
  for (const row of ['ball', 'brick', 'cone', 'macro']) await expect(table).toContainText(row);
});
