#!/usr/bin/env node
// Runs every test suite and prints, as the last line, "N passed, N failed[, N skipped]" summed
// over the typecheck and the layer rules (one test each, full runs only), node's test runner
// (tests/unit, tests/integration) and Playwright (tests/e2e).
// Usage: node scripts/test-all.mjs [--only node|e2e] [file filters...]
import { spawn } from 'node:child_process';
import { readdirSync, statSync, readFileSync, existsSync, mkdirSync, rmSync } from 'node:fs';
import { join, relative } from 'node:path';
import { tmpdir } from 'node:os';

const root = new URL('..', import.meta.url).pathname;
const args = process.argv.slice(2);
const onlyIdx = args.indexOf('--only');
const only = onlyIdx >= 0 ? args[onlyIdx + 1] : undefined;
const filters = args.filter((a, i) => !a.startsWith('--') && i !== onlyIdx + 1);

function findTests(dir) {
  if (!existsSync(dir)) return [];
  const out = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...findTests(p));
    else if (name.endsWith('.test.ts')) out.push(relative(root, p));
  }
  return out;
}

function run(cmd, argv, env = {}) {
  return new Promise((resolve) => {
    let out = '';
    const child = spawn(cmd, argv, { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.on('data', (d) => { out += d; process.stdout.write(d); });
    child.stderr.on('data', (d) => { out += d; process.stderr.write(d); });
    child.on('close', (code) => resolve({ code: code ?? 1, out }));
  });
}

/** "file › title" of every test Playwright's JSON report marks flaky (failed, then passed on a retry). */
function flakyTitles(suites, out = []) {
  for (const suite of suites) {
    for (const spec of suite.specs ?? []) {
      if ((spec.tests ?? []).some((t) => t.status === 'flaky')) out.push(`${spec.file} › ${spec.title}`);
    }
    flakyTitles(suite.suites ?? [], out);
  }
  return out;
}

const totals = { passed: 0, failed: 0, skipped: 0 };
let exitCode = 0;

if (!only && !filters.length) {
  // TypeScript strict over the whole tree counts as one test
  const { code } = await run(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.json', '--noEmit']);
  if (code === 0) { totals.passed += 1; console.log('typecheck: ok'); } else { totals.failed += 1; exitCode = 1; console.log('typecheck: FAILED'); }
  // the layer rules (dependency-cruiser + shared/ without DOM or Node types) count as one test;
  // check-layers prints 'layers: ok' or 'layers: FAILED' itself
  const layers = await run(process.execPath, [join(root, 'scripts/check-layers.mjs')]);
  if (layers.code === 0) totals.passed += 1; else { totals.failed += 1; exitCode = 1; }
}

if (only !== 'e2e') {
  let files = [...findTests(join(root, 'tests/unit')), ...findTests(join(root, 'tests/integration'))];
  if (filters.length) files = files.filter((f) => filters.some((x) => f.includes(x)));
  if (files.length) {
    const { code, out } = await run(process.execPath, [
      '--import', 'tsx', '--test', '--test-reporter=spec', '--test-concurrency=2', ...files,
    ]);
    const num = (label) => {
      const m = [...out.matchAll(new RegExp(`^[ℹ#]\\s*${label} (\\d+)\\s*$`, 'gm'))].pop();
      return m ? Number(m[1]) : 0;
    };
    const failed = num('fail') + num('cancelled');
    totals.passed += num('pass');
    totals.failed += failed;
    totals.skipped += num('skipped') + num('todo');
    if (code !== 0 && failed === 0) totals.failed += 1; // the runner itself failed
    if (code !== 0) exitCode = 1;
  }
}

if (only !== 'node') {
  const files = findTests(join(root, 'tests/e2e')).filter((f) => !filters.length || filters.some((x) => f.includes(x)));
  const chromium = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
  if (files.length && !existsSync(chromium)) {
    // say what is missing and how to get it, instead of Playwright's launch error in every test
    console.log(`e2e: FAILED: ${process.env.CHROMIUM_PATH ? `CHROMIUM_PATH=${chromium} does not exist` : `no Chromium at ${chromium}`}; the e2e tests drive the app in Chromium. Install it: apt-get install chromium (Debian/Ubuntu), or set CHROMIUM_PATH to a Chrome/Chromium executable.`);
    totals.failed += 1;
    exitCode = 1;
  } else if (files.length) {
    const dir = join(tmpdir(), `detecta-pw-${process.pid}`);
    mkdirSync(dir, { recursive: true });
    const jsonPath = join(dir, 'results.json');
    const { code } = await run(process.execPath, [
      join(root, 'node_modules/@playwright/test/cli.js'), 'test', '--reporter=list,json', ...filters,
    ], { PLAYWRIGHT_JSON_OUTPUT_NAME: jsonPath });
    if (existsSync(jsonPath)) {
      const report = JSON.parse(readFileSync(jsonPath, 'utf8'));
      const stats = report.stats ?? {};
      const flaky = flakyTitles(report.suites ?? []);
      if (flaky.length) console.log(`e2e: ${flaky.length} flaky (failed, then passed on retry): ${flaky.join('; ')}`);
      totals.passed += (stats.expected ?? 0) + (stats.flaky ?? 0);
      totals.failed += stats.unexpected ?? 0;
      totals.skipped += stats.skipped ?? 0;
      if (code !== 0 && !stats.unexpected) totals.failed += 1;
    } else {
      totals.failed += 1;
    }
    if (code !== 0) exitCode = 1;
    rmSync(dir, { recursive: true, force: true });
  }
}

if (totals.failed > 0) exitCode = 1;
const skipped = totals.skipped ? `, ${totals.skipped} skipped` : '';
console.log(`${totals.passed} passed, ${totals.failed} failed${skipped}`);
process.exit(exitCode);
