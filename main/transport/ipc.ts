/**
 * Electron IPC transport: the same dispatcher as the web host, behind ipcMain.handle. Only
 * frames loaded from the app's own origin may call; results and errors travel as plain objects
 * (Electron's IPC drops the fields of thrown errors). Electron's ipcMain and webContents are
 * handed in by main/app (the only layer that imports 'electron'), as the two small interfaces
 * below, so this module runs and type-checks without Electron.
 */
import type { ResponseMessage, EventMessage } from '../../shared/api/contract';
import type { ApiEvents, EventName } from '../../shared/api';
import type { Services } from '../api/services';
import { dispatch, toApiError } from '../api/dispatch';
import { IPC_CALL, IPC_EVENT } from '../../preload/channels';

/** What the transport uses of Electron's ipcMain. */
export interface IpcHandlers {
  handle(channel: string, listener: (event: { senderFrame?: { url: string } | null }, ...args: unknown[]) => Promise<unknown>): void;
}

/** What the transport uses of Electron's webContents: every page, to send events to the app's own. */
export interface IpcPages {
  getAllWebContents(): { getURL(): string; send(channel: string, message: unknown): void }[];
}

export function registerIpcTransport(
  services: Services,
  isAppUrl: (url: string) => boolean,
  electron: { ipcMain: IpcHandlers; webContents: IpcPages },
): { emit<E extends EventName>(event: E, payload: ApiEvents[E]): void } {
  const emit = <E extends EventName>(event: E, payload: ApiEvents[E]): void => {
    const msg: EventMessage = { event, payload };
    for (const wc of electron.webContents.getAllWebContents()) if (isAppUrl(wc.getURL())) wc.send(IPC_EVENT, msg);
  };
  const ctx = { services, emit };
  electron.ipcMain.handle(IPC_CALL, async (event, method: unknown, params: unknown): Promise<ResponseMessage> => {
    const frameUrl = event.senderFrame?.url ?? '';
    if (!isAppUrl(frameUrl)) return { id: 0, ok: false, error: { code: 'forbidden', message: `calls from ${frameUrl} are refused` } };
    if (typeof method !== 'string') return { id: 0, ok: false, error: { code: 'bad_request', message: 'method must be a string' } };
    try {
      return { id: 0, ok: true, result: (await dispatch(method, params, ctx)) ?? null };
    } catch (err) {
      return { id: 0, ok: false, error: toApiError(err).toJSON() };
    }
  });
  return { emit };
}
