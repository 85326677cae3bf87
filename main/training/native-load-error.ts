/**
 * Why a native TensorFlow backend did not load, in words a user can act on. tfjs-node-gpu is
 * built against CUDA 11.2 and cuDNN 8.1: with CUDA 12, no driver or no GPU it fails with the
 * dynamic loader's bare message ("libcudart.so.11.0: cannot open shared object file"), which
 * says nothing about what to install or which other rung works.
 */
const CUDA_LIBRARIES: readonly { pattern: RegExp; what: string }[] = [
  { pattern: /libcudart\.so\.11\.0|cudart64_110\.dll/, what: 'the CUDA 11 runtime (libcudart.so.11.0; tfjs-node-gpu needs CUDA 11.2, CUDA 12 does not provide it)' },
  { pattern: /libcudnn\.so\.8|cudnn64_8\.dll/, what: 'cuDNN 8 (libcudnn.so.8; tfjs-node-gpu needs cuDNN 8.1)' },
  { pattern: /libcublas(Lt)?\.so\.11|cublas64_11\.dll/, what: 'cuBLAS from CUDA 11 (libcublas.so.11)' },
  { pattern: /libcuda\.so\.1|nvcuda\.dll/, what: 'the NVIDIA driver (libcuda.so.1)' },
];

export function explainNativeLoadError(pkg: string, message: string): string {
  const missing = CUDA_LIBRARIES.find((l) => l.pattern.test(message));
  if (missing) return `${pkg} cannot load: ${missing.what} is missing. Install it, or train on WebGPU (any GPU, no CUDA) or the CPU backends. (${message.split('\n')[0]})`;
  if (/no CUDA-capable device|CUDA_ERROR_NO_DEVICE/i.test(message)) return `${pkg} loaded but found no CUDA GPU: train on WebGPU or the CPU backends`;
  if (/GLIBC_|version `GLIBCXX/.test(message)) return `${pkg} cannot load: its libtensorflow needs a newer C library than this system has (${message.split('\n')[0]})`;
  return `${pkg} failed to load: ${message.split('\n')[0]}`;
}
