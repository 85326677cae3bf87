/**
 * The weights of the NanoDet-m COCO GraphModel (the model zoo's nanodet-m-416-coco: RangiLyu's
 * NanoDet v0.x, converted PyTorch → ONNX → TF → tfjs, float16) read by convolution: the graph's
 * BatchNorms are already folded, so every Conv2D / DepthwiseConv2dNative node takes its kernel
 * (HWIO; depthwise [kh, kw, C, 1]) from a weight and is followed by an Add of its bias.
 * `nanodetConvWeights` maps each such node name ('convolution', 'convolution_1', …, 'depthwise',
 * 'depthwise_1', …, without the 'PartitionedCall/' scope) to its kernel and bias as float32
 * tensors. Pure TS over tf.io: the file reading is the caller's (main/training/pretrained-nanodet.ts).
 */
import * as tf from '@tensorflow/tfjs';

export interface ConvWeights {
  kernel: tf.Tensor;
  bias: tf.Tensor;
}

/** Conv node name → weights; dispose() frees every tensor. */
export interface NanodetWeights {
  convs: Map<string, ConvWeights>;
  dispose(): void;
}

interface GraphNode {
  name: string;
  op: string;
  input?: string[];
}

const CONV_OPS = new Set(['Conv2D', 'DepthwiseConv2dNative']);
const SCOPE = 'PartitionedCall/';
const short = (name: string): string => (name.startsWith(SCOPE) ? name.slice(SCOPE.length) : name);
/** An input reference 'node:1' or '^node' → the node's name. */
const inputNode = (ref: string): string => ref.replace(/^\^/, '').replace(/:\d+$/, '');

/**
 * Reads the conv kernels and biases out of a GraphModel's artifacts (topology, weight specs and data).
 * Throws naming what is missing when the graph is not the NanoDet one (no conv nodes, a conv
 * without a weight kernel or without the bias Add).
 */
export function nanodetConvWeights(artifacts: tf.io.ModelArtifacts, source = 'the NanoDet graph model'): NanodetWeights {
  const topology = artifacts.modelTopology as { node?: GraphNode[] } | undefined;
  if (artifacts.format !== 'graph-model' || !Array.isArray(topology?.node)) {
    throw new Error(`${source} is not a tfjs GraphModel (its JSON needs format 'graph-model' and modelTopology.node)`);
  }
  if (!artifacts.weightSpecs || artifacts.weightData === undefined) throw new Error(`${source} has no weights`);
  const nodes = topology.node;
  const decoded = tf.io.decodeWeights(tf.io.CompositeArrayBuffer.join(artifacts.weightData), artifacts.weightSpecs);
  const consumers = new Map<string, GraphNode[]>();
  for (const n of nodes) {
    for (const ref of n.input ?? []) {
      const from = inputNode(ref);
      const list = consumers.get(from) ?? [];
      list.push(n);
      consumers.set(from, list);
    }
  }
  const convs = new Map<string, ConvWeights>();
  try {
    for (const n of nodes) {
      if (!CONV_OPS.has(n.op)) continue;
      const kernelName = (n.input ?? []).map(inputNode).find((i) => decoded[i] !== undefined);
      if (!kernelName) throw new Error(`${source}: ${n.op} node ${n.name} has no kernel among the weights`);
      const add = (consumers.get(n.name) ?? []).find((c) => c.op === 'Add' || c.op === 'AddV2' || c.op === 'BiasAdd');
      const biasName = add?.input?.map(inputNode).find((i) => i !== n.name && decoded[i] !== undefined);
      if (!biasName) throw new Error(`${source}: ${n.op} node ${n.name} is not followed by the Add of a bias`);
      const kernel = decoded[kernelName];
      const bias = decoded[biasName];
      const out = kernel.shape[3]! * (n.op === 'Conv2D' ? 1 : kernel.shape[2]!);
      if (kernel.rank !== 4 || bias.rank !== 1 || bias.shape[0] !== out) {
        throw new Error(`${source}: ${n.name} has kernel [${kernel.shape}] and bias [${bias.shape}], which do not fit`);
      }
      convs.set(short(n.name), { kernel: tf.cast(kernel, 'float32'), bias: tf.cast(bias, 'float32') });
    }
  } finally {
    for (const t of Object.values(decoded)) t.dispose();
  }
  if (convs.size === 0) throw new Error(`${source}: the graph has no Conv2D or DepthwiseConv2dNative nodes`);
  return {
    convs,
    dispose() {
      for (const w of convs.values()) {
        w.kernel.dispose();
        w.bias.dispose();
      }
      convs.clear();
    },
  };
}
