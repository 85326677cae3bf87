// The layer check that `npm test` / .ci/run runs (scripts/check-layers.mjs with the repository's
// .dependency-cruiser.cjs and tsconfig.shared.json), run on a small tree in a temp folder: the
// tree passes as written, and fails, naming the rule and the file, once each kind of violation is
// planted in it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

const repo = new URL('../..', import.meta.url).pathname;

function write(root: string, files: Record<string, string>): void {
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
}

function tree(): string {
  const root = mkdtempSync(join(tmpdir(), 'detecta-layers-'));
  for (const f of ['.dependency-cruiser.cjs', 'tsconfig.json', 'tsconfig.shared.json']) copyFileSync(join(repo, f), join(root, f));
  symlinkSync(join(repo, 'node_modules'), join(root, 'node_modules'), 'dir');
  write(root, {
    'shared/geometry.ts': 'export const area = (w: number, h: number): number => w * h;\n',
    'main/app/window.ts': "import { app } from 'electron';\nimport { area } from '../../shared/geometry';\nexport const parts = [app, area];\n",
    'main/api/handler.ts': "import { area } from '../../shared/geometry';\nexport const handle = (w: number): number => area(w, w);\n",
    'preload/index.ts': "import { contextBridge } from 'electron';\nexport const bridge = contextBridge;\n",
    'renderer/store/boxes-store.ts': "import { area } from '../../shared/geometry';\nexport const total = (w: number): number => area(w, 2);\n",
    'renderer/views/Boxes.tsx': "import { total } from '../store/boxes-store';\nexport function Boxes(): number { return total(3); }\n",
  });
  return root;
}

function check(root: string): { status: number | null; out: string } {
  const r = spawnSync(process.execPath, [join(repo, 'scripts/check-layers.mjs'), '--root', root], { encoding: 'utf8' });
  // dependency-cruiser colours its report where it thinks a terminal is (CI=true counts): compare the text
  return { status: r.status, out: `${r.stdout}\n${r.stderr}`.replace(/\x1b\[[0-9;]*m/g, '') };
}

test('layer rules: a tree that keeps them passes; each planted violation fails with its rule and file', { timeout: 180_000 }, () => {
  const root = tree();
  try {
    const clean = check(root);
    assert.equal(clean.status, 0, clean.out);
    assert.match(clean.out, /layers: ok/);

    write(root, {
      // shared/ with a Node built-in, a DOM global and React
      'shared/read-file.ts': "import { readFileSync } from 'node:fs';\nexport const read = readFileSync;\n",
      'shared/page-title.ts': 'export const title = (): string => document.title;\n',
      'shared/hooks.ts': "import { useState } from 'react';\nexport const hook = useState;\n",
      // the renderer importing the Node side
      'renderer/views/uses-main.ts': "import { handle } from '../../main/api/handler';\nexport const h = handle;\n",
      // a store importing a view (and so a cycle with the view that reads it)
      'renderer/store/boxes-store.ts':
        "import { area } from '../../shared/geometry';\nimport { Boxes } from '../views/Boxes';\nexport const total = (w: number): number => area(w, 2);\nexport const view = Boxes;\n",
      // electron outside main/app
      'main/transport/ipc.ts': "import { ipcMain } from 'electron';\nexport const bus = ipcMain;\n",
      // a two-module cycle of plain modules
      'main/api/a.ts': "import { b } from './b';\nexport const a = (): number => b() + 1;\n",
      'main/api/b.ts': "import { a } from './a';\nexport const b = (): number => (a ? 1 : 0);\n",
    });
    const planted = check(root);
    assert.equal(planted.status, 1, planted.out);
    assert.match(planted.out, /layers: FAILED/);
    for (const [rule, file] of [
      ['shared-no-node-builtins', 'shared/read-file.ts'],
      ['shared-is-pure', 'shared/hooks.ts'],
      ['renderer-not-main', 'renderer/views/uses-main.ts'],
      ['stores-not-views', 'renderer/store/boxes-store.ts'],
      ['store-files-no-components', 'renderer/store/boxes-store.ts'],
      ['electron-only-in-app', 'main/transport/ipc.ts'],
      ['no-cycles', 'main/api/a.ts'],
    ]) {
      assert.match(planted.out, new RegExp(`${rule}: ${file.replace(/[./]/g, '\\$&')}`), `${rule} on ${file}:\n${planted.out}`);
    }
    assert.match(planted.out, /shared\/page-title\.ts.*Cannot find name 'document'/);
    assert.doesNotMatch(planted.out, /main\/app\/window\.ts|preload\/index\.ts/, 'main/app and preload may import electron');
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
