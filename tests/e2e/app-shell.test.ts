/**
 * The app in Chromium through the local web host: open a project through the picker, read its
 * status from the real handlers, visit every view, and prove the host refuses what it must.
 * Each test sets up what it needs (the project is only read), so any one of them runs alone.
 */
import { test, expect } from '@playwright/test';
import { writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { cliSampleProject, repoRoot, startE2eHost, type E2eHost, type ServedApp } from '../helpers/serve';

let host: E2eHost;
let app: ServedApp;
let work: string;
let project: string;

test.beforeAll(async () => {
  host = await startE2eHost('detecta-e2e-', async (w) => {
    project = join(w, 'bricks');
    cliSampleProject(project, ['--images', '12', '--seed', '7']);
  });
  ({ work, app } = host);
});

test.afterAll(async () => { await host?.close(); });

const shot = (name: string): string => join(repoRoot, 'test-results', 'screenshots', `${name}.png`);

test('opens a project through the picker and shows its status from the real handlers', async ({ page }) => {
  await page.goto(app.url);
  await expect(page.getByTestId('project-picker')).toBeVisible();
  await page.screenshot({ path: shot('01-project-picker') });

  await page.getByLabel('Project folder').fill(project);
  await page.getByRole('button', { name: 'Open', exact: true }).click();
  const chip = page.getByTestId('project-chip');
  await expect(chip).toContainText('bricks');
  await expect(chip).toContainText('12 / 12 labeled');
  await page.screenshot({ path: shot('02-label-view') });

  await page.getByRole('button', { name: 'Train' }).click();
  await expect(page.getByTestId('train-view')).toContainText('12');
  await page.screenshot({ path: shot('03-train-view') });

  await page.getByRole('button', { name: 'Detect' }).click();
  await expect(page.getByTestId('detect-view')).toBeVisible();
  await page.screenshot({ path: shot('04-detect-view') });

  await page.getByRole('button', { name: 'Status' }).click();
  await expect(page.getByTestId('transport')).toContainText('Browser');
  await expect(page.locator('[data-backend="cpu"][data-available="true"]')).toBeVisible();
  await expect(page.locator('[data-backend="wasm"][data-available="true"]')).toBeVisible();
  await page.screenshot({ path: shot('05-status-view') });
});

test('reopens a recent project and browses folders without typing a path', async ({ page }) => {
  // this test makes the project recent itself (open it by path, close it), so it passes alone too
  await page.goto(app.url);
  await page.getByLabel('Project folder').fill(project);
  await page.getByRole('button', { name: 'Open', exact: true }).click();
  await expect(page.getByTestId('project-chip')).toContainText('bricks');
  await page.getByRole('button', { name: 'Close project' }).click();
  // closed (the start page lists it as recent) before the reload, so the reload cannot restore it
  const recent = page.getByTestId('recent-projects');
  await expect(recent).toContainText('bricks');
  await page.reload();
  await expect(recent).toContainText('bricks');
  await recent.getByRole('button', { name: /bricks/ }).first().click();
  await expect(page.getByTestId('project-chip')).toContainText('bricks');
  await page.getByRole('button', { name: 'Close project' }).click();

  // the in-app folder browser starts in the home folder (HOME=work here)
  const browser = page.getByTestId('folder-browser');
  await expect(browser).toContainText(work);
  await browser.getByRole('button', { name: 'bricks' }).click();
  await browser.getByRole('button', { name: /Open this folder \(12 images\)/ }).click();
  await expect(page.getByTestId('project-chip')).toContainText('12 / 12 labeled');
});

test('a request without the token is refused', async ({ request, browser }) => {
  const res = await request.get(`${app.origin}/`, { headers: { cookie: '' } });
  expect(res.status()).toBe(401);
  expect(await res.text()).toContain('token');
  const context = await browser.newContext();
  const page = await context.newPage();
  const response = await page.goto(`${app.origin}/`);
  expect(response?.status()).toBe(401);
  await context.close();
});

test('a path outside the opened projects is refused, a path inside is served', async ({ page }) => {
  await page.goto(app.url);
  await page.getByLabel('Project folder').fill(project);
  await page.getByRole('button', { name: 'Open', exact: true }).click();
  await expect(page.getByTestId('project-chip')).toBeVisible();

  const outside = join(work, 'secret');
  mkdirSync(outside, { recursive: true });
  writeFileSync(join(outside, 'notes.txt'), 'private');
  const refused = await page.evaluate(async (p) => {
    const r = await fetch(`/files?path=${encodeURIComponent(p)}`);
    return { status: r.status, text: await r.text() };
  }, join(outside, 'notes.txt'));
  expect(refused.status).toBe(403);
  expect(refused.text).toContain('outside the opened projects');

  const traversal = await page.evaluate(async (p) => (await fetch(`/files?path=${encodeURIComponent(p)}`)).status, `${project}/../secret/notes.txt`);
  expect(traversal).toBe(403);

  const inside = await page.evaluate(async (p) => {
    const r = await fetch(`/files?path=${encodeURIComponent(p)}`);
    return { status: r.status, type: r.headers.get('content-type') };
  }, join(project, 'bricks_0001.jpg'));
  expect(inside).toEqual({ status: 200, type: 'image/jpeg' });
});
