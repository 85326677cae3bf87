/**
 * Patch (im2col) layouts between an NHWC image and the matrices the matmul-based kernels use.
 * Pure loops over typed arrays; zero padding is implicit (out-of-image taps read/write nothing).
 *
 * Index conventions (g = ConvGeometry, P = B*OH*OW output pixels, T = KH*KW*CI patch length):
 *   pixel p = (b*OH + oh)*OW + ow;  tap t = (kh*KW + kw)*CI + ci   (same order as an HWIO filter)
 *   input row ih = oh*strideH + kh - padTop,  input column iw = ow*strideW + kw - padLeft
 * Both functions work on a band of output rows r = b*OH + oh in [r0, r1), so callers can bound the
 * size of the patch matrix (pixels p - r0*OW of the band index its columns / rows).
 */
import type { ConvGeometry } from './conv-geometry';

/**
 * Writes the transposed patch matrix of output rows [r0, r1): colsT[T, P] (row t, column p) =
 * x[b, ih, iw, ci], 0 outside the image, with P = (r1 − r0)·OW. `out` must hold T·P floats; every
 * element is written.
 */
export function im2colTransposed(x: Float32Array, g: ConvGeometry, out: Float32Array, r0 = 0, r1 = g.batch * g.outH): void {
  const { inH, inW, inC, outH, outW, kH, kW, strideH, strideW, padTop, padLeft } = g;
  const P = (r1 - r0) * outW;
  for (let kh = 0; kh < kH; kh++) {
    for (let kw = 0; kw < kW; kw++) {
      const rowBase = (kh * kW + kw) * inC * P;
      // Output columns whose input column lies inside the image: owLo <= ow < owHi.
      const owLo = Math.min(outW, Math.max(0, Math.ceil((padLeft - kw) / strideW)));
      const owHi = Math.max(owLo, Math.min(outW, Math.floor((inW - 1 + padLeft - kw) / strideW) + 1));
      for (let r = r0; r < r1; r++) {
        const b = Math.floor(r / outH);
        const oh = r - b * outH;
        const p0 = (r - r0) * outW;
        const ih = oh * strideH + kh - padTop;
        if (ih < 0 || ih >= inH) {
          for (let ci = 0; ci < inC; ci++) out.fill(0, rowBase + ci * P + p0, rowBase + ci * P + p0 + outW);
          continue;
        }
        if (owLo > 0 || owHi < outW) {
          for (let ci = 0; ci < inC; ci++) {
            const o = rowBase + ci * P + p0;
            out.fill(0, o, o + owLo);
            out.fill(0, o + owHi, o + outW);
          }
        }
        // Channel-outer within one output row: each write stream is a contiguous run of OW floats
        // and the input row (W·CI floats) stays in cache across channels.
        const xBase = ((b * inH + ih) * inW + kw - padLeft) * inC;
        const step = strideW * inC;
        for (let ci = 0; ci < inC; ci++) {
          const o = rowBase + ci * P + p0;
          for (let ow = owLo, xi = xBase + owLo * step + ci; ow < owHi; ow++, xi += step) out[o + ow] = x[xi];
        }
      }
    }
  }
}

/**
 * Scatter-adds the patch matrix of output rows [r0, r1), cols[P, T] (row p, column t), back onto
 * the image: dx[b, ih, iw, ci] += cols[p, t] for every in-image tap. `dx` must be zero-filled by
 * the caller before the first band.
 */
export function col2imAdd(cols: Float32Array, g: ConvGeometry, dx: Float32Array, r0 = 0, r1 = g.batch * g.outH): void {
  const { inH, inW, inC, outH, outW, kH, kW, strideH, strideW, padTop, padLeft } = g;
  const T = kH * kW * inC;
  for (let r = r0; r < r1; r++) {
    const b = Math.floor(r / outH);
    const oh = r - b * outH;
    for (let ow = 0; ow < outW; ow++) {
      const row = ((r - r0) * outW + ow) * T;
      for (let kh = 0; kh < kH; kh++) {
        const ih = oh * strideH + kh - padTop;
        if (ih < 0 || ih >= inH) continue;
        const dxRow = (b * inH + ih) * inW;
        for (let kw = 0; kw < kW; kw++) {
          const iw = ow * strideW + kw - padLeft;
          if (iw < 0 || iw >= inW) continue;
          const d = (dxRow + iw) * inC;
          const c = row + (kh * kW + kw) * inC;
          for (let ci = 0; ci < inC; ci++) dx[d + ci] += cols[c + ci];
        }
      }
    }
  }
}
