/**
 * DepthwiseConv2dNativeBackpropFilter for the wasm backend (missing there).
 *
 * Formulation: a direct reduction, dW[kh, kw, c, m] = Σ_{b, oh, ow} x[b, ih, iw, c] · dy[b, oh, ow, c·M + m]
 * with ih = oh·strideH + kh − padTop, iw = ow·strideW + kw − padLeft. A depthwise filter has no
 * channel mixing, so there is no matrix product to hand to XNNPACK; the loop runs over contiguous
 * channels (innermost) and accumulates in float64. Its cost, KH·KW·B·OH·OW·C·M multiply-adds, is
 * small next to the pointwise convolutions that surround depthwise layers.
 *
 * Supports: NHWC, any strides, 'same' / 'valid' / numeric / explicit padding, dimRoundingMode, any
 * channel multiplier. Rejects dilations ≠ 1 (tfjs's gradient never requests them, and the cpu
 * reference ignores them) and non-float32.
 */
import type * as tf from '@tensorflow/tfjs';
import { assertDyShape, convGeometry, type ConvAttrs } from './conv-geometry';
import { asWasmBackend, assertFloat32, heapF32 } from './wasm-backend';

export const DEPTHWISE_BACKPROP_FILTER = 'DepthwiseConv2dNativeBackpropFilter';

interface Attrs extends ConvAttrs { filterShape: [number, number, number, number] }

export function depthwiseConv2dNativeBackpropFilter(args: { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap }): tf.TensorInfo {
  const backend = asWasmBackend(args.backend);
  const { x, dy } = args.inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
  const attrs = args.attrs as unknown as Attrs;
  assertFloat32(DEPTHWISE_BACKPROP_FILTER, x, dy);
  const g = convGeometry(DEPTHWISE_BACKPROP_FILTER, x.shape, attrs.filterShape, attrs, true);
  assertDyShape(DEPTHWISE_BACKPROP_FILTER, dy.shape, g);
  const { batch, inH, inW, inC, outH, outW, kH, kW, strideH, strideW, padTop, padLeft, multiplier: M } = g;
  const CM = inC * M;
  const acc = new Float64Array(kH * kW * CM);
  const out = backend.makeOutput([...attrs.filterShape], 'float32');
  const xs = heapF32(backend, x);
  const dys = heapF32(backend, dy);
  for (let kh = 0; kh < kH; kh++) {
    for (let kw = 0; kw < kW; kw++) {
      const a0 = (kh * kW + kw) * CM;
      const owLo = Math.min(outW, Math.max(0, Math.ceil((padLeft - kw) / strideW)));
      const owHi = Math.max(owLo, Math.min(outW, Math.floor((inW - 1 + padLeft - kw) / strideW) + 1));
      for (let b = 0; b < batch; b++) {
        for (let oh = 0; oh < outH; oh++) {
          const ih = oh * strideH + kh - padTop;
          if (ih < 0 || ih >= inH) continue;
          const xRow = (b * inH + ih) * inW;
          const dyRow = (b * outH + oh) * outW;
          for (let ow = owLo; ow < owHi; ow++) {
            const xi = (xRow + ow * strideW + kw - padLeft) * inC;
            const di = (dyRow + ow) * CM;
            if (M === 1) {
              for (let c = 0; c < inC; c++) acc[a0 + c] += xs[xi + c] * dys[di + c];
            } else {
              for (let c = 0; c < inC; c++) {
                const xv = xs[xi + c];
                for (let m = 0; m < M; m++) acc[a0 + c * M + m] += xv * dys[di + c * M + m];
              }
            }
          }
        }
      }
    }
  }
  heapF32(backend, out).set(acc);
  return out;
}
