/**
 * The web host against hostile or broken clients (hardening issue, items 1–3, 7 and 12's web
 * parts): raw malformed WebSocket frames and oversized messages cost only that socket, while an
 * edit acknowledged just before is still written; result files stream in over the upload route;
 * project files that could act as the app (HTML, SVG, scripts, XML) are never served; writes and
 * reads stay inside what the user opened; each host keeps its own cookie.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebSocket } from 'ws';
import { startWebHost, type WebHost } from '../../main/transport/web';
import { createServices } from '../../main/api/create-services';
import { writeSampleProject } from '../../main/sample/write-sample-project';

const TOKEN = 'hardening-token-1';
let host: WebHost;
let work: string;
let project: string;
let services: ReturnType<typeof createServices>;

before(async () => {
  work = mkdtempSync(join(tmpdir(), 'detecta-harden-'));
  const staticDir = join(work, 'static');
  mkdirSync(staticDir);
  writeFileSync(join(staticDir, 'index.html'), '<!doctype html><title>Detecta Studio</title>');
  project = join(work, 'project');
  await writeSampleProject(project, { images: 3, seed: 5 });
  // files a project may hold that must never run with the app's rights
  writeFileSync(join(project, 'evil.html'), '<script>fetch("/api")</script>');
  writeFileSync(join(project, 'evil.svg'), '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>');
  writeFileSync(join(project, 'evil.js'), 'alert(1)');
  writeFileSync(join(project, 'evil.xhtml'), '<html xmlns="http://www.w3.org/1999/xhtml"><script>alert(1)</script></html>');
  mkdirSync(join(work, 'outside'));
  writeFileSync(join(work, 'outside', 'secret.jpg'), 'not yours');
  symlinkSync(join(work, 'outside', 'secret.jpg'), join(project, 'linked.jpg'));
  services = createServices({ transport: 'web', dataDir: join(work, 'data'), modelCacheDir: join(work, 'data', 'models') });
  host = await startWebHost({ services, staticDir, token: TOKEN });
  const ws = await openSocket();
  const opened = await call(ws, 'project.open', { dir: project });
  ws.close();
  assert.equal(opened.ok, true, JSON.stringify(opened.error));
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

let nextId = 1;
function call(ws: WebSocket, method: string, params: unknown): Promise<{ ok: boolean; result?: unknown; error?: { code: string; message: string } }> {
  const id = nextId++;
  return new Promise((resolve, reject) => {
    const onClose = (): void => reject(new Error('socket closed before the reply'));
    const onMessage = (data: Buffer): void => {
      const msg = JSON.parse(data.toString()) as { id?: number; event?: string };
      if (msg.id !== id) return;
      ws.off('message', onMessage);
      ws.off('close', onClose);
      resolve(msg as { ok: boolean });
    };
    ws.on('message', onMessage);
    ws.once('close', onClose);
    ws.send(JSON.stringify({ id, method, params }));
  });
}

/** A raw TCP connection that has done the WebSocket handshake, for frames no library would send. */
async function rawSocket(): Promise<Socket> {
  const sock = connect(host.port, '127.0.0.1');
  await new Promise<void>((resolve, reject) => { sock.once('connect', resolve); sock.once('error', reject); });
  sock.write([
    `GET /api?token=${TOKEN} HTTP/1.1`, `Host: 127.0.0.1:${host.port}`, `Origin: ${host.origin}`,
    'Upgrade: websocket', 'Connection: Upgrade', `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}`,
    'Sec-WebSocket-Version: 13', '', '',
  ].join('\r\n'));
  await new Promise<void>((resolve, reject) => {
    let head = '';
    const onData = (d: Buffer): void => {
      head += d.toString('latin1');
      if (!head.includes('\r\n\r\n')) return;
      sock.off('data', onData);
      if (head.startsWith('HTTP/1.1 101')) resolve(); else reject(new Error(head));
    };
    sock.on('data', onData);
  });
  return sock;
}

/** A client frame: FIN + opcode (+ RSV bits), masked unless told otherwise; `lengthOverride` lies about the length. */
function frame(opts: { opcode: number; payload?: Buffer; rsv?: number; masked?: boolean; lengthOverride?: bigint }): Buffer {
  const payload = opts.payload ?? Buffer.alloc(0);
  const masked = opts.masked ?? true;
  const first = 0x80 | (opts.rsv ?? 0) | opts.opcode;
  const len = opts.lengthOverride ?? BigInt(payload.length);
  let header: Buffer;
  if (len < 126n) header = Buffer.from([first, (masked ? 0x80 : 0) | Number(len)]);
  else if (len < 65536n) { header = Buffer.alloc(4); header[0] = first; header[1] = (masked ? 0x80 : 0) | 126; header.writeUInt16BE(Number(len), 2); }
  else { header = Buffer.alloc(10); header[0] = first; header[1] = (masked ? 0x80 : 0) | 127; header.writeBigUInt64BE(len, 2); }
  if (!masked) return Buffer.concat([header, payload]);
  const mask = randomBytes(4);
  const body = Buffer.from(payload.map((b, i) => b ^ mask[i % 4]!));
  return Buffer.concat([header, mask, body]);
}

const close = (code: number): Buffer => { const b = Buffer.alloc(2); b.writeUInt16BE(code); return b; };

const BAD_FRAMES: Record<string, Buffer> = {
  'an unmasked frame': frame({ opcode: 0x1, payload: Buffer.from('{"id":1}'), masked: false }),
  'invalid UTF-8 in a text frame': frame({ opcode: 0x1, payload: Buffer.from([0x7b, 0xff, 0xfe, 0x7d]) }),
  'a reserved opcode': frame({ opcode: 0x3, payload: Buffer.from('x') }),
  'RSV1 without an extension': frame({ opcode: 0x1, payload: Buffer.from('{}'), rsv: 0x40 }),
  'a ping over 125 bytes': frame({ opcode: 0x9, payload: Buffer.alloc(200, 1) }),
  'a 2^63 length': frame({ opcode: 0x2, lengthOverride: 2n ** 63n - 1n }),
  'close code 999': frame({ opcode: 0x8, payload: close(999) }),
  'a message over the size limit': frame({ opcode: 0x1, lengthOverride: 64n * 1024n * 1024n }),
};

test('a malformed or oversized frame closes that socket only: the host keeps serving and loses no acknowledged edit', async () => {
  const good = await openSocket();
  const imageId = 'bricks_0001.jpg';
  const before = await call(good, 'dataset.getAnnotation', { project, imageId });
  assert.equal(before.ok, true);
  const boxes = [{ label: 'ball', xmin: 3, ymin: 4, xmax: 40, ymax: 41 }];
  const saved = await call(good, 'dataset.autosave', { project, imageId, boxes });
  assert.equal(saved.ok, true, 'the autosave is acknowledged');

  for (const [name, bytes] of Object.entries(BAD_FRAMES)) {
    const sock = await rawSocket();
    const closed = new Promise<void>((resolve) => sock.once('close', () => resolve()));
    sock.on('error', () => {}); // the host may reset the connection: that is the expected outcome
    sock.write(bytes);
    await closed; // the host closed this connection...
    const info = await call(good, 'app.info', {}); // ...and the other client is still served
    assert.equal(info.ok, true, `after ${name}`);
  }

  const flushed = await call(good, 'dataset.flush', { project });
  assert.equal(flushed.ok, true);
  const xml = readFileSync(join(project, 'bricks_0001.xml'), 'utf8');
  assert.match(xml, /<xmin>3<\/xmin>/, 'the edit acknowledged before the bad frames is on disk');
  good.close();
});

test('an API message over the limit closes that socket with 1009 and the host goes on', async () => {
  // 5 MiB of JSON: over the JSON limit (4 MiB), under what a binary request may be; 40 MiB: over both
  for (const size of [5 * 1024 * 1024, 40 * 1024 * 1024]) {
    const big = await openSocket();
    const code = await new Promise<number>((resolve) => {
      big.once('close', (c) => resolve(c));
      big.on('error', () => {});
      big.send(JSON.stringify({ id: 1, method: 'detect.addSnapshot', params: { project, jpeg: 'A'.repeat(size), boxes: [] } }));
    });
    assert.equal(code, 1009, `${size} bytes of JSON`);
  }
  const ws = await openSocket();
  assert.equal((await call(ws, 'app.info', {})).ok, true);
  ws.close();
});

const auth = (): Record<string, string> => ({ cookie: `detecta_token_${host.port}=${TOKEN}` });

test('result files stream in over the upload route: 50 MB arrives whole, outside paths and non-result types are refused', async () => {
  const url = (path: string): string => `${host.origin}/upload?path=${encodeURIComponent(path)}`;
  const put = (path: string, body: Uint8Array<ArrayBuffer>, headers: Record<string, string> = { origin: host.origin }): Promise<Response> =>
    fetch(url(path), { method: 'PUT', body: new Blob([body]), headers: { ...auth(), ...headers } });

  const video = randomBytes(50 * 1024 * 1024);
  const target = join(project, 'clip_detected.webm');
  const ok = await put(target, video);
  assert.equal(ok.status, 200, await ok.clone().text());
  assert.deepEqual(await ok.json(), { path: target, bytes: video.length });
  assert.equal(statSync(target).size, video.length);
  assert.ok(readFileSync(target).equals(video));

  const refused = async (path: string, status: number, headers?: Record<string, string>): Promise<void> => {
    const res = await put(path, Buffer.from('x'), headers);
    assert.equal(res.status, status, `${path}: ${await res.clone().text()}`);
    const body = (await res.json()) as { error: { message: string } };
    assert.ok(body.error.message.length > 0);
    assert.equal(existsSync(path) && readFileSync(path, 'utf8') === 'x', false, `${path} was written`);
  };
  await refused(join(work, 'outside', 'out.json'), 403);
  await refused(join(project, 'page.html'), 403);
  await refused(join(project, '.hidden.json'), 403);
  await refused(join(project, 'linked.jpg'), 403); // a link out of the project is never written through
  assert.equal(readFileSync(join(work, 'outside', 'secret.jpg'), 'utf8'), 'not yours');
  await refused(join(project, 'no-origin.json'), 403, {}); // a browser always sends Origin with PUT
  assert.equal((await put(join(project, 'a.json'), Buffer.from('x'), { origin: 'http://127.0.0.1:1' })).status, 403);
  assert.equal((await put(join(project, 'a.json'), Buffer.from('x'), { origin: `https://127.0.0.1:${host.port}` })).status, 403);
  assert.equal((await fetch(url(join(project, 'a.json')), { method: 'POST', body: 'x', headers: { ...auth(), origin: host.origin } })).status, 405);
  assert.equal(existsSync(join(project, 'a.json')), false);
  // no temp files are left behind by refused or finished uploads
  assert.deepEqual(readdirTmp(project), []);
});

function readdirTmp(dir: string): string[] {
  return readdirSync(dir).filter((n) => n.endsWith('.tmp'));
}

test('project files that could act as the app are not served; images come back inert', async () => {
  const get = (path: string, route = '/files'): Promise<Response> => fetch(`${host.origin}${route}?path=${encodeURIComponent(path)}`, { headers: auth() });
  for (const name of ['evil.html', 'evil.svg', 'evil.js', 'evil.xhtml', 'bricks_0001.xml']) {
    const res = await get(join(project, name));
    assert.equal(res.status, 403, name);
    assert.match(await res.text(), /is not served/);
  }
  assert.equal((await get(join(project, 'linked.jpg'))).status, 403, 'a link out of the project is refused');
  const img = await get(join(project, 'bricks_0001.jpg'));
  assert.equal(img.status, 200);
  assert.equal(img.headers.get('content-type'), 'image/jpeg');
  assert.match(img.headers.get('content-security-policy') ?? '', /^sandbox/);
  assert.equal(img.headers.get('x-content-type-options'), 'nosniff');
  assert.equal(img.headers.get('cross-origin-resource-policy'), 'same-origin');
  // a model folder serves only model files
  const models = join(work, 'models');
  mkdirSync(models);
  writeFileSync(join(models, 'model.json'), '{}');
  writeFileSync(join(models, 'group1-shard1of1'), 'w');
  writeFileSync(join(models, 'notes.html'), '<script></script>');
  const ws = await openSocket();
  assert.equal((await call(ws, 'detect.openModelFolder', { path: models })).ok, false, 'an empty model.json is not a model, but the folder is now granted');
  ws.close();
  assert.equal((await get(join(models, 'model.json'), '/model-files')).status, 200);
  assert.equal((await get(join(models, 'group1-shard1of1'), '/model-files')).status, 200);
  assert.equal((await get(join(models, 'notes.html'), '/model-files')).status, 403);
});

test('each host names its own cookie, and malformed addresses get 400 instead of a crash', async () => {
  const other = await startWebHost({ services, staticDir: join(work, 'static'), token: 'another-token' });
  try {
    const first = await fetch(`${host.origin}/?token=${TOKEN}`);
    const second = await fetch(`${other.origin}/?token=another-token`);
    const name = (res: Response): string => (res.headers.get('set-cookie') ?? '').split('=')[0] ?? '';
    assert.equal(name(first), `detecta_token_${host.port}`);
    assert.equal(name(second), `detecta_token_${other.port}`);
    // both cookies in one jar (cookies ignore ports): each host still finds its own
    const jar = `${(first.headers.get('set-cookie') ?? '').split(';')[0]}; ${(second.headers.get('set-cookie') ?? '').split(';')[0]}`;
    assert.equal((await fetch(`${host.origin}/`, { headers: { cookie: jar } })).status, 200);
    assert.equal((await fetch(`${other.origin}/`, { headers: { cookie: jar } })).status, 200);
    assert.equal((await fetch(`${host.origin}/%E0%A4%A`, { headers: auth() })).status, 400);
    assert.equal((await fetch(`${host.origin}/`, { headers: { cookie: `detecta_token_${host.port}=%E0%A4%A` } })).status, 401);
  } finally {
    await other.close();
  }
});

test('the sample project is written only into a new or empty folder', async () => {
  const ws = await openSocket();
  const full = await call(ws, 'project.createSample', { dir: join(work, 'outside'), images: 2 });
  assert.equal(full.ok, false);
  assert.equal(full.error?.code, 'conflict');
  assert.deepEqual(readdirSync(join(work, 'outside')).sort(), ['secret.jpg']);
  const fresh = await call(ws, 'project.createSample', { dir: join(work, 'fresh-sample'), images: 2 });
  assert.equal(fresh.ok, true, JSON.stringify(fresh.error));
  ws.close();
});
