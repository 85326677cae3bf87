/**
 * Convolution layers as one kernel each, with gradients on demand.
 *
 * tfjs-layers runs a Conv2D as `tf.fused.conv2d` and a DepthwiseConv2D as a convolution plus a
 * bias add, and a following activation layer (LeakyReLU, ReLU, relu6) as one more pass. While
 * training, the fused conv2d's gradient (a customGrad) computes the gradients of the input, the
 * filter and the bias together, needed or not; a non-linear activation under a gradient is not
 * fused at all; the bias add's broadcast and the activation each cost a pass over the
 * activations forward and backward. On the mobilenet preset that was about a fifth of a step.
 *
 * `fuseConvLayers(model)` makes every Conv2D and DepthwiseConv2D layer of the model (channels last,
 * no dilation) run as tfjs's FusedConv2D / FusedDepthwiseConv2D kernel: convolution, bias and
 * activation in one pass (XNNPACK's on wasm). When the layer's only consumer is an activation
 * layer the kernels can do (LeakyReLU; ReLU, with or without max 6; Activation 'relu' or 'relu6'),
 * that activation is fused too and the activation layer passes its input on. The gradients of both
 * kernels (registered here; tfjs has none, its fused ops wrap them in customGrad) take the
 * activation's derivative from the saved output, then give the input, filter and bias gradients
 * as separate functions, so the engine computes only those on the path from the trained weights to
 * the loss: no input gradient for a layer fed by the images or by a frozen backbone.
 *
 * The same calls serve inference (one kernel per layer; the Detect view uses them too). The layers'
 * classes, configs and weights are unchanged, so saving, loading and exporting are not affected.
 * A layer is fused only while its output feeds the activation alone: fuse a model once it is
 * built, and do not build other models on its layers' outputs afterwards.
 */
import * as tf from '@tensorflow/tfjs';
import { relu6Gradient } from '../wasm-kernels/relu6-grad';

const FUSED_CONV2D = 'FusedConv2D';
const FUSED_DEPTHWISE = 'FusedDepthwiseConv2D';

type Activation = 'linear' | 'relu' | 'relu6' | 'leakyrelu';
interface FusedActivation { activation: Activation; leakyreluAlpha?: number }

interface ConvConfig {
  strides: number | [number, number];
  padding: 'same' | 'valid' | 'causal';
  dataFormat?: 'channelsFirst' | 'channelsLast';
  dilationRate: number | [number, number];
  activation?: string | null;
  useBias: boolean;
  depthMultiplier?: number;
}

const pair = (v: number | [number, number]): [number, number] => (typeof v === 'number' ? [v, v] : v);

/** The fusable activation of an activation layer, or null. */
function activationOfLayer(layer: tf.layers.Layer): FusedActivation | null {
  const cls = layer.getClassName();
  const c = layer.getConfig() as { alpha?: number; maxValue?: number | null; activation?: string };
  if (cls === 'LeakyReLU') return c.alpha != null && c.alpha > 0 ? { activation: 'leakyrelu', leakyreluAlpha: c.alpha } : null;
  if (cls === 'ReLU') return c.maxValue == null ? { activation: 'relu' } : c.maxValue === 6 ? { activation: 'relu6' } : null;
  if (cls === 'Activation') return c.activation === 'relu' || c.activation === 'relu6' ? { activation: c.activation } : null;
  return null;
}

/** A conv layer's own activation when the kernels can do it. */
function ownActivation(c: ConvConfig): FusedActivation | null {
  const a = c.activation ?? 'linear';
  return a === 'linear' || a === 'relu' || a === 'relu6' ? { activation: a } : null;
}

function fusable(layer: tf.layers.Layer): ConvConfig | null {
  const cls = layer.getClassName();
  if (cls !== 'Conv2D' && cls !== 'DepthwiseConv2D') return null;
  const c = layer.getConfig() as unknown as ConvConfig;
  if (c.padding === 'causal' || c.dataFormat === 'channelsFirst' || pair(c.dilationRate).some((d) => d !== 1)) return null;
  if (ownActivation(c) === null) return null;
  return c;
}

/** The activation layer that alone consumes `layer`'s output, if it can be fused into it. */
function soleActivationConsumer(layer: tf.layers.Layer, model: tf.LayersModel): { layer: tf.layers.Layer; act: FusedActivation } | null {
  if ((layer.getConfig() as unknown as ConvConfig).activation !== 'linear') return null;
  if (layer.inboundNodes.length !== 1 || layer.outboundNodes.length !== 1) return null;
  if (model.outputLayers.includes(layer)) return null;
  const next = layer.outboundNodes[0]!.outboundLayer;
  const act = activationOfLayer(next);
  if (act === null || next.inboundNodes.length !== 1 || next.inboundNodes[0]!.inboundLayers.length !== 1) return null;
  return { layer: next, act };
}

const fused = new WeakSet<tf.layers.Layer>();

/**
 * Whether the current backend's fused kernels do this activation well. XNNPACK (wasm) fuses only
 * clamps (ReLU, ReLU6); tfjs's wasm kernel applies a leaky ReLU after the convolution in a
 * single-threaded loop, slower than the LeakyRelu kernel on its own (../wasm-kernels, a tenth
 * slower per NanoDet frame), so on wasm the leaky ReLU stays a kernel of its own.
 */
function activationInKernel(activation: Activation): boolean {
  return activation !== 'leakyrelu' || tf.getBackend() !== 'wasm';
}

function fuseLayer(layer: tf.layers.Layer, c: ConvConfig, act: FusedActivation): void {
  const depthwise = layer.getClassName() === 'DepthwiseConv2D';
  const kernelName = depthwise ? FUSED_DEPTHWISE : FUSED_CONV2D;
  const attrs = {
    strides: pair(c.strides), pad: c.padding as 'same' | 'valid', dataFormat: 'NHWC', dilations: [1, 1] as [number, number],
    dimRoundingMode: undefined, activation: act.activation, leakyreluAlpha: act.leakyreluAlpha ?? 0.2,
  };
  const linear = { ...attrs, activation: 'linear' };
  layer.call = (inputs) => {
    if (Array.isArray(inputs) && inputs.length !== 1) throw new Error(`${layer.name}: expects one input, got ${inputs.length}`);
    const x = (Array.isArray(inputs) ? inputs[0] : inputs) as tf.Tensor4D;
    // weights in layer order: kernel, then bias (when useBias); read() gives the variables the tape watches
    const [kernel, bias] = layer.weights.map((w) => w.read());
    const kernelInputs: tf.NamedTensorMap = { x, filter: kernel! };
    if (c.useBias && bias) kernelInputs.bias = bias;
    if (activationInKernel(act.activation)) return tf.engine().runKernel(kernelName, kernelInputs, attrs as unknown as tf.NamedAttrMap) as tf.Tensor;
    return tf.tidy(() => tf.leakyRelu(tf.engine().runKernel(kernelName, kernelInputs, linear as unknown as tf.NamedAttrMap) as tf.Tensor, act.leakyreluAlpha));
  };
}

/** dy through the fused activation, from the kernel's output y. */
function throughActivation(dy: tf.Tensor, y: tf.Tensor, activation: Activation, alpha: number): tf.Tensor {
  switch (activation) {
    case 'linear': return dy;
    case 'relu': return tf.mul(dy, tf.step(y));
    case 'relu6': return relu6Gradient(dy, y);
    // LeakyRelu's registered gradient (one kernel on wasm, ../wasm-kernels/leaky-relu-grad) reads
    // only the sign of its input, and y > 0 exactly where the input is > 0 (alpha > 0)
    case 'leakyrelu': {
      const g = tf.getGradient('LeakyRelu');
      if (g == null) throw new Error('fuseConvLayers: tfjs has no LeakyRelu gradient');
      return g.gradFunc(dy, [y], { alpha } as unknown as tf.NamedAttrMap).x!() as tf.Tensor;
    }
  }
}

/** The gradient of a fused kernel: activation first, then the stock gradient of the plain convolution, and the bias. */
function fusedGradConfig(kernelName: string, plain: string): tf.GradConfig {
  return {
    kernelName,
    inputsToSave: ['x', 'filter'],
    outputsToSave: [true],
    gradFunc: (dy, saved, attrs) => {
      const [x, filter, y] = saved as tf.Tensor[];
      const a = attrs as unknown as { activation: Activation; leakyreluAlpha?: number };
      if (!['linear', 'relu', 'relu6', 'leakyrelu'].includes(a.activation)) throw new Error(`${kernelName} gradient: activation '${a.activation}' is not supported`);
      const stock = tf.getGradient(plain);
      if (stock == null) throw new Error(`${kernelName} gradient: tfjs has no ${plain} gradient`);
      // needed by every gradient asked for; lives until the end of the backward pass
      const dyA = throughActivation(dy as tf.Tensor, y!, a.activation, a.leakyreluAlpha ?? 0.2);
      const grads = stock.gradFunc(dyA, [x!, filter!], attrs);
      return { ...grads, bias: () => tf.sum(dyA, [0, 1, 2]) };
    },
  };
}

let gradientsRegistered = false;
function registerGradients(): void {
  if (gradientsRegistered) return;
  for (const [kernel, plain] of [[FUSED_CONV2D, 'Conv2D'], [FUSED_DEPTHWISE, 'DepthwiseConv2dNative']] as const) {
    if (tf.getGradient(kernel) != null) throw new Error(`fuseConvLayers: a gradient for ${kernel} is already registered by someone else`);
    tf.registerGradient(fusedGradConfig(kernel, plain));
  }
  gradientsRegistered = true;
}

/**
 * Fuses the conv layers of `model` (nested models included) as described above; safe to call
 * again on the same model. Returns how many conv layers it changed this call.
 */
export function fuseConvLayers(model: tf.LayersModel): number {
  registerGradients();
  let n = 0;
  for (const layer of model.layers) {
    if (layer instanceof tf.LayersModel) {
      n += fuseConvLayers(layer);
      continue;
    }
    if (fused.has(layer)) continue;
    const c = fusable(layer);
    if (c === null) continue;
    const next = soleActivationConsumer(layer, model);
    if (next && !fused.has(next.layer)) {
      fuseLayer(layer, c, next.act);
      // the activation is done: pass the input on (a clone, an Identity kernel, so the layer still has an output of its own)
      next.layer.call = (inputs) => tf.clone((Array.isArray(inputs) ? inputs[0] : inputs) as tf.Tensor);
      fused.add(next.layer);
    } else {
      fuseLayer(layer, c, ownActivation(c)!);
    }
    fused.add(layer);
    n++;
  }
  return n;
}
