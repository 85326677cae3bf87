/**
 * A project's own files never act as the app (hardening issue, item 2). A page on another
 * 127.0.0.1 port frames `/files?path=<project>/evil.html` and `.svg` in the same browser where the
 * app is open: Chromium sends the app's cookie along (all 127.0.0.1 ports are one site), so before
 * the fix the script ran with the app's rights. Now the host refuses those types, and nothing the
 * files hold runs.
 */
import { test, expect } from '@playwright/test';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type E2eHost, startE2eHost } from '../helpers/serve';
import { callApi, openProject } from '../helpers/detect-fixtures';
import { serveFolder, type ServedFolder } from '../helpers/static-server';
import { writeSampleProject } from '../../main/sample/write-sample-project';

let host: E2eHost;
let attacker: ServedFolder;
let project: string;
let outside: string;

test.beforeAll(async () => {
  const attackerDir = join(process.env.TMPDIR ?? '/tmp', `detecta-attacker-${process.pid}`);
  mkdirSync(attackerDir, { recursive: true });
  attacker = await serveFolder(attackerDir);
  host = await startE2eHost('detecta-hostile-', async (w) => {
    project = join(w, 'photos');
    outside = join(w, 'outside');
    mkdirSync(outside);
    await writeSampleProject(project, { images: 2, seed: 9 });
    // the script a hostile project would carry: report that it ran, then try to write outside
    const script = `new Image().src = ${JSON.stringify(`${attacker.url}ran`)};
      const ws = new WebSocket('ws://' + location.host + '/api');
      ws.onopen = () => ws.send(JSON.stringify({ id: 1, method: 'detect.chooseOutputFolder', params: { path: ${JSON.stringify(outside)} } }));
      ws.onmessage = () => fetch('/upload?path=' + encodeURIComponent(${JSON.stringify(join(outside, 'pwned.json'))}), { method: 'PUT', body: 'pwned' });`;
    writeFileSync(join(project, 'evil.html'), `<!doctype html><script>${script}</script>`);
    writeFileSync(join(project, 'evil.svg'), `<svg xmlns="http://www.w3.org/2000/svg"><script>${script}</script></svg>`);
  });
  const frames = ['evil.html', 'evil.svg']
    .map((n) => `<iframe src="${host.app.origin}/files?path=${encodeURIComponent(join(project, n))}" onload="loaded()"></iframe>`)
    .join('');
  writeFileSync(join(attackerDir, 'index.html'), `<!doctype html><script>let n = 0; function loaded() { if (++n === 2) new Image().src = '/done'; }</script>${frames}`);
});

test.afterAll(async () => {
  await attacker?.close();
  await host?.close();
});

test('a page on another port that frames project HTML or SVG gets nothing that runs', async ({ browser }) => {
  const context = await browser.newContext();
  const app = await context.newPage();
  await openProject(app, host.app.url, project); // the user has the app open: its cookie is in the jar
  expect(await callApi(app, 'app.info', {})).toBeTruthy();

  const evil = await context.newPage();
  const fileStatuses: number[] = [];
  evil.on('response', (r) => { if (r.url().includes('/files?')) fileStatuses.push(r.status()); });
  await evil.goto(`${attacker.url}index.html`);
  await expect.poll(() => attacker.hits.includes('/done'), { message: 'both frames loaded' }).toBe(true);

  // the cookie went along (403, not 401): the host saw an authenticated request and refused the type
  expect(fileStatuses.sort()).toEqual([403, 403]);
  expect(attacker.hits).not.toContain('/ran');
  expect(existsSync(join(outside, 'pwned.json'))).toBe(false);
  await context.close();
});
