// resizeBilinear (shared/ml/preprocess.ts), which fitToInput uses to build every model input: at the
// same size it gives the input values exactly (the trainer's case: sharp already shrank the image
// to the input size), and at other sizes it is half-pixel-centre bilinear with clamped edges.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fitToInput, resizeBilinear, type RgbImage } from '../../shared/ml/preprocess';
import { createRng } from '../../shared/ml/random';

function randomImage(width: number, height: number, seed: number): RgbImage {
  const rng = createRng(seed);
  return { width, height, data: Uint8Array.from({ length: width * height * 3 }, () => rng.int(256)) };
}

/** Bilinear with half-pixel centres, edges clamped, written out per sample (x weights in float32, as resizeBilinear keeps them). */
function reference(image: RgbImage, outW: number, outH: number): Float32Array {
  const { width: w, height: h, data } = image;
  const at = (x: number, y: number, c: number) => data[(Math.min(y, h - 1) * w + Math.min(x, w - 1)) * 3 + c]!;
  const out = new Float32Array(outW * outH * 3);
  for (let y = 0; y < outH; y++) {
    const fy = Math.min(Math.max((y + 0.5) * (h / outH) - 0.5, 0), h - 1);
    for (let x = 0; x < outW; x++) {
      const fx = Math.min(Math.max((x + 0.5) * (w / outW) - 0.5, 0), w - 1);
      const x0 = Math.floor(fx);
      const y0 = Math.floor(fy);
      const wx = Math.fround(fx - x0);
      for (let c = 0; c < 3; c++) {
        const top = at(x0, y0, c) + (at(x0 + 1, y0, c) - at(x0, y0, c)) * wx;
        const bottom = at(x0, y0 + 1, c) + (at(x0 + 1, y0 + 1, c) - at(x0, y0 + 1, c)) * wx;
        out[(y * outW + x) * 3 + c] = top + (bottom - top) * (fy - y0);
      }
    }
  }
  return out;
}

test('resizeBilinear: the same size gives the input values exactly; other sizes are half-pixel bilinear', () => {
  for (const [w, h, seed] of [[1, 1, 1], [7, 5, 2], [96, 72, 3]] as const) {
    const image = randomImage(w, h, seed);
    assert.deepEqual(resizeBilinear(image, w, h).data, Float32Array.from(image.data), `${w}×${h}`);
    assert.deepEqual(resizeBilinear(image, w, h).data, reference(image, w, h), `${w}×${h}: what the general formula gives`);
    for (const [ow, oh] of [[w * 2, h], [Math.max(1, w - 3), h + 4], [13, 9]]) {
      assert.deepEqual(resizeBilinear(image, ow!, oh!).data, reference(image, ow!, oh!), `${w}×${h} → ${ow}×${oh}`);
    }
  }
});

test('fitToInput letterbox of an image already at the input width: the image rows on grey bars, values unchanged', () => {
  const image = randomImage(64, 40, 9);
  const { image: input, transform } = fitToInput(image, 64);
  assert.deepEqual(transform, { scaleX: 1, scaleY: 1, offsetX: 0, offsetY: 12 });
  assert.deepEqual(input.data.subarray(12 * 64 * 3, 52 * 64 * 3), Float32Array.from(image.data));
  assert.ok(input.data.subarray(0, 12 * 64 * 3).every((v) => v === 127.5));
  assert.ok(input.data.subarray(52 * 64 * 3).every((v) => v === 127.5));
});
