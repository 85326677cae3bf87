#!/usr/bin/env node
// Usage: node scripts/require-node.mjs MIN_VERSION "what needs it"
// Exits 1 with a clear message when this Node is older than MIN_VERSION (e.g. `npm start` on
// Node 20: Electron 45 and @electron/get declare Node >= 22.12.0), instead of failing later.
const [min = '0.0.0', what = 'this command'] = process.argv.slice(2);
const parse = (v) => v.replace(/^v/, '').split('.').map((n) => Number.parseInt(n, 10) || 0);
const [a, b] = [parse(process.version), parse(min)];
const older = a[0] !== b[0] ? a[0] < b[0] : a[1] !== b[1] ? a[1] < b[1] : (a[2] ?? 0) < (b[2] ?? 0);
if (older) {
  console.error(`${what} needs Node ${min} or newer; this is Node ${process.version.slice(1)}.`);
  console.error('The web host (npm run serve), the CLI and the tests run on Node 20.9+; install a newer Node (nvm install 22) for the desktop app.');
  process.exit(1);
}
