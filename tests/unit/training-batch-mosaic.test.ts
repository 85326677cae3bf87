/**
 * makeBatch with the batch-level ops: mosaic (+ mixup) when the config has them on, off with
 * `{ mosaic: false }` (last epochs), deterministic for a seed, different between epochs, and the
 * old 7-argument call unchanged for configs without mosaic.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeBatch, epochOrder, type BatchSource } from '../../main/training/batches';
import { DEFAULT_AUGMENT_CONFIG, MODERN_AUGMENT_CONFIG, MOSAIC_PAD_VALUE, resolveAugmentConfig, type AugmentConfig } from '../../shared/ml/augment';
import { syntheticScene } from '../../shared/ml/detector';

const SIZE = 64;

function samples(n: number): BatchSource[] {
  return Array.from({ length: n }, (_, i) => {
    const s = syntheticScene(50 + i, { size: SIZE, numClasses: 3, objects: 2, noise: 0 });
    return { image: s.image, boxes: s.boxes };
  });
}

const perImageOff = (base: AugmentConfig): AugmentConfig =>
  resolveAugmentConfig(Object.fromEntries(Object.keys(base).filter((k) => k !== 'enabled' && k !== 'mosaic' && k !== 'mixup').map((k) => [k, { enabled: false }])), base);

const countPad = (data: Float32Array): number => {
  let n = 0;
  for (let i = 0; i < data.length; i += 3) if (data[i] === MOSAIC_PAD_VALUE && data[i + 1] === MOSAIC_PAD_VALUE && data[i + 2] === MOSAIC_PAD_VALUE) n++;
  return n;
};

test('makeBatch with mosaic: deterministic for a seed, differs between epochs and seeds', () => {
  const train = samples(6);
  const order = epochOrder(train.length, 1, 3, 0);
  const a = makeBatch(train, order, 0, 4, MODERN_AUGMENT_CONFIG, 3, 0);
  const b = makeBatch(train, order, 0, 4, MODERN_AUGMENT_CONFIG, 3, 0, { mosaic: true });
  assert.deepEqual(a, b);
  assert.equal(a.images.length, 4);
  for (const img of a.images) assert.deepEqual([img.width, img.height, img.data.length], [SIZE, SIZE, SIZE * SIZE * 3]);
  for (const boxes of a.boxes) for (const bx of boxes) assert.ok(bx.x1 >= 0 && bx.y1 >= 0 && bx.x2 <= SIZE && bx.y2 <= SIZE && bx.x1 < bx.x2 && bx.y1 < bx.y2);
  assert.notDeepEqual(makeBatch(train, order, 0, 4, MODERN_AUGMENT_CONFIG, 3, 1).images, a.images, 'another epoch, same order');
  assert.notDeepEqual(makeBatch(train, order, 0, 4, MODERN_AUGMENT_CONFIG, 4, 0).images, a.images, 'another seed');
  assert.notDeepEqual(makeBatch(train, order, 1, 4, MODERN_AUGMENT_CONFIG, 3, 0).images, a.images, 'another batch');
});

test('makeBatch: mosaic images mix several samples; { mosaic: false } and configs without mosaic skip it', () => {
  const train = samples(6);
  const order = [0, 1, 2, 3, 4, 5];
  const mosaicOnly = perImageOff(resolveAugmentConfig({ mixup: { enabled: false } }, MODERN_AUGMENT_CONFIG));
  const m = makeBatch(train, order, 0, 6, mosaicOnly, 1, 0);
  let changed = 0, padded = 0;
  m.images.forEach((img, k) => {
    if (!img.data.every((v, i) => v === train[order[k]].image.data[i])) changed++;
    if (countPad(img.data) > 0) padded++;
  });
  assert.equal(changed, 6, 'p = 1: every image is a mosaic');
  assert.ok(padded >= 1, `some mosaic has pad (scales < 1): ${padded}`);
  // Without mosaic (last epochs, or a config with it off) the per-image path is what it was.
  const off = makeBatch(train, order, 0, 6, mosaicOnly, 1, 0, { mosaic: false });
  off.images.forEach((img, k) => assert.deepEqual(img.data, train[order[k]].image.data));
  assert.deepEqual(off.boxes, order.map((i) => train[i].boxes));
  const modernNoMosaic = resolveAugmentConfig({ mosaic: { enabled: false } }, MODERN_AUGMENT_CONFIG);
  assert.deepEqual(makeBatch(train, order, 0, 6, MODERN_AUGMENT_CONFIG, 1, 2, { mosaic: false }), makeBatch(train, order, 0, 6, modernNoMosaic, 1, 2));
  // The YOLOv2 presets' default config: the 7-argument call, and the option changes nothing.
  const legacy = makeBatch(train, order, 0, 6, DEFAULT_AUGMENT_CONFIG, 1, 0);
  assert.deepEqual(makeBatch(train, order, 0, 6, DEFAULT_AUGMENT_CONFIG, 1, 0, { mosaic: true }), legacy);
  assert.deepEqual(makeBatch(train, order, 0, 6, null, 1, 0, { mosaic: true }).images, order.map((i) => train[i].image));
  // The master switch turns mosaic off too.
  const disabled = makeBatch(train, order, 0, 6, { ...MODERN_AUGMENT_CONFIG, enabled: false }, 1, 0);
  disabled.images.forEach((img, k) => assert.deepEqual(img.data, train[order[k]].image.data));
});

test('makeBatch: mixup (p = 1) blends two mosaics and keeps both sets of boxes', () => {
  const train = samples(6);
  const order = [0, 1, 2, 3, 4, 5];
  const noMix = perImageOff(resolveAugmentConfig({ mixup: { enabled: false } }, MODERN_AUGMENT_CONFIG));
  const mix = perImageOff(resolveAugmentConfig({ mixup: { enabled: true, p: 1 } }, MODERN_AUGMENT_CONFIG));
  let boxesNoMix = 0, boxesMix = 0;
  for (let b = 0; b < 4; b++) {
    boxesNoMix += makeBatch(train, order, 0, 6, noMix, 10 + b, 0).boxes.flat().length;
    const withMix = makeBatch(train, order, 0, 6, mix, 10 + b, 0);
    boxesMix += withMix.boxes.flat().length;
    assert.deepEqual(makeBatch(train, order, 0, 6, mix, 10 + b, 0), withMix, 'seeded');
  }
  assert.ok(boxesMix > boxesNoMix * 1.5, `mixup boxes ${boxesMix} vs ${boxesNoMix}`);
});
