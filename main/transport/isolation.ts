/**
 * Cross-origin isolation of the app page (issue 19), the same in a browser and in Electron: with
 * these two headers on the page (and its scripts), `crossOriginIsolated` is true, so the page has
 * SharedArrayBuffer and the tfjs wasm backend loads its threaded SIMD build (XNNPACK on Web
 * Workers) for the Detect view, pre-labeling and the webcam.
 *
 * Under `require-corp` every subresource must be same-origin or say it may be embedded: the web
 * host serves everything from its own origin; in Electron the project and model files come from
 * detecta-file:// (another origin than app://), so those responses carry
 * `cross-origin-resource-policy: cross-origin` (FILE_CORP_FOR_ISOLATED_APP).
 */
export const CROSS_ORIGIN_ISOLATION_HEADERS: Readonly<Record<string, string>> = {
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-embedder-policy': 'require-corp',
};

/** What Electron's detecta-file:// responses say so that the isolated app:// page may load them. */
export const FILE_CORP_FOR_ISOLATED_APP: Readonly<Record<string, string>> = {
  'cross-origin-resource-policy': 'cross-origin',
};
