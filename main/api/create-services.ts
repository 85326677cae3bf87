/**
 * The one place that builds an app instance's services (Services): the Electron shell, the web
 * host (main/serve.ts) and the tests call createServices and hand the result to a transport.
 * The shell's own capabilities come in as options (Electron: native folder picker, opener,
 * utilityProcess trainer spawner); nothing is looked up from module state.
 */
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { BackendAvailability, TransportKind } from '../../shared/api/app';
import type { Services } from './services';
import { ProjectRegistry } from './project-registry';
import { RecentProjects } from '../settings/recent-projects';
import { defaultModelCacheDir } from '../training/model-cache';
import { FolderGrants } from '../detect/folder-grants';
import { ModelCache } from '../detect/zoo-cache';
import { TrainerRegistry } from '../training/trainer-registry';
import { forkTrainer, type SpawnTrainer } from '../training/supervisor';
import { probeBackends } from '../training/backend-probe';

/** The per-user settings folder: DETECTA_DATA_DIR, else the platform's usual place. */
export function defaultDataDir(): string {
  if (process.env.DETECTA_DATA_DIR) return process.env.DETECTA_DATA_DIR;
  if (process.platform === 'win32') return join(process.env.APPDATA ?? join(homedir(), 'AppData', 'Roaming'), 'Detecta Studio');
  if (process.platform === 'darwin') return join(homedir(), 'Library', 'Application Support', 'Detecta Studio');
  return join(process.env.XDG_CONFIG_HOME ?? join(homedir(), '.config'), 'detecta-studio');
}

export interface ServiceOptions {
  transport: TransportKind;
  dataDir?: string;
  modelCacheDir?: string;
  /** Starts a trainer process (Electron: utilityProcess); default: a forked Node child. */
  spawnTrainer?: SpawnTrainer;
  pickFolder?: () => Promise<string | null>;
  openPath?: (path: string) => Promise<string>;
}

export function createServices(options: ServiceOptions): Services {
  const dataDir = options.dataDir ?? defaultDataDir();
  const projects = new ProjectRegistry();
  let backends: Promise<BackendAvailability[]> | null = null;
  return {
    transport: options.transport,
    dataDir,
    modelCache: new ModelCache(options.modelCacheDir ?? defaultModelCacheDir()),
    projects,
    recent: new RecentProjects(dataDir),
    grants: new FolderGrants(projects),
    trainers: new TrainerRegistry(options.spawnTrainer ?? forkTrainer),
    backends: () => (backends ??= probeBackends()),
    ...(options.pickFolder ? { pickFolder: options.pickFolder } : {}),
    ...(options.openPath ? { openPath: options.openPath } : {}),
  };
}
