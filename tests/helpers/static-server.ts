/**
 * A folder served read-only over HTTP on 127.0.0.1: the model-zoo mirror of the tests (the same
 * download path a user's takes). Requests are recorded; `tamper` may change a file's bytes before
 * they are sent (checksum tests). Paths outside the folder and missing files get 404.
 */
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { join, normalize, sep } from 'node:path';

export interface ServedFolder {
  /** Base URL, ending in '/'. */
  url: string;
  /** Paths requested so far (URL pathnames, decoded). */
  hits: string[];
  close(): Promise<void>;
}

export async function serveFolder(dir: string, options: { tamper?: (path: string, bytes: Buffer) => void } = {}): Promise<ServedFolder> {
  const root = normalize(dir.endsWith(sep) ? dir : dir + sep);
  const hits: string[] = [];
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    hits.push(path);
    const file = normalize(join(root, path));
    if (!file.startsWith(root)) { res.writeHead(404); res.end('not found'); return; }
    readFile(file).then((bytes) => {
      options.tamper?.(path, bytes);
      res.writeHead(200);
      res.end(bytes);
    }, () => { res.writeHead(404); res.end('not found'); });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    hits,
    close: () => new Promise((r) => server.close(() => r())),
  };
}
