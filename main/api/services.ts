/**
 * App-wide services that handlers share, built once per app instance by createServices
 * (create-services.ts) and handed to the transports: where the app keeps its settings, the
 * projects the user has opened, the folders the user granted in the Detect view, the trainer
 * processes, the model cache and capabilities of the transport. main/ keeps no mutable state in
 * module globals: two app instances in one process (two web hosts in a test) share nothing.
 */
import type { BackendAvailability, TransportKind } from '../../shared/api/app';
import type { ProjectRegistry } from './project-registry';
import type { RecentProjects } from '../settings/recent-projects';
import type { FolderGrants } from '../detect/folder-grants';
import type { ModelCache } from '../detect/zoo-cache';
import type { TrainerRegistry } from '../training/trainer-registry';

export interface Services {
  transport: TransportKind;
  /** Folder for the app's own settings (recent projects); never inside a project. */
  dataDir: string;
  /** The one model cache: zoo detectors, and (its `dir`) the training runs' pretrained backbones. */
  modelCache: ModelCache;
  projects: ProjectRegistry;
  recent: RecentProjects;
  /** Model and output folders chosen in the Detect view (with the projects: every path the API may touch). */
  grants: FolderGrants;
  /** The training processes, one per project at most. */
  trainers: TrainerRegistry;
  /** Which tfjs backends this machine has (probed on first use, then reused). */
  backends: () => Promise<BackendAvailability[]>;
  /** Native folder picker; only in Electron. */
  pickFolder?: () => Promise<string | null>;
  /** Opens a folder in the system file manager (Electron: shell.openPath; '' on success, else the reason). */
  openPath?: (path: string) => Promise<string>;
}
