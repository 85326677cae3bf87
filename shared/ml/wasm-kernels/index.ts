/**
 * Training kernels for the tfjs wasm backend.
 *
 * The stock wasm backend (XNNPACK, SIMD) runs convolutions far faster than the pure-JS cpu backend
 * but cannot train convolutional networks: Conv2DBackpropFilter and both depthwise backprop kernels
 * are not registered, and kernels that training leans on are slow:
 *  - naive loops: Conv2DBackpropInput, BatchMatMul with a transposed operand, Tile (the
 *    BatchNormalization gradient tiles to full activations), MaxPoolGrad, AvgPoolGrad;
 *  - a generic broadcasting loop: Minimum, Maximum and the comparisons (ReLU-family gradients, IoUs);
 *  - single-threaded copies: Cast, Select, Slice, SplitV, short-row PadV2, and Identity, which
 *    needs no copy at all;
 *  - a gradient of three kernels: LeakyRelu's (greater, mul, where), one pass here (./leaky-relu-grad);
 *  - single-threaded C++ loops that XNNPACK does 10-25× faster: LeakyRelu (as PReLU),
 *    FusedBatchNorm (as a 1×1 depthwise convolution, ./batch-norm) and Sum over leading axes, the
 *    bias gradients (as a product with a row of ones, ./sum).
 * The replacements speed up inference too: the Detect view registers them as well.
 * `registerWasmTrainingKernels()` adds the missing kernels and, by default, replaces the slow ones
 * (REPLACED_KERNELS; ./elementwise, ./slice-pad and the others), most of them falling back to the
 * stock kernel for cases they do not cover.
 *
 * Browser-safe (tfjs imports only). In Node, load the wasm binaries with main/training/wasm-kernels/node-init first; with the
 * threaded build it also starts the kernel threads that run these kernels' loops (./bands, main/training/wasm-kernels/band-pool).
 * Disable with the tfjs flag `DETECTA_WASM_TRAINING_KERNELS` (e.g. tf.env().set(FLAG, false), or
 * `?tfjsflags=DETECTA_WASM_TRAINING_KERNELS:false` in a page) or `{ enabled: false }`.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { ADAM_UPDATE, adamUpdate } from './adam-update';
import { RELU6_GRAD, relu6Grad } from './relu6-grad';
import { AVG_POOL_GRAD, avgPoolGrad } from './avg-pool-grad';
import { BATCH_MAT_MUL, makeBatchMatMul } from './batch-matmul';
import { CONV2D_BACKPROP_FILTER, conv2DBackpropFilter } from './conv2d-backprop-filter';
import { CONV2D_BACKPROP_INPUT, conv2DBackpropInput } from './conv2d-backprop-input';
import { DEPTHWISE_BACKPROP_FILTER, depthwiseConv2dNativeBackpropFilter } from './depthwise-backprop-filter';
import { DEPTHWISE_BACKPROP_INPUT, depthwiseConv2dNativeBackpropInput } from './depthwise-backprop-input';
import { FUSED_BATCH_NORM, makeFusedBatchNorm } from './batch-norm';
import { BINARY_OPS, makeBinary, makeCast, makeIdentity, makeLeakyRelu, makeSelect } from './elementwise';
import { LEAKY_RELU_GRAD, leakyReluGrad, leakyReluGradConfig } from './leaky-relu-grad';
import { MAX_POOL_GRAD, maxPoolGrad } from './max-pool-grad';
import { makePadV2, makeSlice, makeSplitV, PAD_V2, SLICE, SPLIT_V } from './slice-pad';
import { SUM, makeSum } from './sum';
import { TILE, makeTile } from './tile';
import type { WasmKernelFunc } from './wasm-backend';

/** tfjs environment flag (default true) that turns the training kernels off when false. */
export const WASM_TRAINING_KERNELS_FLAG = 'DETECTA_WASM_TRAINING_KERNELS';
if (!isFlagRegistered()) tf.env().registerFlag(WASM_TRAINING_KERNELS_FLAG, () => true);

function isFlagRegistered(): boolean {
  return WASM_TRAINING_KERNELS_FLAG in (tf.env() as unknown as { flagRegistry: Record<string, unknown> }).flagRegistry;
}

const BACKEND = 'wasm';

/** Kernels the stock wasm backend lacks; always added. */
export const ADDED_KERNELS = [CONV2D_BACKPROP_FILTER, DEPTHWISE_BACKPROP_FILTER, DEPTHWISE_BACKPROP_INPUT, ADAM_UPDATE, RELU6_GRAD] as const;
/**
 * Our replacement of each slow stock kernel, made from the stock kernel function: those that cover
 * only the common cases hand the others to it, the rest ignore it.
 */
const REPLACEMENTS: ReadonlyArray<[string, (stock: WasmKernelFunc) => unknown]> = [
  [CONV2D_BACKPROP_INPUT, () => conv2DBackpropInput],
  [BATCH_MAT_MUL, makeBatchMatMul],
  [TILE, makeTile],
  [MAX_POOL_GRAD, () => maxPoolGrad],
  [AVG_POOL_GRAD, () => avgPoolGrad],
  ...BINARY_OPS.map((op): [string, (stock: WasmKernelFunc) => unknown] => [op, (stock) => makeBinary(op, stock)]),
  ['Select', makeSelect],
  ['Cast', makeCast],
  ['LeakyRelu', makeLeakyRelu],
  [FUSED_BATCH_NORM, makeFusedBatchNorm],
  [SUM, makeSum],
  [SLICE, makeSlice],
  [SPLIT_V, makeSplitV],
  [PAD_V2, makePadV2],
  ['Identity', makeIdentity],
];

/** Kernels of the gradients replaced along with the stock kernels (LeakyRelu's). */
export const GRADIENT_KERNELS = [LEAKY_RELU_GRAD] as const;

/** Stock kernels replaced by faster ones unless `replaceStock: false`. */
export const REPLACED_KERNELS: readonly string[] = REPLACEMENTS.map(([name]) => name);

export interface WasmTrainingKernelOptions {
  /** Default: the DETECTA_WASM_TRAINING_KERNELS flag (true unless set otherwise). */
  enabled?: boolean;
  /** Also replace the slow stock kernels of REPLACED_KERNELS (default true). */
  replaceStock?: boolean;
}

export interface WasmTrainingKernelsState {
  /** Kernel names this module currently has registered for 'wasm'. */
  registered: string[];
}

/** Stock configs displaced by a replacement, restored by unregister. */
const displaced = new Map<string, tf.KernelConfig>();
/** tfjs's LeakyRelu gradient while ours is registered. */
let stockLeakyReluGrad: tf.GradConfig | null = null;
const ours = new Set<string>();

function stockKernel(name: string): tf.KernelConfig {
  const k = tf.getKernel(name, BACKEND);
  if (k == null) throw new Error(`wasm training kernels: stock wasm kernel '${name}' is not registered; is @tensorflow/tfjs-backend-wasm loaded?`);
  return k;
}

function add(config: tf.KernelConfig): void {
  if (tf.getKernel(config.kernelName, BACKEND) != null) {
    throw new Error(`wasm training kernels: '${config.kernelName}' is already registered for wasm by someone else; refusing to override it`);
  }
  tf.registerKernel(config);
  ours.add(config.kernelName);
}

function replace(name: string, kernelFunc: tf.KernelFunc): void {
  const stock = stockKernel(name);
  tf.unregisterKernel(name, BACKEND);
  // Keep the stock setup/dispose hooks: if the backend initialises after this call, the engine runs
  // setupFunc of the *registered* config, and a wrapped stock kernel needs its own setup to have run.
  tf.registerKernel({ kernelName: name, backendName: BACKEND, kernelFunc, setupFunc: stock.setupFunc, disposeFunc: stock.disposeFunc });
  displaced.set(name, stock);
  ours.add(name);
}

/**
 * Registers the training kernels for the wasm backend (idempotent). Safe to call before or after
 * `tf.setBackend('wasm')`. Returns what is registered afterwards; empty when disabled.
 */
export function registerWasmTrainingKernels(options: WasmTrainingKernelOptions = {}): WasmTrainingKernelsState {
  const enabled = options.enabled ?? tf.env().getBool(WASM_TRAINING_KERNELS_FLAG);
  if (!enabled) return wasmTrainingKernelsState();
  const replaceStock = options.replaceStock ?? true;
  const want: Array<[string, tf.KernelFunc]> = [
    [CONV2D_BACKPROP_FILTER, conv2DBackpropFilter as unknown as tf.KernelFunc],
    [DEPTHWISE_BACKPROP_FILTER, depthwiseConv2dNativeBackpropFilter as unknown as tf.KernelFunc],
    [DEPTHWISE_BACKPROP_INPUT, depthwiseConv2dNativeBackpropInput as unknown as tf.KernelFunc],
    // Adam's update in one pass (../train/fused-adam uses it where it is registered)
    [ADAM_UPDATE, adamUpdate as unknown as tf.KernelFunc],
    // ReLU6's gradient in one pass (../train/fused-conv-layers uses it where it is registered)
    [RELU6_GRAD, relu6Grad as unknown as tf.KernelFunc],
  ];
  for (const [name, kernelFunc] of want) {
    if (!ours.has(name)) add({ kernelName: name, backendName: BACKEND, kernelFunc });
  }
  if (replaceStock) {
    for (const [name, make] of REPLACEMENTS) {
      if (!ours.has(name)) replace(name, make(stockKernel(name).kernelFunc as unknown as WasmKernelFunc) as tf.KernelFunc);
    }
    if (!ours.has(LEAKY_RELU_GRAD)) {
      add({ kernelName: LEAKY_RELU_GRAD, backendName: BACKEND, kernelFunc: leakyReluGrad as unknown as tf.KernelFunc });
      const stock = tf.getGradient('LeakyRelu');
      if (stock == null) throw new Error('wasm training kernels: tfjs has no LeakyRelu gradient to replace');
      stockLeakyReluGrad = stock;
      tf.registerGradient(leakyReluGradConfig(stock));
    }
  }
  return wasmTrainingKernelsState();
}

/** Removes every kernel this module registered and puts the displaced stock kernels back. */
export function unregisterWasmTrainingKernels(): void {
  for (const name of [...ours]) {
    tf.unregisterKernel(name, BACKEND);
    const stock = displaced.get(name);
    if (stock != null) tf.registerKernel(stock);
    displaced.delete(name);
    ours.delete(name);
  }
  if (stockLeakyReluGrad) {
    tf.registerGradient(stockLeakyReluGrad);
    stockLeakyReluGrad = null;
  }
}

export function wasmTrainingKernelsState(): WasmTrainingKernelsState {
  return { registered: [...ours].sort() };
}
