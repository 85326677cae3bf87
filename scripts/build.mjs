#!/usr/bin/env node
// Builds the four bundles with esbuild: main (web host + Electron main), preload, CLI, renderer.
// Usage: node scripts/build.mjs [--watch] [--dev]
import * as esbuild from 'esbuild';
import { cpSync, mkdirSync, rmSync, existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { EXAMPLE_LIB_FILE, exampleLibBuildOptions } from './example-lib-build.mjs';

const root = new URL('..', import.meta.url).pathname;
const dev = process.argv.includes('--dev');
const out = join(root, 'dist');
rmSync(out, { recursive: true, force: true });

const node = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  packages: 'external',
  sourcemap: true,
  logLevel: 'warning',
  absWorkingDir: root,
};

const extraNodeEntries = [
  // the training process entry, when present
  ['main/training/trainer-entry.ts', 'dist/main/trainer.js'],
  // the trainer's batch workers (main/training/batch-pipeline.ts finds it beside the bundle)
  ['main/training/batch-worker.ts', 'dist/main/batch-worker.js'],
].filter(([src]) => existsSync(join(root, src)));

const builds = [
  esbuild.build({ ...node, entryPoints: { serve: 'main/serve.ts', electron: 'main/app/electron-main.ts', ...Object.fromEntries(extraNodeEntries.map(([src, dst]) => [dst.replace('dist/main/', '').replace('.js', ''), src])) }, outdir: 'dist/main', external: ['electron'] }),
  esbuild.build({ ...node, entryPoints: ['main/cli/detecta.ts'], outfile: 'dist/cli/detecta.js' }),
  // the exported package's example library (main/export/kit/example-lib-source.ts reads it)
  esbuild.build({ ...exampleLibBuildOptions(root), outfile: `dist/export-kit/${EXAMPLE_LIB_FILE}` }),
  // sandboxed preload: one CommonJS file that may only require 'electron'
  esbuild.build({ ...node, entryPoints: ['preload/index.ts'], outfile: 'dist/preload/preload.cjs', format: 'cjs', packages: undefined, external: ['electron'] }),
  esbuild.build({
    bundle: true,
    platform: 'browser',
    target: ['chrome120'],
    format: 'esm',
    entryPoints: { app: 'renderer/main.tsx' },
    outdir: 'dist/renderer/assets',
    jsx: 'automatic',
    minify: !dev,
    sourcemap: true,
    logLevel: 'warning',
    absWorkingDir: root,
    define: { 'process.env.NODE_ENV': dev ? '"development"' : '"production"' },
    loader: { '.svg': 'file', '.png': 'file', '.woff2': 'file' },
  }),
];
await Promise.all(builds);

mkdirSync(join(out, 'renderer/assets/wasm'), { recursive: true });
cpSync(join(root, 'renderer/index.html'), join(out, 'renderer/index.html'));
cpSync(join(root, 'assets/icon.svg'), join(out, 'renderer/assets/icon.svg'));
const wasmDir = join(root, 'node_modules/@tensorflow/tfjs-backend-wasm/dist');
for (const f of readdirSync(wasmDir).filter((f) => f.endsWith('.wasm'))) cpSync(join(wasmDir, f), join(out, 'renderer/assets/wasm', f));
console.log('built dist/ (main, preload, cli, renderer)');
