/**
 * BatchMatMul for the wasm backend, wrapping the stock kernel so that transposed 2-D products also
 * run on XNNPACK. The stock kernel only uses XNNPACK for A·B with batch 1; Aᵀ·B and A·Bᵀ (which
 * every Dense layer's backward pass issues: dx = dy·Wᵀ, dW = xᵀ·dy) fall to a naive loop about
 * 10× slower. Formulation: materialise the transposed operand with a blocked JS transpose
 * (O(size), cheap next to the O(M·K·N) product), then call the stock kernel untransposed.
 *
 * Batched products (batch > 1 on either side) are passed to the stock kernel unchanged.
 */
import type * as tf from '@tensorflow/tfjs';
import { transposed } from './matmul';
import { asWasmBackend, release, withShape, type WasmKernelFunc } from './wasm-backend';

export const BATCH_MAT_MUL = 'BatchMatMul';

interface Attrs { transposeA: boolean; transposeB: boolean }

const batchOf = (shape: number[]): number => shape.slice(0, -2).reduce((a, d) => a * d, 1);

/** Builds the replacement kernel around the stock one (captured when the kernels are registered). */
export function makeBatchMatMul(stock: WasmKernelFunc) {
  return function batchMatMul(args: { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap }): tf.TensorInfo {
    const backend = asWasmBackend(args.backend);
    const { a, b } = args.inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
    const { transposeA, transposeB } = args.attrs as unknown as Attrs;
    if ((!transposeA && !transposeB) || a.shape.length < 2 || b.shape.length < 2 ||
        batchOf(a.shape) !== 1 || batchOf(b.shape) !== 1 || a.dtype !== 'float32' || b.dtype !== 'float32') {
      return stock({ inputs: args.inputs, backend, attrs: args.attrs });
    }
    const [ar, ac] = a.shape.slice(-2);
    const [br, bc] = b.shape.slice(-2);
    const temps: tf.TensorInfo[] = [];
    let a2 = withShape(a, [1, ar, ac]);
    let b2 = withShape(b, [1, br, bc]);
    if (transposeA) { const t = transposed(backend, a, ar, ac); temps.push(t); a2 = withShape(t, [1, ac, ar]); }
    if (transposeB) { const t = transposed(backend, b, br, bc); temps.push(t); b2 = withShape(t, [1, bc, br]); }
    try {
      const out = stock({ inputs: { a: a2, b: b2 }, backend, attrs: { transposeA: false, transposeB: false } });
      // Keep the stock kernel's output rank: the broadcast batch dims (all 1) followed by [M, N].
      const rank = Math.max(a.shape.length, b.shape.length);
      return withShape(out, [...new Array<number>(rank - 2).fill(1), out.shape[1], out.shape[2]]);
    } finally {
      release(backend, ...temps);
    }
  };
}
