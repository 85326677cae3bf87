/**
 * The Train view in Chromium through the web host: start a tiny run from the setup form, watch
 * the progress bar and the uPlot curves gain points (counted in the charts' data), reload the page
 * mid-run and find the same curves, cancel, resume, and read the evaluation report (confusion
 * matrix, PR and F1 curves, gallery) of the finished run; export the model (TF.js, then ONNX with
 * its check shown). Screenshots of the
 * live view and the report go to test-results/screenshots/.
 */
import { test, expect, type Page } from '@playwright/test';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cliSampleProject, repoRoot, startE2eHost, type E2eHost, type ServedApp } from '../helpers/serve';

let host: E2eHost;
let app: ServedApp;
let work: string;
let project: string;

test.beforeAll(async () => {
  host = await startE2eHost('detecta-e2e-train-', async (w) => {
    project = join(w, 'tiny-bricks');
    cliSampleProject(project, ['--images', '40', '--seed', '3', '--width', '64', '--height', '64']);
  });
  ({ work, app } = host);
});

test.afterAll(async () => { await host?.close(); });

const shot = (name: string): string => join(repoRoot, 'test-results', 'screenshots', `${name}.png`);
/** The view scrolls inside its own panel: a tall viewport puts all of it in the picture. */
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

async function openTrainView(page: Page): Promise<void> {
  await page.goto(app.url);
  const recent = page.getByTestId('recent-projects');
  if (await recent.getByRole('button', { name: /tiny-bricks/ }).count()) {
    await recent.getByRole('button', { name: /tiny-bricks/ }).first().click();
  } else {
    await page.getByLabel('Project folder').fill(project);
    await page.getByRole('button', { name: 'Open', exact: true }).click();
  }
  await expect(page.getByTestId('project-chip')).toContainText('tiny-bricks');
  await page.getByRole('button', { name: 'Train' }).click();
  await expect(page.getByTestId('train-view')).toBeVisible();
}

/** Long enough (about a second an epoch here) that pause and cancel clicks land while it trains, even on a faster machine. */
const EPOCHS = 30;

async function fillTinyRun(page: Page, epochs: number, lr?: string): Promise<void> {
  const setup = page.getByTestId('train-setup');
  await setup.getByLabel('Model preset').selectOption('tiny'); // the default, nanodet-m, is far slower for a UI test
  await setup.getByLabel('Input size').fill('64');
  await setup.getByLabel('Backend').selectOption('wasm');
  await setup.getByLabel('Epochs', { exact: true }).fill(String(epochs));
  await setup.getByLabel('Batch size', { exact: true }).fill('4');
  if (lr) await setup.getByLabel('Learning rate', { exact: true }).fill(lr);
  await setup.getByLabel('Number of anchors').fill('3');
  await setup.getByRole('button', { name: /advanced settings/ }).click();
  await setup.getByLabel('Tiny widths').fill('8,16,16,32,32,32');
  await expect(setup.getByTestId('setup-errors')).toHaveCount(0);
}

test('trains from the UI, survives a reload, cancels, resumes and reports', async ({ page }) => {
  test.setTimeout(300_000);
  await openTrainView(page);
  const setup = page.getByTestId('train-setup');
  await expect(setup.getByTestId('split-summary')).toContainText('train');
  await expect(setup.getByLabel('Model preset')).toHaveValue('nanodet-m'); // the default preset
  await expect(setup.getByLabel('Input size')).toHaveValue('224'); // the default on cpu / wasm
  await expect(setup.getByText('Anchors', { exact: true })).toHaveCount(0); // anchor-free: no anchor section

  // a time budget plans the epochs (the field reads "planned" and is disabled) and the untyped input size; a bad budget is refused
  await setup.getByLabel('Time budget', { exact: true }).fill('0');
  await expect(setup.locator('.field.invalid')).toContainText('>0');
  await setup.getByLabel('Time budget', { exact: true }).fill('2');
  await expect(setup.getByLabel(/^Epochs/)).toBeDisabled();
  await expect(setup.getByLabel(/^Epochs/)).toHaveAttribute('placeholder', 'planned');
  await expect(setup.getByLabel('Input size')).toHaveValue('');
  await expect(setup.getByTestId('setup-errors')).toHaveCount(0);
  await setup.getByLabel('Time budget', { exact: true }).fill('');
  await expect(setup.getByLabel('Epochs', { exact: true })).toBeEnabled();
  await expect(setup.getByLabel('Input size')).toHaveValue('224');

  // validation: a bad input size is refused with a message, nothing starts
  await setup.getByLabel('Input size').fill('100');
  await expect(setup.locator('.field.invalid')).toContainText('multiple of 32');
  await expect(setup.getByRole('button', { name: 'Start training' })).toBeDisabled();
  await fillTinyRun(page, EPOCHS);
  await expect(setup.getByTestId('anchors-iou')).toHaveText(/0\.\d{3}|1\.000/); // the YOLOv2 preset shows its anchors
  await tallShot(page, 'train-01-setup');
  await setup.getByRole('button', { name: 'Start training' }).click();

  // live: progress bar and curves that gain points while the run trains
  const panel = page.getByTestId('run-panel');
  await expect(panel).toHaveAttribute('data-run', 'train');
  await expect(page.getByTestId('train-progress')).toBeVisible();
  await expect(page.getByTestId('train-progress')).toContainText('images/s');
  await expect.poll(() => points(page, 'chart-batch-loss'), { timeout: 60_000 }).toBeGreaterThan(0);
  const firstBatch = await points(page, 'chart-batch-loss');
  await expect.poll(() => points(page, 'chart-batch-loss'), { timeout: 60_000 }).toBeGreaterThan(firstBatch);
  await expect.poll(() => points(page, 'chart-train-loss'), { timeout: 90_000 }).toBeGreaterThanOrEqual(5); // one epoch: 5 loss parts
  await expect.poll(() => points(page, 'chart-map'), { timeout: 90_000 }).toBeGreaterThanOrEqual(2);
  await tallShot(page, 'train-02-live');

  // reload mid-run: the curves come back from the run folder, then keep growing
  const before = { batch: await points(page, 'chart-batch-loss'), train: await points(page, 'chart-train-loss') };
  await page.reload();
  // the same tab comes back to the project's Train view on its own
  await expect(page.getByTestId('project-chip')).toContainText('tiny-bricks');
  await expect(page.getByTestId('run-panel')).toHaveAttribute('data-run', 'train');
  await expect.poll(() => points(page, 'chart-batch-loss'), { timeout: 30_000 }).toBeGreaterThanOrEqual(before.batch);
  await expect.poll(() => points(page, 'chart-train-loss'), { timeout: 30_000 }).toBeGreaterThanOrEqual(before.train);
  await expect(page.getByTestId('run-status')).toHaveText('running');

  // pause at a batch boundary, cancel the paused run (it cannot finish under the click), resume
  // the stopped run, then pause and resume it again
  await page.getByRole('button', { name: 'Pause' }).click();
  await expect(page.getByTestId('run-status')).toHaveText('paused');
  await expect(page.locator('.progress-fill.paused')).toBeVisible();
  await page.getByRole('button', { name: 'Cancel' }).click();
  await expect(page.getByTestId('run-status')).toHaveText('cancelled', { timeout: 60_000 });
  const cancelledEpochs = await points(page, 'chart-train-loss');
  expect(cancelledEpochs).toBeLessThan(EPOCHS * 5);
  await page.getByRole('button', { name: 'Resume training' }).click();
  await expect(page.getByTestId('run-status')).toHaveText(/running/, { timeout: 20_000 });
  await page.getByRole('button', { name: 'Pause' }).click();
  await expect(page.getByTestId('run-status')).toHaveText('paused');
  await page.getByRole('button', { name: 'Resume', exact: true }).click();
  await expect(page.getByTestId('run-status')).toHaveText(/running|completed/);
  await expect(page.getByTestId('run-status')).toHaveText('completed', { timeout: 180_000 });
  expect(await points(page, 'chart-train-loss')).toBeGreaterThan(cancelledEpochs);
  await expect.poll(() => points(page, 'chart-train-loss')).toBe(EPOCHS * 5);
  await tallShot(page, 'train-03-finished');

  // evaluation report
  await page.getByRole('tab', { name: 'Evaluation report' }).click();
  const report = page.getByTestId('eval-report');
  await expect(report).toBeVisible();
  await expect(report.getByTestId('ap-table')).toContainText('all');
  // AP by object size: small / medium / large with their ground-truth counts (64 px images: no large box → "—")
  const sizes = report.getByTestId('size-table');
  await expect(sizes.locator('tbody tr')).toHaveCount(3);
  await expect(sizes.locator('tr[data-size="small"] td').nth(2)).toHaveText(/^\d+$/);
  await expect(sizes.locator('tr[data-size="large"]')).toContainText('—');
  await expect(page.getByTestId('run-list').locator('[data-run="train"] [data-testid="run-map50-95"]')).toHaveText(/^mAP50-95 \d\.\d{3}$/);
  expect(Number(await report.getByTestId('confusion-matrix').getAttribute('data-total'))).toBeGreaterThan(0);
  await expect.poll(() => points(page, 'chart-pr')).toBeGreaterThan(0);
  await expect.poll(() => points(page, 'chart-f1')).toBeGreaterThan(0);
  await expect(report.getByTestId('gallery').locator('figure.tile').first()).toBeVisible();
  await expect(report.getByTestId('gallery').locator('svg rect').first()).toBeAttached();
  const download = page.waitForEvent('download');
  await report.getByRole('button', { name: 'CSV' }).first().click();
  expect((await download).suggestedFilename()).toBe('train-ap.csv');
  // re-mark the gallery at the best-F1 threshold (the report's own confidence was the default)
  const bestButton = report.getByRole('button', { name: /best F1/ });
  const bestT = Number(/\(([\d.]+)\)/.exec((await bestButton.textContent()) ?? '')?.[1]);
  await bestButton.click();
  expect(Number(await report.getByLabel('Gallery confidence threshold').inputValue())).toBeCloseTo(bestT, 2);
  await tallShot(page, 'train-04-report');

  // use as active model, then export
  await page.getByRole('button', { name: 'Use as active model' }).click();
  await expect(page.getByTestId('run-panel').locator('.active-chip')).toBeVisible();
  await page.getByRole('tab', { name: 'Export' }).click();
  const out = join(work, 'exported-model');
  await page.getByLabel('Export folder').fill(out);
  await page.getByRole('button', { name: 'Export', exact: true }).click();
  await expect(page.getByTestId('export-result')).toContainText('detecta-model.json');
  expect(existsSync(join(out, 'model.json'))).toBe(true);
  expect(JSON.parse(readFileSync(join(out, 'detecta-model.json'), 'utf8')).inputSize).toBe(64);
  expect(existsSync(join(out, 'model.onnx'))).toBe(false);
  // ONNX: checked against TF.js on the validation images, the numbers shown and stored
  const onnxOut = join(work, 'exported-onnx');
  await page.getByLabel('Format').selectOption('onnx');
  await page.getByLabel('Export folder').fill(onnxOut);
  await page.getByRole('button', { name: 'Export', exact: true }).click();
  await expect(page.getByTestId('export-result')).toContainText('model.onnx', { timeout: 120_000 });
  const check = page.getByTestId('export-verification');
  await expect(check).toContainText('max |ONNX − TF.js|');
  await expect(check).toContainText('mAP50 ONNX');
  const stored = JSON.parse(readFileSync(join(onnxOut, 'detecta-model.json'), 'utf8'));
  expect(stored.onnx.opset).toBe(17);
  expect(stored.onnx.verification.maxAbsDiff).toBeLessThanOrEqual(1e-4);
  await expect(check).toContainText(stored.onnx.verification.maxAbsDiff.toExponential(2));
  expect(existsSync(join(onnxOut, 'example', 'detect.mjs'))).toBe(true);

  await tallShot(page, 'train-05-export');

  // a second run, then history: both listed with their best mAP, the active one starred; ticking overlays their curves
  await page.getByRole('button', { name: 'New run' }).click();
  await fillTinyRun(page, 3, '0.003');
  await page.getByTestId('train-setup').getByRole('button', { name: 'Start training' }).click();
  await expect(page.getByTestId('run-panel')).toHaveAttribute('data-run', 'train2');
  await expect(page.getByTestId('run-status')).toHaveText('completed', { timeout: 120_000 });
  const list = page.getByTestId('run-list');
  await expect(list.locator('[data-run="train"]')).toHaveAttribute('data-status', 'completed');
  await expect(list.locator('[data-run="train"] .active-star')).toBeVisible();
  await expect(list.locator('[data-run="train2"] .active-star')).toHaveCount(0);
  await list.locator('[data-run="train"]').getByRole('checkbox').check();
  await list.locator('[data-run="train2"]').getByRole('checkbox').check();
  await expect.poll(() => points(page, 'compare-metrics/mAP50(B)')).toBe(EPOCHS + 3);
  await expect(page.getByTestId('compare-metrics/mAP50(B)')).toContainText('train2');
  await tallShot(page, 'train-06-compare');

  // delete asks first
  await page.getByRole('button', { name: 'Delete run' }).click();
  await page.getByRole('button', { name: 'Delete', exact: true }).click();
  await expect(list.locator('[data-run="train2"]')).toHaveCount(0);
  expect(existsSync(join(project, '.detecta', 'runs', 'train2'))).toBe(false);

  // the trained weights run in the Detect view: the active run, then the exported folder
  await page.getByRole('navigation', { name: 'Views' }).getByRole('button', { name: /Detect/ }).click();
  await page.getByLabel('Model', { exact: true }).selectOption('active');
  await page.getByRole('button', { name: 'Load model' }).click();
  await expect(page.getByTestId('model-status')).toHaveAttribute('data-task', 'detect', { timeout: 60_000 });
  await expect(page.getByTestId('model-status')).toContainText('train (best)');
  await page.getByRole('button', { name: 'Add project images' }).click();
  await expect(page.getByTestId('image-canvas')).toHaveAttribute('data-detections', /^\d+$/, { timeout: 60_000 });
  await page.getByLabel('Model', { exact: true }).selectOption('folder');
  await page.getByLabel('Model folder').fill(out);
  await page.getByRole('button', { name: 'Load model' }).click();
  await expect(page.getByTestId('model-status')).toContainText('exported-model', { timeout: 60_000 });
  await expect(page.getByTestId('model-status')).toContainText('64px');
});

/** The run's state on disk (run.json), as the trainer wrote it. */
const runState = (name: string): { epoch: number; status: string } => {
  const file = join(project, '.detecta', 'runs', name, 'run.json');
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as { epoch: number; status: string }) : { epoch: 0, status: 'none' };
};

test('epochs trained while another view is shown are in the charts on return; the header never shows "?"; list and report agree on mAP50 and mAP50-95', async ({ page }) => {
  test.setTimeout(240_000);
  await openTrainView(page);
  const list = page.getByTestId('run-list');
  await expect(list.locator('.run-row, .run-empty').first()).toBeVisible();
  if (await list.locator('.run-row').count()) {
    await expect(page.getByTestId('run-panel')).toBeVisible(); // the view opens the last run; go to a new one
    await page.getByRole('button', { name: 'New run' }).click();
  }
  await fillTinyRun(page, 200, '0.003');
  await page.getByTestId('train-setup').getByRole('button', { name: 'Start training' }).click();
  const panel = page.getByTestId('run-panel');
  await expect(panel).toBeVisible({ timeout: 30_000 });
  const run = (await panel.getAttribute('data-run'))!;
  const header = panel.locator('.run-title .muted');
  // before and during epoch 1 the header names what is known, never "?"
  await expect(header).toContainText(/64 px/);
  await expect(header).not.toContainText('?');
  await expect.poll(() => points(page, 'chart-train-loss'), { timeout: 90_000 }).toBeGreaterThanOrEqual(5);
  await expect(header).not.toContainText('?');

  // leave for the Label view while more than two epochs train
  const views = page.getByRole('navigation', { name: 'Views' });
  await views.getByRole('button', { name: /Label/ }).click();
  const left = runState(run).epoch;
  await expect.poll(() => runState(run).epoch, { timeout: 90_000 }).toBeGreaterThanOrEqual(left + 3);
  const trained = runState(run).epoch;
  await views.getByRole('button', { name: /Train/ }).click();
  await expect(page.getByTestId('run-panel')).toHaveAttribute('data-run', run);
  // every epoch's point is there without a reload (5 loss parts per epoch), and each epoch trained
  // while away is in the run's log as it was received live
  await expect.poll(() => points(page, 'chart-train-loss'), { timeout: 5_000 }).toBeGreaterThanOrEqual(trained * 5);
  const log = page.getByTestId('train-log');
  for (let e = left + 1; e <= trained; e++) await expect(log).toContainText(`epoch ${e}/200:`, { timeout: 5_000 });
  expect(runState(run).status).toBe('running');

  await page.getByRole('button', { name: 'Cancel' }).click();
  await expect(page.getByTestId('run-status')).toHaveText('cancelled', { timeout: 60_000 });
  const listed = (await page.getByTestId('run-list').locator(`[data-run="${run}"] [data-testid="run-map50"]`).textContent())!.replace('mAP50', '').trim();
  const listed95 = (await page.getByTestId('run-list').locator(`[data-run="${run}"] [data-testid="run-map50-95"]`).textContent())!.replace('mAP50-95', '').trim();
  await page.getByRole('tab', { name: 'Evaluation report' }).click();
  const reported = page.getByTestId('eval-report').locator('.stat').filter({ hasText: /^[\d.—]+mAP50$/ }).locator('.value');
  await expect(reported).toHaveText(listed);
  const reported95 = page.getByTestId('eval-report').locator('.stat').filter({ hasText: /^[\d.—]+mAP50-95$/ }).locator('.value');
  await expect(reported95).toHaveText(listed95);
});
