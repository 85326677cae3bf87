/** `detecta train` on a small sample project: progress lines, final metrics, resume, bad options. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { writeSampleProject } from '../../main/sample/write-sample-project';
import { readRun } from '../../main/training/run-files';

const ROOT = resolve(import.meta.dirname, '..', '..');
const detecta = (args: string[]) => promisify(execFile)(process.execPath, ['--import', 'tsx', 'main/cli/detecta.ts', 'train', ...args], { cwd: ROOT });

test('detecta train: trains, prints progress and final metrics, resumes to more epochs', { timeout: 120_000 }, async () => {
  const root = await mkdtemp(join(tmpdir(), 'detecta-cli-train-'));
  try {
    const dir = join(root, 'project');
    await writeSampleProject(dir, { images: 12, seed: 5, width: 64, height: 64, classes: ['ball'], minObjects: 1, maxObjects: 1, minSize: 0.35, maxSize: 0.6 });
    const { stdout } = await detecta(['--project', dir, '--preset', 'tiny', '--input', '64', '--epochs', '1', '--batch', '4', '--backend', 'wasm', '--name', 'cli']);
    assert.match(stdout, /backend wasm/);
    assert.match(stdout, /epoch 1\/1 batch \d+\/\d+ {2}loss [\d.]+ .* img\/s {2}ETA \d+ s/);
    assert.match(stdout, /finished run cli after 1 epoch\(s\)/);
    assert.match(stdout, /final: mAP50 [\d.]+ {2}mAP50-95 [\d.]+ {2}precision/);
    const more = await detecta(['--project', dir, '--resume', 'cli', '--epochs', '2']);
    assert.match(more.stdout, /resumed from epoch 1/);
    assert.match(more.stdout, /finished run cli after 2 epoch\(s\)/);
    assert.deepEqual((await readRun(dir, 'cli')).metrics.map((m) => m.epoch), [1, 2]);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});

test('detecta train: bad options exit 2 with the usage', async () => {
  await assert.rejects(detecta(['--project', '/nonexistent', '--input', '50']), (err: { code: number; stderr: string }) => {
    assert.equal(err.code, 2);
    assert.match(err.stderr, /multiple of 32/);
    return true;
  });
  await assert.rejects(detecta([]), (err: { code: number; stderr: string }) => err.code === 2 && /--project is required/.test(err.stderr));
});
