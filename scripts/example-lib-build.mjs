// esbuild options of the exported package's example library (example/detecta-postprocess.mjs):
// main/export/kit/example-lib.ts bundled to one ES module. The decode code it takes imports
// @tensorflow/tfjs in files it only partly uses; the example never calls tfjs, so tfjs is left
// out (an empty module) and only sharp stays an import. Used by scripts/build.mjs and, when the
// studio runs from source, by main/export/kit/example-lib-source.ts.
export const EXAMPLE_LIB_FILE = 'detecta-postprocess.mjs';

const withoutTfjs = {
  name: 'without-tfjs',
  setup(build) {
    build.onResolve({ filter: /^@tensorflow\/tfjs$/ }, () => ({ path: 'tfjs', namespace: 'without-tfjs', sideEffects: false }));
    build.onLoad({ filter: /.*/, namespace: 'without-tfjs' }, () => ({ contents: 'export {};', loader: 'js' }));
  },
};

export function exampleLibBuildOptions(root) {
  return {
    entryPoints: ['main/export/kit/example-lib.ts'],
    absWorkingDir: root,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'esm',
    packages: 'external',
    plugins: [withoutTfjs],
    banner: { js: '// Detecta Studio: image preparation and decode + NMS for the exported model (generated; see ../README.md).' },
    logLevel: 'error',
  };
}
