/**
 * The transfer-learning classifier (mobilenet-embeddings) from the Train view with only a local
 * mirror of the model zoo configured (DETECTA_MODEL_MIRROR; ../shared/models served over HTTP):
 * the run succeeds, the backbone comes from the mirror and lands in the app's one model cache
 * (<data dir>/models, beside the ready-made detectors), with no temp folders left.
 */
import { test, expect } from '@playwright/test';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { cliSampleProject, repoRoot, startE2eHost, type E2eHost } from '../helpers/serve';
import { writeClassFolders } from '../helpers/class-folders';
import { serveFolder, type ServedFolder } from '../helpers/static-server';

let host: E2eHost;
let project: string;
let shapes: string;
let mirror: ServedFolder;

test.beforeAll(async () => {
  mirror = await serveFolder(join(repoRoot, '..', 'shared', 'models'));
  host = await startE2eHost('detecta-e2e-mobilenet-', async (w) => {
    project = join(w, 'shape-photos');
    cliSampleProject(project, ['--images', '4', '--seed', '4', '--width', '64', '--height', '64']);
    shapes = join(project, 'shapes');
    await writeClassFolders(shapes, { perClass: 8, size: 32, seed: 5 });
    return { DETECTA_MODEL_MIRROR: mirror.url };
  });
});

test.afterAll(async () => { await host?.close(); await mirror?.close(); });

test('mobilenet-embeddings from the Train view with only the zoo mirror configured: the backbone lands in the app\'s one model cache', async ({ page }) => {
  test.setTimeout(300_000);
  await page.goto(host.app.url);
  await page.getByLabel('Project folder').fill(project);
  await page.getByRole('button', { name: 'Open', exact: true }).click();
  await expect(page.getByTestId('project-chip')).toContainText('shape-photos');
  await page.getByRole('button', { name: 'Train' }).click();
  await expect(page.getByTestId('run-list').locator('.run-empty')).toBeVisible();
  await page.getByRole('radio', { name: /Classify/ }).check();
  const setup = page.getByTestId('classify-setup');
  await setup.getByLabel('Class folder').fill(shapes);
  await setup.getByLabel('Classifier preset').selectOption('mobilenet-embeddings');
  await setup.getByLabel('Epochs').fill('3');
  await setup.getByLabel('Batch size').fill('8');
  await expect(setup.getByTestId('setup-errors')).toHaveCount(0);
  await setup.getByRole('button', { name: 'Start training' }).click();
  const panel = page.getByTestId('run-panel');
  await expect(panel).toBeVisible({ timeout: 30_000 });
  await expect(page.getByTestId('run-status')).toHaveText('completed', { timeout: 240_000 });
  await expect(page.getByTestId('train-log')).toContainText('pretrained backbone downloaded into');
  expect(mirror.hits.some((h) => h.startsWith('/mobilenet_v1_0.25_224/'))).toBe(true);
  const cache = host.app.modelCacheDir;
  expect(existsSync(join(cache, 'mobilenet_v1_0.25_224', 'cache-manifest.json'))).toBe(true);
  expect(readdirSync(cache).filter((n) => n.startsWith('.'))).toEqual([]); // no temp folders left
});
