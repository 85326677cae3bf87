/**
 * The backend ladder, run inside the trainer process: @tensorflow/tfjs-node-gpu (CUDA) → WebGPU
 * through Dawn (any desktop GPU; webgpu-backend.ts) → @tensorflow/tfjs-node → wasm with our
 * training kernels → pure-JS cpu. The first that loads wins; a forced choice tries only that one
 * and fails with the reason (a forced WebGPU also takes a software adapter). Every backend
 * skipped on the way is returned with why, for the log and env.json.
 */
import * as tf from '@tensorflow/tfjs';
import type { BackendChoice, TrainBackendName } from '../../shared/training/types';
import { initWasmBackendForNode, wasmThreadsInUse } from './wasm-kernels/node-init';
import { kernelThreadsInUse } from './wasm-kernels/band-pool';
import { registerWasmTrainingKernels } from '../../shared/ml/wasm-kernels/index';
import { registerCpuTrainingKernels } from './cpu-kernels/index';
import { installedVersion } from './installed-package';
import { initWebGpuBackend, webGpuFault } from './webgpu-backend';
import { explainNativeLoadError } from './native-load-error';
import { errorMessage } from '../../shared/error-message';
import { simdKernels } from '../../shared/ml/wasm-kernels/simd-kernels';

export interface BackendSelection {
  backend: TrainBackendName;
  device: string;
  /** CPU threads the math runs on where the backend has a pool of its own (wasm: XNNPACK's); null elsewhere. */
  threads: number | null;
  versions: Record<string, string>;
  skipped: { backend: TrainBackendName; reason: string }[];
}

const LADDER: TrainBackendName[] = ['tensorflow-gpu', 'webgpu', 'tensorflow', 'wasm', 'cpu'];


async function tryNative(pkg: '@tensorflow/tfjs-node-gpu' | '@tensorflow/tfjs-node'): Promise<string> {
  if (installedVersion(pkg) === null) throw new Error(`${pkg} is not installed (optional dependency)`);
  try {
    await import(pkg); // registers the 'tensorflow' backend with the shared tfjs-core
  } catch (err) {
    throw new Error(explainNativeLoadError(pkg, errorMessage(err)));
  }
  if (!(await tf.setBackend('tensorflow'))) throw new Error(`${pkg} loaded but the 'tensorflow' backend did not initialise`);
  if (pkg !== '@tensorflow/tfjs-node-gpu') return 'CPU (libtensorflow)';
  // libtensorflow-gpu runs on the CPU when it finds no usable CUDA device: that is not this rung
  if ((tf.backend() as { isUsingGpuDevice?: boolean }).isUsingGpuDevice === false) {
    tf.removeBackend('tensorflow');
    throw new Error(explainNativeLoadError(pkg, 'no CUDA-capable device is detected'));
  }
  return 'CUDA GPU (libtensorflow)';
}

async function tryOne(name: TrainBackendName, forced: boolean): Promise<string> {
  switch (name) {
    case 'tensorflow-gpu': return tryNative('@tensorflow/tfjs-node-gpu');
    case 'webgpu': return initWebGpuBackend({ allowSoftware: forced });
    case 'tensorflow': return tryNative('@tensorflow/tfjs-node');
    case 'wasm': {
      if (!(await initWasmBackendForNode())) throw new Error('the wasm backend failed to initialise (see the log above)');
      registerWasmTrainingKernels();
      const threads = wasmThreadsInUse() ?? 1;
      const kernelThreads = kernelThreadsInUse();
      const plural = (n: number): string => `${n} thread${n === 1 ? '' : 's'}`;
      // env.json's device: XNNPACK's threads and our training kernels' (DETECTA_WASM_KERNEL_THREADS may lower theirs), and whether their SIMD loops run
      return `WebAssembly ${tf.env().getBool('WASM_HAS_SIMD_SUPPORT') ? 'SIMD' : 'no SIMD'}, ${plural(threads)} (XNNPACK; training kernels on ${plural(kernelThreads)}${simdKernels() ? ', with SIMD loops' : ''})`;
    }
    case 'cpu':
      if (!(await tf.setBackend('cpu'))) throw new Error('the cpu backend did not initialise');
      registerCpuTrainingKernels();
      return 'CPU (pure JavaScript)';
  }
}

export async function selectBackend(choice: BackendChoice, log: (message: string) => void = () => {}): Promise<BackendSelection> {
  const candidates = choice === 'auto' ? LADDER : [choice];
  const skipped: BackendSelection['skipped'] = [];
  for (const name of candidates) {
    try {
      const device = await tryOne(name, choice !== 'auto');
      await tf.ready();
      const versions: Record<string, string> = { tfjs: tf.version.tfjs };
      for (const pkg of ['@tensorflow/tfjs-node-gpu', 'webgpu', '@tensorflow/tfjs-backend-webgpu', '@tensorflow/tfjs-node', '@tensorflow/tfjs-backend-wasm']) {
        const v = installedVersion(pkg);
        if (v) versions[pkg] = v;
      }
      return { backend: name, device, threads: name === 'wasm' ? wasmThreadsInUse() : null, versions, skipped };
    } catch (err) {
      const reason = errorMessage(err);
      skipped.push({ backend: name, reason });
      log(`backend ${name} unavailable: ${reason}`);
    }
  }
  throw new Error(`no usable backend${choice === 'auto' ? '' : ` (forced: ${choice})`}: ${skipped.map((s) => `${s.backend}: ${s.reason}`).join('; ')}`);
}

/**
 * A fault of the backend in use that tfjs does not report as such (WebGPU: device lost, out of
 * memory): a message for the run's failure, or null.
 */
export function backendFault(): string | null {
  return tf.getBackend() === 'webgpu' ? (webGpuFault()?.message ?? null) : null;
}
