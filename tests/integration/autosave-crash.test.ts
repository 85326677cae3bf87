/**
 * No drawn edit is lost to a crash (hardening issue, item 13): a process autosaving edits is
 * killed with SIGKILL at a random moment, 20 times; after each, the project is opened again and
 * every image holds its last acknowledged edit (or a later one that was on its way).
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openDatasetProject } from '../../main/dataset/project';
import { writeSampleProject } from '../../main/sample/write-sample-project';

const child = fileURLToPath(new URL('../helpers/autosave-child.ts', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'detecta-crash-'));
after(() => rmSync(work, { recursive: true, force: true }));

/** A tiny deterministic random source, so a failure can be replayed. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32);
}

test('SIGKILL during autosave, 20 times: zero acknowledged edits lost', async () => {
  const dir = join(work, 'project');
  await writeSampleProject(dir, { images: 3, seed: 4, width: 96, height: 64 });
  const images = readdirSync(dir).filter((f) => f.endsWith('.jpg')).sort();
  const random = rng(7);
  let lost = 0;
  let acked = 0;
  let x = 40;
  for (let iteration = 0; iteration < 20; iteration++) {
    const proc = spawn(process.execPath, ['--import', 'tsx', child, dir], { stdio: ['pipe', 'pipe', 'inherit'] });
    const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
    const lines: string[] = [];
    let wake: (() => void) | null = null;
    let buf = '';
    proc.stdout.on('data', (d: Buffer) => {
      buf += d.toString();
      const parts = buf.split('\n');
      buf = parts.pop()!;
      lines.push(...parts);
      wake?.();
    });
    const next = async (): Promise<string> => {
      while (!lines.length) await new Promise<void>((r) => { wake = r; });
      return lines.shift()!;
    };
    assert.equal(await next(), 'ready');
    const sent = new Map<string, number[]>(); // image → every x sent, in order
    const lastAcked = new Map<string, number>();
    const killAfter = 3 + Math.floor(random() * 25);
    for (let n = 1; ; n++) {
      const imageId = images[Math.floor(random() * images.length)]!;
      x = 40 + ((x - 40 + 7) % 50);
      sent.set(imageId, [...(sent.get(imageId) ?? []), x]);
      proc.stdin.write(`${JSON.stringify({ n, imageId, x })}\n`);
      if (n === killAfter) { proc.kill('SIGKILL'); break; } // one edit on its way, unacknowledged
      assert.equal(await next(), `ack ${n}`);
      lastAcked.set(imageId, x);
      acked++;
    }
    await exited;
    const project = await openDatasetProject(dir, { watch: false, recover: true });
    await project.ready();
    for (const [imageId, xAcked] of lastAcked) {
      const boxes = (await project.getAnnotation(imageId)).boxes;
      const onDisk = boxes[0]?.xmax;
      const xs = sent.get(imageId)!;
      // what is on disk is the last acknowledged edit or one sent after it
      if (onDisk === undefined || xs.lastIndexOf(onDisk) < xs.lastIndexOf(xAcked)) lost++;
    }
    await project.close();
  }
  assert.ok(acked > 40, `only ${acked} edits were acknowledged`);
  assert.equal(lost, 0, `${lost} acknowledged edits lost`);
});

test('only the editing process replays the journal: a reader (the trainer, the CLI) leaves files and journal alone', async () => {
  const dir = join(work, 'reader');
  await writeSampleProject(dir, { images: 1, seed: 5, width: 96, height: 64 });
  const { writeFileSync, readFileSync, existsSync, mkdirSync } = await import('node:fs');
  const xml = join(dir, 'bricks_0001.xml');
  const before = readFileSync(xml, 'utf8');
  const journal = join(dir, '.detecta', 'pending-edits.jsonl');
  const edit = { boxes: [{ label: 'ball', xmin: 2, ymin: 2, xmax: 44, ymax: 30, difficult: false, truncated: false }], verified: false };
  mkdirSync(join(dir, '.detecta'), { recursive: true });
  writeFileSync(journal, `${JSON.stringify({ imageId: 'bricks_0001.jpg', edit })}\n`);
  const reader = await openDatasetProject(dir, { watch: false });
  await reader.ready();
  await reader.close();
  assert.equal(readFileSync(xml, 'utf8'), before, 'a reader wrote nothing');
  assert.ok(existsSync(journal), 'the journal is kept for the app');
  const app = await openDatasetProject(dir, { watch: false, recover: true });
  await app.ready();
  assert.deepEqual((await app.getAnnotation('bricks_0001.jpg')).boxes.map((b) => b.xmax), [44]);
  await app.close();
  assert.equal(existsSync(journal), false);
});
