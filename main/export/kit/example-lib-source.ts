/**
 * The text of example/detecta-postprocess.mjs: from the build (dist/export-kit/, written by
 * scripts/build.mjs) when the studio runs bundled, bundled on the spot with esbuild when it runs
 * from source (tests, `node --import tsx`), so it is never a stale copy.
 */
import { existsSync, promises as fs } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { BuildOptions } from 'esbuild';

const here = fileURLToPath(import.meta.url);
export const EXAMPLE_LIB_FILE = 'detecta-postprocess.mjs';

export async function exampleLibSource(): Promise<string> {
  if (here.endsWith('.ts')) {
    const root = resolve(dirname(here), '..', '..', '..');
    const [esbuild, opts] = await Promise.all([
      import('esbuild'),
      import(pathToFileURL(join(root, 'scripts', 'example-lib-build.mjs')).href) as Promise<{ exampleLibBuildOptions(root: string): BuildOptions }>,
    ]);
    const out = await esbuild.build({ ...opts.exampleLibBuildOptions(root), write: false });
    return out.outputFiles[0].text;
  }
  // dist/main/*.js and dist/cli/detecta.js: dist/export-kit/ is one folder over
  const file = join(dirname(here), '..', 'export-kit', EXAMPLE_LIB_FILE);
  if (!existsSync(file)) throw new Error(`the example library is missing from the build: ${file} (run npm run build)`);
  return fs.readFile(file, 'utf8');
}
