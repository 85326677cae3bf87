/**
 * Slice, SplitV and PadV2 for the wasm backend, replacing the stock kernels. The stock Slice copies the
 * whole input off the heap (readSync) and then copies the slice one innermost row at a time through
 * a new subarray per row; NanoDet's channel split and shuffle (ShuffleNetV2: Cropping2D, SplitV,
 * and the gradients of ZeroPadding2D) slice every block's activations, and took about a fifth of a
 * nanodet-m training step. SplitV is slices of one input. The gradient of such a slice is a pad,
 * and XNNPACK's pad, fast on wide rows, took 3 ms for a [16, 196, 58, 2] → [16, 196, 58, 1] one.
 *
 * Formulation: the slice as rows of its innermost dimension (rank ≤ 4, padded with leading 1s),
 * each row a contiguous copy of 4-byte or 1-byte elements, bands of rows (./bands), so on the
 * kernel threads in Node's threaded build; a slice that is one contiguous range is one copy. Copies
 * are bit-exact, whatever the thread count.
 *
 * A pad fills the output with its constant, then copies the input into its block.
 *
 * Supported: every dtype but string and complex64, rank ≤ 4 (pads: float32 and int32). Other
 * cases go to the stock kernel.
 */
import * as tf from '@tensorflow/tfjs';
import { runBands } from './bands';
import { asWasmBackend, type BackendWasm, type WasmKernelFunc } from './wasm-backend';

export const SLICE = 'Slice';
export const SPLIT_V = 'SplitV';
export const PAD_V2 = 'PadV2';

/** Elements per band, in whole rows (at least one row). */
const BAND_ELEMENTS = 1 << 15;
/** Rows shorter than this many elements are padded here rather than by XNNPACK. */
const SHORT_ROW = 16;

/**
 * Band loop: copies between a 4-D tensor ("big", dims d0..d3) and its block [b, b + s) ("small",
 * dims s0..s3, contiguous), row by row of the innermost dimension. args: big, small byte offsets;
 * d1, d2, d3; b0..b3; s0..s3; rows per band; bytes per element (4 or 1); direction (0: gather the
 * block out of big into small, a slice; 1: scatter small into the block of big, a pad).
 * Row r of small is (i, j, k) = r in [s0, s1, s2] order, s3 elements at big[b0 + i, b1 + j, b2 + k, b3].
 */
export function sliceBand(heap: ArrayBufferLike, a: ArrayLike<number>, band: number): void {
  const d1 = a[2], d2 = a[3], d3 = a[4];
  const b0 = a[5], b1 = a[6], b2 = a[7], b3 = a[8];
  const s0 = a[9], s1 = a[10], s2 = a[11], s3 = a[12];
  const perBand = a[13];
  const rows = s0 * s1 * s2;
  const lo = band * perBand;
  const hi = Math.min(rows, lo + perBand);
  const bigLen = (b0 + s0) * d1 * d2 * d3;
  const wide = a[14] === 4;
  const big = wide ? new Int32Array(heap, a[0], bigLen) : new Uint8Array(heap, a[0], bigLen);
  const small = wide ? new Int32Array(heap, a[1], rows * s3) : new Uint8Array(heap, a[1], rows * s3);
  const gather = a[15] === 0;
  // (i, j, k) of row lo, then carried along: no division per row
  let k = lo % s2;
  let j = ((lo - k) / s2) % s1;
  let i = (lo - k - j * s2) / (s1 * s2);
  for (let r = lo; r < hi; r++) {
    const at = (((b0 + i) * d1 + b1 + j) * d2 + b2 + k) * d3 + b3;
    const row = r * s3;
    if (s3 === 1) {
      if (gather) small[row] = big[at];
      else big[at] = small[row];
    } else if (s3 >= 64) {
      if (gather) small.set(big.subarray(at, at + s3), row);
      else big.set(small.subarray(row, row + s3), at);
    } else if (gather) {
      for (let e = 0; e < s3; e++) small[row + e] = big[at + e];
    } else {
      for (let e = 0; e < s3; e++) big[at + e] = small[row + e];
    }
    if (++k === s2) {
      k = 0;
      if (++j === s1) { j = 0; i++; }
    }
  }
}

function bytesPer(dtype: tf.DataType): number | null {
  return dtype === 'float32' || dtype === 'int32' ? 4 : dtype === 'bool' ? 1 : null;
}

/**
 * The same block with every axis the block spans whole merged into the axis before it, so rows get
 * as long as the memory layout allows: NanoDet's channel split takes [HW, 58, 2] of [HW, 116, 2],
 * 2-element rows unmerged and 116-element ones merged.
 */
export function mergeWholeInnerAxes(shape: readonly number[], begin: readonly number[], size: readonly number[]): [number[], number[], number[]] {
  const d = [...shape], b = [...begin], s = [...size];
  for (let k = d.length - 1; k >= 1; k--) {
    if (b[k] !== 0 || s[k] !== d[k]) continue;
    const n = d[k]!;
    d[k - 1]! *= n; b[k - 1]! *= n; s[k - 1]! *= n;
    d.splice(k, 1); b.splice(k, 1); s.splice(k, 1);
  }
  return [d, b, s];
}

/**
 * Copies between `big` (shape bigShape) and its block [begin, begin + blockShape) held contiguous in
 * `small`, rows of the innermost dim in bands (rank ≤ 4, read as 4-D with leading 1s): gather is a
 * slice (big → small), scatter a pad (small → big).
 */
function copyBlock(big: ArrayBufferView, small: ArrayBufferView, bigShape: number[], begin: number[], blockShape: number[], bytes: number, direction: 'gather' | 'scatter'): void {
  const [shape, start, block] = mergeWholeInnerAxes(bigShape, begin, blockShape);
  const lead = 4 - shape.length;
  const dims = [...new Array<number>(lead).fill(1), ...shape];
  const b = [...new Array<number>(lead).fill(0), ...start];
  const s = [...new Array<number>(lead).fill(1), ...block];
  const perBand = Math.max(1, Math.floor(BAND_ELEMENTS / s[3]));
  const bandArgs = [big.byteOffset, small.byteOffset, dims[1], dims[2], dims[3], ...b, ...s, perBand, bytes, direction === 'gather' ? 0 : 1];
  runBands(sliceBand, big.buffer, bandArgs, Math.ceil((s[0] * s[1] * s[2]) / perBand));
}

/** The slice [begin, begin + size) of x into a new output (rank ≤ 4, numeric dtype). */
function sliceInto(backend: BackendWasm, x: tf.TensorInfo, begin: number[], size: number[]): tf.TensorInfo {
  const out = backend.makeOutput([...size], x.dtype);
  const n = tf.util.sizeFromShape(size);
  if (n === 0) return out;
  const xv = backend.typedArrayFromHeap(x);
  const ov = backend.typedArrayFromHeap(out);
  if (tf.slice_util.isSliceContinous(x.shape, begin, size)) {
    const offset = tf.slice_util.computeFlatOffset(begin, tf.util.computeStrides(x.shape));
    (ov as Uint8Array).set((xv as Uint8Array).subarray(offset, offset + n));
    return out;
  }
  copyBlock(xv, ov, x.shape, begin, size, bytesPer(x.dtype)!, 'gather');
  return out;
}

const supported = (x: tf.TensorInfo) => bytesPer(x.dtype) !== null && x.shape.length >= 1 && x.shape.length <= 4;

export function makeSlice(stock: WasmKernelFunc) {
  return function slice(args: { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap }): tf.TensorInfo {
    const backend = asWasmBackend(args.backend);
    const { x } = args.inputs as { x: tf.TensorInfo };
    if (!supported(x)) return stock({ inputs: args.inputs, backend, attrs: args.attrs });
    const { begin, size } = args.attrs as unknown as { begin: number | number[]; size: number | number[] };
    const [b, s] = tf.slice_util.parseSliceParams(x as tf.Tensor, begin, size);
    tf.slice_util.assertParamsValid(x as tf.Tensor, b, s);
    return sliceInto(backend, x, b, s);
  };
}

export function makeSplitV(stock: WasmKernelFunc) {
  return function splitV(args: { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap }): tf.TensorInfo[] {
    const backend = asWasmBackend(args.backend);
    const { x } = args.inputs as { x: tf.TensorInfo };
    if (!supported(x)) return stock({ inputs: args.inputs, backend, attrs: args.attrs }) as unknown as tf.TensorInfo[];
    const { numOrSizeSplits, axis } = args.attrs as unknown as { numOrSizeSplits: number | number[]; axis: number };
    const ax = tf.util.parseAxisParam(axis, x.shape)[0];
    const sizes = tf.backend_util.prepareSplitSize(x as tf.Tensor, numOrSizeSplits, ax);
    const begin = x.shape.map(() => 0);
    return sizes.map((len) => {
      const size = [...x.shape];
      size[ax] = len;
      const piece = sliceInto(backend, x, [...begin], size);
      begin[ax] += len;
      return piece;
    });
  };
}

/**
 * PadV2 with a constant: ours, else stock. Ours only where the input's rows are short (the stock
 * XNNPACK pad copies wide rows as fast as a memcpy, and short ones slowly).
 */
export function makePadV2(stock: WasmKernelFunc) {
  return function padV2(args: { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap }): tf.TensorInfo {
    const backend = asWasmBackend(args.backend);
    const { x } = args.inputs as { x: tf.TensorInfo };
    const { paddings, constantValue } = args.attrs as unknown as { paddings: Array<[number, number]>; constantValue: number };
    const rank = x.shape.length;
    if ((x.dtype !== 'float32' && x.dtype !== 'int32') || rank < 1 || rank > 4 || x.shape[rank - 1] >= SHORT_ROW || paddings.length !== rank) {
      return stock({ inputs: args.inputs, backend, attrs: args.attrs });
    }
    const shape = x.shape.map((d, i) => paddings[i][0] + d + paddings[i][1]);
    const out = backend.makeOutput(shape, x.dtype);
    const ov = backend.typedArrayFromHeap(out);
    (ov as Float32Array).fill(constantValue);
    if (tf.util.sizeFromShape(x.shape) === 0) return out;
    copyBlock(ov, backend.typedArrayFromHeap(x), shape, paddings.map((p) => p[0]), x.shape, 4, 'scatter');
    return out;
  };
}
