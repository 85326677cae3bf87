/**
 * Inference backends of the renderer: WebGPU (where navigator.gpu exists), WebGL, wasm (the
 * .wasm files are shipped under assets/wasm/ by scripts/build.mjs) and the pure-JS cpu fallback.
 */
import * as tf from '@tensorflow/tfjs';
import { getThreadsCount, setThreadsCount, setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import '@tensorflow/tfjs-backend-webgpu';
import { registerWasmTrainingKernels } from '../../shared/ml/wasm-kernels/index';
import { adapterName, isSoftwareAdapter, isSoftwareName, type DawnAdapter } from '../../shared/ml/gpu-adapter';

export type BackendName = 'webgpu' | 'webgl' | 'wasm' | 'cpu';
export const BACKEND_LABELS: Record<BackendName, string> = { webgpu: 'WebGPU', webgl: 'WebGL', wasm: 'WebAssembly', cpu: 'CPU (JS)' };

let wasmPathsSet = false;
/** Whether this page has started the wasm backend (its XNNPACK pool is made once, at the first start). */
let wasmStarted = false;

/** Worker threads the threaded wasm build starts with (Emscripten's pool in tfjs-backend-wasm 4.22). */
const WASM_POOL_WORKERS = 8;

/**
 * XNNPACK threads for the window's wasm backend: every logical CPU, at most the prebuilt pool plus
 * the page's own thread. tfjs's default is half the CPUs (one thread on a 2-core laptop, where
 * NanoDet-m at 416 then ran at 5 FPS); threads exist only in a cross-origin isolated page.
 */
export function wasmThreadCount(cpus = typeof navigator !== 'undefined' ? navigator.hardwareConcurrency : 1): number {
  return Math.max(1, Math.min(cpus || 1, WASM_POOL_WORKERS + 1));
}

/**
 * Starts the wasm backend with `threads` XNNPACK threads. The backend's C++ also caps its pool at
 * half of emscripten_num_logical_cores(), which is navigator.hardwareConcurrency (it assumes two
 * hyper-threads per core), reading it while the backend initialises: for that moment the page's
 * navigator reports 2 × threads (as main/training/wasm-kernels/node-pthreads.ts does for os.cpus()
 * in the trainer), then its own count again.
 */
async function startWasm(threads: number): Promise<boolean> {
  setThreadsCount(threads);
  const own = Object.getOwnPropertyDescriptor(navigator, 'hardwareConcurrency');
  Object.defineProperty(navigator, 'hardwareConcurrency', { value: 2 * threads, configurable: true });
  try {
    return await tf.setBackend('wasm');
  } finally {
    if (own) Object.defineProperty(navigator, 'hardwareConcurrency', own);
    else delete (navigator as { hardwareConcurrency?: number }).hardwareConcurrency;
  }
}

/** XNNPACK's thread count once the wasm backend is up, else null. */
export function wasmThreadsInUse(): number | null {
  return tf.engine().backendName === 'wasm' ? getThreadsCount() : null;
}

let software: boolean | null = null;
/**
 * True when WebGL is a software rasteriser (SwiftShader/llvmpipe: no GPU, or the GPU disabled):
 * there the wasm backend is several times faster (bench/detect.bench.ts).
 */
export function webglIsSoftware(): boolean {
  if (software !== null) return software;
  const gl = document.createElement('canvas').getContext('webgl2') as WebGL2RenderingContext | null;
  if (!gl) return (software = true);
  const ext = gl.getExtension('WEBGL_debug_renderer_info');
  const renderer = String(ext ? gl.getParameter(ext.UNMASKED_RENDERER_WEBGL) : gl.getParameter(gl.RENDERER));
  gl.getExtension('WEBGL_lose_context')?.loseContext();
  return (software = isSoftwareName(renderer));
}

/** The WebGPU adapter this page would use: its name, and whether it is a software rasteriser. */
export interface WebGpuAdapterInfo { name: string; software: boolean }

type GpuLike = { requestAdapter(options?: { powerPreference?: string }): Promise<DawnAdapter | null> };

let adapterInfo: Promise<WebGpuAdapterInfo | null> | null = null;
/** Asks for the high-performance adapter once; null without WebGPU or without an adapter. */
export function webgpuAdapter(): Promise<WebGpuAdapterInfo | null> {
  adapterInfo ??= (async () => {
    const gpu = typeof navigator !== 'undefined' ? (navigator as unknown as { gpu?: GpuLike }).gpu : undefined;
    const adapter = gpu ? await gpu.requestAdapter({ powerPreference: 'high-performance' }).catch(() => null) : null;
    if (!adapter) return null;
    return { name: adapterName(adapter), software: isSoftwareAdapter(adapter) };
  })();
  return adapterInfo;
}

/** Backends this page may try, best first (all four are listed; the order is the preference). */
export function candidateBackends(): BackendName[] {
  const list: BackendName[] = [];
  if (typeof navigator !== 'undefined' && 'gpu' in navigator && navigator.gpu) list.push('webgpu');
  if (typeof document !== 'undefined' && webglIsSoftware()) list.push('wasm', 'webgl');
  else list.push('webgl', 'wasm');
  list.push('cpu');
  return list;
}

/**
 * Activates a backend; throws with the reason when it cannot start (no WebGL context, no WebGPU
 * adapter). Returns the backend actually in use.
 */
export async function useBackend(name: BackendName): Promise<BackendName> {
  if (name === 'wasm' && !wasmPathsSet) {
    setWasmPaths(new URL('./wasm/', import.meta.url).toString());
    wasmPathsSet = true;
  }
  // engine().backendName is the backend in use (or null); tf.getBackend() would try to start the
  // highest-priority backend, which throws when that is a WebGPU without an adapter.
  if (tf.engine().backendName === name) return name;
  if (name === 'webgpu' && !(await webgpuAdapter())) throw new Error('WebGPU has no adapter here (no GPU, or WebGPU disabled)');
  // the wasm backend's first start makes XNNPACK's pool, once: with every CPU in an isolated page
  const start = name === 'wasm' && globalThis.crossOriginIsolated && !wasmStarted ? startWasm(wasmThreadCount()) : tf.setBackend(name);
  const ok = await start.catch((err: unknown) => { throw new Error(`${BACKEND_LABELS[name]} backend failed to start: ${(err as Error).message}`); });
  if (ok && name === 'wasm') {
    wasmStarted = true;
    // the stock kernels our wasm kernels replace are slow on the inference path too (NanoDet-m's
    // channel split, a SplitV, took 56 of 157 ms per frame; its LeakyReLUs and pads); idempotent
    registerWasmTrainingKernels();
  }
  if (!ok) throw new Error(`${BACKEND_LABELS[name]} backend is not available in this browser`);
  await tf.ready();
  return tf.engine().backendName as BackendName;
}

/**
 * The first backend of `preferred` and then the candidates that starts. A software WebGPU
 * adapter (SwiftShader) is not taken unless preferred: WebAssembly is faster there.
 */
export async function useBestBackend(preferred?: BackendName): Promise<{ backend: BackendName; skipped: string[] }> {
  const order = [...new Set([...(preferred ? [preferred] : []), ...candidateBackends()])];
  const skipped: string[] = [];
  for (const b of order) {
    if (b === 'webgpu' && preferred !== 'webgpu') {
      const adapter = await webgpuAdapter();
      if (adapter?.software) { skipped.push(`WebGPU is a software adapter (${adapter.name}): WebAssembly is faster`); continue; }
    }
    try {
      return { backend: await useBackend(b), skipped };
    } catch (err) {
      skipped.push((err as Error).message);
    }
  }
  throw new Error(`no tfjs backend starts here: ${skipped.join('; ')}`);
}
