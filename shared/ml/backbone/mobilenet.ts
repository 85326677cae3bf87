/**
 * MobileNet v1 backbone from an ImageNet-pretrained tfjs LayersModel (the Keras-applications
 * layer names: conv1, conv_dw_1, conv_pw_1, … conv_pw_13_relu).
 *
 * The pretrained model is loaded as-is (its 224×224 input does not matter), then its layers from
 * the input up to `cutLayer` are re-created on the detector's input with the pretrained weights
 * copied in. With `foldBatchNorm`, every conv followed by BatchNorm becomes one conv with bias
 * (kernel·γ/√(σ²+ε), bias (b − μ)·γ/√(σ²+ε) + β): the same function at inference, and a frozen
 * backbone then really stays frozen while training (tfjs BatchNorm ignores `trainable` and
 * normalises with batch statistics whenever training is on).
 * Layer names are kept, so getLayer('conv_pw_13_relu') works on the detector too.
 */
import * as tf from '@tensorflow/tfjs';
// MobileNet's 'relu6' activations in one op each way (registered under Keras's name on import)
import './relu6';

/** Known cut points of MobileNet v1 and their strides. */
export const MOBILENET_CUT_LAYERS: Record<string, number> = {
  conv_pw_5_relu: 8,
  conv_pw_11_relu: 16,
  conv_pw_13_relu: 32,
};

/** MobileNet expects pixels in [−1, 1]: x / 127.5 − 1. */
export const MOBILENET_PIXEL_SCALE = { scale: 1 / 127.5, offset: -1 };

/** Loads a pretrained MobileNet LayersModel from a URL (http(s)://) or an IOHandler. */
export async function loadMobileNet(source: string | tf.io.IOHandler): Promise<tf.LayersModel> {
  return tf.loadLayersModel(source);
}

type LayerFactory = [new (config: tf.serialization.ConfigDict) => tf.layers.Layer, (cls: unknown, config: tf.serialization.ConfigDict) => tf.layers.Layer];

/** Re-creates a layer of the same class from its config (tfjs's serialization registry). */
function cloneLayer(layer: tf.layers.Layer, overrides: tf.serialization.ConfigDict = {}): tf.layers.Layer {
  const entry = tf.serialization.SerializationMap.getMap().classNameMap[layer.getClassName()] as unknown as LayerFactory | undefined;
  if (!entry) throw new Error(`mobilenet backbone: layer class ${layer.getClassName()} is not registered in tfjs`);
  const [cls, fromConfig] = entry;
  return fromConfig(cls, { ...layer.getConfig(), ...overrides });
}

function weightsByName(layer: tf.layers.Layer): Map<string, tf.Tensor> {
  const values = layer.getWeights();
  const out = new Map<string, tf.Tensor>();
  layer.weights.forEach((w, i) => out.set(w.originalName.split('/').pop() ?? w.originalName, values[i]));
  return out;
}

/** Folds BatchNorm `bn` into conv/depthwise `conv`; returns [kernel, bias] for a conv with bias. */
export function foldBatchNormWeights(conv: tf.layers.Layer, bn: tf.layers.Layer): [tf.Tensor, tf.Tensor] {
  return tf.tidy(() => {
    const cw = weightsByName(conv);
    const bw = weightsByName(bn);
    const kernel = cw.get('kernel') ?? cw.get('depthwise_kernel');
    if (!kernel) throw new Error(`mobilenet backbone: ${conv.name} has no kernel`);
    const mean = bw.get('moving_mean');
    const variance = bw.get('moving_variance');
    if (!mean || !variance) throw new Error(`mobilenet backbone: ${bn.name} lacks moving statistics`);
    const epsilon = Number((bn.getConfig() as { epsilon?: number }).epsilon ?? 1e-3);
    const gamma = bw.get('gamma') ?? tf.onesLike(mean);
    const beta = bw.get('beta') ?? tf.zerosLike(mean);
    const bias = cw.get('bias') ?? tf.zerosLike(mean);
    const s = gamma.div(variance.add(epsilon).sqrt());
    // Conv2D kernel [kh, kw, in, out]; depthwise [kh, kw, in, multiplier] with out = in·multiplier + m.
    const [, , inC, last] = kernel.shape;
    const perChannel = cw.has('depthwise_kernel') ? s.reshape([1, 1, inC, last]) : s.reshape([1, 1, 1, last]);
    const folded = kernel.mul(perChannel);
    return [tf.keep(folded), tf.keep(bias.sub(mean).mul(s).add(beta))];
  });
}

export interface MobileNetFeatures {
  features: tf.SymbolicTensor;
  /** Names of the re-created backbone layers, input side first. */
  layerNames: string[];
  /** Output of every re-created layer by name (feature taps for multi-scale necks). */
  taps: Map<string, tf.SymbolicTensor>;
}

function isConv(layer: tf.layers.Layer): boolean {
  const c = layer.getClassName();
  return (c === 'Conv2D' || c === 'DepthwiseConv2D') && (layer.getConfig() as { activation?: string }).activation === 'linear';
}

/**
 * Re-creates `base` from its input to `cutLayer` on top of `x` (already scaled to [−1, 1]),
 * copying (or folding) the pretrained weights. Only chain models can be cut.
 */
export function mobilenetFeatures(x: tf.SymbolicTensor, base: tf.LayersModel, cutLayer: string, foldBatchNorm: boolean): MobileNetFeatures {
  const names = base.layers.map((l) => l.name);
  const cutIndex = names.indexOf(cutLayer);
  if (cutIndex < 0) {
    const suggestions = names.filter((n) => n.endsWith('_relu')).slice(-6).join(', ');
    throw new Error(`mobilenet backbone: no layer named '${cutLayer}' in ${base.name} (activation layers include ${suggestions})`);
  }
  const layerNames: string[] = [];
  const taps = new Map<string, tf.SymbolicTensor>();
  let previous: tf.layers.Layer | undefined;
  for (let i = 0; i <= cutIndex; i++) {
    const layer = base.layers[i];
    const inbound = layer.inboundNodes[0]?.inboundLayers ?? [];
    if (layer.getClassName() === 'InputLayer') {
      previous = layer;
      continue;
    }
    if (inbound.length !== 1 || inbound[0] !== previous) {
      throw new Error(`mobilenet backbone: layer ${layer.name} does not simply follow ${previous?.name}; only chain models can be cut`);
    }
    previous = layer;
    const next = base.layers[i + 1];
    if (foldBatchNorm && isConv(layer) && i + 1 <= cutIndex && next.getClassName() === 'BatchNormalization' && next.inboundNodes[0]?.inboundLayers[0] === layer) {
      const clone = cloneLayer(layer, { useBias: true, trainable: true });
      x = clone.apply(x) as tf.SymbolicTensor;
      const [kernel, bias] = foldBatchNormWeights(layer, next);
      clone.setWeights([kernel, bias]);
      kernel.dispose();
      bias.dispose();
      layerNames.push(clone.name);
      taps.set(clone.name, x);
      previous = next;
      i++; // the BatchNorm is consumed
      continue;
    }
    const clone = cloneLayer(layer, { trainable: true });
    x = clone.apply(x) as tf.SymbolicTensor;
    clone.setWeights(layer.getWeights());
    layerNames.push(clone.name);
    taps.set(clone.name, x);
  }
  return { features: x, layerNames, taps };
}
