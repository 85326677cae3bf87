/**
 * `npm run serve`: the app in a browser. Starts the local web host over the built renderer and
 * prints the URL (with its token) to open.
 *   node dist/main/serve.js [--host 127.0.0.1] [--port 0] [--data-dir DIR] [--model-cache DIR]
 * --model-cache: where downloaded models go (default: the CLI's, DETECTA_MODEL_CACHE or ~/.cache/detecta/models).
 */
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createServices } from './api/create-services';
import { startWebHost } from './transport/web';

const { values } = parseArgs({
  options: {
    host: { type: 'string', default: process.env.DETECTA_HOST ?? '127.0.0.1' },
    port: { type: 'string', default: process.env.DETECTA_PORT ?? '0' },
    'data-dir': { type: 'string' },
    'model-cache': { type: 'string' },
    token: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  },
});

if (values.help) {
  console.log('usage: npm run serve -- [--host 127.0.0.1] [--port N] [--data-dir DIR] [--model-cache DIR]');
  process.exit(0);
}

const staticDir = join(fileURLToPath(new URL('.', import.meta.url)), '..', 'renderer');
if (!existsSync(join(staticDir, 'index.html'))) {
  console.error(`Detecta Studio: the renderer is not built (${staticDir}); run \`npm run build\`.`);
  process.exit(2);
}
const port = Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`Detecta Studio: --port must be an integer 0-65535, got "${values.port}"`);
  process.exit(2);
}
if (values.host !== '127.0.0.1' && values.host !== 'localhost' && values.host !== '::1') {
  console.warn(`Detecta Studio: listening on ${values.host}: anyone who can reach it and has the token can read your opened projects.`);
}

const services = createServices({ transport: 'web', dataDir: values['data-dir'], modelCacheDir: values['model-cache'] });
const host = await startWebHost({ services, staticDir, host: values.host, port, token: values.token ?? process.env.DETECTA_TOKEN });
console.log(`Detecta Studio is running at ${host.url}`);
console.log('Open that address (token included) in a browser. Press Ctrl+C to stop.');

const stop = async (): Promise<void> => {
  await services.projects.closeAll();
  await host.close();
  process.exit(0);
};
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());
