/**
 * Electron smoke test: launches the real desktop app with Playwright's _electron and checks the
 * window, the preload bridge and the handlers. It runs wherever the Electron binary is installed;
 * on machines where the binary could not be downloaded it is skipped and says why.
 */
import { test, expect, _electron as electron } from '@playwright/test';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '../helpers/serve';

function electronBinary(): { path: string | null; why: string } {
  try {
    const require = createRequire(join(repoRoot, 'package.json'));
    const path = require('electron') as unknown as string;
    return existsSync(path) ? { path, why: '' } : { path: null, why: `the Electron binary is not installed (${path} is missing: its download needs network access at install time)` };
  } catch (err) {
    return { path: null, why: `the electron package cannot provide a binary here: ${(err as Error).message.split('\n')[0]}` };
  }
}

test('the desktop app opens its window with the API bridge', async () => {
  const bin = electronBinary();
  test.skip(bin.path === null, `Electron smoke test skipped: ${bin.why}`);
  const dataDir = mkdtempSync(join(tmpdir(), 'detecta-electron-'));
  const app = await electron.launch({ args: [repoRoot], executablePath: bin.path ?? undefined, env: { ...process.env, DETECTA_DATA_DIR: dataDir } });
  try {
    const win = await app.firstWindow();
    await expect(win.getByTestId('project-picker')).toBeVisible();
    const prefs = await app.evaluate(({ BrowserWindow }) => BrowserWindow.getAllWindows()[0]?.webContents.getLastWebPreferences());
    expect(prefs?.contextIsolation).toBe(true);
    expect(prefs?.sandbox).toBe(true);
    expect(prefs?.nodeIntegration).toBe(false);
    expect(await win.evaluate(() => typeof (window as unknown as { require?: unknown }).require)).toBe('undefined');
    await win.getByRole('button', { name: 'Status' }).click();
    await expect(win.getByTestId('transport')).toContainText('Electron');
  } finally {
    await app.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
});
