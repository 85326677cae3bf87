// The wasm backend's elementwise, copy and pooling kernels that we replace for speed (Minimum,
// Maximum, the comparisons, Select, Cast, LeakyRelu, FusedBatchNorm, Sum, Slice, SplitV, PadV2,
// Identity, AvgPoolGrad)
// against tfjs's cpu kernels: bit for bit where the result is a copy, a comparison or a min/max,
// within 1e-4 where it is arithmetic. Each runs with its loops on the calling thread alone and on 3
// kernel threads (the same bits required), on tensors large enough to be split into bands, and on
// the cases that must go to the stock kernel.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { BINARY_OPS } from '../../shared/ml/wasm-kernels/elementwise';
import { assertThreaded, compareWithCpu, firstBitDifference, rand, runKernelOn, useWasmKernelThreads, type Input } from '../helpers/wasm-kernel-check';
import { setSimdKernels, simdKernels } from '../../shared/ml/wasm-kernels/simd-kernels';
import { bandRunner, setBandRunner } from '../../shared/ml/wasm-kernels/bands';
import { kernelThreadStats } from '../../main/training/wasm-kernels/band-pool';

useWasmKernelThreads();

const count = (shape: number[]) => shape.reduce((a, d) => a * d, 1);

/** Values in {-1, -0.5, -0, 0, 0.5, 1} (ties and signed zeros), with a NaN every 97th element. */
function quantised(n: number, seed: number): Float32Array {
  return rand(n, seed).map((v, i) => (i % 97 === 13 ? NaN : Math.round(v * 2) / 2));
}

test('Minimum, Maximum and the comparisons equal cpu bit for bit: same shapes, a number on either side, NaN, ties and signed zeros', async () => {
  const shape = [3, 70, 200]; // 42,000 elements: two bands
  const a = { values: quantised(count(shape), 11), shape };
  const b = { values: quantised(count(shape), 12), shape };
  for (const op of BINARY_OPS) {
    await compareWithCpu(op, { a, b }, {}, `${op} same shape`, { exact: true });
    await compareWithCpu(op, { a: { values: [0.5], shape: [] }, b }, {}, `${op} number, tensor`, { exact: true });
    await compareWithCpu(op, { a, b: { values: [-0.5], shape: [1, 1] } }, {}, `${op} tensor, number`, { exact: true });
    // NaN with anything: NaN for min/max (a comparison is false everywhere; the NaNs in a and b cover it)
    if (op === 'Minimum' || op === 'Maximum') await compareWithCpu(op, { a: { values: [NaN], shape: [] }, b }, {}, `${op} NaN, tensor`, { exact: true });
    // broadcasting along axes: a row, and the YOLO loss's IoU of every prediction against every box
    await compareWithCpu(op, { a, b: { values: quantised(200, 13), shape: [200] } }, {}, `${op} broadcast row`, { exact: true });
    await compareWithCpu(op, { a: { values: quantised(3 * 245 * 2, 15), shape: [3, 245, 1, 2] }, b: { values: quantised(3 * 50 * 2, 16), shape: [3, 1, 50, 2] } }, {}, `${op} IoU broadcast`, { exact: true });
    // rank 5 that no merging brings to 4: the stock kernel's case (its signed zeros differ from cpu's)
    await compareWithCpu(op, { a: { values: rand(2 * 3 * 5, 17), shape: [2, 1, 3, 1, 5] }, b: { values: rand(4 * 6, 18), shape: [1, 4, 1, 6, 1] } }, {}, `${op} rank 5`, { exact: true });
  }
  assertThreaded(...BINARY_OPS.filter((op) => op !== 'Minimum' && op !== 'Maximum'), 'Minimum', 'Maximum');
});

test('Select, Cast and LeakyRelu equal cpu: masks of the values\' shape, bool and int32 to float32, negative slopes', async () => {
  const shape = [2, 150, 120]; // 36,000 elements: two bands
  const n = count(shape);
  const condition: Input = { values: Uint8Array.from(rand(n, 21), (v) => (v > 0 ? 1 : 0)), shape, dtype: 'bool' };
  const t = { values: rand(n, 22), shape };
  const e = { values: rand(n, 23), shape };
  await compareWithCpu('Select', { condition, t, e }, {}, 'Select float32', { exact: true });
  const ints = (seed: number): Input => ({ values: Int32Array.from(rand(n, seed), (v) => Math.round(v * 1000)), shape, dtype: 'int32' });
  await compareWithCpu('Select', { condition, t: ints(24), e: ints(25) }, {}, 'Select int32', { exact: true });
  // a row condition (rank 1 against rank 3) is the stock kernel's
  await compareWithCpu('Select', { condition: { values: [1, 0], shape: [2], dtype: 'bool' }, t, e }, {}, 'Select rows', { exact: true });
  await compareWithCpu('Cast', { x: condition }, { dtype: 'float32' }, 'Cast bool → float32', { exact: true });
  await compareWithCpu('Cast', { x: ints(26) }, { dtype: 'float32' }, 'Cast int32 → float32', { exact: true });
  await compareWithCpu('Cast', { x: { values: rand(n, 27).map((v) => v * 100), shape } }, { dtype: 'int32' }, 'Cast float32 → int32 (stock)', { exact: true });
  await compareWithCpu('Cast', { x: { values: rand(n, 28), shape } }, { dtype: 'float32' }, 'Cast float32 → float32', { exact: true });
  // to its own dtype: no copy (the gradient of Identity), and the result outlives its input
  await tf.setBackend('wasm');
  const src = tf.tensor(rand(n, 29), shape);
  const expected = src.dataSync().slice();
  const dataIds = tf.engine().backend.numDataIds();
  const same = tf.cast(src, 'float32');
  assert.notEqual(same, src);
  assert.equal(tf.engine().backend.numDataIds(), dataIds, 'no new memory');
  src.dispose();
  assert.deepEqual(same.dataSync(), expected);
  same.dispose();
  for (const alpha of [0.1, 0.2]) {
    // within 1e-4, not bit for bit: cpu multiplies by alpha as a double, wasm (stock and ours) by alpha as a float32
    await compareWithCpu('LeakyRelu', { x: { values: quantised(n, 28).map((v, i) => (Number.isNaN(v) ? 0.25 : v * (1 + (i % 7)))), shape } }, { alpha }, `LeakyRelu ${alpha}`);
  }
  // LeakyRelu runs as XNNPACK's PReLU with one slope per channel of the last dimension: one channel,
  // a scalar; NaN and infinities as on cpu (negative zero comes out as +0, the one
  // difference from cpu: XNNPACK adds the positive and negative parts)
  await compareWithCpu('LeakyRelu', { x: { values: [-3, 0, 2.5, NaN, -Infinity, Infinity, -1e-30], shape: [7, 1] } }, { alpha: 0.25 }, 'LeakyRelu one channel, special values', { exact: true });
  await compareWithCpu('LeakyRelu', { x: { values: [-8], shape: [] } }, { alpha: 0.5 }, 'LeakyRelu scalar', { exact: true });
  assertThreaded('Select', 'Cast');
});

test('FusedBatchNorm matches cpu: rank 4 and rank 2, with and without offset and scale, parameters of shape [1, 1, 1, C]; other shapes go to stock', async () => {
  const shape = [2, 30, 40, 24];
  const n = count(shape);
  const x = { values: rand(n, 31).map((v) => v * 5), shape };
  const per = (seed: number, lo: number, shp: number[] = [24]): Input => ({ values: rand(24, seed).map((v) => lo + Math.abs(v) * 2), shape: shp });
  const attrs = { varianceEpsilon: 1e-3 };
  const wasm = tf.findBackend('wasm') as unknown as { numDataIds(): number };
  const idsBefore = wasm.numDataIds();
  await compareWithCpu('FusedBatchNorm', { x, mean: per(32, -1), variance: per(33, 0.1), offset: per(34, -2), scale: per(35, -1) }, attrs, 'FusedBatchNorm rank 4');
  await compareWithCpu('FusedBatchNorm', { x, mean: per(32, -1), variance: per(33, 0.1) }, attrs, 'FusedBatchNorm without offset and scale');
  await compareWithCpu('FusedBatchNorm', { x, mean: per(32, -1, [1, 1, 1, 24]), variance: per(33, 0.1, [1, 1, 1, 24]), scale: per(35, -1, [1, 1, 1, 24]) }, attrs, 'FusedBatchNorm [1, 1, 1, C] parameters');
  await compareWithCpu('FusedBatchNorm', { x: { values: rand(50 * 24, 36), shape: [50, 24] }, mean: per(32, -1), variance: per(33, 0.1), offset: per(34, -2), scale: per(35, -1) }, attrs, 'FusedBatchNorm rank 2');
  // one mean for every channel: the stock kernel's broadcast
  await compareWithCpu('FusedBatchNorm', { x, mean: { values: [0.5], shape: [1] }, variance: per(33, 0.1) }, attrs, 'FusedBatchNorm scalar mean (stock)');
  assert.equal(wasm.numDataIds(), idsBefore, 'the per-channel factors made for XNNPACK are freed');
});

test('Sum over the first three axes (bias gradients) matches cpu and is the same on any thread count; other axes go to stock', async () => {
  const shape = [4, 20, 30, 12];
  const x = { values: rand(count(shape), 41).map((v) => v * 3), shape };
  const wasm = tf.findBackend('wasm') as unknown as { numDataIds(): number };
  const idsBefore = wasm.numDataIds();
  await compareWithCpu('Sum', { x }, { axis: [0, 1, 2], keepDims: false }, 'Sum [0, 1, 2]');
  await compareWithCpu('Sum', { x }, { axis: [2, 0, 1], keepDims: true }, 'Sum [2, 0, 1] keepDims');
  await compareWithCpu('Sum', { x }, { axis: [-4, -3, -2], keepDims: false }, 'Sum [-4, -3, -2]');
  await compareWithCpu('Sum', { x: { values: rand(1 * 1 * 1 * 5, 43), shape: [1, 1, 1, 5] } }, { axis: [0, 1, 2], keepDims: false }, 'Sum of one pixel');
  for (const axis of [[0], [3], [1, 2], [0, 1, 2, 3]]) await compareWithCpu('Sum', { x }, { axis, keepDims: false }, `Sum [${axis}] (stock)`);
  await compareWithCpu('Sum', { x: { values: rand(300 * 7, 42), shape: [300, 7] } }, { axis: 0, keepDims: false }, 'Sum rank 2 (stock)');
  assert.equal(wasm.numDataIds(), idsBefore, 'the per-image means made for the sum are freed');
});

test('Slice and SplitV equal cpu bit for bit on every rank to 4, rows of one element and of many, float32, int32 and bool', async () => {
  const cases: Array<[number[], number[], number[]]> = [
    [[40000], [123], [30000]], // rank 1: one contiguous range
    [[300, 130], [7, 5], [280, 1]], // rows of one element
    [[16, 196, 58, 2], [0, 0, 0, 1], [16, 196, 58, 1]], // NanoDet's channel shuffle: 181,888 rows of one
    [[1, 676, 116, 2], [0, 0, 58, 0], [1, 676, 58, 2]], // NanoDet's channel split: whole [58, 2] blocks, rows of 116
    [[3, 4, 5, 6], [1, 1, 0, 0], [2, 2, 5, 6]], // two whole inner axes: rows of 60
    [[4, 33, 35, 70], [1, 2, 3, 4], [3, 30, 31, 66]], // rows of 66: copied with set
    [[2, 9, 7, 10], [0, 0, 0, 0], [2, 9, 7, 10]], // everything
    [[3, 5, 6, 8], [1, 0, 0, 0], [2, 5, 6, 8]], // contiguous (whole images)
    [[2, 3, 4, 5], [0, 1, 2, 3], [2, 0, 2, 2]], // empty
  ];
  for (const [i, [shape, begin, size]] of cases.entries()) {
    const n = count(shape);
    if (count(size) === 0) {
      await tf.setBackend('wasm');
      const x = tf.zeros(shape);
      const y = tf.slice(x, begin, size);
      assert.deepEqual(y.shape, size);
      tf.dispose([x, y]);
      continue;
    }
    await compareWithCpu('Slice', { x: { values: rand(n, 31 + i), shape } }, { begin, size }, `Slice [${shape}] from [${begin}] size [${size}]`, { exact: true });
  }
  const shape = [3, 40, 30, 12];
  const n = count(shape);
  await compareWithCpu('Slice', { x: { values: Int32Array.from(rand(n, 41), (v) => Math.round(v * 1e6)), shape, dtype: 'int32' } }, { begin: [1, 3, 2, 5], size: [2, 30, 20, 3] }, 'Slice int32', { exact: true });
  await compareWithCpu('Slice', { x: { values: Uint8Array.from(rand(n, 42), (v) => (v > 0 ? 1 : 0)), shape, dtype: 'bool' } }, { begin: [0, 3, 2, 5], size: [3, 30, 20, 3] }, 'Slice bool', { exact: true });
  await compareWithCpu('Slice', { x: { values: rand(2 * 3 * 4 * 5 * 6, 43), shape: [2, 3, 4, 5, 6] } }, { begin: [1, 0, 1, 2, 3], size: [1, 3, 2, 2, 2] }, 'Slice rank 5 (stock)', { exact: true });
  const splits = await compareWithCpu('SplitV', { x: { values: rand(n, 44), shape } }, { numOrSizeSplits: [5, 7], axis: 3 }, 'SplitV channels [5, 7]', { exact: true });
  assert.deepEqual(splits.map((s) => s.shape), [[3, 40, 30, 5], [3, 40, 30, 7]]);
  await compareWithCpu('SplitV', { x: { values: rand(n, 45), shape } }, { numOrSizeSplits: 4, axis: 1 }, 'SplitV rows in 4', { exact: true });
  const shuffle = [4, 28, 28, 116]; // a ShuffleNet block's split in two halves of channels
  await compareWithCpu('SplitV', { x: { values: rand(count(shuffle), 46), shape: shuffle } }, { numOrSizeSplits: 2, axis: 3 }, 'SplitV channel halves', { exact: true });
  assertThreaded('Slice', 'SplitV');
});

test('PadV2 equals cpu bit for bit: short rows here, wide rows on XNNPACK, float32 and int32, any constant', async () => {
  const cases: Array<[number[], Array<[number, number]>, number]> = [
    [[16, 196, 58, 1], [[0, 0], [0, 0], [0, 0], [1, 0]], 0], // the gradient of NanoDet's channel shuffle slice
    [[2, 30, 29, 2], [[0, 0], [0, 0], [29, 0], [0, 0]], 0], // the gradient of its channel split: rows of 58
    [[2, 5, 6, 3], [[1, 0], [2, 1], [0, 3], [1, 1]], 0.5],
    [[7, 9], [[0, 2], [3, 1]], -1],
    [[2, 30, 30, 40], [[0, 0], [1, 1], [1, 1], [0, 0]], 0], // wide rows: stock
  ];
  for (const [i, [shape, paddings, constantValue]] of cases.entries()) {
    await compareWithCpu('PadV2', { x: { values: rand(count(shape), 51 + i), shape } }, { paddings, constantValue }, `PadV2 [${shape}] ${JSON.stringify(paddings)} ${constantValue}`, { exact: true });
  }
  const shape = [4, 50, 3];
  await compareWithCpu('PadV2', { x: { values: Int32Array.from(rand(count(shape), 55), (v) => Math.round(v * 1e6)), shape, dtype: 'int32' } }, { paddings: [[1, 1], [0, 2], [2, 0]], constantValue: 7 }, 'PadV2 int32', { exact: true });
  assertThreaded('PadV2');
});

test('Identity shares the input\'s memory: no copy, the output outlives the input, and memory is freed with the last of them', async () => {
  await tf.setBackend('wasm');
  const buffers = () => tf.memory().numDataBuffers;
  const before = buffers();
  const x = tf.tensor(rand(1000, 61), [10, 100]);
  const y = tf.engine().runKernel('Identity', { x }) as tf.Tensor;
  assert.equal(buffers() - before, 1, 'one buffer for both');
  const want = x.dataSync().slice();
  x.dispose();
  assert.deepEqual(y.dataSync(), want);
  y.dispose();
  assert.equal(buffers(), before);
  await compareWithCpu('Identity', { x: { values: Int32Array.from([3, -1, 7]), shape: [3], dtype: 'int32' } }, {}, 'Identity int32', { exact: true });
});

test('AvgPoolGrad matches cpu: windows 2 to 4, strides 1 and 2, same and valid padding', async () => {
  const cases: Array<[number[], number, number, 'same' | 'valid']> = [
    [[1, 7, 9, 3], 2, 2, 'same'], [[3, 8, 8, 4], 2, 2, 'valid'], [[2, 9, 7, 5], 3, 2, 'same'], [[2, 6, 6, 2], 3, 1, 'valid'],
    [[2, 11, 9, 20], 3, 1, 'same'], [[2, 18, 18, 24], 4, 2, 'valid'], // NanoDet's half-pixel resize: 4×4 at stride 2
  ];
  for (const [i, [shape, f, s, pad]] of cases.entries()) {
    const outShape = tf.backend_util.computePool2DInfo(shape as [number, number, number, number], f, s, 1, pad).outShape;
    await compareWithCpu('AvgPoolGrad', {
      dy: { values: rand(count(outShape), 71 + i), shape: outShape },
      input: { values: rand(count(shape), 81 + i), shape },
    }, { filterSize: f, strides: s, pad }, `AvgPoolGrad [${shape}] f${f} s${s} ${pad}`);
  }
  assertThreaded('AvgPoolGrad');
});

test("LeakyRelu's gradient is one SIMD kernel on wasm with the bits of tfjs's three (cpu), on any thread count", async () => {
  // 70 000 values: two bands, a tail that is not a multiple of 4; zeros of both signs, NaN, infinities
  const n = 70_001;
  const special = [0, -0, NaN, Infinity, -Infinity, 1e-30, -1e-30, 3, -3];
  const xs = rand(n, 91).map((v, i) => (i < special.length ? special[i]! : v * 10));
  const dys = rand(n, 92).map((v, i) => (i === 1 ? -0 : v * 4));
  const gradOn = async (backend: 'cpu' | 'wasm'): Promise<{ values: Float32Array; kernels: string[] }> => {
    await tf.setBackend(backend);
    const x = tf.tensor1d(xs);
    const dy = tf.tensor1d(dys);
    const info = await tf.profile(() => tf.grad((t: tf.Tensor) => tf.leakyRelu(t, 0.1))(x, dy));
    const g = info.result as tf.Tensor;
    const values = (await g.data()) as Float32Array;
    tf.dispose([x, dy, g]);
    return { values, kernels: info.kernels.map((k) => k.name) };
  };
  const want = await gradOn('cpu');
  assert.ok(want.kernels.includes('Select'), "cpu runs tfjs's own gradient");
  const real = simdKernels();
  assert.ok(real, 'the SIMD loops are installed');
  const runs: Record<string, { values: Float32Array; kernels: string[] }> = {};
  const pool = bandRunner();
  try {
    runs['SIMD, kernel threads'] = await gradOn('wasm');
    setBandRunner(null);
    runs['SIMD, one thread'] = await gradOn('wasm');
    setSimdKernels(null);
    const stock = await gradOn('wasm');
    assert.ok(stock.kernels.includes('Select'), "without the SIMD loops wasm runs tfjs's own gradient");
    runs["tfjs's gradient on wasm"] = { ...stock, kernels: ['DetectaLeakyReluGrad'] };
  } finally {
    setSimdKernels(real);
    setBandRunner(pool);
  }
  for (const [label, got] of Object.entries(runs)) {
    assert.deepEqual(got.kernels.filter((k) => k !== 'LeakyRelu' && k !== 'Identity'), ['DetectaLeakyReluGrad'], `${label}: one kernel`);
    const at = firstBitDifference(got.values, want.values);
    assert.equal(at, -1, `${label}: element ${at} (x ${xs[at]}, dy ${dys[at]}) is ${got.values[at]}, cpu ${want.values[at]}`);
  }
});

test("the LeakyRelu gradient kernel's JavaScript loop (no SIMD loops) gives the SIMD loop's bits", async () => {
  const n = 9_999;
  const x = rand(n, 93).map((v, i) => (i % 11 === 0 ? 0 : v));
  const dy = rand(n, 94);
  const inputs = { dy: { values: dy, shape: [n] }, x: { values: x, shape: [n] } };
  const real = simdKernels()!;
  const simd = (await runKernelOn('wasm', 'DetectaLeakyReluGrad', inputs, { alpha: 0.1 }))[0]!.values;
  setSimdKernels(null);
  try {
    const js = (await runKernelOn('wasm', 'DetectaLeakyReluGrad', inputs, { alpha: 0.1 }))[0]!.values;
    assert.equal(firstBitDifference(simd, js), -1);
  } finally {
    setSimdKernels(real);
  }
});

test("the ReLU6 gradient kernel gives the bits of mul(dy, mul(step(y), step(6 − y))) on cpu, with SIMD loops on kernel threads, on one thread and in JavaScript", async () => {
  // 100 003 elements: two bands and a tail of 3; y exactly 0 and 6 included, and negative dy (−0 where the gradient is zero)
  const n = 100_003;
  const y = Float32Array.from(rand(n, 95), (v, i) => (i % 13 === 0 ? 0 : i % 17 === 0 ? 6 : Math.max(0, Math.min(6, v * 8))));
  const dy = rand(n, 96);
  await tf.setBackend('cpu');
  const want = tf.tidy(() => {
    const yt = tf.tensor(y), d = tf.tensor(dy);
    return tf.mul(d, tf.mul(tf.step(yt), tf.step(tf.sub(6, yt)))).dataSync() as Float32Array;
  });
  const inputs = { dy: { values: dy, shape: [n] }, y: { values: y, shape: [n] } };
  const real = simdKernels()!;
  const pool = bandRunner();
  const runs: Record<string, Float32Array> = {};
  const jobs = kernelThreadStats().jobs;
  try {
    runs['SIMD, kernel threads'] = (await runKernelOn('wasm', 'DetectaRelu6Grad', inputs, {}))[0]!.values as Float32Array;
    assert.ok(kernelThreadStats().jobs > jobs, 'bands went to the kernel threads');
    setBandRunner(null);
    runs['SIMD, one thread'] = (await runKernelOn('wasm', 'DetectaRelu6Grad', inputs, {}))[0]!.values as Float32Array;
    setSimdKernels(null);
    runs.JavaScript = (await runKernelOn('wasm', 'DetectaRelu6Grad', inputs, {}))[0]!.values as Float32Array;
  } finally {
    setSimdKernels(real);
    setBandRunner(pool);
  }
  assert.ok(want.some((v) => Object.is(v, -0)), 'the case has −0 results');
  for (const [label, got] of Object.entries(runs)) {
    const at = firstBitDifference(got, want);
    assert.equal(at, -1, `${label}: element ${at} (y ${y[at]}, dy ${dy[at]}) is ${got[at]}, cpu ${want[at]}`);
  }
});
