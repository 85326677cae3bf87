/**
 * One Adam update of one weight in one pass on the wasm backend: ADAM_UPDATE takes the weight, its
 * two moments and its gradient and returns the new weight and moments. tfjs's AdamOptimizer does
 * the same with twelve kernels per weight (three of them over the moments' full size, plus the
 * assigns): about 700 kernels a step when the mobilenet preset is fine-tuned, most of them on
 * small tensors where each kernel's fixed cost dominates.
 *
 * The arithmetic is tfjs's, operation by operation in float32 (each JavaScript result rounded with
 * Math.fround, which for + − × ÷ √ equals the float32 operation), so the new values are
 * bit-identical to tf.train.adam's:
 *   g  = grad · scale                      (only when scale ≠ 1: global-norm clipping)
 *   m' = m·β1 + g·(1 − β1)
 *   v' = v·β2 + g²·(1 − β2)
 *   w' = (m' / (1 − β1ᵗ)) / (√(v' / (1 − β2ᵗ)) + ε) · (−lr) + w
 * with every constant rounded to float32 as tfjs's scalar tensors are. The bias corrections
 * 1 − β1ᵗ and 1 − β2ᵗ come in as scalar tensors (the optimizer keeps β1ᵗ, β2ᵗ on the backend).
 * Bands of elements: results do not depend on the thread count (./bands).
 */
import * as tf from '@tensorflow/tfjs';
import { runBands } from './bands';
import { asWasmBackend, assertFloat32, heapF32 } from './wasm-backend';

export const ADAM_UPDATE = 'DetectaAdamUpdate';

/** Elements per band. */
const BAND_ELEMENTS = 1 << 15;

export interface AdamUpdateAttrs {
  beta1: number;
  beta2: number;
  epsilon: number;
  learningRate: number;
  /** Factor applied to the gradient first (1: none). */
  gradScale: number;
}

/**
 * Band loop. args: byte offsets of value, m, v, grad, new value, new m, new v; element count,
 * elements per band; β1, 1 − β1, β2, 1 − β2, 1 − β1ᵗ, 1 − β2ᵗ, ε, −lr, scale (all float32
 * values), whether to scale (1) or not.
 */
export function adamUpdateBand(heap: ArrayBufferLike, a: ArrayLike<number>, band: number): void {
  const n = a[7], per = a[8];
  const i0 = band * per;
  const i1 = Math.min(n, i0 + per);
  const w = new Float32Array(heap, a[0], n), m = new Float32Array(heap, a[1], n), v = new Float32Array(heap, a[2], n), grad = new Float32Array(heap, a[3], n);
  const w2 = new Float32Array(heap, a[4], n), m2 = new Float32Array(heap, a[5], n), v2 = new Float32Array(heap, a[6], n);
  const b1 = a[9], c1 = a[10], b2 = a[11], c2 = a[12], k1 = a[13], k2 = a[14], eps = a[15], negLr = a[16], scale = a[17], scaled = a[18] === 1;
  const f = Math.fround;
  for (let i = i0; i < i1; i++) {
    const g = scaled ? f(grad[i]! * scale) : grad[i]!;
    const mi = f(f(m[i]! * b1) + f(g * c1));
    const vi = f(f(v[i]! * b2) + f(f(g * g) * c2));
    m2[i] = mi;
    v2[i] = vi;
    const den = f(f(Math.sqrt(f(vi / k2))) + eps);
    w2[i] = f(f(f(f(mi / k1) / den) * negLr) + w[i]!);
  }
}

export function adamUpdate(args: { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap }): tf.TensorInfo[] {
  const backend = asWasmBackend(args.backend);
  const { value, m, v, grad, oneMinusAccBeta1, oneMinusAccBeta2 } = args.inputs as Record<'value' | 'm' | 'v' | 'grad' | 'oneMinusAccBeta1' | 'oneMinusAccBeta2', tf.TensorInfo>;
  const { beta1, beta2, epsilon, learningRate, gradScale } = args.attrs as unknown as AdamUpdateAttrs;
  assertFloat32(ADAM_UPDATE, value, m, v, grad, oneMinusAccBeta1, oneMinusAccBeta2);
  for (const [name, t] of [['m', m], ['v', v], ['grad', grad]] as const) {
    if (!tf.util.arraysEqual(t.shape, value.shape)) throw new Error(`${ADAM_UPDATE}: ${name} [${t.shape}] does not match the weight [${value.shape}]`);
  }
  const outs = [value, m, v].map(() => backend.makeOutput([...value.shape], 'float32'));
  const n = tf.util.sizeFromShape(value.shape);
  if (n === 0) return outs;
  const k1 = heapF32(backend, oneMinusAccBeta1)[0]!;
  const k2 = heapF32(backend, oneMinusAccBeta2)[0]!;
  const f = Math.fround;
  const views = [value, m, v, grad, ...outs].map((t) => heapF32(backend, t));
  runBands(adamUpdateBand, views[0]!.buffer, [
    ...views.map((x) => x.byteOffset), n, BAND_ELEMENTS,
    f(beta1), f(1 - beta1), f(beta2), f(1 - beta2), k1, k2, f(epsilon), f(-learningRate), f(gradScale), gradScale === 1 ? 0 : 1,
  ], Math.ceil(n / BAND_ELEMENTS));
  return outs;
}
