/**
 * Electron smoke test: launches the real desktop app with Playwright's _electron and checks the
 * window, the preload bridge and the handlers. It runs wherever the Electron binary is installed;
 * on machines where the binary could not be downloaded it is skipped and says why.
 */
import { test, expect, _electron as electron } from '@playwright/test';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '../helpers/serve';

/** The Electron executable, found without `require('electron')` (which would try to download it). */
function electronBinary(): { path: string | null; why: string } {
  const dir = join(repoRoot, 'node_modules', 'electron');
  const pathFile = join(dir, 'path.txt');
  if (!existsSync(join(dir, 'package.json'))) return { path: null, why: 'the electron package is not installed' };
  if (!existsSync(pathFile)) {
    return { path: null, why: 'the Electron binary was never downloaded (node_modules/electron/path.txt is missing; the download needs network access to GitHub)' };
  }
  const path = join(dir, 'dist', readFileSync(pathFile, 'utf8').trim());
  return existsSync(path) ? { path, why: '' } : { path: null, why: `the Electron binary ${path} is missing` };
}

test('the desktop app opens its window with the API bridge', async () => {
  const bin = electronBinary();
  if (bin.path === null) console.log(`Electron smoke test skipped: ${bin.why}`);
  test.skip(bin.path === null, `Electron smoke test skipped: ${bin.why}`);
  const dataDir = mkdtempSync(join(tmpdir(), 'detecta-electron-'));
  const app = await electron.launch({ args: [repoRoot], executablePath: bin.path ?? undefined, env: { ...process.env, DETECTA_DATA_DIR: dataDir } });
  try {
    const win = await app.firstWindow();
    await expect(win.getByTestId('project-picker')).toBeVisible();
    // context isolation + sandbox + no nodeIntegration: the page sees no Node, only the bridge
    const page = await win.evaluate(() => ({
      require: typeof (window as unknown as { require?: unknown }).require,
      process: typeof (window as unknown as { process?: unknown }).process,
      bridge: Object.keys((window as unknown as { detecta?: object }).detecta ?? {}).sort(),
    }));
    expect(page).toEqual({ require: 'undefined', process: 'undefined', bridge: ['call', 'on'] });
    await win.getByRole('button', { name: 'Status' }).click();
    await expect(win.getByTestId('transport')).toContainText('Electron');
  } finally {
    await app.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
});
