#!/usr/bin/env node
// Checks the layer rules of .dependency-cruiser.cjs (no cycles; shared/ pure; renderer never
// imports main; stores never import views; only main/app and preload import electron) with
// dependency-cruiser, then compiles shared/ alone without the DOM lib or Node types
// (tsconfig.shared.json), so a `document` or `process` in shared/ fails too.
// Violations listed in .dependency-cruiser-known-violations.json (each with the owner who removes
// it) are reported but do not fail. Exit status 0 when every rule holds.
// Usage: node scripts/check-layers.mjs [--root DIR]   (DIR defaults to the repository root;
// tests/unit/layer-rules.test.ts points it at a planted tree)
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

const repo = new URL('..', import.meta.url).pathname;
const args = process.argv.slice(2);
const rootIdx = args.indexOf('--root');
const root = rootIdx >= 0 ? args[rootIdx + 1] : repo;
if (!root) { console.error('check-layers: --root needs a folder'); process.exit(2); }

const folders = ['main', 'renderer', 'shared', 'preload', 'tests', 'bench', 'scripts'].filter((f) => existsSync(join(root, f)));
const known = '.dependency-cruiser-known-violations.json';
const cruise = spawnSync(process.execPath, [
  join(repo, 'node_modules/dependency-cruiser/bin/dependency-cruise.mjs'),
  '--config', '.dependency-cruiser.cjs',
  ...(existsSync(join(root, known)) ? ['--ignore-known', known] : []),
  ...folders,
], { cwd: root, stdio: 'inherit' });

let failed = cruise.status !== 0;
if (existsSync(join(root, 'shared')) && existsSync(join(root, 'tsconfig.shared.json'))) {
  const tsc = spawnSync(process.execPath, [join(repo, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.shared.json', '--noEmit'], { cwd: root, stdio: 'inherit' });
  if (tsc.status !== 0) { console.log('shared/ uses a DOM or Node global (tsconfig.shared.json: no DOM lib, no Node types)'); failed = true; }
}
console.log(failed ? 'layers: FAILED' : 'layers: ok');
process.exit(failed ? 1 : 0);
