/**
 * Render counts for tests: when a test defines `window.__detectaRenders = {}` before the app loads
 * (Playwright's addInitScript), each component that calls useRenderCount(name) adds one to
 * `__detectaRenders[name]` per render. Otherwise it does nothing (one property read per render).
 */
declare global {
  interface Window { __detectaRenders?: Record<string, number> }
}

export function useRenderCount(name: string): void {
  const counts = typeof window === 'undefined' ? undefined : window.__detectaRenders;
  if (counts) counts[name] = (counts[name] ?? 0) + 1;
}
