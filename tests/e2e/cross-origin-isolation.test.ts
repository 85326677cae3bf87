/**
 * Cross-origin isolation (issue 19): the web host serves the app with COOP same-origin and COEP
 * require-corp, so the page is crossOriginIsolated, has SharedArrayBuffer, and the Detect view's
 * WebAssembly backend loads the threaded SIMD build; under isolation the project's images still
 * show in the Label view and the known-weights detector still finds its boxes on wasm.
 * (The video and webcam views under isolation: detect-video and detect-webcam.)
 */
import { test, expect, type Page } from '@playwright/test';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type E2eHost, type ServedApp, startE2eHost } from '../helpers/serve';
import { callApi, openDetectPage, writeKnownWeightsRun, writeShapesImage } from '../helpers/detect-fixtures';

let host: E2eHost;
let app: ServedApp;
let project: string;
let page: Page;
const wasmFiles: string[] = [];

test.describe.configure({ mode: 'serial' });

test.beforeAll(async ({ browser }) => {
  host = await startE2eHost('detecta-isolation-', async (w) => {
    project = join(w, 'shapes');
    mkdirSync(join(project, 'images'), { recursive: true });
    await writeShapesImage(join(project, 'images', 'shapes.png'));
    await writeKnownWeightsRun(project);
  });
  app = host.app;
  page = await openDetectPage(browser, app.url, project);
  page.on('request', (r) => { if (r.url().endsWith('.wasm')) wasmFiles.push(r.url().split('/').pop()!); });
  await callApi(page, 'model.setActive', { project, run: 'known', weights: 'best' });
});

test.afterAll(async () => {
  await page?.close();
  await host?.close();
});

test('the page is cross-origin isolated: COOP/COEP headers, crossOriginIsolated, SharedArrayBuffer', async () => {
  const res = await page.request.get(app.url);
  expect(res.headers()['cross-origin-opener-policy']).toBe('same-origin');
  expect(res.headers()['cross-origin-embedder-policy']).toBe('require-corp');
  const state = await page.evaluate(() => ({ isolated: globalThis.crossOriginIsolated, sab: typeof SharedArrayBuffer, threads: navigator.hardwareConcurrency }));
  expect(state.isolated).toBe(true);
  expect(state.sab).toBe('function');
});

test('Detect view on WebAssembly: the threaded build loads and the known boxes are found', async () => {
  test.setTimeout(180_000);
  await page.getByLabel('Backend').selectOption('wasm');
  await page.getByLabel('Model', { exact: true }).selectOption('active');
  await page.getByRole('button', { name: 'Load model' }).click();
  await expect(page.getByTestId('model-status')).toHaveAttribute('data-loaded', 'yes', { timeout: 90_000 });
  await expect(page.getByTestId('backend-in-use')).toHaveText(/WebAssembly/);
  expect(wasmFiles).toContain('tfjs-backend-wasm-threaded-simd.wasm');
  // XNNPACK on every CPU (tfjs alone would take half of them)
  const cpus = await page.evaluate(() => navigator.hardwareConcurrency);
  await expect(page.getByTestId('wasm-threads')).toHaveText(`· ${Math.min(cpus, 9)} threads`);
  await page.getByLabel('Image path').fill(join(project, 'images', 'shapes.png'));
  await page.getByRole('button', { name: 'Add', exact: true }).click();
  const rows = page.getByTestId('detection');
  await expect(rows).toHaveCount(2, { timeout: 60_000 });
  const found = await rows.evaluateAll((els) => els.map((e) => `${e.getAttribute('data-label')} ${e.getAttribute('data-box')}`).sort());
  expect(found).toEqual(['blue 384,64,448,128', 'red 128,192,192,256']);
});

test('a project image served by /files loads in the isolated page', async () => {
  const size = await page.evaluate(async (file) => {
    const img = new Image();
    img.src = `/files?path=${encodeURIComponent(file)}`;
    await img.decode();
    return [img.naturalWidth, img.naturalHeight];
  }, join(project, 'images', 'shapes.png'));
  expect(size).toEqual([640, 640]);
});
