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
 *    on one thread; Select is a single-threaded C++ loop.
 *  - LeakyRelu (stock: a C++ loop, 15 ms for a [1, 416, 416, 16] activation) runs as XNNPACK's PReLU.
 * The others run as a plain loop over the wasm heap, in bands of BAND_ELEMENTS elements (./bands), so on
 * the kernel threads in Node's threaded build. An element's value does not depend on its band, so
 * results are bit-identical on any thread count, and equal to tfjs's cpu kernels.
 *
 * (XNNPACK's clamp would do min/max with a number 20× faster, but it turns NaN into the bound.)
 *
 * Supported: float32 operands of any broadcastable shapes whose output has rank ≤ 4 once trailing
 * dims are merged (the YOLO loss's IoU of [16, 245, 1, 2] against [16, 1, 50, 2] took 56 ms per
 * Minimum on the stock kernel); Cast: bool or int32 to float32; Select: float32 or int32 values
 * with a condition of the values' shape. Every other case goes to the stock kernel, unchanged.
 */
import * as tf from '@tensorflow/tfjs';
import { runBands } from './bands';
import { asWasmBackend, heapF32, release, wasmKernel, type BackendWasm, type WasmKernelFunc } from './wasm-backend';

/** Elements per band: 128 KiB of float32, enough to pay for handing a band to another thread. */
export const BAND_ELEMENTS = 1 << 15;

/** Binary ops by code, in the order of the band loop's switch. */
export const BINARY_OPS = ['Minimum', 'Maximum', 'Greater', 'GreaterEqual', 'Less', 'LessEqual'] as const;
export type BinaryOp = (typeof BINARY_OPS)[number];

type KernelArgs = { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap };

const size = tf.util.sizeFromShape;
const bandsOf = (n: number) => Math.ceil(n / BAND_ELEMENTS);

/**
 * Band loop. args: op code (BINARY_OPS), a, b, out byte offsets, n (output elements); the output's
 * dims D0..D3 (rank ≤ 4, leading 1s); a's element strides per output dim (0 where a is broadcast),
 * then b's; elements per band. The band's range of the flat output runs as segments of the
 * innermost dim, each one loop with a and b advancing by their innermost stride.
 *
 * Min/Max write float32 exactly as Math.min / Math.max (NaN if either is NaN; −0 below +0):
 * a when it is NaN or strictly on the wanted side of b, else b (NaN included), and of equal
 * values the bits OR-ed for min, AND-ed for max. Comparisons write bool bytes.
 *
 * Branch-free on purpose: activations have random signs, and a data-dependent branch per element
 * (or Math.min, which branches on NaN) costs about 6 ns here against 1 ns. A comparison becomes a
 * number with `+(x < y)`, and the chosen operand's bits are picked with a mask.
 */
export function binaryBand(heap: ArrayBufferLike, a: ArrayLike<number>, band: number): void {
  const op = a[0], n = a[4];
  const D1 = a[6], D2 = a[7], D3 = a[8];
  const as0 = a[9], as1 = a[10], as2 = a[11], as3 = a[12];
  const bs0 = a[13], bs1 = a[14], bs2 = a[15], bs3 = a[16];
  const per = a[17];
  const lo = band * per;
  const hi = Math.min(n, lo + per);
  const aLen = (a[5] - 1) * as0 + (D1 - 1) * as1 + (D2 - 1) * as2 + (D3 - 1) * as3 + 1;
  const bLen = (a[5] - 1) * bs0 + (D1 - 1) * bs1 + (D2 - 1) * bs2 + (D3 - 1) * bs3 + 1;
  const A = new Float32Array(heap, a[1], aLen);
  const B = new Float32Array(heap, a[2], bLen);
  const Ab = new Int32Array(heap, a[1], aLen);
  const Bb = new Int32Array(heap, a[2], bLen);
  const outF = new Int32Array(heap, a[3], op <= 1 ? n : 0);
  const outB = new Uint8Array(heap, a[3], op <= 1 ? 0 : n);
  // min is max of the negated values; the bits of equal values are OR-ed (min) or AND-ed (max)
  const sign = op === 1 ? -1 : 1;
  const orMask = op === 0 ? -1 : 0;
  for (let o = lo; o < hi;) {
    const row = Math.floor(o / D3);
    const e0 = o - row * D3;
    const end = Math.min(hi, o + D3 - e0);
    const k = row % D2;
    const ij = (row - k) / D2;
    const j = ij % D1;
    const i = (ij - j) / D1;
    let ai = i * as0 + j * as1 + k * as2 + e0 * as3;
    let bi = i * bs0 + j * bs1 + k * bs2 + e0 * bs3;
    switch (op) {
      case 0:
      case 1:
        for (let q = o; q < end; q++, ai += as3, bi += bs3) {
          const x = A[ai] * sign, y = B[bi] * sign, xb = Ab[ai], yb = Bb[bi];
          const r = yb ^ ((xb ^ yb) & -(+(x < y) | +(x !== x)));
          outF[q] = r ^ ((r ^ (((xb | yb) & orMask) | (xb & yb & ~orMask))) & -+(x === y));
        }
        break;
      case 2: for (let q = o; q < end; q++, ai += as3, bi += bs3) outB[q] = +(A[ai] > B[bi]); break;
      case 3: for (let q = o; q < end; q++, ai += as3, bi += bs3) outB[q] = +(A[ai] >= B[bi]); break;
      case 4: for (let q = o; q < end; q++, ai += as3, bi += bs3) outB[q] = +(A[ai] < B[bi]); break;
      default: for (let q = o; q < end; q++, ai += as3, bi += bs3) outB[q] = +(A[ai] <= B[bi]); break;
    }
    o = end;
  }
}

/**
 * The broadcast output shape, and for the band loop its dims (rank ≤ 4, leading 1s) and each
 * operand's element strides over them (0 where it is broadcast), with trailing dims merged while
 * both operands stay contiguous across them (same shapes become one dim; a single number has stride
 * 0 everywhere); null above rank 4.
 */
export function broadcastLayout(aShape: readonly number[], bShape: readonly number[]): { shape: number[]; dims: number[]; aStrides: number[]; bStrides: number[] } | null {
  const out = tf.backend_util.assertAndGetBroadcastShape([...aShape], [...bShape]);
  const rank = out.length;
  const strides = (shape: readonly number[]): number[] => {
    const s = new Array<number>(rank).fill(0);
    let step = 1;
    for (let i = shape.length - 1, d = rank - 1; i >= 0; i--, d--) {
      s[d] = shape[i] === 1 ? 0 : step;
      step *= shape[i];
    }
    return s;
  };
  const as = strides(aShape);
  const bs = strides(bShape);
  const dims: number[] = [];
  const aStrides: number[] = [];
  const bStrides: number[] = [];
  for (let d = 0; d < rank; d++) {
    const last = dims.length - 1;
    // merge d into the previous dim when, for each operand, stepping over d then the previous equals one flat step
    if (last >= 0 && aStrides[last] === as[d] * out[d] && bStrides[last] === bs[d] * out[d]) {
      dims[last] *= out[d];
      aStrides[last] = as[d];
      bStrides[last] = bs[d];
      continue;
    }
    dims.push(out[d]);
    aStrides.push(as[d]);
    bStrides.push(bs[d]);
  }
  if (dims.length > 4) return null;
  while (dims.length < 4) { dims.unshift(1); aStrides.unshift(0); bStrides.unshift(0); }
  return { shape: out, dims, aStrides, bStrides };
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

/** Minimum, Maximum or a comparison: ours when both are float32 and broadcastLayout fits them, else stock. */
export function makeBinary(op: BinaryOp, stock: WasmKernelFunc) {
  const code = BINARY_OPS.indexOf(op);
  return function binary(args: KernelArgs): tf.TensorInfo {
    const backend = asWasmBackend(args.backend);
    const { a, b } = args.inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
    const layout = a.dtype === 'float32' && b.dtype === 'float32' ? broadcastLayout(a.shape, b.shape) : null;
    if (!layout) return stock({ inputs: args.inputs, backend, attrs: args.attrs });
    const out = backend.makeOutput(layout.shape, code <= 1 ? 'float32' : 'bool');
    const n = size(layout.shape);
    if (n === 0) return out;
    const av = backend.typedArrayFromHeap(a);
    const bandArgs = [code, av.byteOffset, backend.typedArrayFromHeap(b).byteOffset, backend.typedArrayFromHeap(out).byteOffset, n, ...layout.dims, ...layout.aStrides, ...layout.bStrides, BAND_ELEMENTS];
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

/** Cast of bool or int32 to float32, and to its own dtype without a copy; ours, else stock. */
export function makeCast(stock: WasmKernelFunc) {
  return function cast(args: KernelArgs): tf.TensorInfo {
    const backend = asWasmBackend(args.backend);
    const { x } = args.inputs as { x: tf.TensorInfo };
    const { dtype } = args.attrs as unknown as { dtype: tf.DataType };
    // a cast to its own dtype (the gradient of Identity casts dy to float32) shares the memory, as Identity does
    if (dtype === x.dtype && dtype !== 'string') return sharedOutput(backend, x);
    if (dtype !== 'float32' || (x.dtype !== 'bool' && x.dtype !== 'int32')) return stock({ inputs: args.inputs, backend, attrs: args.attrs });
    const n = size(x.shape);
    const out = backend.makeOutput([...x.shape], 'float32');
    if (n === 0) return out;
    const src = backend.typedArrayFromHeap(x);
    runBands(castToFloatBand, src.buffer, [src.byteOffset, backend.typedArrayFromHeap(out).byteOffset, n, BAND_ELEMENTS, x.dtype === 'bool' ? 0 : 1], bandsOf(n));
    return out;
  };
}

/**
 * LeakyRelu of float32 as XNNPACK's PReLU (the stock Prelu kernel: SIMD, on XNNPACK's threads) with
 * every channel's slope equal to alpha: 0.33 ms for a [1, 416, 416, 16] activation here, against
 * 15 ms for the stock LeakyRelu and 3 ms for a JavaScript loop on two threads. The same product
 * `x < 0 ? alpha·x : x` in float32, so bit-equal to the cpu kernel but for the sign of zero (−0
 * comes out as +0: XNNPACK adds the positive and negative parts). Other dtypes go to stock.
 */
export function makeLeakyRelu(stock: WasmKernelFunc) {
  return function leakyRelu(args: KernelArgs): tf.TensorInfo {
    const backend = asWasmBackend(args.backend);
    const { x } = args.inputs as { x: tf.TensorInfo };
    const { alpha } = args.attrs as unknown as { alpha: number };
    if (x.dtype !== 'float32' || size(x.shape) === 0) return stock({ inputs: args.inputs, backend, attrs: args.attrs });
    // one slope per channel of the last dimension (PReLU's layout); any width would do, alpha being uniform
    const channels = x.shape[x.shape.length - 1] ?? 1;
    const slopes = backend.makeOutput([channels], 'float32');
    heapF32(backend, slopes).fill(alpha);
    try {
      return wasmKernel('Prelu')({ inputs: { x, alpha: slopes }, backend });
    } finally {
      release(backend, slopes);
    }
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
    return sharedOutput(backend, x);
  };
}

/** An output that is `x` itself: the same memory, one more reference (no wasm kernel writes into its inputs). */
function sharedOutput(backend: BackendWasm, x: tf.TensorInfo): tf.TensorInfo {
  backend.incRef(x.dataId);
  return { dataId: x.dataId, shape: [...x.shape], dtype: x.dtype };
}
