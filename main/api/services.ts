/**
 * App-wide services that handlers share: where the app keeps its settings, the projects the
 * user has opened (the only folders the API may touch), and capabilities of the transport.
 */
import type { TransportKind } from '../../shared/api/app';

export interface Services {
  transport: TransportKind;
  /** Folder for the app's own settings (recent projects); never inside a project. */
  dataDir: string;
  /** Native folder picker; only in Electron. */
  pickFolder?: () => Promise<string | null>;
}
