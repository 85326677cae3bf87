/**
 * The WebGPU rung of the backend ladder, in the trainer process: Dawn for Node (the optional
 * `webgpu` package, prebuilt inside the npm package) gives the process `navigator.gpu` on Vulkan,
 * D3D12 or Metal, so any desktop GPU (NVIDIA, AMD, Intel, Apple), and tfjs-backend-webgpu trains
 * on it. A software adapter (SwiftShader, llvmpipe, WARP) is slower than the CPU backends: it is
 * used only when WebGPU is forced, which is how the tests run it on machines without a GPU.
 */
import * as tf from '@tensorflow/tfjs';
import { installedVersion } from './installed-package';
import { registerWebGpuTrainingKernels } from './webgpu-kernels/index';
import { adapterName, isSoftwareAdapter, type DawnAdapter } from '../../shared/ml/gpu-adapter';

/** What this module needs of the `webgpu` package and of a GPUAdapter (no DOM types in main/). */
interface DawnModule {
  create(flags: string[]): DawnGpu;
  globals: Record<string, unknown>;
}
interface DawnGpu {
  requestAdapter(options?: { powerPreference?: 'high-performance' | 'low-power' }): Promise<DawnAdapter | null>;
}
/**
 * Loads Dawn, picks the high-performance adapter and makes 'webgpu' tfjs's backend. Returns the
 * device description for the log and env.json; throws with the reason it cannot.
 */
export async function initWebGpuBackend(options: { allowSoftware: boolean }): Promise<string> {
  // One Dawn instance per process: a second one (a later selectBackend) aborts the process on exit
  const adapter = await (dawnAdapter ??= openAdapter());
  const name = adapterName(adapter);
  if (isSoftwareAdapter(adapter) && !options.allowSoftware) {
    throw new Error(`only a software adapter (${name}), slower than the CPU backends; choose the webgpu backend explicitly to use it anyway`);
  }
  // tfjs-backend-webgpu registers itself only where navigator.gpu exists, so it is imported after
  await import('@tensorflow/tfjs-backend-webgpu');
  registerWebGpuTrainingKernels();
  if (!(await tf.setBackend('webgpu'))) throw new Error(`the webgpu backend did not initialise on ${name}`);
  watchDevice((tf.backend() as unknown as { device: WatchedDevice }).device);
  return `WebGPU (${name})`;
}

/** What went wrong with the GPU device while it was in use (null: nothing). */
export interface GpuFault {
  kind: 'lost' | 'out-of-memory' | 'error';
  message: string;
}

/** The parts of a GPUDevice the watch uses. */
interface WatchedDevice {
  lost: Promise<{ reason: string; message: string }>;
  addEventListener(type: 'uncapturederror', listener: (e: { error: { message: string; constructor: { name: string } } }) => void): void;
}

let fault: GpuFault | null = null;
const watched = new WeakSet<object>();

/**
 * Records the first fault of the backend's device: its loss (driver reset, GPU removed, the
 * device destroyed) or an error no one captured, which is how WebGPU reports running out of
 * memory. tfjs does not surface either: work on a lost device fails with a bare AbortError, and
 * after an out-of-memory error the results are garbage. The engine checks it at every batch.
 */
function watchDevice(device: WatchedDevice): void {
  if (watched.has(device)) return;
  watched.add(device);
  void device.lost.then((info) => {
    fault ??= { kind: 'lost', message: `the GPU device was lost (${info.reason}${info.message ? `: ${info.message}` : ''})` };
  });
  device.addEventListener('uncapturederror', (e) => {
    const oom = e.error.constructor.name === 'GPUOutOfMemoryError';
    fault ??= oom
      ? { kind: 'out-of-memory', message: `the GPU ran out of memory (${e.error.message.split('\n')[0]}); lower the batch size or the input size` }
      : { kind: 'error', message: `GPU error: ${e.error.message.split('\n')[0]}` };
  });
}

/** The WebGPU device's first fault since the backend started, or null. */
export function webGpuFault(): GpuFault | null {
  return fault;
}

let dawnAdapter: Promise<DawnAdapter> | null = null;

/** Loads Dawn once, exposes navigator.gpu and returns the high-performance adapter. */
async function openAdapter(): Promise<DawnAdapter> {
  if (installedVersion('webgpu') === null) throw new Error('the webgpu package is not installed (optional dependency)');
  const packageName: string = 'webgpu'; // a variable: the package is optional, so nothing resolves it at build time
  const dawn = (await import(packageName)) as DawnModule;
  Object.assign(globalThis, dawn.globals);
  const gpu = dawn.create([]);
  const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  if (!adapter) throw new Error('no WebGPU adapter: no Vulkan, D3D12 or Metal driver with a GPU was found');
  Object.defineProperty(globalThis, 'navigator', { value: { ...(globalThis as { navigator?: object }).navigator, gpu }, configurable: true, writable: true });
  return adapter;
}
