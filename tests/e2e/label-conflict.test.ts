/**
 * Two windows editing one image (hardening issue, item 5): before, the stale window's autosave
 * silently overwrote the other's edit. Now it gets a conflict bar with two ways out: "Load
 * theirs" shows the other window's version and drops the stale edit; "Keep my version" writes
 * this window's edit over the other, knowingly.
 */
import { test, expect, type Page } from '@playwright/test';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serveApp, sharedDatasets, repoRoot, type ServedApp } from '../helpers/serve';
import { copyWritable } from '../helpers/writable-copy';

let app: ServedApp;
let work: string;
let project: string;

test.beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'detecta-conflict-'));
  project = join(work, 'raccoon');
  copyWritable(join(sharedDatasets, 'detection-voc/raccoon'), project);
  app = await serveApp({ HOME: work });
});

test.afterAll(async () => {
  await app?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

const IMAGE = 'images/raccoon-177.jpg';
const objects = (): number => (readFileSync(join(project, 'annotations', 'raccoon-177.xml'), 'utf8').match(/<object[ >]/g) ?? []).length;

async function openWindow(page: Page): Promise<void> {
  await page.goto(app.url);
  await page.getByLabel('Project folder').fill(project);
  await page.getByRole('button', { name: 'Open', exact: true }).click();
  await page.getByLabel('Search file names').fill('raccoon-177');
  await page.getByTestId('image-list').locator(`[data-image-id="${IMAGE}"]`).click();
  await expect(page.getByTestId('current-image')).toHaveText(IMAGE);
  await expect(page.getByTestId('annotation-canvas')).toHaveAttribute('data-boxes', '2');
}

async function deleteBox(page: Page, index: number): Promise<void> {
  await page.getByTestId('box-list').locator('li').nth(index).click();
  await expect(page.getByTestId('annotation-canvas')).toHaveAttribute('data-selected', String(index));
  await page.keyboard.press('Delete');
}

test('the stale window gets a conflict and chooses: load theirs, or keep its own version', async ({ browser }) => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 720 } });
  const a = await context.newPage();
  const b = await context.newPage();
  await openWindow(a);
  await openWindow(b);
  expect(objects()).toBe(2);

  // window A deletes the first box; window B, still showing both, deletes the second
  await deleteBox(a, 0);
  await expect.poll(objects, { message: "A's edit saved" }).toBe(1);
  await deleteBox(b, 1);
  const bar = b.getByTestId('save-conflict');
  await expect(bar).toBeVisible();
  await b.screenshot({ path: join(repoRoot, 'test-results', 'screenshots', 'label-conflict-1280.png') });
  expect(objects(), "B's stale edit did not overwrite A's").toBe(1);

  // "Load theirs": B now shows A's version, and nothing more is written
  await bar.getByRole('button', { name: 'Load theirs' }).click();
  await expect(bar).toBeHidden();
  await expect(b.getByTestId('annotation-canvas')).toHaveAttribute('data-boxes', '1');
  expect(objects()).toBe(1);

  // again, the other way round: A deletes the last box, B (showing it) draws nothing but verifies…
  await deleteBox(a, 0);
  await expect.poll(objects, { message: "A's second edit saved" }).toBe(0);
  await b.getByTestId('box-list').locator('li').first().click();
  await b.keyboard.press('ArrowRight'); // nudges the box B still shows
  await expect(bar).toBeVisible();
  // "Keep my version": B's box is written over A's empty file, knowingly
  await bar.getByRole('button', { name: 'Keep my version' }).click();
  await expect(bar).toBeHidden();
  await expect.poll(objects, { message: "B's version kept" }).toBe(1);
  await context.close();
});
