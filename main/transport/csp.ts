/**
 * The Content-Security-Policy of the app page, the same in Electron and in a browser: only the
 * app's own scripts (plus WebAssembly compilation for tfjs-wasm), no remote content, no inline script.
 * blob: scripts are allowed because the threaded tfjs-wasm build (the page is cross-origin isolated,
 * ./isolation) starts its Web Workers from blob: URLs and each worker imports the Emscripten main
 * script from a blob: (a blob worker inherits this policy); only the page's own code can make a blob: URL.
 */
export function contentSecurityPolicy(options: { connect?: string[]; img?: string[] } = {}): string {
  return [
    "default-src 'self'",
    "script-src 'self' 'wasm-unsafe-eval' blob:",
    "style-src 'self' 'unsafe-inline'",
    `img-src 'self' data: blob: ${(options.img ?? []).join(' ')}`.trim(),
    "media-src 'self' blob: mediastream:",
    `connect-src 'self' data: blob: ${(options.connect ?? []).join(' ')}`.trim(),
    "worker-src 'self' blob:",
    "font-src 'self' data:",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}
