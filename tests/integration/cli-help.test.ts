// `detecta --help` lists every command with its one-line summary, and each listed command runs
// (its own --help exits 0); an unknown command gets the list on stderr and exit code 2.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';

const repoRoot = new URL('../..', import.meta.url).pathname;
const detecta = (...args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', 'main/cli/detecta.ts', ...args], { cwd: repoRoot, encoding: 'utf8' });

test('detecta --help names each command with a summary, and each named command answers --help', { timeout: 240_000 }, () => {
  const help = detecta('--help');
  assert.equal(help.status, 0, help.stderr);
  const lines = help.stdout.split('\n').filter((l) => /^ {2}\S/.test(l));
  const names = lines.map((l) => l.trim().split(/\s+/)[0]!);
  assert.deepEqual(names, ['anchors', 'classify', 'dataset', 'eval', 'export', 'map', 'predict', 'sample', 'train']);
  for (const l of lines) assert.match(l, /^ {2}\S+\s+\S.{10,}/, `a summary for: ${l}`);
  for (const name of names) {
    const r = detecta(name, '--help');
    assert.equal(r.status, 0, `${name} --help: ${r.stderr}`);
    assert.match(r.stdout, new RegExp(`usage:\\s+detecta ${name}`), name);
  }
  const unknown = detecta('bogus');
  assert.equal(unknown.status, 2);
  assert.match(unknown.stderr, /unknown command "bogus"[\s\S]*train +train a detector/);
});
