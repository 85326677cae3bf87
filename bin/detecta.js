#!/usr/bin/env node
// The `detecta` command: runs the bundled CLI (built by `npm run build`).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
const entry = fileURLToPath(new URL('../dist/cli/detecta.js', import.meta.url));
if (!existsSync(entry)) {
  console.error('detecta: the CLI is not built yet; run `npm run build` in the Detecta Studio folder.');
  process.exit(2);
}
await import(entry);
