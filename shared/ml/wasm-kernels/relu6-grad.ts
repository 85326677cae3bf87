/**
 * The gradient of ReLU6 in one pass on the wasm backend, from the activation's output y:
 * dx = dy · (0 < y < 6 ? 1 : 0). As tf ops it is mul(dy, mul(step(y), step(6 − y))): five kernels
 * and four intermediates over every activation, about a tenth of a mobilenet fine-tuning step.
 * RELU6_GRAD's band loop runs ./simd-wat's relu6Grad where the SIMD loops are installed, else the
 * same arithmetic in JavaScript; both give the bits of the five kernels (dy·1 and dy·0, so −0 for a
 * negative dy where the gradient is zero).
 *
 * `relu6Gradient` is the gradient both ReLU6 paths use: ../train/fused-conv-layers (ReLU6 fused into
 * a convolution) and ../backbone/relu6 (the activation on its own).
 */
import * as tf from '@tensorflow/tfjs';
import { runBands } from './bands';
import { simdKernels } from './simd-kernels';
import { asWasmBackend, assertFloat32, heapF32 } from './wasm-backend';

export const RELU6_GRAD = 'DetectaRelu6Grad';

/** Elements per band. */
const BAND_ELEMENTS = 1 << 16;

/** Band loop. args: dy, y, out byte offsets; element count, elements per band, SIMD (1) or not. */
export function relu6GradBand(heap: ArrayBufferLike, a: ArrayLike<number>, band: number): void {
  const n = a[3], per = a[4];
  const i0 = band * per;
  const i1 = Math.min(n, i0 + per);
  if (a[5] === 1) {
    const simd = (globalThis as { __detectaWasmSimdKernels?: { relu6Grad(...args: number[]): void } }).__detectaWasmSimdKernels;
    if (!simd) throw new Error('ReLU6 gradient: a SIMD job reached a thread without the SIMD loops');
    simd.relu6Grad(a[0] + i0 * 4, a[1] + i0 * 4, a[2] + i0 * 4, i1 - i0);
    return;
  }
  const dy = new Float32Array(heap, a[0], n);
  const y = new Float32Array(heap, a[1], n);
  const out = new Float32Array(heap, a[2], n);
  for (let i = i0; i < i1; i++) out[i] = dy[i]! * (y[i]! > 0 && y[i]! < 6 ? 1 : 0);
}

export function relu6Grad(args: { inputs: tf.NamedTensorInfoMap; backend: unknown }): tf.TensorInfo {
  const backend = asWasmBackend(args.backend);
  const { dy, y } = args.inputs as { dy: tf.TensorInfo; y: tf.TensorInfo };
  assertFloat32(RELU6_GRAD, dy, y);
  if (!tf.util.arraysEqual(dy.shape, y.shape)) throw new Error(`${RELU6_GRAD}: dy [${dy.shape}] and y [${y.shape}] differ`);
  const out = backend.makeOutput([...y.shape], 'float32');
  const n = tf.util.sizeFromShape(y.shape);
  if (n === 0) return out;
  const ys = heapF32(backend, y);
  runBands(relu6GradBand, ys.buffer, [heapF32(backend, dy).byteOffset, ys.byteOffset, heapF32(backend, out).byteOffset, n, BAND_ELEMENTS, simdKernels() ? 1 : 0], Math.ceil(n / BAND_ELEMENTS));
  return out;
}

/** dy · (0 < y < 6 ? 1 : 0) from ReLU6's output y: RELU6_GRAD where the backend has it, else the five tf ops (the same bits). */
export function relu6Gradient(dy: tf.Tensor, y: tf.Tensor): tf.Tensor {
  if (tf.getKernel(RELU6_GRAD, tf.getBackend()) != null && dy.dtype === 'float32' && y.dtype === 'float32') return tf.engine().runKernel(RELU6_GRAD, { dy, y }) as tf.Tensor;
  return tf.mul(dy, tf.mul(tf.step(y), tf.step(tf.sub(6, y))));
}
