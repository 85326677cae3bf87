#!/usr/bin/env node
// Runs every benchmark in bench/ (or those whose name contains an argument), one after another so
// they do not compete for the CPU. Each writes JSON under bench/results/ and prints a summary.
import { spawnSync } from 'node:child_process';
import { readdirSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const filters = process.argv.slice(2);
mkdirSync(join(root, 'bench/results'), { recursive: true });
const benches = readdirSync(join(root, 'bench'))
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => !filters.length || filters.some((x) => f.includes(x)))
  .sort();
let failed = 0;
for (const file of benches) {
  console.log(`\n=== ${file}`);
  const r = spawnSync(process.execPath, ['--import', 'tsx', join('bench', file)], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) {
    failed++;
    console.error(`${file} failed with exit code ${r.status}`);
  }
}
console.log(`\n${benches.length - failed} of ${benches.length} benchmarks ran; results in bench/results/`);
process.exit(failed ? 1 : 0);
