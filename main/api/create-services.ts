/** Builds the Services object for one app instance (Electron or web host). */
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { TransportKind } from '../../shared/api/app';
import type { Services } from './services';
import { ProjectRegistry } from './project-registry';
import { RecentProjects } from '../settings/recent-projects';
import { defaultModelCacheDir } from '../training/model-cache';

/** The per-user settings folder: DETECTA_DATA_DIR, else the platform's usual place. */
export function defaultDataDir(): string {
  if (process.env.DETECTA_DATA_DIR) return process.env.DETECTA_DATA_DIR;
  if (process.platform === 'win32') return join(process.env.APPDATA ?? join(homedir(), 'AppData', 'Roaming'), 'Detecta Studio');
  if (process.platform === 'darwin') return join(homedir(), 'Library', 'Application Support', 'Detecta Studio');
  return join(process.env.XDG_CONFIG_HOME ?? join(homedir(), '.config'), 'detecta-studio');
}

export function createServices(options: { transport: TransportKind; dataDir?: string; modelCacheDir?: string; pickFolder?: () => Promise<string | null>; openPath?: (path: string) => Promise<string> }): Services {
  const dataDir = options.dataDir ?? defaultDataDir();
  return {
    transport: options.transport,
    dataDir,
    modelCacheDir: options.modelCacheDir ?? defaultModelCacheDir(),
    projects: new ProjectRegistry(),
    recent: new RecentProjects(dataDir),
    ...(options.pickFolder ? { pickFolder: options.pickFolder } : {}),
    ...(options.openPath ? { openPath: options.openPath } : {}),
  };
}
