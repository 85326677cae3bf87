/**
 * Elementwise kernels for the wasm backend, replacing stock ones that are slow where training
 * leans on them:
 *  - Minimum, Maximum and the comparisons (Greater, GreaterEqual, Less, LessEqual) go through the
 *    stock backend's generic broadcasting C++ loop, about 9 ms for a 1.6 M-element activation
 *    here, where an XNNPACK unary op takes 0.2 ms. Keras's relu6 is `minimum(6, relu(x))` and its
 *    gradient `greater(6, relu(x))`, so on the mobilenet presets these two were a fifth of a step;
 *    LeakyReLU's gradient (NanoDet) is a Greater and a Select.
 *  - Identity copies its input (733 times in a nanodet-m step); here it shares it.
 *  - Cast to float32 (of a bool mask, in every ReLU-family gradient) copies with `TypedArray.set`
 *    on one thread; Select and LeakyRelu are single-threaded C++ loops.
 * Each runs as a plain loop over the wasm heap, in bands of BAND_ELEMENTS elements (./bands), so on
 * the kernel threads in Node's threaded build. An element's value does not depend on its band, so
 * results are bit-identical on any thread count, and equal to tfjs's cpu kernels.
 *
 * (XNNPACK's clamp would do min/max with a number 20× faster, but it turns NaN into the bound.)
 *
 * Supported: float32 operands (Cast: bool or int32 to float32; Select: float32 or int32 values with
 * a condition of the values' shape) where both operands have the same shape or one is a single
 * element. Every other case goes to the stock kernel, unchanged.
 */
import type * as tf from '@tensorflow/tfjs';
import { runBands } from './bands';
import { asWasmBackend, type WasmKernelFunc } from './wasm-backend';

/** Elements per band: 128 KiB of float32, enough to pay for handing a band to another thread. */
export const BAND_ELEMENTS = 1 << 15;

/** Binary ops by code, in the order of the band loop's switch. */
export const BINARY_OPS = ['Minimum', 'Maximum', 'Greater', 'GreaterEqual', 'Less', 'LessEqual'] as const;
export type BinaryOp = (typeof BINARY_OPS)[number];

type KernelArgs = { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap };

const size = (shape: readonly number[]) => shape.reduce((a, d) => a * d, 1);
const bandsOf = (n: number) => Math.ceil(n / BAND_ELEMENTS);

/**
 * Band loop. args: op code (BINARY_OPS), a, b, out byte offsets, n, a step (0: a single element, 1:
 * n elements), b step, elements per band. Min/Max write float32 exactly as Math.min / Math.max
 * (NaN if either is NaN; −0 below +0), comparisons write bool bytes.
 *
 * Branch-free on purpose: activations have random signs, and a data-dependent branch per element
 * (or Math.min, which branches on NaN) costs about 6 ns here against 1 ns. A comparison becomes a
 * number with `+(x < y)`, and the chosen operand's bits are picked with a mask.
 */
export function binaryBand(heap: ArrayBufferLike, a: ArrayLike<number>, band: number): void {
  const op = a[0], n = a[4], aStep = a[5], bStep = a[6], per = a[7];
  const lo = band * per;
  const hi = Math.min(n, lo + per);
  const na = aStep === 0 ? 1 : n;
  const nb = bStep === 0 ? 1 : n;
  const A = new Float32Array(heap, a[1], na);
  const B = new Float32Array(heap, a[2], nb);
  let ai = lo * aStep;
  let bi = lo * bStep;
  if (op <= 1) {
    const Ab = new Int32Array(heap, a[1], na);
    const Bb = new Int32Array(heap, a[2], nb);
    const out = new Int32Array(heap, a[3], n);
    // a when it is NaN or strictly on the wanted side of b, else b (NaN included); of equal values
    // the bits OR-ed for min (−0 wins, as Math.min) and AND-ed for max (+0 wins). Min and max are
    // symmetric in value, so a single number is always the loop's y, read once.
    const sign = op === 0 ? 1 : -1;
    const orMask = op === 0 ? -1 : 0;
    if (aStep === 0 && n > 1) {
      const y = A[0] * sign, yb = Ab[0];
      for (let i = lo; i < hi; i++) {
        const x = B[i] * sign, xb = Bb[i];
        const r = yb ^ ((xb ^ yb) & -(+(x < y) | +(x !== x)));
        out[i] = r ^ ((r ^ (((xb | yb) & orMask) | ((xb & yb) & ~orMask))) & -+(x === y));
      }
      return;
    }
    if (bStep === 0 && n > 1) {
      const y = B[0] * sign, yb = Bb[0];
      for (let i = lo; i < hi; i++) {
        const x = A[i] * sign, xb = Ab[i];
        const r = yb ^ ((xb ^ yb) & -(+(x < y) | +(x !== x)));
        out[i] = r ^ ((r ^ (((xb | yb) & orMask) | ((xb & yb) & ~orMask))) & -+(x === y));
      }
      return;
    }
    for (let i = lo; i < hi; i++) {
      const x = A[i] * sign, y = B[i] * sign, xb = Ab[i], yb = Bb[i];
      const r = yb ^ ((xb ^ yb) & -(+(x < y) | +(x !== x)));
      out[i] = r ^ ((r ^ (((xb | yb) & orMask) | ((xb & yb) & ~orMask))) & -+(x === y));
    }
    return;
  }
  const out = new Uint8Array(heap, a[3], n);
  switch (op) {
    case 2: for (let i = lo; i < hi; i++, ai += aStep, bi += bStep) out[i] = +(A[ai] > B[bi]); break;
    case 3: for (let i = lo; i < hi; i++, ai += aStep, bi += bStep) out[i] = +(A[ai] >= B[bi]); break;
    case 4: for (let i = lo; i < hi; i++, ai += aStep, bi += bStep) out[i] = +(A[ai] < B[bi]); break;
    default: for (let i = lo; i < hi; i++, ai += aStep, bi += bStep) out[i] = +(A[ai] <= B[bi]); break;
  }
}

/** Band loop. args: condition (bool bytes, 0 or 1), t, e, out byte offsets (4-byte elements, copied as bits), n, elements per band. Branch-free (a mask). */
export function selectBand(heap: ArrayBufferLike, a: ArrayLike<number>, band: number): void {
  const n = a[4], per = a[5];
  const lo = band * per;
  const hi = Math.min(n, lo + per);
  const cond = new Uint8Array(heap, a[0], n);
  const t = new Int32Array(heap, a[1], n);
  const e = new Int32Array(heap, a[2], n);
  const out = new Int32Array(heap, a[3], n);
  for (let i = lo; i < hi; i++) {
    const ev = e[i];
    out[i] = ev ^ ((t[i] ^ ev) & -cond[i]);
  }
}

/** Band loop. args: source, out byte offsets, n, elements per band, source kind (0: bool bytes, 1: int32). */
export function castToFloatBand(heap: ArrayBufferLike, a: ArrayLike<number>, band: number): void {
  const n = a[2], per = a[3];
  const lo = band * per;
  const hi = Math.min(n, lo + per);
  const src = a[4] === 0 ? new Uint8Array(heap, a[0], n) : new Int32Array(heap, a[0], n);
  const out = new Float32Array(heap, a[1], n);
  for (let i = lo; i < hi; i++) out[i] = src[i];
}

/** Band loop. args: x, out byte offsets, n, elements per band, alpha (already rounded to float32). Branch-free: the factor comes from a two-entry table. */
export function leakyReluBand(heap: ArrayBufferLike, a: ArrayLike<number>, band: number): void {
  const n = a[2], per = a[3];
  const lo = band * per;
  const hi = Math.min(n, lo + per);
  const x = new Float32Array(heap, a[0], n);
  const out = new Float32Array(heap, a[1], n);
  const factor = new Float64Array([1, a[4]]);
  for (let i = lo; i < hi; i++) {
    const v = x[i];
    out[i] = v * factor[+(v < 0)];
  }
}

/** Minimum, Maximum or a comparison: ours when both are float32 and the shapes match or one side is a single element. */
export function makeBinary(op: BinaryOp, stock: WasmKernelFunc) {
  const code = BINARY_OPS.indexOf(op);
  return function binary(args: KernelArgs): tf.TensorInfo {
    const backend = asWasmBackend(args.backend);
    const { a, b } = args.inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
    const na = size(a.shape);
    const nb = size(b.shape);
    const sameShape = a.shape.length === b.shape.length && a.shape.every((d, i) => d === b.shape[i]);
    const n = Math.max(na, nb);
    if (a.dtype !== 'float32' || b.dtype !== 'float32' || !(sameShape || (na === 1 && b.shape.length >= a.shape.length) || (nb === 1 && a.shape.length >= b.shape.length))) {
      return stock({ inputs: args.inputs, backend, attrs: args.attrs });
    }
    const shape = sameShape || nb === 1 ? a.shape : b.shape;
    const out = backend.makeOutput([...shape], code <= 1 ? 'float32' : 'bool');
    if (n === 0) return out;
    const av = backend.typedArrayFromHeap(a);
    const bandArgs = [code, av.byteOffset, backend.typedArrayFromHeap(b).byteOffset, backend.typedArrayFromHeap(out).byteOffset, n, na === 1 && n > 1 ? 0 : 1, nb === 1 && n > 1 ? 0 : 1, BAND_ELEMENTS];
    runBands(binaryBand, av.buffer, bandArgs, bandsOf(n));
    return out;
  };
}

/** Select with a condition of the values' shape and 4-byte values; ours, else stock (row conditions). */
export function makeSelect(stock: WasmKernelFunc) {
  return function select(args: KernelArgs): tf.TensorInfo {
    const backend = asWasmBackend(args.backend);
    const { condition, t, e } = args.inputs as { condition: tf.TensorInfo; t: tf.TensorInfo; e: tf.TensorInfo };
    const n = size(t.shape);
    if (condition.dtype !== 'bool' || (t.dtype !== 'float32' && t.dtype !== 'int32') || e.dtype !== t.dtype || size(condition.shape) !== n || size(e.shape) !== n) {
      return stock({ inputs: args.inputs, backend, attrs: args.attrs });
    }
    const out = backend.makeOutput([...t.shape], t.dtype);
    if (n === 0) return out;
    const c = backend.typedArrayFromHeap(condition);
    const bandArgs = [c.byteOffset, backend.typedArrayFromHeap(t).byteOffset, backend.typedArrayFromHeap(e).byteOffset, backend.typedArrayFromHeap(out).byteOffset, n, BAND_ELEMENTS];
    runBands(selectBand, c.buffer, bandArgs, bandsOf(n));
    return out;
  };
}

/** Cast of bool or int32 to float32; ours, else stock. */
export function makeCast(stock: WasmKernelFunc) {
  return function cast(args: KernelArgs): tf.TensorInfo {
    const backend = asWasmBackend(args.backend);
    const { x } = args.inputs as { x: tf.TensorInfo };
    const { dtype } = args.attrs as unknown as { dtype: tf.DataType };
    if (dtype !== 'float32' || (x.dtype !== 'bool' && x.dtype !== 'int32')) return stock({ inputs: args.inputs, backend, attrs: args.attrs });
    const n = size(x.shape);
    const out = backend.makeOutput([...x.shape], 'float32');
    if (n === 0) return out;
    const src = backend.typedArrayFromHeap(x);
    runBands(castToFloatBand, src.buffer, [src.byteOffset, backend.typedArrayFromHeap(out).byteOffset, n, BAND_ELEMENTS, x.dtype === 'bool' ? 0 : 1], bandsOf(n));
    return out;
  };
}

/** LeakyRelu of float32; ours, else stock. */
export function makeLeakyRelu(stock: WasmKernelFunc) {
  return function leakyRelu(args: KernelArgs): tf.TensorInfo {
    const backend = asWasmBackend(args.backend);
    const { x } = args.inputs as { x: tf.TensorInfo };
    const { alpha } = args.attrs as unknown as { alpha: number };
    if (x.dtype !== 'float32') return stock({ inputs: args.inputs, backend, attrs: args.attrs });
    const n = size(x.shape);
    const out = backend.makeOutput([...x.shape], 'float32');
    if (n === 0) return out;
    const xv = backend.typedArrayFromHeap(x);
    runBands(leakyReluBand, xv.buffer, [xv.byteOffset, backend.typedArrayFromHeap(out).byteOffset, n, BAND_ELEMENTS, Math.fround(alpha)], bandsOf(n));
    return out;
  };
}

/**
 * Identity without a copy: the output shares the input's memory, counted (as the cpu backend and
 * the wasm backend's own Reshape do); no wasm kernel writes into its inputs. Strings go to stock.
 */
export function makeIdentity(stock: WasmKernelFunc) {
  return function identity(args: KernelArgs): tf.TensorInfo {
    const backend = asWasmBackend(args.backend);
    const { x } = args.inputs as { x: tf.TensorInfo };
    if (x.dtype === 'string') return stock({ inputs: args.inputs, backend, attrs: args.attrs });
    backend.incRef(x.dataId);
    return { dataId: x.dataId, shape: [...x.shape], dtype: x.dtype };
  };
}
