/**
 * What a GPU adapter is, in words: its name for logs, the Status view and the Detect view, and
 * whether it is a software rasterizer (SwiftShader, llvmpipe, WARP), which is slower than the CPU
 * backends. One rule for the trainer (Dawn), the app's probe, the window (WebGPU, WebGL) and the
 * GPU benchmark. Pure TypeScript: no tfjs, no DOM types.
 */

/** The fields of a GPUAdapter this app reads. */
export interface DawnAdapter {
  info?: { vendor?: string; architecture?: string; device?: string; description?: string };
  isFallbackAdapter?: boolean;
}

const SOFTWARE = /swiftshader|llvmpipe|lavapipe|softpipe|software|microsoft basic render|warp/i;

/** True when an adapter, renderer or device description names a software rasterizer. */
export function isSoftwareName(description: string): boolean {
  return SOFTWARE.test(description);
}

/** A readable name for an adapter ("nvidia ampere NVIDIA GeForce RTX 3080"). */
export function adapterName(adapter: DawnAdapter): string {
  const i = adapter.info ?? {};
  return [i.vendor, i.architecture, i.description || i.device].filter((x) => x).join(' ') || 'unnamed adapter';
}

export function isSoftwareAdapter(adapter: DawnAdapter): boolean {
  const i = adapter.info ?? {};
  return adapter.isFallbackAdapter === true || isSoftwareName(`${i.vendor ?? ''} ${i.architecture ?? ''} ${i.description ?? ''} ${i.device ?? ''}`);
}
