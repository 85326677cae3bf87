/**
 * The local web host's security and robustness, through real HTTP and WebSocket requests:
 * token, Origin and Host checks, malformed messages, validation errors, and the project file guard.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebSocket } from 'ws';
import { startWebHost, type WebHost } from '../../main/transport/web';
import { createServices } from '../../main/api/create-services';
import { writeSampleProject } from '../../main/sample/write-sample-project';

let host: WebHost;
let work: string;
let project: string;
let services: ReturnType<typeof createServices>;

before(async () => {
  work = mkdtempSync(join(tmpdir(), 'detecta-web-'));
  const staticDir = join(work, 'static');
  mkdirSync(staticDir);
  writeFileSync(join(staticDir, 'index.html'), '<!doctype html><title>Detecta Studio</title>');
  project = join(work, 'project');
  await writeSampleProject(project, { images: 3, seed: 3 });
  mkdirSync(join(work, 'outside'));
  writeFileSync(join(work, 'outside', 'secret.txt'), 'not yours');
  services = createServices({ transport: 'web', dataDir: join(work, 'data'), modelCacheDir: join(work, 'data', 'models') });
  host = await startWebHost({ services, staticDir, token: 'test-token-123' });
});

after(async () => {
  await services.projects.closeAll();
  await host.close();
  rmSync(work, { recursive: true, force: true });
});

function openSocket(headers: Record<string, string> = {}, query = '?token=test-token-123'): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${host.port}/api${query}`, { headers: { origin: host.origin, ...headers } });
    ws.once('open', () => resolve(ws));
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    ws.once('error', reject);
  });
}

function call(ws: WebSocket, raw: string): Promise<{ id: number | null; ok: boolean; result?: unknown; error?: { code: string; message: string } }> {
  // events may arrive in between: wait for the reply (it has an `id` key; events have `event`)
  return new Promise((resolve) => {
    const onMessage = (data: Buffer): void => {
      const msg = JSON.parse(data.toString()) as { id?: number | null; event?: string };
      if (msg.event !== undefined) return;
      ws.off('message', onMessage);
      resolve(msg as { id: number | null; ok: boolean });
    };
    ws.on('message', onMessage);
    ws.send(raw);
  });
}

test('the page needs the token: 401 without it, 200 with it, then a cookie carries it', async () => {
  assert.equal((await fetch(`${host.origin}/`)).status, 401);
  assert.equal((await fetch(`${host.origin}/?token=wrong`)).status, 401);
  const ok = await fetch(`${host.origin}/?token=test-token-123`);
  assert.equal(ok.status, 200);
  assert.match(ok.headers.get('content-security-policy') ?? '', /default-src 'self'/);
  const cookie = (ok.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
  assert.match(ok.headers.get('set-cookie') ?? '', /HttpOnly; SameSite=Strict/);
  assert.equal((await fetch(`${host.origin}/index.html`, { headers: { cookie } })).status, 200);
});

test('foreign Origin and Host headers are refused', async () => {
  const foreignOrigin = await fetch(`${host.origin}/?token=test-token-123`, { headers: { origin: 'http://evil.example' } });
  assert.equal(foreignOrigin.status, 403);
  await assert.rejects(openSocket({ origin: 'http://evil.example' }), /HTTP 403/);
  await assert.rejects(openSocket({ host: 'evil.example' }), /HTTP 403/);
});

test('the WebSocket needs the token too', async () => {
  await assert.rejects(openSocket({}, ''), /HTTP 401/);
});

test('malformed messages get an error reply and the server keeps serving', async () => {
  const ws = await openSocket();
  try {
    const garbage = await call(ws, '{not json');
    assert.equal(garbage.ok, false);
    assert.equal(garbage.error?.code, 'bad_request');
    const shapeless = await call(ws, JSON.stringify({ id: 4, params: {} }));
    assert.deepEqual([shapeless.id, shapeless.error?.code], [4, 'bad_request']);
    const unknown = await call(ws, JSON.stringify({ id: 5, method: 'nope.nothing', params: {} }));
    assert.deepEqual([unknown.id, unknown.error?.code], [5, 'unknown_method']);
    const badParams = await call(ws, JSON.stringify({ id: 6, method: 'project.open', params: { dir: 42 } }));
    assert.equal(badParams.error?.code, 'bad_request');
    assert.match(badParams.error?.message ?? '', /dir/);
    const missing = await call(ws, JSON.stringify({ id: 7, method: 'project.open', params: { dir: join(work, 'no-such-folder') } }));
    assert.equal(missing.error?.code, 'not_found');
    const info = await call(ws, JSON.stringify({ id: 8, method: 'app.info', params: {} }));
    assert.equal(info.ok, true);
    assert.equal((info.result as { transport: string }).transport, 'web');
  } finally {
    ws.close();
  }
});

test('project files are served only from opened projects', async () => {
  const auth = { headers: { cookie: `detecta_token_${host.port}=test-token-123` } };
  const image = join(project, 'bricks_0001.jpg');
  assert.equal((await fetch(`${host.origin}/files?path=${encodeURIComponent(image)}`, auth)).status, 403, 'refused before the project is open');

  const ws = await openSocket();
  const opened = await call(ws, JSON.stringify({ id: 1, method: 'project.open', params: { dir: project } }));
  ws.close();
  assert.equal(opened.ok, true, JSON.stringify(opened.error));
  assert.equal((opened.result as { images: number }).images, 3);

  const served = await fetch(`${host.origin}/files?path=${encodeURIComponent(image)}`, auth);
  assert.equal(served.status, 200);
  assert.equal(served.headers.get('content-type'), 'image/jpeg');
  const secret = join(work, 'outside', 'secret.txt');
  assert.equal((await fetch(`${host.origin}/files?path=${encodeURIComponent(secret)}`, auth)).status, 403);
  assert.equal((await fetch(`${host.origin}/files?path=${encodeURIComponent(`${project}/../outside/secret.txt`)}`, auth)).status, 403);
  assert.equal((await fetch(`${host.origin}/files?path=${encodeURIComponent(join(project, 'missing.jpg'))}`, auth)).status, 404);

  // byte ranges, as a <video> asks for them to seek: 206 with the exact bytes, 416 past the end
  const whole = Buffer.from(await served.arrayBuffer());
  assert.equal(served.headers.get('accept-ranges'), 'bytes');
  const url = `${host.origin}/files?path=${encodeURIComponent(image)}`;
  const part = await fetch(url, { headers: { ...auth.headers, range: 'bytes=100-199' } });
  assert.equal(part.status, 206);
  assert.equal(part.headers.get('content-range'), `bytes 100-199/${whole.length}`);
  assert.deepEqual(Buffer.from(await part.arrayBuffer()), whole.subarray(100, 200));
  const tail = await fetch(url, { headers: { ...auth.headers, range: 'bytes=-10' } });
  assert.equal(tail.status, 206);
  assert.deepEqual(Buffer.from(await tail.arrayBuffer()), whole.subarray(whole.length - 10));
  const past = await fetch(url, { headers: { ...auth.headers, range: `bytes=${whole.length + 5}-` } });
  assert.equal(past.status, 416);
  assert.equal(past.headers.get('content-range'), `bytes */${whole.length}`);
  const malformed = await fetch(url, { headers: { ...auth.headers, range: 'pages=1-2' } });
  assert.equal(malformed.status, 200, 'a range in another unit gets the whole file');
  assert.equal(Buffer.from(await malformed.arrayBuffer()).length, whole.length);
});
