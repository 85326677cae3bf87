/**
 * The Electron app: one window over the built renderer, loaded from the custom `app://` scheme,
 * with contextIsolation, sandbox, no nodeIntegration, a strict CSP, navigation and new windows
 * blocked, and project images served through `detecta-file://` only from opened projects.
 * main/app/ (this module, menu.ts, utility-trainer.ts) and preload/ are the only code that imports
 * 'electron' (a rule of .dependency-cruiser.cjs); the IPC transport gets ipcMain and webContents from here.
 */
import { app, BrowserWindow, dialog, ipcMain, net, protocol, session, shell, webContents } from 'electron';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { join, normalize, sep } from 'node:path';
import { createServices } from '../api/create-services';
import { registerIpcTransport } from '../transport/ipc';
import { contentSecurityPolicy } from '../transport/csp';
import { SERVED_FILE_HEADERS } from '../transport/served-files';
import { CROSS_ORIGIN_ISOLATION_HEADERS, FILE_CORP_FOR_ISOLATED_APP } from '../transport/isolation';
import { buildMenu } from './menu';
import { spawnUtilityTrainer } from './utility-trainer';
import { errorMessage } from '../../shared/error-message';

const here = fileURLToPath(new URL('.', import.meta.url));
const rendererDir = join(here, '..', 'renderer');
const preloadFile = join(here, '..', 'preload', 'preload.cjs');
const APP_ORIGIN = 'app://detecta';

protocol.registerSchemesAsPrivileged([
  { scheme: 'app', privileges: { standard: true, secure: true, supportFetchAPI: true } },
  { scheme: 'detecta-file', privileges: { standard: true, secure: true, supportFetchAPI: true, stream: true } },
]);

const asHeaderLists = (h: Readonly<Record<string, string>>): Record<string, string[]> => Object.fromEntries(Object.entries(h).map(([k, v]) => [k, [v]]));

const isAppUrl = (url: string): boolean => url.startsWith(`${APP_ORIGIN}/`);

// Chromium ships WebGPU on Windows and macOS; on Linux it still needs the switch (and Vulkan).
// Detection in the window then runs on the GPU; a software adapter is not preferred over wasm.
if (process.platform === 'linux') {
  app.commandLine.appendSwitch('enable-unsafe-webgpu');
  app.commandLine.appendSwitch('enable-features', 'Vulkan');
}

async function createWindow(): Promise<BrowserWindow> {
  const win = new BrowserWindow({
    width: 1400,
    height: 900,
    minWidth: 960,
    minHeight: 600,
    title: 'Detecta Studio',
    backgroundColor: '#16181d',
    show: false,
    webPreferences: {
      preload: preloadFile,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      spellcheck: false,
    },
  });
  win.once('ready-to-show', () => win.show());
  win.webContents.on('will-navigate', (event, url) => { if (!isAppUrl(url)) event.preventDefault(); });
  win.webContents.setWindowOpenHandler(({ url }) => {
    if (url.startsWith('https://')) void shell.openExternal(url);
    return { action: 'deny' };
  });
  await win.loadURL(`${APP_ORIGIN}/index.html`);
  return win;
}

app.whenReady().then(async () => {
  const services = createServices({
    transport: 'electron',
    dataDir: app.getPath('userData'),
    pickFolder: async () => {
      const result = await dialog.showOpenDialog({ properties: ['openDirectory'] });
      return result.canceled ? null : (result.filePaths[0] ?? null);
    },
    openPath: (path) => shell.openPath(path),
    spawnTrainer: spawnUtilityTrainer,
  });
  registerIpcTransport(services, isAppUrl, { ipcMain, webContents });

  protocol.handle('app', (request) => {
    const url = new URL(request.url);
    const file = normalize(join(rendererDir, decodeURIComponent(url.pathname)));
    if (!file.startsWith(normalize(rendererDir) + sep)) return new Response('refused', { status: 403 });
    return net.fetch(pathToFileURL(file).toString());
  });
  protocol.handle('detecta-file', async (request) => {
    const url = new URL(request.url);
    const path = url.searchParams.get('path') ?? '';
    try {
      // detecta-file://model/?path= : files of a model folder opened in the Detect view (or the model cache)
      const served = await services.grants.resolveServed(path, url.host === 'model' ? 'model' : 'project');
      // the Range header goes along, so a <video> can seek (Chromium's file loader answers 206)
      const range = request.headers.get('range');
      const file = await net.fetch(pathToFileURL(served.file).toString(), range ? { headers: { range } } : undefined);
      const headers = new Headers(file.headers);
      headers.set('content-type', served.contentType);
      for (const [k, v] of Object.entries({ ...SERVED_FILE_HEADERS, ...FILE_CORP_FOR_ISOLATED_APP })) headers.set(k, v);
      return new Response(file.body, { status: file.status, headers });
    } catch (err) {
      return new Response(errorMessage(err), { status: 403 });
    }
  });
  session.defaultSession.webRequest.onHeadersReceived((details, callback) => {
    // project and model files keep their own sandboxing policy (SERVED_FILE_HEADERS) and may be embedded by the isolated page
    if (details.url.startsWith('detecta-file:')) return callback({ responseHeaders: { ...details.responseHeaders, ...asHeaderLists(FILE_CORP_FOR_ISOLATED_APP) } });
    // the page is cross-origin isolated (SharedArrayBuffer: the wasm backend's threads)
    callback({ responseHeaders: { ...details.responseHeaders, ...asHeaderLists(CROSS_ORIGIN_ISOLATION_HEADERS), 'Content-Security-Policy': [contentSecurityPolicy({ img: ['detecta-file:'], connect: ['detecta-file:'] })] } });
  });
  session.defaultSession.setPermissionRequestHandler((_wc, permission, grant) => grant(permission === 'media'));

  buildMenu();
  await createWindow();
  app.on('activate', () => { if (BrowserWindow.getAllWindows().length === 0) void createWindow(); });
  app.on('before-quit', () => { void services.projects.closeAll(); });
}).catch((err: unknown) => {
  console.error('Detecta Studio failed to start:', err);
  app.exit(1);
});

app.on('window-all-closed', () => { if (process.platform !== 'darwin') app.quit(); });
