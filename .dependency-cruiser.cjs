// The layer rules of the source tree, checked by dependency-cruiser in `npm test` / .ci/run
// (scripts/check-layers.mjs) and shown to fail on planted violations by
// tests/unit/layer-rules.test.ts. A rule here is the only statement of a layer boundary:
// comments elsewhere only repeat it.
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'shared-is-pure',
      comment:
        'shared/ is used by both sides: no Node built-ins (node:fs, path, ...), no electron, ' +
        'no DOM or React modules, and nothing (not even a type) from main/, renderer/ or preload/. DOM globals are ' +
        'kept out by tsconfig.shared.json (no DOM lib), which the same check compiles.',
      severity: 'error',
      from: { path: '^shared/' },
      to: {
        path: '^(main|renderer|preload)/|(^|/)node_modules/(electron|react|react-dom|react-konva|konva|uplot|lucide-react)/',
      },
    },
    {
      name: 'shared-no-node-builtins',
      comment: 'shared/ imports no Node built-in module (node:fs, path, child_process, ...).',
      severity: 'error',
      from: { path: '^shared/' },
      to: { dependencyTypes: ['core'] },
    },
    {
      name: 'renderer-not-main',
      comment: 'The renderer reaches the Node side only through the API client (renderer/client), never by importing main/.',
      severity: 'error',
      from: { path: '^renderer/' },
      to: { path: '^main/' },
    },
    {
      name: 'renderer-no-node-builtins',
      comment: 'The renderer runs in a sandboxed page: no Node built-ins.',
      severity: 'error',
      from: { path: '^renderer/' },
      to: { dependencyTypes: ['core'] },
    },
    {
      name: 'stores-not-views',
      comment:
        'Stores hold state and never import views: renderer/store/ imports nothing from renderer/views/, ' +
        'and no *-store.ts imports a React component (.tsx).',
      severity: 'error',
      from: { path: '^renderer/store/' },
      to: { path: '^renderer/views/' },
    },
    {
      name: 'store-files-no-components',
      comment: 'A store module (*-store.ts) imports no React component (.tsx).',
      severity: 'error',
      from: { path: '^renderer/.*-store\\.ts$' },
      to: { path: '\\.tsx$' },
    },
    {
      name: 'electron-only-in-app',
      comment:
        "Only main/app/ (window, menu, protocol, utility process, ipcMain) and preload/ (the contextBridge) import 'electron'; " +
        'everything else takes what it needs injected, so it runs under plain Node (web host, CLI, tests).',
      severity: 'error',
      from: { pathNot: '^(main/app|preload)/' },
      to: { path: '(^|/)node_modules/electron/' },
    },
    {
      name: 'main-not-renderer',
      comment: 'The Node side does not import the renderer (shared code goes to shared/).',
      severity: 'error',
      from: { path: '^(main|preload)/' },
      to: { path: '^renderer/' },
    },
    {
      name: 'product-not-tests',
      comment: 'Product code imports nothing from tests/ or bench/ (test hooks stay in the tests).',
      severity: 'error',
      from: { path: '^(main|renderer|shared|preload)/' },
      to: { path: '^(tests|bench)/' },
    },
    {
      name: 'no-cycles',
      comment: 'No import cycles, type-only imports included: a cycle means two modules are one job or a layer is upside down.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'not-to-unresolvable',
      comment: 'Every import resolves (a typo or a missing dependency).',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^dist/' },
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      extensions: ['.ts', '.tsx', '.js', '.mjs', '.cjs', '.json', '.d.ts'],
    },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
