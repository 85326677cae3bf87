// The trainer's image cache (issue 19): its budget (DETECTA_IMAGE_CACHE_MB, else a quarter of the
// machine's memory up to 4 GiB), which images keep their pixels (the first ones in load order
// while they fit, whatever order the loader finishes them in) and the log line that reports it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { countCached, describeImageCache, ImageCache, imageCacheBudget, IMAGE_CACHE_ENV } from '../../main/training/image-cache';
import type { FittedImage } from '../../main/training/fitted-image';
import { createRng } from '../../shared/ml/random';
import { shuffle } from '../../main/training/batches';

const GiB = 2 ** 30;

test('budget: DETECTA_IMAGE_CACHE_MB when set (0: none), else ¼ of the machine\'s memory up to 4 GiB; a bad value refused', () => {
  assert.equal(imageCacheBudget({ [IMAGE_CACHE_ENV]: '300' }, 16 * GiB).bytes, 300 * 2 ** 20);
  assert.equal(imageCacheBudget({ [IMAGE_CACHE_ENV]: '0' }, 16 * GiB).bytes, 0);
  assert.equal(imageCacheBudget({}, 8 * GiB).bytes, 2 * GiB);
  assert.equal(imageCacheBudget({}, 64 * GiB).bytes, 4 * GiB);
  assert.match(imageCacheBudget({}, 64 * GiB).source, /at most 4096 MB/);
  assert.throws(() => imageCacheBudget({ [IMAGE_CACHE_ENV]: '1.5GB' }), /DETECTA_IMAGE_CACHE_MB must be a whole number of MB/);
  assert.throws(() => imageCacheBudget({ [IMAGE_CACHE_ENV]: '-1' }), /DETECTA_IMAGE_CACHE_MB/);
});

const image = (bytes: number): FittedImage => ({ file: `/x/${bytes}.jpg`, inputSize: 64, resizeMode: 'letterbox', width: bytes / 3, height: 1, data: new Uint8Array(bytes).fill(7) });

test('the first images in load order keep their pixels while they fit, whatever order they are decoded in', () => {
  const sizes = [300, 600, 300, 30, 900, 30];
  const budget = 1250;
  const kept = (order: number[]): (boolean | 'failed')[] => {
    const images = sizes.map(image);
    const cache = new ImageCache(budget);
    for (const i of order) cache.settle(i, i === 2 ? null : images[i]!); // position 2 failed to load
    return images.map((im, i) => (i === 2 ? 'failed' : im.data !== null));
  };
  const inOrder = kept([0, 1, 2, 3, 4, 5]);
  // 300 + 600 + 30 = 930, then 900 does not fit: it is dropped, and so is every image after it (the last 30 would fit)
  assert.deepEqual(inOrder, [true, true, 'failed', true, false, false]);
  for (let seed = 1; seed <= 20; seed++) assert.deepEqual(kept(shuffle([0, 1, 2, 3, 4, 5], createRng(seed))), inOrder, `decode order ${seed}`);
});

test('kept pixels move into SharedArrayBuffers (the batch workers read them without a copy), bytes unchanged', () => {
  const a = image(30);
  const b = image(60);
  const cache = new ImageCache(1000);
  cache.settle(1, b);
  assert.ok(!(b.data!.buffer instanceof SharedArrayBuffer), 'undecided until the images before it are settled');
  cache.settle(0, a);
  for (const im of [a, b]) {
    assert.ok(im.data!.buffer instanceof SharedArrayBuffer);
    assert.ok(im.data!.every((v) => v === 7));
  }
  assert.deepEqual(countCached([a, b, image(3)]), { images: 3, cached: 3, bytes: 93 });
});

test('the log line: images and bytes kept, the budget and where it comes from, what is decoded from files', () => {
  const budget = { bytes: 100 * 2 ** 20, source: IMAGE_CACHE_ENV };
  const line = describeImageCache({ images: 10, cached: 4, bytes: 4 * 2 ** 20 }, { images: 2, cached: 0, bytes: 0 }, budget, 320);
  assert.equal(line, 'image cache: 4 of 12 images (4/10 train, 0/2 val) kept decoded at 320 px, 4.0 MB of the 100 MB budget (DETECTA_IMAGE_CACHE_MB); 8 decoded from their files each time they are needed');
  assert.match(describeImageCache({ images: 3, cached: 3, bytes: 30 * 2 ** 20 }, { images: 1, cached: 1, bytes: 2 ** 20 }, budget, 64), /4 of 4 images .* 31 MB of the 100 MB budget .*; every image stays in memory$/);
});
