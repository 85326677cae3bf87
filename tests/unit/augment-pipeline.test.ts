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

/** The image mirrored left–right, pixel for pixel (RGB, row-major). */
function mirrored(img: { width: number; height: number; data: ArrayLike<number> }): number[] {
  const out: number[] = [];
  for (let y = 0; y < img.height; y++) {
    for (let x = img.width - 1; x >= 0; x--) for (let c = 0; c < 3; c++) out.push(img.data[(y * img.width + x) * 3 + c]!);
  }
  return out;
}

test('pipeline disabled = identity; every op can be switched off (pixels and boxes, not only the applied list)', () => {
  const scene = syntheticScene(4, { size: 32, numClasses: 1 });
  const off = augmentScene(scene.image, scene.boxes, resolveAugmentConfig({ enabled: false }), createRng(1));
  assert.deepEqual(off.image.data, scene.image.data);
  assert.deepEqual(off.boxes, scene.boxes);
  assert.deepEqual(off.applied, []);
  const allOff = Object.fromEntries(ALL_OPS.map((k) => [k, { enabled: false }]));
  // the pipeline on with every op off: the same pixels and boxes, for any seed
  for (let s = 0; s < 5; s++) {
    const none = augmentScene(scene.image, scene.boxes, resolveAugmentConfig(allOff), createRng(s));
    assert.deepEqual(none.applied, []);
    assert.deepEqual(Array.from(none.image.data), Array.from(scene.image.data), `seed ${s}: an op that is off changed pixels`);
    assert.deepEqual(none.boxes, scene.boxes);
  }
  // only the flip on: exactly the mirror image, nothing else (a blur or noise that ran anyway shows here)
  const onlyFlip = resolveAugmentConfig({ ...allOff, horizontalFlip: { enabled: true, p: 1 } });
  for (let s = 0; s < 5; s++) {
    const flipped = augmentScene(scene.image, scene.boxes, onlyFlip, createRng(s));
    assert.deepEqual(flipped.applied, ['horizontalFlip']);
    assert.deepEqual(Array.from(flipped.image.data), mirrored(scene.image), `seed ${s}: more than the flip changed the pixels`);
  }
  // each op alone at p = 1 runs and changes the image or the boxes, so switching it off is what keeps them
  // (on some seed: a draw may pick a strength of about zero)
  for (const op of ALL_OPS) {
    let changed = 0;
    for (let s = 0; s < 10; s++) {
      const alone = augmentScene(scene.image, scene.boxes, resolveAugmentConfig({ ...allOff, [op]: { enabled: true, p: 1 } }), createRng(s));
      assert.deepEqual(alone.applied, [op]);
      if (Array.from(alone.image.data).some((v, i) => v !== scene.image.data[i]) || JSON.stringify(alone.boxes) !== JSON.stringify(scene.boxes)) changed++;
    }
    assert.ok(changed > 0, `${op} at p = 1 changed nothing on 10 seeds`);
  }
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
