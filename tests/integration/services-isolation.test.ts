/**
 * Services are built per app instance (createServices) and handed to the transport: two web hosts
 * in one process share nothing. A project opened, a folder granted or a training run started in
 * one host is not visible in the other, and each host's trainers start through the spawner its
 * services were built with (the Electron shell hands in utilityProcess the same way).
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebSocket } from 'ws';
import { startWebHost, type WebHost } from '../../main/transport/web';
import { createServices } from '../../main/api/create-services';
import { writeSampleProject } from '../../main/sample/write-sample-project';
import type { SpawnTrainer, TrainerProcess } from '../../main/training/supervisor';
import type { FromTrainer, ToTrainer } from '../../main/training/protocol';

const work = mkdtempSync(join(tmpdir(), 'detecta-isolation-'));
after(() => rmSync(work, { recursive: true, force: true }));

/** A stand-in trainer process: says ready, records what it is sent, and ends as cancelled on 'cancel'. */
function fakeTrainers(): { spawn: SpawnTrainer; started: ToTrainer[][] } {
  const started: ToTrainer[][] = [];
  const spawn: SpawnTrainer = (): TrainerProcess => {
    const sent: ToTrainer[] = [];
    started.push(sent);
    const onMessage: ((m: FromTrainer) => void)[] = [];
    const onExit: ((code: number | null, signal: string | null) => void)[] = [];
    const exit = (code: number | null, signal: string | null): void => { for (const l of onExit) l(code, signal); };
    setImmediate(() => { for (const l of onMessage) l({ kind: 'ready' }); });
    return {
      send: (m) => {
        sent.push(m);
        if (m.kind !== 'cancel') return;
        const start = sent.find((s) => s.kind === 'start');
        const run = start?.kind === 'start' ? (start.options.name ?? start.options.resume ?? '') : '';
        setImmediate(() => {
          for (const l of onMessage) l({ kind: 'event', event: { type: 'failed', payload: { run, error: 'cancelled', crashed: false } } });
          exit(0, null);
        });
      },
      onMessage: (l) => { onMessage.push(l); },
      onExit: (l) => { onExit.push(l); },
      kill: () => exit(null, 'SIGKILL'),
    };
  };
  return { spawn, started };
}

interface Instance { host: WebHost; trainers: ReturnType<typeof fakeTrainers>; ws: WebSocket; close(): Promise<void> }

async function instance(name: string): Promise<Instance> {
  const staticDir = join(work, `static-${name}`);
  mkdirSync(staticDir);
  writeFileSync(join(staticDir, 'index.html'), '<!doctype html><title>Detecta Studio</title>');
  const trainers = fakeTrainers();
  const services = createServices({ transport: 'web', dataDir: join(work, `data-${name}`), modelCacheDir: join(work, `models-${name}`), spawnTrainer: trainers.spawn });
  const host = await startWebHost({ services, staticDir, token: `token-${name}` });
  const ws = await new Promise<WebSocket>((resolve, reject) => {
    const s = new WebSocket(`ws://127.0.0.1:${host.port}/api?token=${host.token}`, { headers: { origin: host.origin } });
    s.once('open', () => resolve(s));
    s.once('error', reject);
  });
  return {
    host, trainers, ws,
    close: async () => { ws.close(); await services.projects.closeAll(); await host.close(); },
  };
}

let nextId = 1;
function call(ws: WebSocket, method: string, params: unknown): Promise<{ ok: boolean; result?: unknown; error?: { code: string; message: string } }> {
  const id = nextId++;
  return new Promise((resolve) => {
    const onMessage = (data: Buffer): void => {
      const msg = JSON.parse(data.toString()) as { id?: number };
      if (msg.id !== id) return;
      ws.off('message', onMessage);
      resolve(msg as { ok: boolean });
    };
    ws.on('message', onMessage);
    ws.send(JSON.stringify({ id, method, params }));
  });
}

const upload = (host: WebHost, path: string, body: string): Promise<Response> =>
  fetch(`${host.origin}/upload?path=${encodeURIComponent(path)}`, { method: 'PUT', body, headers: { origin: host.origin, cookie: `detecta_token_${host.port}=${host.token}` } });

const fileRoute = (host: WebHost, path: string): Promise<Response> =>
  fetch(`${host.origin}/files?path=${encodeURIComponent(path)}`, { headers: { cookie: `detecta_token_${host.port}=${host.token}` } });

test('two web hosts in one process: projects, folder grants and training runs of one are not visible in the other', async () => {
  const project = join(work, 'project');
  await writeSampleProject(project, { images: 3, seed: 7, width: 96, height: 64 });
  const a = await instance('a');
  const b = await instance('b');
  try {
    // a project opened in A is not opened in B: B serves none of its files
    const opened = await call(a.ws, 'project.open', { dir: project });
    assert.equal(opened.ok, true, JSON.stringify(opened.error));
    const image = join(project, 'bricks_0001.jpg');
    assert.equal((await fileRoute(a.host, image)).status, 200);
    const refusedFile = await fileRoute(b.host, image);
    assert.equal(refusedFile.status, 403, 'B has not opened the project');
    assert.match(await refusedFile.text(), /outside the opened projects/);

    // an output folder granted in A is not granted in B: B refuses to write there, and writes nothing
    const out = join(work, 'out');
    mkdirSync(out);
    assert.equal((await call(a.ws, 'detect.chooseOutputFolder', { path: out })).ok, true);
    const refused = await upload(b.host, join(out, 'b.json'), '{"from":"b"}');
    assert.equal(refused.status, 403);
    assert.match(((await refused.json()) as { error: { message: string } }).error.message, /neither inside an opened project nor an output folder/);
    assert.equal(existsSync(join(out, 'b.json')), false);
    const written = await upload(a.host, join(out, 'a.json'), '{"from":"a"}');
    assert.equal(written.status, 200, await written.clone().text());
    assert.ok(existsSync(join(out, 'a.json')));

    // a run started in A goes through A's spawner and is A's alone: B can start its own in the same folder
    assert.equal((await call(b.ws, 'project.open', { dir: project })).ok, true);
    const startedA = await call(a.ws, 'train.start', { project, name: 'run-a' });
    assert.equal(startedA.ok, true, JSON.stringify(startedA.error));
    assert.equal(a.trainers.started.length, 1);
    assert.equal(b.trainers.started.length, 0, 'B spawned nothing');
    const again = await call(a.ws, 'train.start', { project, name: 'run-a2' });
    assert.equal(again.error?.code, 'conflict', 'A has a run active in this project');
    const pausedB = await call(b.ws, 'train.pause', { project });
    assert.equal(pausedB.error?.code, 'not_found', "B does not see A's run");
    const startedB = await call(b.ws, 'train.start', { project, name: 'run-b' });
    assert.equal(startedB.ok, true, `B starts its own run: ${JSON.stringify(startedB.error)}`);
    assert.equal(b.trainers.started.length, 1);
    // each trainer was started with its own run's name
    const startOf = (sent: ToTrainer[]): string | undefined => { const s = sent.find((m) => m.kind === 'start'); return s?.kind === 'start' ? s.options.name : undefined; };
    await new Promise<void>((resolve) => { const poll = (): void => { if (startOf(a.trainers.started[0]!) && startOf(b.trainers.started[0]!)) resolve(); else setImmediate(poll); }; poll(); });
    assert.equal(startOf(a.trainers.started[0]!), 'run-a');
    assert.equal(startOf(b.trainers.started[0]!), 'run-b');

    // cancelling in A ends A's run only
    assert.equal((await call(a.ws, 'train.cancel', { project })).ok, true);
    assert.deepEqual(a.trainers.started[0]!.map((m) => m.kind), ['start', 'cancel']);
    assert.deepEqual(b.trainers.started[0]!.map((m) => m.kind), ['start']);
    assert.equal((await call(b.ws, 'train.cancel', { project })).ok, true);
  } finally {
    await a.close();
    await b.close();
  }
});
