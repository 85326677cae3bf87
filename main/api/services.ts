/**
 * App-wide services that handlers share: where the app keeps its settings, the projects the
 * user has opened (the only folders the API may touch), and capabilities of the transport.
 */
import type { TransportKind } from '../../shared/api/app';
import type { ProjectRegistry } from './project-registry';
import type { RecentProjects } from '../settings/recent-projects';

export interface Services {
  transport: TransportKind;
  /** Folder for the app's own settings (recent projects); never inside a project. */
  dataDir: string;
  /** The one model cache (main/training/model-cache.ts): zoo detectors and the training runs' pretrained backbones. */
  modelCacheDir: string;
  projects: ProjectRegistry;
  recent: RecentProjects;
  /** Native folder picker; only in Electron. */
  pickFolder?: () => Promise<string | null>;
  /** Opens a folder in the system file manager (Electron: shell.openPath; '' on success, else the reason). */
  openPath?: (path: string) => Promise<string>;
}
