/**
 * Node-only: compiles the SIMD loops (shared/ml/wasm-kernels/simd-wat) with wabt and instantiates
 * them on the wasm backend's heap for this thread; the band pool instantiates the same module on
 * its workers. DETECTA_WASM_SIMD_KERNELS=0 keeps the JavaScript loops (for comparisons).
 */
import wabtInit from 'wabt';
import { simdKernelsWat } from '../../../shared/ml/wasm-kernels/simd-wat';
import { setSimdKernels, type SimdKernelExports } from '../../../shared/ml/wasm-kernels/simd-kernels';

export const SIMD_KERNELS_ENV = 'DETECTA_WASM_SIMD_KERNELS';

/** False when DETECTA_WASM_SIMD_KERNELS is 0 (anything else but 1 is an error). */
export function simdKernelsWanted(env: NodeJS.ProcessEnv = process.env): boolean {
  const raw = env[SIMD_KERNELS_ENV];
  if (raw === undefined || raw.trim() === '' || raw.trim() === '1') return true;
  if (raw.trim() === '0') return false;
  throw new Error(`${SIMD_KERNELS_ENV} must be 0 or 1, got ${JSON.stringify(raw)}`);
}

const compiled = new Map<boolean, WebAssembly.Module>();

/** The SIMD loops compiled for a shared (threaded build) or a private heap. */
export async function compileSimdKernels(shared: boolean): Promise<WebAssembly.Module> {
  let module = compiled.get(shared);
  if (!module) {
    const wabt = await wabtInit();
    const parsed = wabt.parseWat('detecta-simd-kernels.wat', simdKernelsWat(shared), { simd: true, threads: shared });
    try {
      parsed.resolveNames();
      // validated by WebAssembly.Module (wabt's validate() rejects shared memories whatever the features)
      module = new WebAssembly.Module(parsed.toBinary({}).buffer as Uint8Array<ArrayBuffer>);
    } finally {
      parsed.destroy();
    }
    compiled.set(shared, module);
  }
  return module;
}

let installed: { memory: WebAssembly.Memory; module: WebAssembly.Module } | null = null;

/** Instantiates the SIMD loops on `memory` for this thread (the band pool does the same on its workers). */
async function installSimdKernels(memory: WebAssembly.Memory): Promise<void> {
  const module = await compileSimdKernels(memory.buffer instanceof SharedArrayBuffer);
  const instance = new WebAssembly.Instance(module, { env: { memory } });
  setSimdKernels(instance.exports as unknown as SimdKernelExports);
  installed = { memory, module };
}

/** Back to the JavaScript loops on this thread (a band pool started afterwards has none either). */
function removeSimdKernels(): void {
  setSimdKernels(null);
  installed = null;
}

/** The SIMD loops on `memory` for this thread when `wanted` (simdKernelsWanted), else the JavaScript loops. */
export async function useSimdKernels(memory: WebAssembly.Memory, wanted: boolean): Promise<void> {
  if (wanted) await installSimdKernels(memory);
  else removeSimdKernels();
}

/** The module installed on this thread for `memory`, for the band pool's workers; null when none. */
export function installedSimdModule(memory: WebAssembly.Memory): WebAssembly.Module | null {
  return installed?.memory === memory ? installed.module : null;
}
