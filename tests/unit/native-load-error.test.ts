/** The CUDA rung says what is missing, not the dynamic loader's bare message. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { explainNativeLoadError } from '../../main/training/native-load-error';

const GPU = '@tensorflow/tfjs-node-gpu';

test('a missing CUDA 11 runtime or cuDNN 8 is named with the version tfjs-node-gpu needs and the rungs that work', () => {
  const cudart = explainNativeLoadError(GPU, 'libcudart.so.11.0: cannot open shared object file: No such file or directory');
  assert.match(cudart, /CUDA 11 runtime.*CUDA 11\.2.*CUDA 12 does not provide it/);
  assert.match(cudart, /WebGPU/);
  assert.match(explainNativeLoadError(GPU, 'Could not load dynamic library libcudnn.so.8'), /cuDNN 8.*8\.1/);
  assert.match(explainNativeLoadError(GPU, 'libcuda.so.1: cannot open shared object file'), /NVIDIA driver/);
  assert.match(explainNativeLoadError(GPU, 'failed call to cuInit: CUDA_ERROR_NO_DEVICE'), /no CUDA GPU/);
  assert.match(explainNativeLoadError('@tensorflow/tfjs-node', "version `GLIBCXX_3.4.29' not found"), /newer C library/);
  assert.equal(explainNativeLoadError(GPU, 'something else\nstack'), `${GPU} failed to load: something else`);
});
