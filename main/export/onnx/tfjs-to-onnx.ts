/**
 * tfjs LayersModel → ONNX (opset 17), from the model's topology and weights.
 *
 * The ONNX model takes and gives the same tensors as the tfjs model: input NHWC float32
 * [batch, H, W, C] (0..255 pixels; the model's own Rescaling layer comes along), output in the
 * tfjs layout ([batch, grid, grid, A·(5+C)] for the YOLOv2 head, [batch, N, C+4R] for the point
 * head, [batch, C] probabilities for classifiers). Inside, 4-D tensors are kept NCHW (what ONNX
 * Conv and pooling take); a Transpose goes in only where a layer needs the NHWC order (Reshape,
 * Flatten, the output).
 *
 * Layers: InputLayer, Rescaling, Conv2D, DepthwiseConv2D, BatchNormalization (folded into the
 * conv before it when that conv feeds nothing else and has no activation; otherwise an ONNX
 * BatchNormalization), Activation, ReLU, LeakyReLU, MaxPooling2D, AveragePooling2D,
 * GlobalAveragePooling2D, GlobalMaxPooling2D, Dropout (identity), Flatten, Dense, Reshape, Add,
 * Multiply, Subtract, Concatenate, UpSampling2D, ZeroPadding2D. Any other layer stops the export
 * with its class name. 'same' padding becomes explicit pads computed from the static shapes (TF
 * pads the extra pixel at the bottom/right).
 */
import * as tf from '@tensorflow/tfjs';
import { OnnxGraphBuilder, ONNX_IR_VERSION, ONNX_OPSET } from './graph-builder';

type Layout = 'nchw' | 'nhwc' | 'plain';

interface Value {
  name: string;
  /** tfjs shape (NHWC for 4-D tensors), batch as null. */
  shape: (number | null)[];
  layout: Layout;
  /** Set when a Conv node produced this value: its weight and bias initializers (BatchNorm folding). */
  conv?: { weight: string; bias: string; outChannels: number; foldable: boolean };
}

export interface OnnxExport {
  bytes: Uint8Array;
  opset: number;
  irVersion: number;
  input: { name: string; shape: (number | string)[] };
  output: { name: string; shape: (number | string)[] };
  /** How many BatchNorm layers were folded into the conv before them. */
  foldedBatchNorms: number;
}

export class UnsupportedLayerError extends Error {
  override name = 'UnsupportedLayerError';
}

type Sym = tf.SymbolicTensor;
interface LayerNode { inputTensors: Sym[]; outputTensors: Sym[] }
type LayerWithNodes = tf.layers.Layer & { inboundNodes: LayerNode[] };

function nodeOf(t: Sym): { layer: LayerWithNodes; node: LayerNode } {
  const layer = t.sourceLayer as LayerWithNodes;
  return { layer, node: layer.inboundNodes[t.nodeIndex] };
}

function weightsOf(layer: tf.layers.Layer): Map<string, { shape: number[]; data: Float32Array }> {
  const values = layer.getWeights();
  const out = new Map<string, { shape: number[]; data: Float32Array }>();
  layer.weights.forEach((w, i) => {
    const key = w.originalName.split('/').pop() ?? w.originalName;
    out.set(key, { shape: values[i].shape, data: Float32Array.from(values[i].dataSync()) });
  });
  return out;
}

const pair = (v: unknown, what: string): [number, number] => {
  if (typeof v === 'number') return [v, v];
  if (Array.isArray(v) && v.length === 2) return [Number(v[0]), Number(v[1])];
  throw new Error(`${what}: expected a number or a pair, got ${JSON.stringify(v)}`);
};

/** TF 'same' / 'valid' padding as ONNX pads [top, left, bottom, right]. */
function pads2d(padding: string, inHW: [number, number], kernel: [number, number], strides: [number, number], dilation: [number, number]): number[] {
  if (padding === 'valid') return [0, 0, 0, 0];
  if (padding !== 'same') throw new UnsupportedLayerError(`padding '${padding}' is not supported`);
  const begin: number[] = [];
  const end: number[] = [];
  for (let d = 0; d < 2; d++) {
    const out = Math.ceil(inHW[d] / strides[d]);
    const effK = (kernel[d] - 1) * dilation[d] + 1;
    const total = Math.max((out - 1) * strides[d] + effK - inHW[d], 0);
    begin.push(Math.floor(total / 2));
    end.push(total - Math.floor(total / 2));
  }
  return [...begin, ...end];
}

/** Converts `model` (loaded or built in this process) to ONNX bytes. */
export function tfjsToOnnx(model: tf.LayersModel, options: { producerVersion?: string; metadata?: Record<string, string> } = {}): OnnxExport {
  if (model.inputs.length !== 1 || model.outputs.length !== 1) throw new UnsupportedLayerError(`only models with one input and one output can be exported (this one has ${model.inputs.length} and ${model.outputs.length})`);
  const g = new OnnxGraphBuilder();
  const values = new Map<number, Value>();
  let folded = 0;

  // consumers of every symbolic tensor inside this model (shared layers may be used by other models too)
  const uses = new Map<number, number>();
  const seen = new Set<number>();
  const order: Sym[] = [];
  const visit = (t: Sym): void => {
    if (seen.has(t.id)) return;
    seen.add(t.id);
    const { node } = nodeOf(t);
    for (const inp of node.inputTensors) {
      if (inp.id === t.id) continue; // an InputLayer's node lists its own tensor
      uses.set(inp.id, (uses.get(inp.id) ?? 0) + 1);
      visit(inp);
    }
    order.push(t);
  };
  for (const out of model.outputs) {
    uses.set(out.id, (uses.get(out.id) ?? 0) + 1);
    visit(out);
  }

  const inputSym = model.inputs[0];
  const inputShape = inputSym.shape;
  const inputName = 'input';
  const outputName = 'output';
  g.reserve(outputName); // a layer named 'output' gets another value name
  g.input({ name: inputName, shape: inputShape.map((d, i) => (d === null ? (i === 0 ? 'batch' : `d${i}`) : d)) });

  const transposeCache = new Map<string, string>();
  const as = (v: Value, want: 'nchw' | 'nhwc'): string => {
    if (v.shape.length !== 4 || v.layout === want) return v.name;
    const key = `${v.name}->${want}`;
    const hit = transposeCache.get(key);
    if (hit) return hit;
    const perm = want === 'nchw' ? [0, 3, 1, 2] : [0, 2, 3, 1];
    const out = g.node('Transpose', [v.name], { perm }, g.unique(`${v.name}_${want}`));
    transposeCache.set(key, out);
    return out;
  };
  /** 4-D values are handed to ONNX ops in NCHW; others as they are. */
  const nchw = (v: Value): string => as(v, 'nchw');
  const spatial = (shape: (number | null)[], what: string): [number, number] => {
    const [, h, w] = shape;
    if (typeof h !== 'number' || typeof w !== 'number') throw new UnsupportedLayerError(`${what}: the height and width must be fixed`);
    return [h, w];
  };
  const rank4 = (v: Value, what: string): void => {
    if (v.shape.length !== 4) throw new UnsupportedLayerError(`${what}: expected a 4-D input, got shape [${v.shape}]`);
  };

  const activation = (x: string, act: string | undefined, base: string, rank: number): string => {
    switch (act ?? 'linear') {
      case 'linear': return x;
      case 'relu': return g.node('Relu', [x], {}, g.unique(`${base}_relu`));
      case 'relu6': return g.node('Clip', [x, g.scalar(`${base}_min`, 0), g.scalar(`${base}_max`, 6)], {}, g.unique(`${base}_relu6`));
      case 'sigmoid': return g.node('Sigmoid', [x], {}, g.unique(`${base}_sigmoid`));
      case 'tanh': return g.node('Tanh', [x], {}, g.unique(`${base}_tanh`));
      case 'softmax': return g.node('Softmax', [x], { axis: rank === 4 ? 1 : -1 }, g.unique(`${base}_softmax`));
      case 'elu': return g.node('Elu', [x], { alpha: { float: 1 } }, g.unique(`${base}_elu`));
      case 'selu': return g.node('Selu', [x], {}, g.unique(`${base}_selu`));
      case 'softplus': return g.node('Softplus', [x], {}, g.unique(`${base}_softplus`));
      case 'swish': return g.node('Mul', [x, g.node('Sigmoid', [x])], {}, g.unique(`${base}_swish`));
      case 'hard_sigmoid':
      case 'hardSigmoid': return g.node('HardSigmoid', [x], { alpha: { float: 0.2 }, beta: { float: 0.5 } }, g.unique(`${base}_hsig`));
      default: throw new UnsupportedLayerError(`activation '${act}' is not supported`);
    }
  };

  for (const t of order) {
    const { layer, node } = nodeOf(t);
    const cls = layer.getClassName();
    const cfg = layer.getConfig() as Record<string, unknown>;
    const name = layer.name;
    const ins = node.inputTensors.filter((s) => s.id !== t.id).map((s) => {
      const v = values.get(s.id);
      if (!v) throw new Error(`ONNX export: layer ${name} uses a tensor that was not converted`);
      return v;
    });
    const outShape = t.shape;
    const x = ins[0];
    const set = (v: Omit<Value, 'shape'> & { shape?: (number | null)[] }): void => { values.set(t.id, { shape: outShape, ...v }); };
    const where = `layer ${name} (${cls})`;

    switch (cls) {
      case 'InputLayer': {
        if (t.id !== inputSym.id) throw new UnsupportedLayerError(`${where}: a second input`);
        set({ name: inputName, layout: outShape.length === 4 ? 'nhwc' : 'plain' });
        break;
      }
      case 'Rescaling': {
        const scale = Number(cfg.scale);
        const offset = Number(cfg.offset ?? 0);
        let y = g.node('Mul', [x.name, g.scalar(`${name}_scale`, scale)], {}, g.unique(`${name}_mul`));
        if (offset !== 0) y = g.node('Add', [y, g.scalar(`${name}_offset`, offset)], {}, g.unique(name));
        set({ name: y, layout: x.layout });
        break;
      }
      case 'Conv2D':
      case 'DepthwiseConv2D': {
        rank4(x, where);
        if (cfg.dataFormat !== undefined && cfg.dataFormat !== 'channelsLast') throw new UnsupportedLayerError(`${where}: data format ${String(cfg.dataFormat)}`);
        const w = weightsOf(layer);
        const depthwise = cls === 'DepthwiseConv2D';
        const k = w.get(depthwise ? 'depthwise_kernel' : 'kernel');
        if (!k) throw new Error(`${where}: no kernel weight`);
        const [kh, kw, inC, last] = k.shape;
        const outC = depthwise ? inC * last : last;
        // tf [kh, kw, in, out] → onnx [out, in, kh, kw]; depthwise [kh, kw, in, m] → [in·m, 1, kh, kw]
        const W = new Float32Array(outC * (depthwise ? 1 : inC) * kh * kw);
        for (let y = 0; y < kh; y++) {
          for (let xx = 0; xx < kw; xx++) {
            for (let i = 0; i < inC; i++) {
              for (let o = 0; o < last; o++) {
                const v = k.data[((y * kw + xx) * inC + i) * last + o];
                if (depthwise) W[((i * last + o) * kh + y) * kw + xx] = v;
                else W[((o * inC + i) * kh + y) * kw + xx] = v;
              }
            }
          }
        }
        const B = w.get('bias')?.data ?? new Float32Array(outC);
        const strides = pair(cfg.strides ?? 1, where);
        const dil = pair(cfg.dilationRate ?? 1, where);
        const kernel: [number, number] = [kh, kw];
        const weight = g.floatTensor(`${name}_W`, [outC, depthwise ? 1 : inC, kh, kw], W);
        const bias = g.floatTensor(`${name}_B`, [outC], Float32Array.from(B));
        const act = String(cfg.activation ?? 'linear');
        const conv = g.node('Conv', [nchw(x), weight, bias], {
          kernel_shape: kernel, strides, dilations: dil, group: depthwise ? inC : 1,
          pads: pads2d(String(cfg.padding ?? 'valid'), spatial(x.shape, where), kernel, strides, dil),
        }, g.unique(act === 'linear' ? name : `${name}_conv`));
        const y = activation(conv, act, name, 4);
        set({ name: y, layout: 'nchw', conv: { weight, bias, outChannels: outC, foldable: act === 'linear' && (uses.get(t.id) ?? 0) <= 1 } });
        break;
      }
      case 'BatchNormalization': {
        const axis = Number(cfg.axis ?? -1);
        if (axis !== -1 && axis !== x.shape.length - 1) throw new UnsupportedLayerError(`${where}: only the last (channel) axis is supported, got ${axis}`);
        const w = weightsOf(layer);
        const mean = w.get('moving_mean')?.data;
        const variance = w.get('moving_variance')?.data;
        if (!mean || !variance) throw new Error(`${where}: no moving statistics`);
        const C = mean.length;
        const gamma = w.get('gamma')?.data ?? new Float32Array(C).fill(1);
        const beta = w.get('beta')?.data ?? new Float32Array(C);
        const eps = Number(cfg.epsilon ?? 1e-3);
        // tfjs: (x − mean)·γ/√(σ² + ε) + β, with the scale taken in float32 as tfjs does
        const scale = new Float32Array(C);
        for (let c = 0; c < C; c++) scale[c] = gamma[c] / Math.fround(Math.sqrt(Math.fround(variance[c] + eps)));
        if (x.conv && x.conv.foldable && x.conv.outChannels === C) {
          const W = g.floatData(x.conv.weight)!;
          const B = g.floatData(x.conv.bias)!;
          const per = W.length / C;
          const W2 = new Float32Array(W.length);
          const B2 = new Float32Array(C);
          for (let c = 0; c < C; c++) {
            for (let j = 0; j < per; j++) W2[c * per + j] = W[c * per + j] * scale[c];
            B2[c] = (B[c] - mean[c]) * scale[c] + beta[c];
          }
          g.replaceFloatData(x.conv.weight, W2);
          g.replaceFloatData(x.conv.bias, B2);
          folded++;
          set({ name: x.name, layout: x.layout });
          break;
        }
        const y = g.node('BatchNormalization', [
          nchw(x), g.floatTensor(`${name}_gamma`, [C], Float32Array.from(gamma)), g.floatTensor(`${name}_beta`, [C], Float32Array.from(beta)),
          g.floatTensor(`${name}_mean`, [C], Float32Array.from(mean)), g.floatTensor(`${name}_var`, [C], Float32Array.from(variance)),
        ], { epsilon: { float: eps } }, g.unique(name));
        set({ name: y, layout: x.shape.length === 4 ? 'nchw' : x.layout });
        break;
      }
      case 'Activation': {
        const v = x.shape.length === 4 ? nchw(x) : x.name;
        set({ name: activation(v, String(cfg.activation), name, x.shape.length), layout: x.shape.length === 4 ? 'nchw' : x.layout });
        break;
      }
      case 'ReLU': {
        const max = cfg.maxValue === null || cfg.maxValue === undefined ? null : Number(cfg.maxValue);
        const y = max === null
          ? g.node('Relu', [x.name], {}, g.unique(name))
          : g.node('Clip', [x.name, g.scalar(`${name}_min`, 0), g.scalar(`${name}_max`, max)], {}, g.unique(name));
        set({ name: y, layout: x.layout });
        break;
      }
      case 'LeakyReLU': {
        set({ name: g.node('LeakyRelu', [x.name], { alpha: { float: Number(cfg.alpha ?? 0.3) } }, g.unique(name)), layout: x.layout });
        break;
      }
      case 'MaxPooling2D':
      case 'AveragePooling2D': {
        rank4(x, where);
        const kernel = pair(cfg.poolSize ?? 2, where);
        const strides = pair(cfg.strides ?? cfg.poolSize ?? 2, where);
        const pads = pads2d(String(cfg.padding ?? 'valid'), spatial(x.shape, where), kernel, strides, [1, 1]);
        // ONNX MaxPool ignores padded cells, AveragePool leaves them out of the count: both as TF
        const y = g.node(cls === 'MaxPooling2D' ? 'MaxPool' : 'AveragePool', [nchw(x)], { kernel_shape: kernel, strides, pads }, g.unique(name));
        set({ name: y, layout: 'nchw' });
        break;
      }
      case 'GlobalAveragePooling2D':
      case 'GlobalMaxPooling2D': {
        rank4(x, where);
        const pooled = g.node(cls === 'GlobalAveragePooling2D' ? 'GlobalAveragePool' : 'GlobalMaxPool', [nchw(x)]);
        set({ name: g.node('Flatten', [pooled], { axis: 1 }, g.unique(name)), layout: 'plain' });
        break;
      }
      case 'Dropout':
      case 'SpatialDropout2D':
      case 'GaussianNoise':
      case 'GaussianDropout':
        set({ name: x.name, layout: x.layout, conv: x.conv && { ...x.conv, foldable: false } });
        break;
      case 'Flatten': {
        set({ name: g.node('Flatten', [as(x, 'nhwc')], { axis: 1 }, g.unique(name)), layout: 'plain' });
        break;
      }
      case 'Dense': {
        if (x.shape.length !== 2) throw new UnsupportedLayerError(`${where}: only 2-D inputs are supported, got [${x.shape}]`);
        const w = weightsOf(layer);
        const k = w.get('kernel');
        if (!k) throw new Error(`${where}: no kernel`);
        const [inF, outF] = k.shape;
        const inputs = [x.name, g.floatTensor(`${name}_W`, [inF, outF], k.data)];
        const b = w.get('bias');
        if (b) inputs.push(g.floatTensor(`${name}_B`, [outF], b.data));
        const y = g.node('Gemm', inputs, {}, g.unique(`${name}_gemm`));
        set({ name: activation(y, String(cfg.activation ?? 'linear'), name, 2), layout: 'plain' });
        break;
      }
      case 'Reshape': {
        const target = (cfg.targetShape as number[]).map(Number);
        const y = g.node('Reshape', [as(x, 'nhwc'), g.int64Tensor(`${name}_shape`, [0, ...target])], {}, g.unique(name));
        set({ name: y, layout: outShape.length === 4 ? 'nhwc' : 'plain' });
        break;
      }
      case 'Add':
      case 'Multiply':
      case 'Subtract':
      case 'Maximum':
      case 'Minimum': {
        const op = { Add: 'Add', Multiply: 'Mul', Subtract: 'Sub', Maximum: 'Max', Minimum: 'Min' }[cls]!;
        const four = ins.every((v) => v.shape.length === 4);
        const names = ins.map((v) => (four ? nchw(v) : v.name));
        if (!four && ins.some((v) => v.layout === 'nchw')) throw new UnsupportedLayerError(`${where}: mixed ranks`);
        let y = names[0];
        for (let i = 1; i < names.length; i++) y = g.node(op, [y, names[i]], {}, g.unique(i === names.length - 1 ? name : `${name}_${i}`));
        set({ name: y, layout: four ? 'nchw' : x.layout });
        break;
      }
      case 'Concatenate': {
        const rank = x.shape.length;
        let axis = Number(cfg.axis ?? -1);
        if (axis < 0) axis += rank;
        if (rank === 4) {
          const y = g.node('Concat', ins.map(nchw), { axis: [0, 2, 3, 1][axis] }, g.unique(name));
          set({ name: y, layout: 'nchw' });
        } else {
          set({ name: g.node('Concat', ins.map((v) => v.name), { axis }, g.unique(name)), layout: 'plain' });
        }
        break;
      }
      case 'UpSampling2D': {
        rank4(x, where);
        const [sh, sw] = pair(cfg.size ?? 2, where);
        const interpolation = String(cfg.interpolation ?? 'nearest');
        // tfjs resizes with align_corners = half_pixel_centers = false: ONNX 'asymmetric'
        const y = g.node('Resize', [nchw(x), '', g.floatTensor(`${name}_scales`, [4], new Float32Array([1, 1, sh, sw]))], {
          mode: interpolation === 'bilinear' ? 'linear' : 'nearest', coordinate_transformation_mode: 'asymmetric', nearest_mode: 'floor',
        }, g.unique(name));
        set({ name: y, layout: 'nchw' });
        break;
      }
      case 'Permute': {
        // Keras dims are 1-based over the axes after the batch, in the model's own (NHWC) order
        const dims = (cfg.dims as number[]).map(Number);
        const y = g.node('Transpose', [as(x, 'nhwc')], { perm: [0, ...dims] }, g.unique(name));
        set({ name: y, layout: outShape.length === 4 ? 'nhwc' : 'plain' });
        break;
      }
      case 'Cropping2D': {
        rank4(x, where);
        if (cfg.dataFormat !== undefined && cfg.dataFormat !== 'channelsLast') throw new UnsupportedLayerError(`${where}: data format ${String(cfg.dataFormat)}`);
        const c = cfg.cropping as unknown;
        const [[top, bottom], [left, right]] = typeof c === 'number' ? [[c, c], [c, c]]
          : Array.isArray(c) && typeof c[0] === 'number' ? [[Number(c[0]), Number(c[0])], [Number(c[1]), Number(c[1])]]
            : (c as [[number, number], [number, number]]);
        const [h, w] = spatial(x.shape, where);
        const y = g.node('Slice', [nchw(x), g.int64Tensor(`${name}_starts`, [top, left]), g.int64Tensor(`${name}_ends`, [h - bottom, w - right]), g.int64Tensor(`${name}_axes`, [2, 3])], {}, g.unique(name));
        set({ name: y, layout: 'nchw' });
        break;
      }
      case 'ZeroPadding2D': {
        rank4(x, where);
        const p = cfg.padding as unknown;
        const [[top, bottom], [left, right]] = typeof p === 'number' ? [[p, p], [p, p]]
          : Array.isArray(p) && typeof p[0] === 'number' ? [[Number(p[0]), Number(p[0])], [Number(p[1]), Number(p[1])]]
            : (p as [[number, number], [number, number]]);
        const y = g.node('Pad', [nchw(x), g.int64Tensor(`${name}_pads`, [0, 0, top, left, 0, 0, bottom, right])], { mode: 'constant' }, g.unique(name));
        set({ name: y, layout: 'nchw' });
        break;
      }
      default:
        throw new UnsupportedLayerError(`${where}: no ONNX conversion for this layer class`);
    }
  }

  const out = values.get(model.outputs[0].id)!;
  const last = out.shape.length === 4 ? as(out, 'nhwc') : out.name;
  g.node('Identity', [last], {}, outputName);
  const outShape = model.outputs[0].shape.map((d, i) => (d === null ? (i === 0 ? 'batch' : `o${i}`) : d));
  g.output({ name: outputName, shape: outShape });
  const bytes = g.encode({ graphName: model.name, producerVersion: options.producerVersion ?? '0', metadata: options.metadata });
  return {
    bytes, opset: ONNX_OPSET, irVersion: ONNX_IR_VERSION,
    input: { name: inputName, shape: inputShape.map((d, i) => (d === null ? (i === 0 ? 'batch' : `d${i}`) : d)) },
    output: { name: outputName, shape: outShape },
    foldedBatchNorms: folded,
  };
}
