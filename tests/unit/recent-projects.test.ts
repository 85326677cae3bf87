import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RecentProjects } from '../../main/settings/recent-projects';

test('recent projects: newest first, no duplicates, missing folders flagged, forget removes', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'detecta-recent-'));
  try {
    const a = join(dir, 'a');
    const b = join(dir, 'b');
    mkdirSync(a);
    mkdirSync(b);
    const recent = new RecentProjects(join(dir, 'data'));
    assert.deepEqual(await recent.list(), []);
    await recent.touch(a);
    await recent.touch(b);
    await recent.touch(a);
    assert.deepEqual((await recent.list()).map((r) => [r.name, r.exists]), [['a', true], ['b', true]]);
    rmSync(b, { recursive: true });
    assert.deepEqual((await recent.list()).map((r) => [r.name, r.exists]), [['a', true], ['b', false]]);
    await recent.forget(a);
    assert.deepEqual((await recent.list()).map((r) => r.name), ['b']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a corrupt recent-projects file is set aside with a message, not silently dropped', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'detecta-recent-'));
  try {
    writeFileSync(join(dir, 'recent-projects.json'), '{"version": 1, "projects": [tru');
    const messages: string[] = [];
    const recent = new RecentProjects(dir, (m) => messages.push(m));
    assert.deepEqual(await recent.list(), []);
    assert.equal(messages.length, 1);
    assert.match(messages[0] ?? '', /unreadable/);
    assert.ok(readdirSync(dir).some((f) => f.startsWith('recent-projects.json.corrupt-')));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
