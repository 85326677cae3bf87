/**
 * Patch (im2col) layouts between an NHWC image and the matrices the matmul-based kernels use.
 * Pure loops over typed arrays; zero padding is implicit (out-of-image taps read/write nothing).
 *
 * Index conventions (g = ConvGeometry, P = B*OH*OW output pixels, T = KH*KW*CI patch length):
 *   pixel p = (b*OH + oh)*OW + ow;  tap t = (kh*KW + kw)*CI + ci   (same order as an HWIO filter)
 *   input row ih = oh*strideH + kh - padTop,  input column iw = ow*strideW + kw - padLeft
 * Both functions work on a band of output rows r = b*OH + oh in [r0, r1), so callers can bound the
 * size of the patch matrix (pixels p - r0*OW of the band index its columns / rows).
 *
 * Threads (./bands): both arrays must be views of one buffer (the wasm heap). im2col splits the
 * rows [r0, r1) into bands of whole rows (every element is written once, by a copy); col2im runs one
 * band per image and block of CHANNEL_BLOCK input channels, each band owning its dx elements and
 * adding their terms in the same order as one thread would.
 */
import { runBands } from './bands';
import type { ConvGeometry } from './conv-geometry';

/** Patch floats one im2col band writes, at least one output row (sets the number of bands). */
const IM2COL_BAND_FLOATS = 1 << 15;
/** Input channels per col2im band. */
const CHANNEL_BLOCK = 16;

/** The geometry as band-loop arguments (after the three buffer offsets). */
function geometryArgs(g: ConvGeometry): number[] {
  return [g.batch, g.inH, g.inW, g.inC, g.outH, g.outW, g.kH, g.kW, g.strideH, g.strideW, g.padTop, g.padLeft];
}

function sameHeap(kernel: string, a: Float32Array, b: Float32Array): ArrayBufferLike {
  if (a.buffer !== b.buffer) throw new Error(`${kernel} (wasm training kernels): both arrays must be views of the wasm heap`);
  return a.buffer;
}

/**
 * Band loop of im2colTransposed. args: x, out byte offsets, (unused), geometry, r0, r1, rows per band.
 */
export function im2colBand(heap: ArrayBufferLike, a: ArrayLike<number>, band: number): void {
  const batch = a[3], inH = a[4], inW = a[5], inC = a[6], outH = a[7], outW = a[8], kH = a[9], kW = a[10];
  const strideH = a[11], strideW = a[12], padTop = a[13], padLeft = a[14], r0 = a[15], r1 = a[16], perBand = a[17];
  const P = (r1 - r0) * outW;
  const x = new Float32Array(heap, a[0], batch * inH * inW * inC);
  const out = new Float32Array(heap, a[1], kH * kW * inC * P);
  const rLo = r0 + band * perBand;
  const rHi = Math.min(r1, rLo + perBand);
  for (let kh = 0; kh < kH; kh++) {
    for (let kw = 0; kw < kW; kw++) {
      const rowBase = (kh * kW + kw) * inC * P;
      // Output columns whose input column lies inside the image: owLo <= ow < owHi.
      const owLo = Math.min(outW, Math.max(0, Math.ceil((padLeft - kw) / strideW)));
      const owHi = Math.max(owLo, Math.min(outW, Math.floor((inW - 1 + padLeft - kw) / strideW) + 1));
      for (let r = rLo; r < rHi; r++) {
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
 * Writes the transposed patch matrix of output rows [r0, r1): colsT[T, P] (row t, column p) =
 * x[b, ih, iw, ci], 0 outside the image, with P = (r1 − r0)·OW. `out` must hold T·P floats; every
 * element is written.
 */
export function im2colTransposed(x: Float32Array, g: ConvGeometry, out: Float32Array, r0 = 0, r1 = g.batch * g.outH): void {
  const heap = sameHeap('im2col', x, out);
  const perBand = Math.max(1, Math.floor(IM2COL_BAND_FLOATS / (g.kH * g.kW * g.inC * g.outW)));
  runBands(im2colBand, heap, [x.byteOffset, out.byteOffset, 0, ...geometryArgs(g), r0, r1, perBand], Math.ceil((r1 - r0) / perBand));
}

/**
 * Band loop of col2imAdd. args: cols, dx byte offsets, (unused), geometry, r0, r1, channel block.
 * Band = (image − first image of the rows) · blocks + channel block.
 */
export function col2imBand(heap: ArrayBufferLike, a: ArrayLike<number>, band: number): void {
  const batch = a[3], inH = a[4], inW = a[5], inC = a[6], outH = a[7], outW = a[8], kH = a[9], kW = a[10];
  const strideH = a[11], strideW = a[12], padTop = a[13], padLeft = a[14], r0 = a[15], r1 = a[16], block = a[17];
  const T = kH * kW * inC;
  const cols = new Float32Array(heap, a[0], (r1 - r0) * outW * T);
  const dx = new Float32Array(heap, a[1], batch * inH * inW * inC);
  const blocks = Math.ceil(inC / block);
  const bBand = Math.floor(band / blocks);
  const c0 = (band - bBand * blocks) * block;
  const c1 = Math.min(inC, c0 + block);
  const b = Math.floor(r0 / outH) + bBand;
  const rLo = Math.max(r0, b * outH);
  const rHi = Math.min(r1, (b + 1) * outH);
  for (let r = rLo; r < rHi; r++) {
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
          for (let ci = c0; ci < c1; ci++) dx[d + ci] += cols[c + ci];
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
  if (r1 <= r0) return;
  const heap = sameHeap('col2im', cols, dx);
  const images = Math.floor((r1 - 1) / g.outH) - Math.floor(r0 / g.outH) + 1;
  runBands(col2imBand, heap, [cols.byteOffset, dx.byteOffset, 0, ...geometryArgs(g), r0, r1, CHANNEL_BLOCK], images * Math.ceil(g.inC / CHANNEL_BLOCK));
}
