/**
 * Detection in the window on WebGPU: Chromium started with --enable-unsafe-webgpu has a WebGPU
 * adapter here (SwiftShader, software). The Detect view does not pick it on its own (WebAssembly
 * is faster than a software adapter, and it says so), runs the model on it when chosen, shows the
 * adapter, and finds the same boxes as on WebAssembly.
 */
import { test, expect, chromium, type Browser, type Page } from '@playwright/test';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type E2eHost, startE2eHost } from '../helpers/serve';
import { openProject, writeKnownWeightsRun, writeShapesImage } from '../helpers/detect-fixtures';

let host: E2eHost;
let browser: Browser;
let page: Page;
let project: string;

test.beforeAll(async () => {
  host = await startE2eHost('detecta-detect-webgpu-', async (w) => {
    project = join(w, 'shapes');
    mkdirSync(join(project, 'images'), { recursive: true });
    await writeShapesImage(join(project, 'images', 'shapes.png'));
    await writeKnownWeightsRun(project);
  });
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--enable-unsafe-webgpu'],
  });
  page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
  page.on('console', (m) => { if (m.type() === 'error') console.log('[page]', m.text()); });
  await openProject(page, host.app.url, project);
});

test.afterAll(async () => {
  await browser?.close();
  await host?.close();
});

const boxes = (p: Page) => p.getByTestId('detection').evaluateAll((els) => els.map((e) => `${e.getAttribute('data-label')} ${e.getAttribute('data-box')}`).sort());

test('a software WebGPU adapter is not chosen on its own; chosen, it runs the model and shows the adapter', async () => {
  expect(await page.evaluate(() => 'gpu' in navigator)).toBe(true);
  await page.getByLabel('Model', { exact: true }).selectOption('folder');
  await page.getByLabel('Model folder').fill(join(project, '.detecta', 'runs', 'known', 'weights', 'best'));
  await page.getByRole('button', { name: 'Load model' }).click();
  await expect(page.getByTestId('model-status')).toHaveAttribute('data-loaded', 'yes', { timeout: 60_000 });
  await expect(page.getByTestId('backend-in-use')).toHaveText(/WebAssembly/);
  await expect(page.getByText(/WebGPU is a software adapter \(.*swiftshader/i)).toBeVisible();
  await page.getByLabel('Image path').fill(join(project, 'images', 'shapes.png'));
  await page.getByRole('button', { name: 'Add', exact: true }).click();
  await expect(page.getByTestId('detection')).toHaveCount(2, { timeout: 60_000 });
  const onWasm = await boxes(page);

  await page.getByLabel('Backend').selectOption('webgpu');
  await expect(page.getByTestId('model-status')).toHaveAttribute('data-loaded', 'yes', { timeout: 120_000 });
  await expect(page.getByTestId('backend-in-use')).toContainText('WebGPU');
  await expect(page.getByTestId('gpu-adapter')).toContainText(/swiftshader.*\(software\)/i);
  await expect(page.getByTestId('detection')).toHaveCount(2, { timeout: 120_000 });
  expect(await boxes(page)).toEqual(onWasm);
  expect(onWasm).toEqual(['blue 384,64,448,128', 'red 128,192,192,256']);
  await page.screenshot({ path: join(process.cwd(), 'test-results', 'screenshots', 'detect-webgpu-1280.png') });
});
