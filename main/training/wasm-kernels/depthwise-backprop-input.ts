/**
 * DepthwiseConv2dNativeBackpropInput for the wasm backend (missing there).
 *
 * Formulation: a direct scatter, dx[b, ih, iw, c] += Σ_m dy[b, oh, ow, c·M + m] · W[kh, kw, c, m]
 * over every output pixel and in-image tap (ih = oh·strideH + kh − padTop, iw = ow·strideW + kw −
 * padLeft), channels innermost and contiguous. Same cost as the forward depthwise convolution.
 *
 * Supports: NHWC, any strides, 'same' / 'valid' / numeric / explicit padding, dimRoundingMode, any
 * channel multiplier. Rejects dilations ≠ 1 and non-float32.
 */
import type * as tf from '@tensorflow/tfjs';
import { assertDyShape, convGeometry, type ConvAttrs } from './conv-geometry';
import { asWasmBackend, assertFloat32, heapF32 } from './wasm-backend';

export const DEPTHWISE_BACKPROP_INPUT = 'DepthwiseConv2dNativeBackpropInput';

interface Attrs extends ConvAttrs { inputShape: [number, number, number, number] }

export function depthwiseConv2dNativeBackpropInput(args: { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap }): tf.TensorInfo {
  const backend = asWasmBackend(args.backend);
  const { dy, filter } = args.inputs as { dy: tf.TensorInfo; filter: tf.TensorInfo };
  const attrs = args.attrs as unknown as Attrs;
  assertFloat32(DEPTHWISE_BACKPROP_INPUT, dy, filter);
  const g = convGeometry(DEPTHWISE_BACKPROP_INPUT, attrs.inputShape, filter.shape, attrs, true);
  assertDyShape(DEPTHWISE_BACKPROP_INPUT, dy.shape, g);
  const { batch, inH, inW, inC, outH, outW, kH, kW, strideH, strideW, padTop, padLeft, multiplier: M } = g;
  const CM = inC * M;
  const out = backend.makeOutput([...attrs.inputShape], 'float32');
  const dx = heapF32(backend, out);
  dx.fill(0);
  const dys = heapF32(backend, dy);
  const w = heapF32(backend, filter);
  for (let b = 0; b < batch; b++) {
    for (let oh = 0; oh < outH; oh++) {
      for (let kh = 0; kh < kH; kh++) {
        const ih = oh * strideH + kh - padTop;
        if (ih < 0 || ih >= inH) continue;
        const dxRow = (b * inH + ih) * inW;
        for (let kw = 0; kw < kW; kw++) {
          const w0 = (kh * kW + kw) * CM;
          const owLo = Math.min(outW, Math.max(0, Math.ceil((padLeft - kw) / strideW)));
          const owHi = Math.max(owLo, Math.min(outW, Math.floor((inW - 1 + padLeft - kw) / strideW) + 1));
          for (let ow = owLo; ow < owHi; ow++) {
            const d = (dxRow + ow * strideW + kw - padLeft) * inC;
            const di = ((b * outH + oh) * outW + ow) * CM;
            if (M === 1) {
              for (let c = 0; c < inC; c++) dx[d + c] += dys[di + c] * w[w0 + c];
            } else {
              for (let c = 0; c < inC; c++) {
                let s = 0;
                for (let m = 0; m < M; m++) s += dys[di + c * M + m] * w[w0 + c * M + m];
                dx[d + c] += s;
              }
            }
          }
        }
      }
    }
  }
  return out;
}
