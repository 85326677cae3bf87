/**
 * Preload (sandboxed, context-isolated): exposes exactly one object to the page, `window.detecta`,
 * with `call(method, params)` and `on(event, listener)`. Nothing of Node or Electron leaks through.
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { IPC_CALL, IPC_EVENT } from './channels';
import type { EventMessage, ResponseMessage } from '../shared/api/contract';

export interface PreloadBridge {
  call(method: string, params: unknown): Promise<ResponseMessage>;
  on(listener: (msg: EventMessage) => void): () => void;
}

const bridge: PreloadBridge = {
  call: (method, params) => ipcRenderer.invoke(IPC_CALL, method, params) as Promise<ResponseMessage>,
  on: (listener) => {
    const wrapped = (_e: IpcRendererEvent, msg: EventMessage): void => listener(msg);
    ipcRenderer.on(IPC_EVENT, wrapped);
    return () => { ipcRenderer.removeListener(IPC_EVENT, wrapped); };
  },
};

contextBridge.exposeInMainWorld('detecta', bridge);
