/**
 * The gradient of LeakyRelu in one pass on the wasm backend. tfjs's gradient is
 * where(greater(x, 0), dy, mul(dy, alpha)): three kernels and two intermediates over every
 * activation (about a tenth of a nanodet-m fine-tuning step). Here it is one kernel,
 * LEAKY_RELU_GRAD, whose band loop runs ./simd-wat's leakyReluGrad where the SIMD loops are
 * installed, else the same arithmetic in JavaScript; both give tfjs's bits (dy·alpha is one
 * float32 product either way, alpha rounded to float32 as tfjs's scalar tensor is).
 *
 * `leakyReluGradConfig(stock)` is the gradient registered for LeakyRelu while the training kernels
 * are: the one kernel on the wasm backend with the SIMD loops installed (4.8M values: 3.3 ms against
 * about 25 for tfjs's three kernels), the stock gradient otherwise (the JavaScript loop is no
 * faster than tfjs's kernels: it is the reference for the SIMD one and the fallback of the kernel).
 */
import * as tf from '@tensorflow/tfjs';
import { runBands } from './bands';
import { simdKernels } from './simd-kernels';
import { asWasmBackend, heapF32 } from './wasm-backend';

export const LEAKY_RELU_GRAD = 'DetectaLeakyReluGrad';

/** Elements per band. */
const BAND_ELEMENTS = 1 << 16;

/** Band loop. args: dy, x, out byte offsets; element count, alpha (as float32), elements per band, SIMD (1) or not. */
export function leakyReluGradBand(heap: ArrayBufferLike, a: ArrayLike<number>, band: number): void {
  const n = a[3], alpha = a[4], per = a[5];
  const i0 = band * per;
  const i1 = Math.min(n, i0 + per);
  if (a[6] === 1) {
    const simd = (globalThis as { __detectaWasmSimdKernels?: { leakyReluGrad(...args: number[]): void } }).__detectaWasmSimdKernels;
    if (!simd) throw new Error('LeakyRelu gradient: a SIMD job reached a thread without the SIMD loops');
    simd.leakyReluGrad(a[0] + i0 * 4, a[1] + i0 * 4, a[2] + i0 * 4, i1 - i0, alpha);
    return;
  }
  const dy = new Float32Array(heap, a[0], n);
  const x = new Float32Array(heap, a[1], n);
  const out = new Float32Array(heap, a[2], n);
  for (let i = i0; i < i1; i++) out[i] = x[i]! > 0 ? dy[i]! : dy[i]! * alpha;
}

export function leakyReluGrad(args: { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap }): tf.TensorInfo {
  const backend = asWasmBackend(args.backend);
  const { dy, x } = args.inputs as { dy: tf.TensorInfo; x: tf.TensorInfo };
  const { alpha } = args.attrs as unknown as { alpha: number };
  if (dy.dtype !== 'float32' || x.dtype !== 'float32') throw new Error(`${LEAKY_RELU_GRAD}: float32 only, got dy ${dy.dtype}, x ${x.dtype}`);
  if (!tf.util.arraysEqual(dy.shape, x.shape)) throw new Error(`${LEAKY_RELU_GRAD}: dy [${dy.shape}] and x [${x.shape}] differ`);
  const out = backend.makeOutput([...x.shape], 'float32');
  const n = tf.util.sizeFromShape(x.shape);
  if (n === 0) return out;
  const xs = heapF32(backend, x);
  runBands(leakyReluGradBand, xs.buffer, [heapF32(backend, dy).byteOffset, xs.byteOffset, heapF32(backend, out).byteOffset, n, Math.fround(alpha), BAND_ELEMENTS, simdKernels() ? 1 : 0], Math.ceil(n / BAND_ELEMENTS));
  return out;
}

/** LeakyRelu's gradient: the one kernel on wasm with the SIMD loops, `stock` (tfjs's own) otherwise. */
export function leakyReluGradConfig(stock: tf.GradConfig): tf.GradConfig {
  return {
    kernelName: 'LeakyRelu',
    inputsToSave: ['x'],
    gradFunc: (dy, saved, attrs) => {
      if (tf.getBackend() !== 'wasm' || !simdKernels() || tf.getKernel(LEAKY_RELU_GRAD, 'wasm') == null || (dy as tf.Tensor).dtype !== 'float32') return stock.gradFunc(dy, saved, attrs);
      const [x] = saved as tf.Tensor[];
      return { x: () => tf.engine().runKernel(LEAKY_RELU_GRAD, { dy: dy as tf.Tensor, x: x! }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor };
    },
  };
}
