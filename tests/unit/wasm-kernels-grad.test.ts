// Every wasm training kernel against the cpu backend's kernel on random shapes: strides 1 and 2,
// 'same' / 'valid' / explicit padding, odd sizes, batch 1 and several. Relative error is
// max|wasm − cpu| / max|cpu| over the whole output, required ≤ 1e-4. Each wasm kernel also runs
// with its loops on the calling thread alone and on 3 kernel threads (more than this machine's
// cores, so bands split unevenly): the two outputs must be bit-identical, and each threaded kernel
// must have handed bands to the kernel threads at least once.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import {
  registerWasmTrainingKernels,
  unregisterWasmTrainingKernels,
  wasmTrainingKernelsState,
  ADDED_KERNELS,
  GRADIENT_KERNELS,
  REPLACED_KERNELS,
  WASM_TRAINING_KERNELS_FLAG,
} from '../../shared/ml/wasm-kernels/index';
import { tileInto } from '../../shared/ml/wasm-kernels/tile';
import { PATCH_BUDGET_FLOATS } from '../../shared/ml/wasm-kernels/patch-budget';
import { kernelThreadStats } from '../../main/training/wasm-kernels/band-pool';
import { bandRunner, runBands, setBandRunner } from '../../shared/ml/wasm-kernels/bands';
import { transposeBand } from '../../shared/ml/wasm-kernels/matmul';
import { asWasmBackend } from '../../shared/ml/wasm-kernels/wasm-backend';
import { setSimdKernels, simdKernels, type SimdKernelExports } from '../../shared/ml/wasm-kernels/simd-kernels';
import { atbRowsPerBand } from '../../shared/ml/wasm-kernels/conv2d-backprop-filter';
import { assertThreaded, compareWithCpu, firstBitDifference, rand, relErr, runKernelOn, TOL, useWasmKernelThreads, type Input } from '../helpers/wasm-kernel-check';

useWasmKernelThreads();

/** One output, within TOL of the cpu kernel. */
async function compare(kernel: string, inputs: Record<string, Input>, attrs: tf.NamedAttrMap, label: string): Promise<void> {
  await compareWithCpu(kernel, inputs, attrs, label);
}

/** The single float32 output of a kernel run on one backend. */
async function runOn(backend: 'cpu' | 'wasm', kernel: string, inputs: Record<string, Input>, attrs: tf.NamedAttrMap): Promise<{ shape: number[]; values: Float32Array }> {
  const [out] = await runKernelOn(backend, kernel, inputs, attrs);
  return { shape: out.shape, values: out.values as Float32Array };
}

type Pad = 'same' | 'valid' | tf.backend_util.ExplicitPadding;
interface ConvCase { b: number; h: number; w: number; ci: number; co: number; kh: number; kw: number; s: [number, number]; pad: Pad }

const CONV_CASES: ConvCase[] = [
  { b: 1, h: 7, w: 9, ci: 3, co: 5, kh: 3, kw: 3, s: [1, 1], pad: 'same' },
  { b: 4, h: 9, w: 7, ci: 2, co: 4, kh: 3, kw: 3, s: [2, 2], pad: 'same' },
  { b: 3, h: 11, w: 10, ci: 4, co: 6, kh: 3, kw: 3, s: [2, 2], pad: 'valid' },
  { b: 2, h: 8, w: 8, ci: 5, co: 3, kh: 1, kw: 1, s: [1, 1], pad: 'valid' },
  { b: 2, h: 13, w: 6, ci: 3, co: 2, kh: 5, kw: 3, s: [1, 2], pad: 'same' },
  { b: 1, h: 6, w: 9, ci: 1, co: 7, kh: 2, kw: 2, s: [2, 1], pad: 'valid' },
  { b: 2, h: 7, w: 7, ci: 3, co: 4, kh: 3, kw: 3, s: [1, 1], pad: [[0, 0], [2, 0], [1, 2], [0, 0]] },
  { b: 5, h: 12, w: 12, ci: 16, co: 8, kh: 3, kw: 3, s: [1, 1], pad: 'valid' },
  // several bands in every threaded loop: 6 im2col bands of 9 rows, 2 channel blocks (16 + 8)
  { b: 3, h: 33, w: 31, ci: 24, co: 5, kh: 3, kw: 3, s: [2, 2], pad: 'same' },
  // enough channel blocks (3) for the depthwise filter gradient's one-band-per-filter-row layout
  { b: 2, h: 9, w: 11, ci: 40, co: 3, kh: 3, kw: 3, s: [2, 2], pad: 'valid' },
];

const caseName = (c: ConvCase) => `b${c.b} ${c.h}x${c.w}x${c.ci}→${c.co} k${c.kh}x${c.kw} s${c.s} ${JSON.stringify(c.pad)}`;

function outShape(c: ConvCase, depthwiseMultiplier?: number): number[] {
  const filter = depthwiseMultiplier == null ? [c.kh, c.kw, c.ci, c.co] : [c.kh, c.kw, c.ci, depthwiseMultiplier];
  const info = tf.backend_util.computeConv2DInfo([c.b, c.h, c.w, c.ci], filter as [number, number, number, number], c.s, 1, c.pad, undefined, depthwiseMultiplier != null);
  return info.outShape;
}

test('the flag and options disable registration; unregister restores the stock kernels', () => {
  const ourBatchMatMul = tf.getKernel('BatchMatMul', 'wasm');
  const ourLeakyReluGrad = tf.getGradient('LeakyRelu');
  unregisterWasmTrainingKernels();
  const stockLeakyReluGrad = tf.getGradient('LeakyRelu');
  assert.notEqual(stockLeakyReluGrad, ourLeakyReluGrad, "tfjs's LeakyRelu gradient restored");
  assert.equal(tf.getKernel('Conv2DBackpropFilter', 'wasm'), undefined);
  const restored = tf.getKernel('BatchMatMul', 'wasm');
  assert.ok(restored != null && restored !== ourBatchMatMul, 'stock BatchMatMul restored');
  assert.deepEqual(registerWasmTrainingKernels({ enabled: false }).registered, []);
  tf.env().set(WASM_TRAINING_KERNELS_FLAG, false);
  try {
    assert.deepEqual(registerWasmTrainingKernels().registered, []);
  } finally {
    tf.env().set(WASM_TRAINING_KERNELS_FLAG, true);
  }
  assert.deepEqual(registerWasmTrainingKernels({ replaceStock: false }).registered, [...ADDED_KERNELS].sort());
  const all = registerWasmTrainingKernels().registered;
  assert.deepEqual(all, [...ADDED_KERNELS, ...REPLACED_KERNELS, ...GRADIENT_KERNELS].sort());
  assert.notEqual(tf.getGradient('LeakyRelu'), stockLeakyReluGrad, 'our LeakyRelu gradient again');
  assert.deepEqual(registerWasmTrainingKernels().registered, all, 'idempotent');
  assert.deepEqual(wasmTrainingKernelsState().registered, all);
});

test('Conv2DBackpropFilter matches cpu', async () => {
  for (const [i, c] of CONV_CASES.entries()) {
    const dyShape = outShape(c);
    await compare('Conv2DBackpropFilter', {
      x: { values: rand(c.b * c.h * c.w * c.ci, 11 + i), shape: [c.b, c.h, c.w, c.ci] },
      dy: { values: rand(dyShape.reduce((a, d) => a * d, 1), 101 + i), shape: dyShape },
    }, { strides: c.s, pad: c.pad, dataFormat: 'NHWC', filterShape: [c.kh, c.kw, c.ci, c.co] }, caseName(c));
  }
  assertThreaded('Conv2DBackpropFilter');
});

test('Conv2DBackpropInput matches cpu (stride-1 convolution path and col2im path)', async () => {
  for (const [i, c] of CONV_CASES.entries()) {
    const dyShape = outShape(c);
    await compare('Conv2DBackpropInput', {
      dy: { values: rand(dyShape.reduce((a, d) => a * d, 1), 201 + i), shape: dyShape },
      filter: { values: rand(c.kh * c.kw * c.ci * c.co, 301 + i), shape: [c.kh, c.kw, c.ci, c.co] },
    }, { strides: c.s, pad: c.pad, dataFormat: 'NHWC', inputShape: [c.b, c.h, c.w, c.ci] }, caseName(c));
  }
  assertThreaded('Conv2DBackpropInput');
});

test('conv backprops on a layer whose patch matrix is over the budget (split into bands of output rows) give the unsplit result', async () => {
  // stride 2 (both kernels take the patch-matrix path), 8 × 32 output rows of 32 × 2304 patch
  // floats each: 18.9 M floats, over the 16.8 M budget, so two bands; one image alone (2.4 M) fits
  const c: ConvCase = { b: 8, h: 64, w: 64, ci: 256, co: 2, kh: 3, kw: 3, s: [2, 2], pad: 'same' };
  const dyShape = outShape(c);
  const patchFloats = dyShape[0] * dyShape[1] * dyShape[2] * c.kh * c.kw * c.ci;
  assert.ok(patchFloats > PATCH_BUDGET_FLOATS && patchFloats / c.b < PATCH_BUDGET_FLOATS, `the batch must need more than the budget and one image less (${patchFloats} floats)`);
  const per = (shape: number[]): number => shape.slice(1).reduce((a, d) => a * d, 1);
  const x = { values: rand(c.b * per([c.b, c.h, c.w, c.ci]), 1001), shape: [c.b, c.h, c.w, c.ci] };
  const dy = { values: rand(c.b * per(dyShape), 1101), shape: dyShape };
  const filter = { values: rand(c.kh * c.kw * c.ci * c.co, 1201), shape: [c.kh, c.kw, c.ci, c.co] };
  const image = (t: { values: Float32Array; shape: number[] }, i: number): Input => ({ values: t.values.subarray(i * per(t.shape), (i + 1) * per(t.shape)), shape: [1, ...t.shape.slice(1)] });
  const filterAttrs = { strides: c.s, pad: c.pad, dataFormat: 'NHWC', filterShape: [c.kh, c.kw, c.ci, c.co] } as tf.NamedAttrMap;
  const inputAttrs = (b: number) => ({ strides: c.s, pad: c.pad, dataFormat: 'NHWC', inputShape: [b, c.h, c.w, c.ci] }) as tf.NamedAttrMap;

  // the filter gradient is the sum of the per-image gradients; the input gradient is per image
  const banded = await runOn('wasm', 'Conv2DBackpropFilter', { x, dy }, filterAttrs);
  const summed = new Float32Array(banded.values.length);
  const bandedDx = await runOn('wasm', 'Conv2DBackpropInput', { dy, filter }, inputAttrs(c.b));
  const stacked = new Float32Array(bandedDx.values.length);
  for (let i = 0; i < c.b; i++) {
    const one = await runOn('wasm', 'Conv2DBackpropFilter', { x: image(x, i), dy: image(dy, i) }, filterAttrs);
    one.values.forEach((v, k) => { summed[k] += v; });
    stacked.set((await runOn('wasm', 'Conv2DBackpropInput', { dy: image(dy, i), filter }, inputAttrs(1))).values, i * per(x.shape));
  }
  assert.ok(summed.some((v) => v !== 0) && stacked.some((v) => v !== 0), 'the reference is all zeros, the case tests nothing');
  assert.ok(relErr(banded.values, summed) <= TOL, `Conv2DBackpropFilter banded: relative error ${relErr(banded.values, summed).toExponential(2)} > ${TOL}`);
  assert.ok(relErr(bandedDx.values, stacked) <= TOL, `Conv2DBackpropInput banded: relative error ${relErr(bandedDx.values, stacked).toExponential(2)} > ${TOL}`);
  // and the per-image path agrees with cpu (on the first image)
  await compare('Conv2DBackpropInput', { dy: image(dy, 0), filter }, inputAttrs(1), `one image of ${caseName(c)}`);
});

test('DepthwiseConv2dNativeBackpropFilter and ...BackpropInput match cpu (multiplier 1 and 2)', async () => {
  for (const [i, c] of CONV_CASES.filter((c) => c.s[0] === c.s[1]).entries()) {
    for (const m of [1, 2]) {
      const dyShape = outShape(c, m);
      const dyValues = rand(dyShape.reduce((a, d) => a * d, 1), 401 + i + 50 * m);
      const attrs = { strides: c.s, pad: c.pad, dilations: [1, 1] };
      await compare('DepthwiseConv2dNativeBackpropFilter', {
        x: { values: rand(c.b * c.h * c.w * c.ci, 501 + i), shape: [c.b, c.h, c.w, c.ci] },
        dy: { values: dyValues, shape: dyShape },
      }, { ...attrs, filterShape: [c.kh, c.kw, c.ci, m] }, `${caseName(c)} m${m}`);
      await compare('DepthwiseConv2dNativeBackpropInput', {
        dy: { values: dyValues, shape: dyShape },
        filter: { values: rand(c.kh * c.kw * c.ci * m, 601 + i), shape: [c.kh, c.kw, c.ci, m] },
      }, { ...attrs, inputShape: [c.b, c.h, c.w, c.ci] }, `${caseName(c)} m${m}`);
    }
  }
  assertThreaded('DepthwiseConv2dNativeBackpropFilter', 'DepthwiseConv2dNativeBackpropInput');
});

/**
 * Runs `body` with the SIMD loop `name` counting its calls on this thread (`counter.calls`, which
 * the body may reset); the installed loops are restored afterwards, whatever the body changed.
 */
async function withCountedSimdLoop(name: keyof SimdKernelExports, body: (counter: { calls: number }) => Promise<void>): Promise<void> {
  const real = simdKernels();
  assert.ok(real, 'the Node wasm init installs the SIMD loops');
  const counter = { calls: 0 };
  const loop = real[name] as (...a: number[]) => void;
  setSimdKernels({ ...real, [name]: (...a: number[]) => { counter.calls++; loop(...a); } });
  try {
    await body(counter);
  } finally {
    setSimdKernels(real);
  }
}

test('the depthwise filter gradient runs the SIMD loop for channels in fours at multiplier 1, the JavaScript loop otherwise; both match cpu', async () => {
  await withCountedSimdLoop('dwFilterBand', async (counter) => {
    // 20 channels: blocks of 16 and 4, both SIMD; 18: 16 SIMD + 2 JavaScript; 6 and multiplier 2: JavaScript only
    for (const [ci, m, simdBands] of [[20, 1, 'all'], [18, 1, 'some'], [6, 1, 'none'], [12, 2, 'none']] as const) {
      const c: ConvCase = { b: 3, h: 10, w: 9, ci, co: 1, kh: 3, kw: 3, s: [2, 2], pad: 'same' };
      const dyShape = outShape(c, m);
      counter.calls = 0;
      await compare('DepthwiseConv2dNativeBackpropFilter', {
        x: { values: rand(c.b * c.h * c.w * ci, 901 + ci), shape: [c.b, c.h, c.w, ci] },
        dy: { values: rand(dyShape.reduce((a, d) => a * d, 1), 951 + ci), shape: dyShape },
      }, { strides: c.s, pad: c.pad, dilations: [1, 1], filterShape: [3, 3, ci, m] }, `${caseName(c)} m${m}`);
      // bands: 3 filter rows × 3 taps × channel blocks of 16 (one tap per band below 8 row bands);
      // the serial pass runs each on this thread, the threaded pass some of them again
      const blocks = Math.ceil(ci / 16);
      const bands = 9 * blocks;
      const simd = simdBands === 'all' ? bands : simdBands === 'some' ? bands / blocks : 0;
      assert.ok(counter.calls >= simd && counter.calls <= 2 * simd, `${ci} channels, multiplier ${m}: ${counter.calls} SIMD band calls for ${simd} SIMD bands of ${bands}`);
    }
  });
});

test('the filter gradient of a 1×1 convolution runs the SIMD Aᵀ·B loop over bands of positions (up to 128·128 channels), the matrix product beyond; both match cpu', async () => {
  await withCountedSimdLoop('atbBand', async (counter) => {
    const cases = [
      // 4·33·31 = 4092 positions, 28 channels in all: 2 bands of atbRowsPerBand(12, 16) = 2340 rows
      { b: 4, h: 33, w: 31, ci: 12, co: 16, pad: 'valid', simdBands: 2 },
      { b: 2, h: 5, w: 7, ci: 8, co: 8, pad: 'same', simdBands: 1 },
      // channels not in fours and eights: tiles padded to 8×16 and 8×8, the extra rows and columns dropped
      { b: 3, h: 9, w: 5, ci: 6, co: 10, pad: 'valid', simdBands: 1 },
      { b: 2, h: 5, w: 7, ci: 5, co: 3, pad: 'valid', simdBands: 1 },
      // 132·136 tile elements: more than the loop takes, XNNPACK's product
      { b: 2, h: 3, w: 4, ci: 132, co: 130, pad: 'valid', simdBands: 0 },
    ] as const;
    assert.equal(atbRowsPerBand(12, 16), 2340);
    for (const c of cases) {
      counter.calls = 0;
      const dyShape = [c.b, c.h, c.w, c.co];
      await compare('Conv2DBackpropFilter', {
        x: { values: rand(c.b * c.h * c.w * c.ci, 1101 + c.ci), shape: [c.b, c.h, c.w, c.ci] },
        dy: { values: rand(c.b * c.h * c.w * c.co, 1151 + c.co), shape: dyShape },
      }, { strides: [1, 1], pad: c.pad, dataFormat: 'NHWC', filterShape: [1, 1, c.ci, c.co] }, `1x1 ${c.ci}→${c.co} ${c.b}x${c.h}x${c.w}`);
      // the serial pass runs every band on this thread, the threaded pass some of them again
      assert.ok(counter.calls >= c.simdBands && counter.calls <= 2 * c.simdBands, `${c.ci}→${c.co}: ${counter.calls} SIMD band calls for ${c.simdBands} bands`);
    }
  });
  assertThreaded('Conv2DBackpropFilter');
});

test('the filter gradient of other convolutions with few channels runs the SIMD Aᵀ·B loop per tap and output row, im2col and the matrix product otherwise; all match cpu', async () => {
  const cases: Array<ConvCase & { taps: boolean }> = [
    { b: 3, h: 9, w: 8, ci: 3, co: 8, kh: 3, kw: 3, s: [2, 2], pad: 'same', taps: true }, // a stem: 3 channels padded to 4
    { b: 2, h: 12, w: 11, ci: 32, co: 64, kh: 3, kw: 3, s: [1, 1], pad: 'valid', taps: true }, // FMNIST's second conv
    { b: 2, h: 7, w: 10, ci: 5, co: 10, kh: 5, kw: 3, s: [1, 2], pad: 'same', taps: true }, // tiles padded to 8×16, uneven strides
    { b: 1, h: 6, w: 6, ci: 132, co: 130, kh: 3, kw: 3, s: [1, 1], pad: 'same', taps: false }, // too many channels: XNNPACK's product
  ];
  for (const c of cases) {
    const dyShape = outShape(c);
    const inputs = {
      x: { values: rand(c.b * c.h * c.w * c.ci, 1201 + c.ci), shape: [c.b, c.h, c.w, c.ci] },
      dy: { values: rand(dyShape.reduce((a, d) => a * d, 1), 1251 + c.co), shape: dyShape },
    };
    const attrs = { strides: c.s, pad: c.pad, dataFormat: 'NHWC', filterShape: [c.kh, c.kw, c.ci, c.co] } as unknown as tf.NamedAttrMap;
    await withCountedSimdLoop('atbBand', async (counter) => {
      await compare('Conv2DBackpropFilter', inputs, attrs, `${caseName(c)} taps`);
      assert.equal(counter.calls > 0, c.taps, `${caseName(c)}: ${counter.calls} SIMD calls`);
    });
    // without the SIMD loops: im2col and the matrix product
    const real = simdKernels();
    setSimdKernels(null);
    try {
      await compare('Conv2DBackpropFilter', inputs, attrs, `${caseName(c)} im2col`);
    } finally {
      setSimdKernels(real);
    }
  }
});

test('BatchMatMul with transposed operands matches cpu (2-D, 3-D batch 1, batched fallback)', async () => {
  const shapes: Array<[number[], number[], boolean, boolean]> = [
    [[7, 5], [7, 3], true, false],
    [[7, 5], [3, 5], false, true],
    [[5, 7], [3, 5], true, true],
    [[1, 33, 17], [1, 9, 33], true, true],
    [[9, 4], [4, 6], false, false],
    [[3, 6, 4], [3, 5, 4], false, true],
    // transposes of more than one band of rows (128)
    [[300, 40], [300, 7], true, false],
    [[7, 33], [150, 33], false, true],
  ];
  for (const [i, [as, bs, ta, tb]] of shapes.entries()) {
    await compare('BatchMatMul', {
      a: { values: rand(as.reduce((x, d) => x * d, 1), 701 + i), shape: as },
      b: { values: rand(bs.reduce((x, d) => x * d, 1), 801 + i), shape: bs },
    }, { transposeA: ta, transposeB: tb }, `[${as}]${ta ? 'ᵀ' : ''}·[${bs}]${tb ? 'ᵀ' : ''}`);
  }
  assertThreaded('BatchMatMul');
});

test('MaxPoolGrad matches cpu, including tie-breaking between equal maxima', async () => {
  const cases: Array<[number[], number, number, 'same' | 'valid']> = [
    [[1, 7, 9, 3], 2, 2, 'same'], [[3, 8, 8, 4], 2, 2, 'valid'], [[2, 9, 7, 5], 3, 2, 'same'], [[2, 6, 6, 2], 3, 1, 'valid'],
    [[2, 11, 9, 20], 3, 2, 'same'], [[2, 12, 10, 24], 3, 1, 'same'], // NanoDet's stem pool: 3×3 at stride 1
  ];
  for (const [i, [shape, f, s, pad]] of cases.entries()) {
    // Values quantised to {-1, -0.5, 0, 0.5, 1} so windows contain ties: the first maximum must win.
    const x = rand(shape.reduce((a, d) => a * d, 1), 901 + i).map((v) => Math.round(v * 2) / 2);
    await tf.setBackend('cpu');
    const y = tf.tidy(() => tf.maxPool(tf.tensor4d(x, shape as [number, number, number, number]), f, s, pad));
    const yv = { values: y.dataSync() as Float32Array, shape: y.shape };
    y.dispose();
    await compare('MaxPoolGrad', {
      dy: { values: rand(yv.values.length, 951 + i), shape: yv.shape },
      input: { values: x, shape },
      output: yv,
    }, { filterSize: f, strides: s, pad }, `maxPoolGrad [${shape}] f${f} s${s} ${pad}`);
  }
  assertThreaded('MaxPoolGrad');
});

test('MaxPoolGrad: the SIMD loop (channels in fours) gives the JavaScript loop\'s bits, ties included', async () => {
  const shape = [2, 12, 10, 24];
  const x = rand(2 * 12 * 10 * 24, 971).map((v) => Math.round(v * 2) / 2);
  await tf.setBackend('cpu');
  const y = tf.tidy(() => tf.maxPool(tf.tensor4d(x, shape as [number, number, number, number]), 3, 2, 'same'));
  const inputs = { dy: { values: rand(y.size, 972), shape: y.shape }, input: { values: x, shape }, output: { values: y.dataSync() as Float32Array, shape: y.shape } };
  y.dispose();
  const attrs = { filterSize: 3, strides: 2, pad: 'same' };
  const pool = bandRunner();
  setBandRunner(null);
  try {
    await withCountedSimdLoop('maxPoolGradBand', async (counter) => {
      const simd = (await runKernelOn('wasm', 'MaxPoolGrad', inputs, attrs))[0]!.values as Float32Array;
      assert.equal(counter.calls, 4, '2 images × 2 channel blocks (16 + 8), all on the SIMD loop');
      setSimdKernels(null);
      const js = (await runKernelOn('wasm', 'MaxPoolGrad', inputs, attrs))[0]!.values as Float32Array;
      assert.equal(firstBitDifference(simd, js), -1);
    });
  } finally {
    setBandRunner(pool);
  }
});

test('Tile matches cpu for float32, int32 and bool; tileInto on edge ranks', async () => {
  const cases: Array<[number[], number[]]> = [[[1, 1, 1, 5], [3, 4, 2, 1]], [[2, 3], [2, 3]], [[3], [4]], [[2, 1, 3], [1, 5, 2]]];
  for (const [i, [shape, reps]] of cases.entries()) {
    await compare('Tile', { x: { values: rand(shape.reduce((a, d) => a * d, 1), 990 + i), shape } }, { reps }, `tile [${shape}] × [${reps}]`);
  }
  await tf.setBackend('wasm');
  const ints = tf.tile(tf.tensor2d([1, 2, 3, 4], [2, 2], 'int32'), [2, 3]);
  assert.deepEqual(Array.from(ints.dataSync()), [1, 2, 1, 2, 1, 2, 3, 4, 3, 4, 3, 4, 1, 2, 1, 2, 1, 2, 3, 4, 3, 4, 3, 4]);
  const bools = tf.tile(tf.tensor1d([true, false], 'bool'), [3]);
  assert.deepEqual(Array.from(bools.dataSync()), [1, 0, 1, 0, 1, 0]);
  tf.dispose([ints, bools]);
  const scalar = new Float32Array(1);
  tileInto(new Float32Array([7]), [], [], scalar);
  assert.equal(scalar[0], 7);
});

test('a band that throws fails its kernel call on every thread count; the kernel threads then go on working', async () => {
  await tf.setBackend('wasm');
  const heap = (asWasmBackend(tf.backend()).wasm as { wasmMemory?: WebAssembly.Memory }).wasmMemory!.buffer;
  // a source matrix past the end of the heap: every band's view of it is out of bounds
  const bad = [heap.byteLength + 64, 0, 300, 4, 128];
  assert.throws(() => runBands(transposeBand, heap, bad, 3), /bounds|length/i);
  const jobs = kernelThreadStats().jobs;
  await compare('BatchMatMul', {
    a: { values: rand(300 * 40, 1701), shape: [300, 40] },
    b: { values: rand(300 * 7, 1801), shape: [300, 7] },
  }, { transposeA: true, transposeB: false }, 'after a failed band');
  assert.ok(kernelThreadStats().jobs > jobs, 'the kernel threads were used again');
});

test('unsupported attributes throw clear errors instead of computing garbage', async () => {
  await tf.setBackend('wasm');
  const x = tf.zeros([1, 5, 5, 2]);
  const dy = tf.zeros([1, 5, 5, 2]);
  try {
    assert.throws(() => tf.engine().runKernel('DepthwiseConv2dNativeBackpropFilter', { x, dy }, { strides: 1, pad: 'same', dilations: [2, 2], filterShape: [3, 3, 2, 1] }), /dilations \[2, 2\] are not supported/);
    assert.throws(() => tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, { strides: 1, pad: 'same', dataFormat: 'NCHW', filterShape: [3, 3, 2, 2] }), /dataFormat 'NCHW' is not supported/);
    assert.throws(() => tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, { strides: 1, pad: 'valid', dataFormat: 'NHWC', filterShape: [3, 3, 2, 2] }), /dy has shape \[1,5,5,2\], expected \[1,3,3,2\]/);
  } finally {
    tf.dispose([x, dy]);
  }
});
