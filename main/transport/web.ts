/**
 * Local web host: serves the built renderer over HTTP and the API over a WebSocket, so the same
 * app runs in a browser (`npm run serve`) and in e2e tests.
 *
 * Security: binds 127.0.0.1 unless told otherwise; every request needs the random token printed in
 * the URL (the first visit exchanges it for an HttpOnly, SameSite=Strict cookie named with the
 * port, so two hosts keep their own) or gets 401; foreign Origin and Host headers are refused (403,
 * against cross-site pages and DNS rebinding); every WebSocket message is validated and a
 * malformed one gets an error reply, a malformed or oversized frame closes that socket only, and
 * the server keeps running; project and model files are served only from inside opened projects
 * and chosen model folders, only with image, video and model types, sandboxed (served-files.ts).
 * Bytes never travel as base64: result files arrive on a streamed upload route, a webcam snapshot
 * as one binary WebSocket frame (shared/api/binary-request.ts); JSON messages stay small.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createReadStream, promises as fs } from 'node:fs';
import parseRange from 'range-parser';
import { extname, join, normalize, sep } from 'node:path';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { ApiError, requestMessageSchema, type EventMessage, type ResponseMessage } from '../../shared/api/contract';
import type { ApiEvents, EventName } from '../../shared/api';
import type { Services } from '../api/services';
import { dispatch, toApiError } from '../api/dispatch';
import { CROSS_ORIGIN_ISOLATION_HEADERS } from './isolation';
import { contentSecurityPolicy } from './csp';
import { contentTypeFor } from './content-types';
import { writeResultFile } from '../detect/write-result';
import { SERVED_FILE_HEADERS } from './served-files';
import { RESULT_MAX_BYTES, UPLOAD_ROUTE } from '../../shared/api/detect';
import { MAX_BINARY_MESSAGE_BYTES, MAX_JSON_MESSAGE_BYTES } from '../../shared/api/binary-request';
import { BinaryFrameError, decodeBinaryRequest } from './binary-frames';

export interface WebHostOptions {
  services: Services;
  /** Folder with the built renderer (index.html and assets). */
  staticDir: string;
  host?: string;
  port?: number;
  /** Fixed token (tests); by default 24 random bytes. */
  token?: string;
}

export interface WebHost {
  /** The address to open, token included. */
  url: string;
  origin: string;
  token: string;
  port: number;
  emit<E extends EventName>(event: E, payload: ApiEvents[E]): void;
  close(): Promise<void>;
}

/**
 * Largest WebSocket message the socket reads: a binary request (a snapshot's bytes and its JSON
 * header). A text message over MAX_JSON_MESSAGE_BYTES closes its socket with 1009 all the same.
 */
export const MAX_MESSAGE_BYTES = MAX_BINARY_MESSAGE_BYTES;

/** The auth cookie's name: cookies are shared by every port of a host, so each host names its own. */
const cookieName = (port: number): string => `detecta_token_${port}`;

function sameToken(a: string | undefined, b: string): boolean {
  if (!a) return false;
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function cookieToken(req: IncomingMessage, name: string): string | undefined {
  const header = req.headers.cookie ?? '';
  for (const part of header.split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k !== name) continue;
    try {
      return decodeURIComponent(v.join('='));
    } catch {
      return undefined; // a malformed escape is simply not our token
    }
  }
  return undefined;
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
}

const STATUS_OF: Partial<Record<string, number>> = { bad_request: 400, forbidden: 403, not_found: 404, conflict: 409, unavailable: 503 };

/**
 * Streams a file with its headers, honouring one byte range (206 Partial Content): a <video>
 * seeks by asking for ranges, and without them Chromium cannot seek a served video at all.
 * Several ranges or a malformed header get the whole file; a range past the end gets 416.
 */
function streamFile(req: IncomingMessage, res: ServerResponse, file: string, size: number, headers: Record<string, string>): void {
  const base = { ...headers, 'accept-ranges': 'bytes' };
  const ranges = req.headers.range ? parseRange(size, req.headers.range, { combine: true }) : -2;
  if (ranges === -1) {
    res.writeHead(416, { ...base, 'content-range': `bytes */${size}` });
    res.end();
    return;
  }
  const one = ranges !== -2 && ranges.type === 'bytes' && ranges.length === 1 ? ranges[0]! : null;
  res.writeHead(one ? 206 : 200, one ? { ...base, 'content-range': `bytes ${one.start}-${one.end}/${size}`, 'content-length': String(one.end - one.start + 1) } : { ...base, 'content-length': String(size) });
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  createReadStream(file, one ? { start: one.start, end: one.end } : {}).pipe(res);
}

function send(res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store', ...headers });
  res.end(body);
}

export async function startWebHost(options: WebHostOptions): Promise<WebHost> {
  const host = options.host ?? '127.0.0.1';
  const token = options.token ?? randomBytes(24).toString('base64url');
  const server = createServer();
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES });
  const sockets = new Set<WebSocket>();
  let origin = '';
  let allowedHosts = new Set<string>();
  let cookie = '';

  const emit = <E extends EventName>(event: E, payload: ApiEvents[E]): void => {
    const text = JSON.stringify({ event, payload } satisfies EventMessage);
    for (const ws of sockets) if (ws.readyState === ws.OPEN) ws.send(text);
  };
  const ctx = { services: options.services, emit };

  /** Host and Origin checks shared by HTTP and the WebSocket upgrade. Returns an error text or null. */
  const foreign = (req: IncomingMessage): string | null => {
    if (!allowedHosts.has(req.headers.host ?? '')) return `host "${req.headers.host ?? ''}" is not this server`;
    const o = req.headers.origin;
    if (o !== undefined && !(o.startsWith('http://') && allowedHosts.has(o.slice('http://'.length)))) return `origin "${o}" is not allowed`;
    return null;
  };

  const authorized = (req: IncomingMessage, url: URL): boolean =>
    sameToken(url.searchParams.get('token') ?? undefined, token) || sameToken(cookieToken(req, cookie), token);

  const serveStatic = async (res: ServerResponse, pathname: string): Promise<void> => {
    let decoded: string;
    try {
      decoded = decodeURIComponent(pathname);
    } catch {
      return send(res, 400, `malformed address: ${pathname}`);
    }
    const rel = pathname === '/' ? 'index.html' : decoded.replace(/^\/+/, '');
    const file = normalize(join(options.staticDir, rel));
    if (!file.startsWith(normalize(options.staticDir) + sep)) return send(res, 403, 'refused: path outside the app');
    const stat = await fs.stat(file).catch(() => null);
    if (!stat?.isFile()) return send(res, 404, `not found: ${pathname}`);
    const headers: Record<string, string> = {
      'content-type': contentTypeFor(file),
      'content-length': String(stat.size),
      'x-content-type-options': 'nosniff',
      'cache-control': 'no-cache',
      // the page, its scripts and its wasm: cross-origin isolated, so the wasm backend gets threads
      ...CROSS_ORIGIN_ISOLATION_HEADERS,
    };
    if (extname(file) === '.html') {
      headers['content-security-policy'] = contentSecurityPolicy({ connect: [`ws://${host}:${(server.address() as AddressInfo).port}`] });
      headers['x-frame-options'] = 'DENY';
    }
    res.writeHead(200, headers);
    createReadStream(file).pipe(res);
  };

  /**
   * GET /files?path=ABS: bytes of a file inside an opened project (images for the canvas).
   * GET /model-files?path=ABS: a file of a model folder the user opened in the Detect view, or of
   * a ready-made model in the app's cache (granted by detect.openModelFolder / detect.zooEnsure).
   */
  const serveProjectFile = async (req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> => {
    const path = url.searchParams.get('path');
    if (!path) return send(res, 400, 'missing ?path=');
    let served: { file: string; contentType: string };
    try {
      served = await options.services.grants.resolveServed(path, url.pathname === '/model-files' ? 'model' : 'project');
    } catch (err) {
      const e = toApiError(err);
      return send(res, STATUS_OF[e.code] ?? 500, e.message);
    }
    const stat = await fs.stat(served.file);
    if (!stat.isFile()) return send(res, 404, `not a file: ${path}`);
    streamFile(req, res, served.file, stat.size, {
      ...SERVED_FILE_HEADERS,
      'cross-origin-resource-policy': 'same-origin',
      'content-type': served.contentType,
      'cache-control': 'no-cache',
      'last-modified': stat.mtime.toUTCString(),
    });
  };

  /**
   * PUT /upload?path=ABS: a result file of the Detect view, streamed to disk (see
   * writeResultFile). Only the app's own page may send it: a browser always sends Origin with a
   * PUT, so one without is refused, and another origin (another port included) was refused by
   * `foreign` before the body is read.
   */
  const receiveUpload = async (req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> => {
    if (req.headers.origin === undefined) return sendJson(res, 403, { error: { code: 'forbidden', message: 'uploads come only from the app page' } });
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > RESULT_MAX_BYTES) {
      res.setHeader('connection', 'close'); // the body is not read
      return sendJson(res, 413, { error: { code: 'bad_request', message: `the file is ${declared} bytes; the largest result file is ${RESULT_MAX_BYTES} bytes` } });
    }
    const path = url.searchParams.get('path');
    if (!path) return sendJson(res, 400, { error: { code: 'bad_request', message: 'missing ?path=' } });
    try {
      sendJson(res, 200, await writeResultFile(options.services.grants, path, req));
    } catch (err) {
      const e = toApiError(err);
      sendJson(res, STATUS_OF[e.code] ?? 500, { error: e.toJSON() });
      req.resume(); // drain what the client still sends, so it reads the answer
    }
  };

  server.on('request', (req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const bad = foreign(req);
    if (bad) return send(res, 403, `refused: ${bad}`);
    if (!authorized(req, url)) {
      return send(res, 401, 'Detecta Studio: this address needs the token printed by `npm run serve` (open the full URL it printed).');
    }
    const upload = url.pathname === UPLOAD_ROUTE;
    if (upload ? req.method !== 'PUT' : req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'method not allowed');
    res.setHeader('set-cookie', `${cookie}=${encodeURIComponent(token)}; HttpOnly; SameSite=Strict; Path=/`);
    const route = upload
      ? receiveUpload(req, res, url)
      : url.pathname === '/files' || url.pathname === '/model-files' ? serveProjectFile(req, res, url) : serveStatic(res, url.pathname);
    route.catch((err: unknown) => {
      console.error('[web] request failed:', err);
      if (!res.headersSent) send(res, 500, toApiError(err).message);
      else res.destroy();
    });
  });

  // A client that breaks the HTTP protocol or drops its connection costs only that connection.
  server.on('clientError', (err: NodeJS.ErrnoException, socket) => {
    if (socket.writable && err.code !== 'ECONNRESET') socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
    else socket.destroy();
  });

  server.on('upgrade', (req, socket, head) => {
    socket.on('error', (err) => { console.error('[web] upgrade socket error:', err.message); socket.destroy(); });
    const url = new URL(req.url ?? '/', 'http://localhost');
    const bad = foreign(req);
    const reject = (status: string, text: string): void => {
      socket.end(`HTTP/1.1 ${status}\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\n${text}`);
    };
    if (bad) return reject('403 Forbidden', `refused: ${bad}`);
    if (!authorized(req, url)) return reject('401 Unauthorized', 'token required');
    if (url.pathname !== '/api') return reject('404 Not Found', 'no such endpoint');
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
  });

  wss.on('error', (err) => console.error('[web] WebSocket server error:', err.message));
  wss.on('connection', (ws: WebSocket) => {
    sockets.add(ws);
    ws.on('close', () => sockets.delete(ws));
    // ws closes the socket itself after a protocol error (bad frame, invalid UTF-8, oversized
    // message, bad close code); without this listener the error would end the whole process.
    ws.on('error', (err) => console.error('[web] closed a WebSocket after a protocol error:', err.message));
    ws.on('message', (data: Buffer, isBinary) => {
      const reply = (msg: ResponseMessage): void => { if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(msg)); };
      const run = (id: number, method: string, params: unknown): void => {
        dispatch(method, params, ctx).then(
          (result) => reply({ id, ok: true, result: result ?? null }),
          (err: unknown) => reply({ id, ok: false, error: toApiError(err).toJSON() }),
        );
      };
      if (isBinary) {
        try {
          const request = decodeBinaryRequest(data);
          return run(request.id, request.method, request.params);
        } catch (err) {
          return reply({ id: err instanceof BinaryFrameError ? err.id : null, ok: false, error: toApiError(err).toJSON() });
        }
      }
      if (data.length > MAX_JSON_MESSAGE_BYTES) return ws.close(1009, `an API message is at most ${MAX_JSON_MESSAGE_BYTES} bytes`);
      let raw: unknown;
      try {
        raw = JSON.parse(data.toString());
      } catch (err) {
        return reply({ id: null, ok: false, error: { code: 'bad_request', message: `malformed JSON: ${(err as Error).message}` } });
      }
      const msg = requestMessageSchema.safeParse(raw);
      if (!msg.success) {
        const id = typeof (raw as { id?: unknown })?.id === 'number' ? (raw as { id: number }).id : null;
        return reply({ id, ok: false, error: new ApiError('bad_request', 'a request needs {id: number, method: string, params}').toJSON() });
      }
      run(msg.data.id, msg.data.method, msg.data.params);
    });
  });

  await new Promise<void>((resolvePromise, rejectPromise) => {
    server.once('error', rejectPromise);
    server.listen(options.port ?? 0, host, () => resolvePromise());
  });
  const port = (server.address() as AddressInfo).port;
  const hostForUrl = host.includes(':') ? `[${host}]` : host;
  origin = `http://${hostForUrl}:${port}`;
  allowedHosts = new Set([`${hostForUrl}:${port}`, ...(host === '127.0.0.1' ? [`localhost:${port}`] : [])]);
  cookie = cookieName(port);
  return {
    url: `${origin}/?token=${encodeURIComponent(token)}`,
    origin,
    token,
    port,
    emit,
    close: async () => {
      for (const ws of sockets) ws.terminate();
      wss.close();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
