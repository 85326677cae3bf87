/**
 * What a WebGPU adapter is, in words: its name for logs and the Status view, and whether it is a
 * software rasterizer (SwiftShader, llvmpipe, WARP), which is slower than the CPU backends.
 * No tfjs here: the app's main process uses it to describe the adapter a probe found.
 */

/** The fields of a GPUAdapter this app reads (no DOM types in main/). */
export interface DawnAdapter {
  info?: { vendor?: string; architecture?: string; device?: string; description?: string };
  isFallbackAdapter?: boolean;
}

const SOFTWARE = /swiftshader|llvmpipe|lavapipe|softpipe|microsoft basic render|warp/i;

/** A readable name for an adapter ("nvidia ampere NVIDIA GeForce RTX 3080"). */
export function adapterName(adapter: DawnAdapter): string {
  const i = adapter.info ?? {};
  return [i.vendor, i.architecture, i.description || i.device].filter((x) => x).join(' ') || 'unnamed adapter';
}

export function isSoftwareAdapter(adapter: DawnAdapter): boolean {
  const i = adapter.info ?? {};
  return adapter.isFallbackAdapter === true || SOFTWARE.test(`${i.vendor ?? ''} ${i.architecture ?? ''} ${i.description ?? ''} ${i.device ?? ''}`);
}
