// The cpu backend's kernel fixes (main/training/cpu-kernels): ResizeNearestNeighborGrad, which
// UpSampling2D (the mobilenet-fpn head's top-down path) trains through. The reference gradient is
// independent of the kernel: the forward resize of an image of pixel indices says which input
// pixel each output pixel copies, and the gradient of that gather (a segment sum) is the answer.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { registerCpuTrainingKernels, unregisterCpuTrainingKernels } from '../../main/training/cpu-kernels/index';

function rand(n: number, seed: number): Float32Array {
  let s = seed >>> 0 || 1;
  return Float32Array.from({ length: n }, () => { s = (s * 1_664_525 + 1_013_904_223) >>> 0; return s / 2 ** 31 - 1; });
}

/** d Σ(resize(x) · dy) / dx through a gather whose indices come from the forward resize itself. */
function referenceGrad(shape: [number, number, number, number], out: [number, number], alignCorners: boolean, dy: tf.Tensor4D): tf.Tensor {
  const [B, H, W, C] = shape;
  const index = tf.image.resizeNearestNeighbor(tf.range(0, H * W, 1, 'float32').reshape([1, H, W, 1]) as tf.Tensor4D, out, alignCorners);
  const idx = index.reshape([out[0] * out[1]]).cast('int32');
  const x = tf.zeros(shape);
  return tf.grad((v: tf.Tensor) => tf.gather(v.reshape([B, H * W, C]), idx, 1).reshape([B, out[0], out[1], C]).mul(dy).sum())(x);
}

test('cpu ResizeNearestNeighborGrad: every image of a batch gets its own gradient (upsampling ×2 and odd sizes, alignCorners on and off)', async () => {
  await tf.setBackend('cpu');
  registerCpuTrainingKernels();
  try {
    for (const [shape, out, alignCorners] of [
      [[3, 4, 4, 5], [8, 8], false],
      [[2, 3, 5, 2], [7, 9], false],
      [[2, 3, 5, 2], [7, 9], true],
      [[1, 6, 6, 3], [3, 4], false],
    ] as Array<[[number, number, number, number], [number, number], boolean]>) {
      const dy = tf.tensor4d(rand(shape[0] * out[0] * out[1] * shape[3], 7), [shape[0], out[0], out[1], shape[3]]);
      const x = tf.zeros(shape);
      const got = (await tf.grad((v: tf.Tensor) => tf.image.resizeNearestNeighbor(v as tf.Tensor4D, out, alignCorners).mul(dy).sum())(x).data()) as Float32Array;
      const want = (await referenceGrad(shape, out, alignCorners, dy).data()) as Float32Array;
      const worst = got.reduce((m, v, i) => Math.max(m, Math.abs(v - want[i]!)), 0);
      assert.ok(worst < 1e-5, `${JSON.stringify(shape)} → ${out.join('×')} alignCorners ${alignCorners}: gradient differs by ${worst}`);
    }
  } finally {
    unregisterCpuTrainingKernels();
  }
});
