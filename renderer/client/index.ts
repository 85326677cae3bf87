/**
 * The one API client of the renderer. Inside Electron it uses the preload bridge; in a browser the
 * WebSocket of the local web host. Nothing else in the renderer knows which.
 */
import type { ApiClient } from '../../shared/api';
import type { PreloadBridge } from '../../preload/index';
import { createIpcClient } from './ipc-client';
import { createWsClient, type ConnectionState } from './ws-client';

declare global {
  interface Window {
    detecta?: PreloadBridge;
  }
}

const connectionListeners = new Set<(s: ConnectionState) => void>();
let connectionState: ConnectionState = 'connecting';
/** Subscribes to the connection state; the listener is called at once with the current state. */
export function onConnectionState(listener: (s: ConnectionState) => void): () => void {
  connectionListeners.add(listener);
  listener(connectionState);
  return () => { connectionListeners.delete(listener); };
}
const setConnectionState = (s: ConnectionState): void => {
  connectionState = s;
  connectionListeners.forEach((l) => l(s));
};

export const inElectron = typeof window !== 'undefined' && window.detecta !== undefined;

export const api: ApiClient = inElectron
  ? createIpcClient(window.detecta as PreloadBridge)
  : createWsClient(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/api`, setConnectionState);

/** URL under which the page can load a file inside an opened project (an image for the canvas). */
export function projectFileUrl(absPath: string, version?: string | number): string {
  const q = `path=${encodeURIComponent(absPath)}${version === undefined ? '' : `&v=${encodeURIComponent(String(version))}`}`;
  return inElectron ? `detecta-file://project/?${q}` : `/files?${q}`;
}

/** URL of a file in a model folder opened in the Detect view (or a cached ready-made model). */
export function modelFileUrl(absPath: string): string {
  const q = `path=${encodeURIComponent(absPath)}`;
  return inElectron ? `detecta-file://model/?${q}` : `/model-files?${q}`;
}
