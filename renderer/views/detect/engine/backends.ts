/**
 * Inference backends of the renderer: WebGPU (where navigator.gpu exists), WebGL, wasm (the
 * .wasm files are shipped under assets/wasm/ by scripts/build.mjs) and the pure-JS cpu fallback.
 */
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import '@tensorflow/tfjs-backend-webgpu';

export type BackendName = 'webgpu' | 'webgl' | 'wasm' | 'cpu';
export const BACKEND_LABELS: Record<BackendName, string> = { webgpu: 'WebGPU', webgl: 'WebGL', wasm: 'WebAssembly', cpu: 'CPU (JS)' };

let wasmPathsSet = false;

/** Backends this page may try, best first. */
export function candidateBackends(): BackendName[] {
  const list: BackendName[] = [];
  if (typeof navigator !== 'undefined' && 'gpu' in navigator && navigator.gpu) list.push('webgpu');
  list.push('webgl', 'wasm', 'cpu');
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
  if (tf.getBackend() === name) return name;
  const ok = await tf.setBackend(name).catch((err: unknown) => { throw new Error(`${BACKEND_LABELS[name]} backend failed to start: ${(err as Error).message}`); });
  if (!ok) throw new Error(`${BACKEND_LABELS[name]} backend is not available in this browser`);
  await tf.ready();
  return tf.getBackend() as BackendName;
}

/** The first backend of `preferred` and then the candidates that starts. */
export async function useBestBackend(preferred?: BackendName): Promise<{ backend: BackendName; skipped: string[] }> {
  const order = [...new Set([...(preferred ? [preferred] : []), ...candidateBackends()])];
  const skipped: string[] = [];
  for (const b of order) {
    try {
      return { backend: await useBackend(b), skipped };
    } catch (err) {
      skipped.push((err as Error).message);
    }
  }
  throw new Error(`no tfjs backend starts here: ${skipped.join('; ')}`);
}
