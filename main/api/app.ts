/** Handlers for app-level methods. */
import { createRequire } from 'node:module';
import type { appMethods } from '../../shared/api/app';
import type { HandlersFor } from './handler';
import { installedVersion } from '../training/installed-package';

const require = createRequire(import.meta.url);

const packageVersion = (name: string): string => installedVersion(name) ?? 'not installed';

export const APP_VERSION = (require('../../package.json') as { version: string }).version;

export const appHandlers: HandlersFor<typeof appMethods> = {
  'app.info': async (_params, ctx) => ({
    name: 'Detecta Studio',
    version: APP_VERSION,
    transport: ctx.services.transport,
    platform: process.platform,
    arch: process.arch,
    versions: {
      node: process.versions.node,
      ...(process.versions.electron ? { electron: process.versions.electron, chromium: process.versions.chrome ?? '' } : {}),
      '@tensorflow/tfjs': packageVersion('@tensorflow/tfjs'),
      '@tensorflow/tfjs-backend-wasm': packageVersion('@tensorflow/tfjs-backend-wasm'),
    },
    nativeDialogs: Boolean(ctx.services.pickFolder),
    dataDir: ctx.services.dataDir,
  }),
  'app.backends': async (_params, ctx) => ctx.services.backends(),
};
