/**
 * Which TensorFlow.js backends this machine can run, in ladder order
 * (tfjs-node-gpu → WebGPU → tfjs-node → wasm → cpu). Native backends are optional dependencies whose
 * install step downloads libtensorflow; where that failed they are absent or fail to load.
 * A native backend, and Dawn for WebGPU, is loaded in a short-lived child process, never in the
 * app's main process, so a crash in libtensorflow, a missing CUDA library or a GPU driver cannot
 * take the app down.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { BackendAvailability } from '../../shared/api/app';
import { packageJsonPath } from './installed-package';
import { adapterName, isSoftwareAdapter, type DawnAdapter } from '../../shared/ml/gpu-adapter';
import { explainNativeLoadError } from './native-load-error';


/** Loads a native tfjs package in a child Node process; resolves to null on success or the error text. */
async function tryLoadInChild(name: string, timeoutMs: number): Promise<string | null> {
  const script = `try { const tf = require(${JSON.stringify(name)}); console.log('ok ' + tf.getBackend()); } catch (e) { console.error(String(e && e.message || e)); process.exit(3); }`;
  const r = await runInChild(script, timeoutMs);
  return 'error' in r ? r.error : null;
}

/** Runs a script in a child Node process: its stdout, or the error text. */
function runInChild(script: string, timeoutMs: number): Promise<{ stdout: string } | { error: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['-e', script], {
      env: { ...process.env, ELECTRON_RUN_AS_NODE: '1', TF_CPP_MIN_LOG_LEVEL: '2' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let err = '';
    let out = '';
    child.stdout.on('data', (d: Buffer) => { out += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { err += d.toString(); });
    const timer = setTimeout(() => { child.kill('SIGKILL'); resolve({ error: `loading timed out after ${timeoutMs} ms` }); }, timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve(code === 0 ? { stdout: out } : { error: err.trim().split('\n').slice(-3).join(' ') || `exited with code ${code}` });
    });
  });
}

const WEBGPU_LABEL = 'WebGPU (Dawn: Vulkan, D3D12, Metal)';

/** Asks Dawn for the high-performance adapter in a child process. */
async function probeWebGpu(): Promise<BackendAvailability> {
  if (!packageJsonPath('webgpu')) return { name: 'webgpu', label: WEBGPU_LABEL, available: false, detail: 'the webgpu package is not installed (optional dependency)' };
  const script = `import('webgpu').then(async ({ create, globals }) => {
    Object.assign(globalThis, globals);
    const a = await create([]).requestAdapter({ powerPreference: 'high-performance' });
    if (!a) { console.error('no WebGPU adapter: no Vulkan, D3D12 or Metal driver with a GPU was found'); process.exit(3); }
    const i = a.info || {};
    console.log(JSON.stringify({ info: { vendor: i.vendor, architecture: i.architecture, description: i.description, device: i.device }, isFallbackAdapter: !!a.isFallbackAdapter }));
    process.exit(0);
  }).catch((e) => { console.error(String((e && e.message) || e)); process.exit(3); });`;
  const r = await runInChild(script, 30_000);
  // Dawn prints driver warnings to stderr before the reason: keep the reason
  if ('error' in r) return { name: 'webgpu', label: WEBGPU_LABEL, available: false, detail: /no WebGPU adapter.*$/.exec(r.error)?.[0] ?? r.error };
  const adapter = JSON.parse(r.stdout.trim().split('\n').pop() ?? '{}') as DawnAdapter;
  return isSoftwareAdapter(adapter)
    ? { name: 'webgpu', label: WEBGPU_LABEL, available: true, detail: `software adapter only (${adapterName(adapter)}): slower than the CPU backends, so auto skips it; choose it to use it anyway` }
    : { name: 'webgpu', label: WEBGPU_LABEL, available: true, detail: adapterName(adapter) };
}

async function probeNative(name: '@tensorflow/tfjs-node-gpu' | '@tensorflow/tfjs-node', backend: 'tensorflow-gpu' | 'tensorflow', label: string): Promise<BackendAvailability> {
  const pkg = packageJsonPath(name);
  if (!pkg) {
    return { name: backend, label, available: false, detail: `${name} is not installed (optional dependency; its install step needs to download libtensorflow)` };
  }
  if (!existsSync(join(dirname(pkg), 'lib'))) {
    return { name: backend, label, available: false, detail: `${name} is installed without its native binding (the libtensorflow download did not run)` };
  }
  const error = await tryLoadInChild(name, 30_000);
  return error
    ? { name: backend, label, available: false, detail: explainNativeLoadError(name, error) }
    : { name: backend, label, available: true, detail: backend === 'tensorflow-gpu' ? 'CUDA (libtensorflow GPU)' : 'libtensorflow CPU' };
}

/**
 * Probes every backend (native ones in a child process, so a broken binding cannot crash the
 * caller). Slow: the app probes once per instance (Services.backends) and reuses the answer.
 */
export async function probeBackends(): Promise<BackendAvailability[]> {
  const [gpu, webgpu, native] = await Promise.all([
    probeNative('@tensorflow/tfjs-node-gpu', 'tensorflow-gpu', 'TensorFlow GPU (tfjs-node-gpu)'),
    probeWebGpu(),
    probeNative('@tensorflow/tfjs-node', 'tensorflow', 'TensorFlow CPU (tfjs-node)'),
  ]);
  const wasmPkg = packageJsonPath('@tensorflow/tfjs-backend-wasm');
  const wasmFile = wasmPkg ? join(dirname(wasmPkg), 'dist', 'tfjs-backend-wasm-simd.wasm') : null;
  const wasm: BackendAvailability = wasmFile && existsSync(wasmFile)
    ? { name: 'wasm', label: 'WebAssembly (tfjs-backend-wasm)', available: true, detail: 'XNNPACK with SIMD, single thread' }
    : { name: 'wasm', label: 'WebAssembly (tfjs-backend-wasm)', available: false, detail: '@tensorflow/tfjs-backend-wasm or its .wasm files are missing' };
  const cpu: BackendAvailability = { name: 'cpu', label: 'Plain JavaScript (tfjs cpu)', available: true, detail: 'always available; slow' };
  return [gpu, webgpu, native, wasm, cpu];
}
