/** App-level methods: versions, capabilities, which TensorFlow backends this machine has. */
import { z } from 'zod';
import { method } from './contract';
import type { TrainBackendName } from '../training/types';

export type TransportKind = 'electron' | 'web';

export interface BackendAvailability {
  /** tfjs backend name as the training process would register it. */
  name: TrainBackendName;
  label: string;
  available: boolean;
  /** Why it is not available (the load error), or what it runs on when it is. */
  detail: string;
}

export interface AppInfo {
  name: string;
  version: string;
  transport: TransportKind;
  platform: string;
  arch: string;
  versions: Record<string, string>;
  /** The native folder dialog exists (Electron); the browser uses the in-app folder browser. */
  nativeDialogs: boolean;
  /** Where the app keeps its own settings (recent projects). */
  dataDir: string;
}

export const appMethods = {
  'app.info': method<AppInfo>()(z.object({}).strict()),
  'app.backends': method<BackendAvailability[]>()(z.object({}).strict()),
};

export interface AppEvents {
  'app.log': { level: 'info' | 'warn' | 'error'; message: string };
}
