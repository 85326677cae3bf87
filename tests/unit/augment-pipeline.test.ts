import { test } from 'node:test';
import assert from 'node:assert/strict';
import { augmentScene, BATCH_LEVEL_OPS, DEFAULT_AUGMENT_CONFIG, resolveAugmentConfig } from '../../shared/ml/augment';
import { syntheticScene, SYNTHETIC_COLOURS } from '../../shared/ml/detector';
import { createRng } from '../../shared/ml/random';

// Per-image ops (augmentScene); mosaic and mixup are applied by the batch builder (makeBatch).
const ALL_OPS = Object.keys(DEFAULT_AUGMENT_CONFIG).filter((k) => k !== 'enabled' && !(BATCH_LEVEL_OPS as readonly string[]).includes(k));

test('pipeline is deterministic for a seed and leaves the input alone', () => {
  const scene = syntheticScene(3, { size: 48, numClasses: 2, objects: 2 });
  const copy = Float32Array.from(scene.image.data);
  const config = resolveAugmentConfig();
  const a = augmentScene(scene.image, scene.boxes, config, createRng(9));
  const b = augmentScene(scene.image, scene.boxes, config, createRng(9));
  assert.deepEqual(a, b);
  assert.deepEqual(scene.image.data, copy);
  const c = augmentScene(scene.image, scene.boxes, config, createRng(10));
  assert.notDeepEqual(a.image.data, c.image.data);
});

test('pipeline disabled = identity; every op can be switched off', () => {
  const scene = syntheticScene(4, { size: 32, numClasses: 1 });
  const off = augmentScene(scene.image, scene.boxes, resolveAugmentConfig({ enabled: false }), createRng(1));
  assert.deepEqual(off.image.data, scene.image.data);
  assert.deepEqual(off.boxes, scene.boxes);
  assert.deepEqual(off.applied, []);
  const onlyFlip = resolveAugmentConfig({
    ...Object.fromEntries(ALL_OPS.map((k) => [k, { enabled: false }])),
    horizontalFlip: { enabled: true, p: 1 },
  });
  for (let s = 0; s < 5; s++) assert.deepEqual(augmentScene(scene.image, scene.boxes, onlyFlip, createRng(s)).applied, ['horizontalFlip']);
});

test('every op fires with its probability', () => {
  const config = resolveAugmentConfig(Object.fromEntries(ALL_OPS.map((k) => [k, { enabled: true, p: 0.5 }])));
  const counts = new Map<string, number>();
  const scene = syntheticScene(5, { size: 16, numClasses: 1 });
  const rng = createRng(11);
  for (let i = 0; i < 400; i++) for (const op of augmentScene(scene.image, scene.boxes, config, rng).applied) counts.set(op, (counts.get(op) ?? 0) + 1);
  for (const op of ALL_OPS) assert.ok(Math.abs((counts.get(op) ?? 0) / 400 - 0.5) < 0.1, `${op}: ${counts.get(op)}`);
});

test('after random scale/crop and flips every kept box still frames its rectangle', () => {
  const geometric = resolveAugmentConfig({
    ...Object.fromEntries(ALL_OPS.map((k) => [k, { enabled: false }])),
    scaleCrop: { enabled: true, p: 1, minScale: 0.6, maxScale: 1.6, aspectJitter: 0.2 },
    horizontalFlip: { enabled: true, p: 0.5 },
  });
  let kept = 0;
  for (let s = 0; s < 40; s++) {
    const scene = syntheticScene(s, { size: 64, numClasses: 2, noise: 0, minSide: 0.3, maxSide: 0.5 });
    const out = augmentScene(scene.image, scene.boxes, geometric, createRng(100 + s));
    for (const b of out.boxes) {
      kept++;
      const colour = SYNTHETIC_COLOURS[b.classId];
      // Pixels one pixel inside the box edges (away from blended borders) carry the class colour.
      let inside = 0, match = 0;
      for (let y = Math.ceil(b.y1) + 1; y < Math.floor(b.y2) - 1; y++) {
        for (let x = Math.ceil(b.x1) + 1; x < Math.floor(b.x2) - 1; x++) {
          inside++;
          const o = (y * 64 + x) * 3;
          if (Math.abs(out.image.data[o] - colour[0]) < 2 && Math.abs(out.image.data[o + 2] - colour[2]) < 2) match++;
        }
      }
      assert.ok(inside === 0 || match / inside > 0.99, `seed ${s}: ${match}/${inside}`);
      // And just outside the box (where inside the image) is background.
      const cx = Math.floor((b.x1 + b.x2) / 2);
      if (b.y1 >= 2) assert.ok(Math.abs(out.image.data[((Math.floor(b.y1) - 2) * 64 + cx) * 3] - colour[0]) > 30, `seed ${s}: above box`);
    }
  }
  assert.ok(kept > 30, `kept ${kept}`);
});

test('bad configs are rejected with the reason', () => {
  assert.throws(() => resolveAugmentConfig({ blur: { p: 1.5 } }), /blur.p must be in \[0, 1\]/);
  assert.throws(() => resolveAugmentConfig({ scaleCrop: { minScale: 2, maxScale: 1 } }), /minScale ≤ maxScale/);
});
