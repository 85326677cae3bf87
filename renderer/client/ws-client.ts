/**
 * API client over the local web host's WebSocket (the app in a browser). The page was served by
 * the host, which set the auth cookie, so the socket needs no token of its own. Requests made
 * while the socket is (re)connecting wait for it; a lost connection is retried with back-off and
 * pending calls fail with a clear error. Params holding bytes (a snapshot's JPEG) go as one
 * binary frame (binary-frame.ts), result files on the upload route: never base64 in JSON.
 */
import { ApiError, type ApiErrorData, type EventMessage, type ResponseMessage } from '../../shared/api/contract';
import { UPLOAD_ROUTE } from '../../shared/api/detect';
import type { ApiClient, ApiEvents, EventName, MethodName, Params, Result } from '../../shared/api';
import { EventHub } from './event-hub';
import { encodeBinaryRequest } from './binary-frame';

export type ConnectionState = 'connecting' | 'open' | 'closed';

export function createWsClient(url: string, onState: (s: ConnectionState) => void = () => {}): ApiClient {
  const hub = new EventHub();
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: unknown) => void }>();
  let nextId = 1;
  let socket: WebSocket | null = null;
  let ready: Promise<WebSocket>;
  let retry = 250;

  const connect = (): Promise<WebSocket> =>
    new Promise((resolve, reject) => {
      onState('connecting');
      const ws = new WebSocket(url);
      ws.onopen = () => { socket = ws; retry = 250; onState('open'); resolve(ws); };
      ws.onmessage = (ev: MessageEvent<string>) => {
        const msg = JSON.parse(ev.data) as ResponseMessage | EventMessage;
        if ('event' in msg) { hub.emit(msg.event, msg.payload); return; }
        if (msg.id === null) { console.error('[api] server rejected a message:', msg.ok ? msg : msg.error.message); return; }
        const p = pending.get(msg.id);
        if (!p) return;
        pending.delete(msg.id);
        if (msg.ok) p.resolve(msg.result);
        else p.reject(new ApiError(msg.error.code, msg.error.message, msg.error.details));
      };
      ws.onclose = () => {
        const wasOpen = socket === ws;
        socket = null;
        onState('closed');
        for (const [id, p] of pending) { p.reject(new ApiError('unavailable', 'lost the connection to Detecta Studio')); pending.delete(id); }
        if (!wasOpen) reject(new ApiError('unavailable', 'cannot reach Detecta Studio (is `npm run serve` still running?)'));
        setTimeout(() => { ready = connect(); ready.catch(() => {}); }, retry);
        retry = Math.min(retry * 2, 5000);
      };
    });
  ready = connect();
  ready.catch(() => {}); // a failed first attempt is reported to the first call and retried by onclose

  return {
    async call<M extends MethodName>(method: M, params: Params<M>): Promise<Result<M>> {
      const ws = socket ?? (await ready);
      const id = nextId++;
      const frame = encodeBinaryRequest(id, method, params);
      return new Promise<Result<M>>((resolve, reject) => {
        pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
        ws.send(frame ?? JSON.stringify({ id, method, params }));
      });
    },
    async writeFile(path: string, data: Blob) {
      // the body streams to the host (same origin, so the auth cookie goes along)
      const target = new URL(url.replace(/^ws/, 'http'));
      target.pathname = UPLOAD_ROUTE;
      target.search = `?path=${encodeURIComponent(path)}`;
      let res: Response;
      try {
        res = await fetch(target, { method: 'PUT', body: data, credentials: 'same-origin' });
      } catch (err) {
        throw new ApiError('unavailable', `cannot reach Detecta Studio to write ${path}: ${(err as Error).message}`);
      }
      const body = (await res.json().catch(() => null)) as { path: string; bytes: number } | { error: ApiErrorData } | null;
      if (body && 'error' in body) throw new ApiError(body.error.code, body.error.message, body.error.details);
      if (!res.ok || !body) throw new ApiError('io', `writing ${path} failed (HTTP ${res.status})`);
      return body;
    },
    on<E extends EventName>(event: E, listener: (payload: ApiEvents[E]) => void): () => void {
      return hub.on(event, listener as (p: unknown) => void);
    },
  };
}
