/**
 * The WebGPU rung of the backend ladder, in the trainer process: Dawn for Node (the optional
 * `webgpu` package, prebuilt inside the npm package) gives the process `navigator.gpu` on Vulkan,
 * D3D12 or Metal, so any desktop GPU (NVIDIA, AMD, Intel, Apple), and tfjs-backend-webgpu trains
 * on it. A software adapter (SwiftShader, llvmpipe, WARP) is slower than the CPU backends: it is
 * used only when WebGPU is forced, which is how the tests run it on machines without a GPU.
 */
import * as tf from '@tensorflow/tfjs';
import { installedVersion } from './installed-package';
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
  if (!(await tf.setBackend('webgpu'))) throw new Error(`the webgpu backend did not initialise on ${name}`);
  return `WebGPU (${name})`;
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
