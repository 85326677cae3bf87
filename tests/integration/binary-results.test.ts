/**
 * Detect results move as bytes, never base64 in JSON: a webcam snapshot is one binary WebSocket
 * frame in a browser (encoded by the renderer's own client code) and a Uint8Array over Electron's
 * IPC; result files stream on the upload route. What arrives on disk is byte-identical to what
 * the page sent. Malformed, oversized or unauthorised ones are refused with a clear error and
 * write nothing, and the socket keeps serving.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { connect } from 'node:net';
import { WebSocket } from 'ws';
import { startWebHost, type WebHost } from '../../main/transport/web';
import { registerIpcTransport } from '../../main/transport/ipc';
import { createServices } from '../../main/api/create-services';
import { writeSampleProject } from '../../main/sample/write-sample-project';
import { encodeBinaryRequest } from '../../renderer/client/binary-frame';
import { MAX_BINARY_PAYLOAD_BYTES, MAX_JSON_MESSAGE_BYTES } from '../../shared/api/binary-request';
import { IPC_CALL } from '../../preload/channels';
import type { ResponseMessage } from '../../shared/api/contract';

const RACCOON = fileURLToPath(new URL('../../../shared/datasets/detection-voc/raccoon/images/raccoon-183.jpg', import.meta.url));
const TOKEN = 'binary-results-token';
let work: string;
let project: string;
let host: WebHost;
let services: ReturnType<typeof createServices>;

before(async () => {
  work = mkdtempSync(join(tmpdir(), 'detecta-binary-'));
  const staticDir = join(work, 'static');
  mkdirSync(staticDir);
  writeFileSync(join(staticDir, 'index.html'), '<!doctype html><title>Detecta Studio</title>');
  project = join(work, 'project');
  await writeSampleProject(project, { images: 2, seed: 11, width: 96, height: 64 });
  services = createServices({ transport: 'web', dataDir: join(work, 'data'), modelCacheDir: join(work, 'models') });
  host = await startWebHost({ services, staticDir, token: TOKEN });
  await services.projects.openProject(project);
});

after(async () => {
  await services.projects.closeAll();
  await host.close();
  rmSync(work, { recursive: true, force: true });
});

function openSocket(): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${host.port}/api?token=${TOKEN}`, { headers: { origin: host.origin } });
    ws.once('open', () => resolve(ws));
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    ws.once('error', reject);
  });
}

/** Sends one frame and waits for the reply with `id` (or, for id null, the first reply). */
function exchange(ws: WebSocket, frame: Uint8Array | string, id: number | null): Promise<ResponseMessage> {
  return new Promise((resolve, reject) => {
    const onClose = (code: number): void => reject(new Error(`socket closed (${code}) before the reply`));
    const onMessage = (data: Buffer): void => {
      const msg = JSON.parse(data.toString()) as ResponseMessage;
      if (id !== null && msg.id !== id) return;
      ws.off('message', onMessage);
      ws.off('close', onClose);
      resolve(msg);
    };
    ws.on('message', onMessage);
    ws.once('close', onClose);
    ws.send(frame);
  });
}

/** Every file under the project and the work folder (to show that a refused request wrote nothing). */
function files(): string[] {
  return (readdirSync(work, { recursive: true }) as string[]).filter((n) => !n.startsWith('data')).sort();
}

const boxes = [{ label: 'raccoon', xmin: 10, ymin: 12, xmax: 200, ymax: 180 }];

test('a webcam snapshot sent as a binary frame lands byte-identical in the project, with its draft boxes', async () => {
  const jpeg = new Uint8Array(readFileSync(RACCOON));
  const frame = encodeBinaryRequest(7, 'detect.addSnapshot', { project, jpeg, boxes });
  assert.ok(frame, 'params with bytes become a binary frame');
  // the bytes are not base64 in the frame: the frame is the header plus exactly the JPEG
  assert.ok(frame.length < jpeg.length + 1024, `frame ${frame.length} bytes for a ${jpeg.length}-byte JPEG`);
  const ws = await openSocket();
  const reply = await exchange(ws, frame, 7);
  assert.equal(reply.ok, true, JSON.stringify(reply));
  const result = (reply as { result: { imagePath: string; annotationPath: string; boxes: number } }).result;
  assert.ok(Buffer.from(jpeg).equals(readFileSync(result.imagePath)), 'the saved image is the JPEG the page sent, byte for byte');
  assert.equal(result.boxes, 1);
  assert.match(readFileSync(result.annotationPath, 'utf8'), /<name>raccoon<\/name>[\s\S]*<draft>1<\/draft>/);
  // plain requests still go as JSON text on the same socket
  assert.equal(encodeBinaryRequest(8, 'app.info', {}), null);
  assert.equal((await exchange(ws, JSON.stringify({ id: 8, method: 'app.info', params: {} }), 8)).ok, true);
  ws.close();
});

test('in Electron the snapshot is a Uint8Array over IPC, saved byte-identical', async () => {
  let handler: ((event: { senderFrame?: { url: string } | null }, ...args: unknown[]) => Promise<unknown>) | null = null;
  registerIpcTransport(services, (url) => url.startsWith('app://detecta/'), {
    ipcMain: { handle: (channel, listener) => { if (channel === IPC_CALL) handler = listener; } },
    webContents: { getAllWebContents: () => [] },
  });
  assert.ok(handler);
  const jpeg = new Uint8Array(readFileSync(RACCOON));
  const call = handler as (event: { senderFrame?: { url: string } | null }, ...args: unknown[]) => Promise<unknown>;
  const reply = (await call({ senderFrame: { url: 'app://detecta/index.html' } }, 'detect.addSnapshot', { project, jpeg, boxes })) as ResponseMessage;
  assert.equal(reply.ok, true, JSON.stringify(reply));
  const { imagePath } = (reply as { result: { imagePath: string } }).result;
  assert.ok(Buffer.from(jpeg).equals(readFileSync(imagePath)));
  // base64 in JSON is no longer accepted
  const old = (await call({ senderFrame: { url: 'app://detecta/index.html' } }, 'detect.addSnapshot', { project, jpegBase64: Buffer.from(jpeg).toString('base64'), boxes })) as ResponseMessage;
  assert.equal(old.ok, false);
});

test('malformed, oversized and unauthorised binary requests are refused with a clear error and write nothing', async () => {
  const jpeg = new Uint8Array(readFileSync(RACCOON));
  const ws = await openSocket();
  const before = files();
  const header = (json: string, bytes: Uint8Array = jpeg): Uint8Array => {
    const h = Buffer.from(json);
    const len = Buffer.alloc(4);
    len.writeUInt32BE(h.length);
    return Buffer.concat([len, h, bytes]);
  };
  const refusals: [string, Uint8Array, number | null, RegExp][] = [
    ['too short for a header length', Buffer.from([0, 1]), null, /4-byte header length/],
    ['header length past the end', (() => { const b = Buffer.alloc(8); b.writeUInt32BE(1000); return b; })(), null, /does not fit/],
    ['header not JSON', header('{not json'), null, /not JSON/],
    ['header without its byte field', header(JSON.stringify({ id: 21, method: 'detect.addSnapshot', params: { project, boxes } })), 21, /bytes: string/],
    ['byte field also in params', header(JSON.stringify({ id: 22, method: 'detect.addSnapshot', params: { project, boxes, jpeg: 'x' }, bytes: 'jpeg' })), 22, /already hold "jpeg"/],
    ['bytes that are not a JPEG', encodeBinaryRequest(23, 'detect.addSnapshot', { project, jpeg: new Uint8Array(Buffer.from('GIF89a not a jpeg')), boxes })!, 23, /not a JPEG/],
    ['bytes in the wrong field', encodeBinaryRequest(24, 'detect.addSnapshot', { project, image: jpeg, boxes })!, 24, /invalid params/],
    ['a project that is not open', encodeBinaryRequest(25, 'detect.addSnapshot', { project: join(work, 'elsewhere'), jpeg, boxes })!, 25, /not open/],
    ['a result file outside the granted folders', encodeBinaryRequest(26, 'detect.writeFile', { path: join(work, 'outside.jpg'), data: jpeg })!, 26, /neither inside an opened project nor an output folder/],
    ['more than the snapshot limit', encodeBinaryRequest(27, 'detect.addSnapshot', { project, jpeg: new Uint8Array(MAX_BINARY_PAYLOAD_BYTES + 1), boxes })!, 27, /limit/],
  ];
  for (const [what, frame, id, message] of refusals) {
    const reply = await exchange(ws, frame, id);
    assert.equal(reply.ok, false, what);
    assert.equal(reply.id, id, `${what}: the reply names the request`);
    assert.match((reply as { error: { message: string } }).error.message, message, what);
  }
  assert.deepEqual(files(), before, 'no refused request wrote a file');
  assert.equal((await exchange(ws, JSON.stringify({ id: 30, method: 'app.info', params: {} }), 30)).ok, true, 'the socket still serves');
  ws.close();

  // a frame over the socket's limit closes that socket only (1009)
  const big = await openSocket();
  const code = await new Promise<number>((resolve) => {
    big.once('close', (c) => resolve(c));
    big.on('error', () => {});
    big.send(new Uint8Array(4 + MAX_JSON_MESSAGE_BYTES + MAX_BINARY_PAYLOAD_BYTES + 1));
  });
  assert.equal(code, 1009);
  // without the token there is no socket to send bytes on
  await assert.rejects(new Promise((resolve, reject) => {
    const ws2 = new WebSocket(`ws://127.0.0.1:${host.port}/api`, { headers: { origin: host.origin } });
    ws2.once('open', resolve);
    ws2.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    ws2.once('error', reject);
  }), /HTTP 401/);
  assert.deepEqual(files(), before);
});

test('the upload route: a result file arrives byte-identical; oversized, foreign or tokenless uploads are refused and write nothing', async () => {
  const jpeg = readFileSync(RACCOON);
  const out = join(work, 'results');
  mkdirSync(out);
  await services.grants.grantOutputFolder(out);
  const url = (path: string): string => `${host.origin}/upload?path=${encodeURIComponent(path)}`;
  const cookie = `detecta_token_${host.port}=${TOKEN}`;
  const saved = await fetch(url(join(out, 'raccoon_detected.jpg')), { method: 'PUT', body: new Blob([jpeg]), headers: { origin: host.origin, cookie } });
  assert.equal(saved.status, 200, await saved.clone().text());
  assert.ok(jpeg.equals(readFileSync(join(out, 'raccoon_detected.jpg'))));

  const before = files();
  const noToken = await fetch(url(join(out, 'a.jpg')), { method: 'PUT', body: new Blob([jpeg]), headers: { origin: host.origin } });
  assert.equal(noToken.status, 401);
  const foreign = await fetch(url(join(out, 'b.jpg')), { method: 'PUT', body: new Blob([jpeg]), headers: { origin: 'http://evil.example', cookie } });
  assert.equal(foreign.status, 403);
  assert.match(await foreign.text(), /origin "http:\/\/evil.example" is not allowed/);
  const badType = await fetch(url(join(out, 'c.exe')), { method: 'PUT', body: new Blob([jpeg]), headers: { origin: host.origin, cookie } });
  assert.equal(badType.status, 403);
  assert.match(((await badType.json()) as { error: { message: string } }).error.message, /not a result file/);
  // a declared size over the 4 GiB result limit is refused before any byte is read
  const oversized = await new Promise<string>((resolve, reject) => {
    const sock = connect(host.port, '127.0.0.1', () => {
      sock.write(`PUT /upload?path=${encodeURIComponent(join(out, 'huge.webm'))} HTTP/1.1\r\nHost: 127.0.0.1:${host.port}\r\nOrigin: ${host.origin}\r\nCookie: ${cookie}\r\nContent-Length: ${5 * 1024 ** 3}\r\n\r\n`);
    });
    let text = '';
    sock.on('data', (d: Buffer) => { text += d.toString(); });
    sock.on('end', () => resolve(text));
    sock.on('error', reject);
  });
  assert.match(oversized, /^HTTP\/1\.1 413/);
  assert.match(oversized, /largest result file/);
  assert.deepEqual(files(), before, 'no refused upload wrote a file (or a temp file)');
});
