/** API client over the preload bridge (the app inside Electron). */
import { ApiError } from '../../shared/api/contract';
import type { ApiClient, ApiEvents, EventName, MethodName, Params, Result } from '../../shared/api';
import type { PreloadBridge } from '../../preload/index';
import { EventHub } from './event-hub';

export function createIpcClient(bridge: PreloadBridge): ApiClient {
  const hub = new EventHub();
  bridge.on((msg) => hub.emit(msg.event, msg.payload));
  return {
    async call<M extends MethodName>(method: M, params: Params<M>): Promise<Result<M>> {
      const res = await bridge.call(method, params);
      if (!res.ok) throw new ApiError(res.error.code, res.error.message, res.error.details);
      return res.result as Result<M>;
    },
    async writeFile(path: string, data: Blob) {
      const res = await bridge.call('detect.writeFile', { path, data: new Uint8Array(await data.arrayBuffer()) });
      if (!res.ok) throw new ApiError(res.error.code, res.error.message, res.error.details);
      return res.result as Result<'detect.writeFile'>;
    },
    on<E extends EventName>(event: E, listener: (payload: ApiEvents[E]) => void): () => void {
      return hub.on(event, listener as (p: unknown) => void);
    },
  };
}
