/**
 * Convolution gradients on demand.
 *
 * tfjs-layers runs every Conv2D as `tf.fused.conv2d`, whose gradient (a customGrad) computes the
 * gradients of the input, the filter and the bias together, whether or not anything needs them.
 * The input gradient of a convolution fed by the images, or by a frozen backbone, is thrown away:
 * on mobilenet at 224 that is the head's 3×3 256→256 convolution in frozen epochs (about a sixth of
 * the step) and the first convolution when fine-tuning.
 *
 * `convGradientsOnDemand` makes the model's linear Conv2D layers run, while gradients are being
 * recorded, as `tf.conv2d` plus a bias add: the path tfjs itself takes for a non-linear activation
 * under a gradient. Its registered gradient gives each input's gradient as a separate function,
 * and the engine calls only those on the path from the trained weights to the loss. Inference
 * (no gradient recorded) keeps the fused kernel. The layers' class, config and weights are
 * unchanged, so saving and loading are not affected.
 */
import * as tf from '@tensorflow/tfjs';

const converted = new WeakSet<tf.layers.Layer>();

interface Conv2DConfig {
  strides: number | [number, number];
  padding: 'same' | 'valid' | 'causal';
  dataFormat?: 'channelsFirst' | 'channelsLast';
  dilationRate: number | [number, number];
  activation: string;
  useBias: boolean;
}

const pair = (v: number | [number, number]): [number, number] => (typeof v === 'number' ? [v, v] : v);

function isLinearConv2D(layer: tf.layers.Layer): boolean {
  if (layer.getClassName() !== 'Conv2D') return false;
  const c = layer.getConfig() as unknown as Conv2DConfig;
  return (c.activation === 'linear' || c.activation == null) && c.padding !== 'causal' && c.dataFormat !== 'channelsFirst';
}

function convertLayer(layer: tf.layers.Layer): void {
  const c = layer.getConfig() as unknown as Conv2DConfig;
  const strides = pair(c.strides);
  const dilations = pair(c.dilationRate);
  const padding = c.padding as 'same' | 'valid';
  const fused = layer.call.bind(layer);
  layer.call = (inputs, kwargs) => {
    if (tf.engine().state.gradientDepth === 0) return fused(inputs, kwargs);
    const x = (Array.isArray(inputs) ? inputs[0] : inputs) as tf.Tensor4D;
    if (Array.isArray(inputs) && inputs.length !== 1) throw new Error(`${layer.name}: Conv2D expects one input, got ${inputs.length}`);
    // weights in layer order: kernel, then bias (when useBias); read() gives the variables the tape watches
    const [kernel, bias] = layer.weights.map((w) => w.read());
    return tf.tidy(() => {
      const y = tf.conv2d(x, kernel as tf.Tensor4D, strides, padding, 'NHWC', dilations);
      return c.useBias && bias ? tf.add(y, bias) : y;
    });
  };
}

/**
 * Converts the linear Conv2D layers of `model` (nested models included) as described above; safe
 * to call again on the same model. Returns how many layers it converted this call.
 */
export function convGradientsOnDemand(model: tf.LayersModel): number {
  let n = 0;
  for (const layer of model.layers) {
    if (layer instanceof tf.LayersModel) n += convGradientsOnDemand(layer);
    else if (!converted.has(layer) && isLinearConv2D(layer)) {
      convertLayer(layer);
      converted.add(layer);
      n++;
    }
  }
  return n;
}
