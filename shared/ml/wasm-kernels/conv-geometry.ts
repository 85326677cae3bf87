/**
 * Geometry of a 2-D convolution as the training kernels need it, computed with tfjs's own
 * `computeConv2DInfo` so output sizes and 'same'/'valid'/explicit paddings match every backend.
 * Rejects what the kernels do not implement (NCHW, dilations other than 1) with a clear error.
 */
import * as tf from '@tensorflow/tfjs';

export type Pad = 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;

export interface ConvGeometry {
  batch: number;
  inH: number; inW: number; inC: number;
  outH: number; outW: number;
  /** Output channels of the convolution: CO for conv2d, C * multiplier for depthwise. */
  outC: number;
  kH: number; kW: number;
  strideH: number; strideW: number;
  padTop: number; padLeft: number; padBottom: number; padRight: number;
  /** Channel multiplier (depthwise only; 1 for conv2d). */
  multiplier: number;
}

export interface ConvAttrs {
  strides: number | [number, number];
  pad: Pad;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  dilations?: number | [number, number];
  dataFormat?: 'NHWC' | 'NCHW';
}

/**
 * @param xShape input shape [B, H, W, C]
 * @param filterShape [KH, KW, CI, CO] (conv2d) or [KH, KW, C, M] (depthwise)
 */
export function convGeometry(kernel: string, xShape: number[], filterShape: number[], attrs: ConvAttrs, depthwise: boolean): ConvGeometry {
  if (xShape.length !== 4 || filterShape.length !== 4) {
    throw new Error(`${kernel} (wasm training kernels): input and filter must be rank 4, got [${xShape}] and [${filterShape}]`);
  }
  if (attrs.dataFormat != null && attrs.dataFormat !== 'NHWC') {
    throw new Error(`${kernel} (wasm training kernels): dataFormat '${attrs.dataFormat}' is not supported, only NHWC`);
  }
  if (filterShape[2] !== xShape[3]) {
    throw new Error(`${kernel} (wasm training kernels): filter in-channels ${filterShape[2]} do not match input channels ${xShape[3]}`);
  }
  const dil = attrs.dilations ?? 1;
  const [dh, dw] = typeof dil === 'number' ? [dil, dil] : dil;
  if (dh !== 1 || dw !== 1) {
    throw new Error(`${kernel} (wasm training kernels): dilations [${dh}, ${dw}] are not supported, only 1 (tfjs gradients never use others)`);
  }
  const info = tf.backend_util.computeConv2DInfo(
    xShape as [number, number, number, number],
    filterShape as [number, number, number, number],
    attrs.strides, 1, attrs.pad, attrs.dimRoundingMode, depthwise, 'channelsLast');
  return {
    batch: info.batchSize,
    inH: info.inHeight, inW: info.inWidth, inC: info.inChannels,
    outH: info.outHeight, outW: info.outWidth, outC: info.outChannels,
    kH: info.filterHeight, kW: info.filterWidth,
    strideH: info.strideHeight, strideW: info.strideWidth,
    padTop: info.padInfo.top, padLeft: info.padInfo.left, padBottom: info.padInfo.bottom, padRight: info.padInfo.right,
    multiplier: depthwise ? info.outChannels / info.inChannels : 1,
  };
}

/** Throws unless dy has the convolution's output shape [B, OH, OW, outC]. */
export function assertDyShape(kernel: string, dyShape: number[], g: ConvGeometry): void {
  const want = [g.batch, g.outH, g.outW, g.outC];
  if (dyShape.length !== 4 || dyShape.some((d, i) => d !== want[i])) {
    throw new Error(`${kernel} (wasm training kernels): dy has shape [${dyShape}], expected [${want}]`);
  }
}
