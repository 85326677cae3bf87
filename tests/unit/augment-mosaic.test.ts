/**
 * YOLO-style batch augmentations: 4-image mosaic (boxes exact, clipped to their quadrant by the
 * keep rule), mixup (pixel blend, union of boxes), HSV jitter (colours only, seeded), and the
 * config entries (defaults off for the YOLOv2 presets, MODERN_AUGMENT_CONFIG, overrides, checks).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  augmentScene, clipBoxes, DEFAULT_AUGMENT_CONFIG, DEFAULT_BOX_KEEP_RULE, hsvJitter, mixup, mixupRatio, MODERN_AUGMENT_CONFIG, mosaic,
  MOSAIC_PAD_VALUE, parseAugmentOverrides, randomMosaic, resolveAugmentConfig, type AugmentConfig,
} from '../../shared/ml/augment';
import type { LabeledBox } from '../../shared/ml/detector/box';
import type { FloatRgbImage } from '../../shared/ml/preprocess';
import { createRng } from '../../shared/ml/random';

const SIZE = 64;
const BG = 100;
/** One unique, well separated colour per box (classId indexes it). */
const COLOURS: [number, number, number][] = [
  [230, 30, 30], [30, 230, 30], [30, 30, 230], [230, 230, 30], [230, 30, 230], [30, 230, 230], [230, 150, 30], [150, 30, 230],
];

function solid(w: number, h: number, v: number): FloatRgbImage {
  return { width: w, height: h, data: new Float32Array(w * h * 3).fill(v) };
}

function fillBox(img: FloatRgbImage, b: LabeledBox): void {
  for (let y = b.y1; y < b.y2; y++) for (let x = b.x1; x < b.x2; x++) img.data.set(COLOURS[b.classId], (y * img.width + x) * 3);
}

/** Scene k: grey background, one box in the left half and one in the right half, classes 2k and 2k+1, integer corners. */
function boxScene(k: number, seed: number): { image: FloatRgbImage; boxes: LabeledBox[] } {
  const rng = createRng(seed);
  const image = solid(SIZE, SIZE, BG);
  const boxes: LabeledBox[] = [];
  for (let half = 0; half < 2; half++) {
    const w = 6 + rng.int(22), h = 6 + rng.int(40);
    const x1 = half * 32 + rng.int(32 - w + 1);
    const y1 = rng.int(SIZE - h + 1);
    const b = { x1, y1, x2: x1 + w, y2: y1 + h, classId: 2 * k + half };
    fillBox(image, b);
    boxes.push(b);
  }
  return { image, boxes };
}

/** Index of the candidate colour (box colours, background, pad) nearest to pixel (x, y). */
function nearestColour(img: FloatRgbImage, x: number, y: number): number {
  const o = (y * img.width + x) * 3;
  const candidates = [...COLOURS, [BG, BG, BG], [MOSAIC_PAD_VALUE, MOSAIC_PAD_VALUE, MOSAIC_PAD_VALUE]];
  let best = -1, bestD = Infinity;
  candidates.forEach((c, i) => {
    const d = (img.data[o] - c[0]) ** 2 + (img.data[o + 1] - c[1]) ** 2 + (img.data[o + 2] - c[2]) ** 2;
    if (d < bestD) { bestD = d; best = i; }
  });
  return best;
}

/** Every box frames exactly the pixels of its colour (the colour's extent near the box is the box, within 1 px). */
function assertBoxesExact(img: FloatRgbImage, boxes: LabeledBox[], what: string): void {
  for (const b of boxes) {
    const xs0 = Math.max(0, Math.floor(b.x1) - 3), xs1 = Math.min(img.width, Math.ceil(b.x2) + 3);
    const ys0 = Math.max(0, Math.floor(b.y1) - 3), ys1 = Math.min(img.height, Math.ceil(b.y2) + 3);
    let minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity;
    for (let y = ys0; y < ys1; y++) {
      for (let x = xs0; x < xs1; x++) {
        if (nearestColour(img, x, y) !== b.classId) continue;
        minX = Math.min(minX, x); maxX = Math.max(maxX, x + 1);
        minY = Math.min(minY, y); maxY = Math.max(maxY, y + 1);
      }
    }
    const msg = `${what}: box ${JSON.stringify(b)} vs colour extent ${minX},${minY}-${maxX},${maxY}`;
    assert.ok(Number.isFinite(minX), `${msg}: colour not found`);
    for (const [a, e] of [[minX, b.x1], [minY, b.y1], [maxX, b.x2], [maxY, b.y2]]) assert.ok(Math.abs(a - e) <= 1, msg);
    // Pixels well inside the box are exactly the colour.
    for (let y = Math.ceil(b.y1) + 2; y < Math.floor(b.y2) - 2; y++) {
      for (let x = Math.ceil(b.x1) + 2; x < Math.floor(b.x2) - 2; x++) {
        const o = (y * img.width + x) * 3;
        for (let c = 0; c < 3; c++) assert.ok(Math.abs(img.data[o + c] - COLOURS[b.classId][c]) < 1e-3, `${msg}: interior pixel ${x},${y}`);
      }
    }
  }
}

test('random mosaics: output is size×size, every kept box frames its colour region within 1 px', () => {
  let kept = 0, clipped = 0;
  for (let s = 0; s < 30; s++) {
    const scenes = [0, 1, 2, 3].map((k) => boxScene(k, 1000 * s + k));
    const copies = scenes.map((sc) => Float32Array.from(sc.image.data));
    const out = randomMosaic(scenes, { minScale: 0.5, maxScale: 1.5 }, createRng(s));
    assert.equal(out.image.width, SIZE);
    assert.equal(out.image.height, SIZE);
    assert.equal(out.image.data.length, SIZE * SIZE * 3);
    scenes.forEach((sc, k) => assert.deepEqual(sc.image.data, copies[k], 'inputs untouched'));
    assert.equal(new Set(out.boxes.map((b) => b.classId)).size, out.boxes.length, 'each box at most once');
    for (const b of out.boxes) {
      assert.ok(b.x1 >= 0 && b.y1 >= 0 && b.x2 <= SIZE && b.y2 <= SIZE, 'inside the output');
      assert.ok(b.x2 - b.x1 >= DEFAULT_BOX_KEEP_RULE.minSidePx && b.y2 - b.y1 >= DEFAULT_BOX_KEEP_RULE.minSidePx);
      const src = scenes[b.classId >> 1].boxes[b.classId & 1];
      // Aspect-kept scaling: unclipped sides keep the source ratio; clipped ones shrink.
      if ((b.x2 - b.x1) / (src.x2 - src.x1) + 1e-9 < (b.y2 - b.y1) / (src.y2 - src.y1) - 1e-9 || (b.x2 - b.x1) / (src.x2 - src.x1) - 1e-9 > (b.y2 - b.y1) / (src.y2 - src.y1) + 1e-9) clipped++;
    }
    assertBoxesExact(out.image, out.boxes, `seed ${s}`);
    kept += out.boxes.length;
    assert.deepEqual(randomMosaic(scenes, { minScale: 0.5, maxScale: 1.5 }, createRng(s)), out, 'seeded');
  }
  assert.ok(kept > 60, `kept ${kept}`);
  assert.ok(clipped > 5, `clipped ${clipped}`);
});

test('mosaic with a fixed layout: quadrant placement, clipping to the quadrant and the keep rule, pad', () => {
  const mk = (boxes: LabeledBox[]) => ({ image: solid(SIZE, SIZE, BG), boxes });
  const scenes = [
    // Top-left quadrant [0,40)×[0,24) shows the scene's bottom-right corner (offset −24, −40).
    mk([
      { x1: 30, y1: 45, x2: 50, y2: 55, classId: 0 }, // → (6,5)-(26,15): whole
      { x1: 60, y1: 50, x2: 64, y2: 62, classId: 1 }, // → (36,10)-(40,22): whole (touches the right edge of the quadrant)
      { x1: 10, y1: 45, x2: 30, y2: 55, classId: 2 }, // → (−14,5)-(6,15): 6/20 visible = 0.3 ≥ 0.25: clipped to (0,5)-(6,15)
      { x1: 10, y1: 56, x2: 28, y2: 62, classId: 3 }, // → (−14,16)-(4,22): 4/18 < 0.25: dropped
      { x1: 5, y1: 5, x2: 20, y2: 20, classId: 4 }, // outside the shown part: dropped
    ]),
    // Top-right [40,64)×[0,24): scale 2, bottom-left corner on the centre: offset (40, 24 − 128).
    mk([{ x1: 2, y1: 50, x2: 10, y2: 60, classId: 5 }]), // → (44,−4)-(60,16): clipped to (44,0)-(60,16)
    // Bottom-left [0,40)×[24,64): scale 0.5, offset (8, 24).
    mk([{ x1: 0, y1: 0, x2: 64, y2: 64, classId: 6 }]), // → (8,24)-(40,56)
    // Bottom-right [40,64)×[24,64): scale 1, offset (40, 24).
    mk([{ x1: 20, y1: 0, x2: 40, y2: 10, classId: 7 }]), // → (60,24)-(80,34): 4/20 < 0.25: dropped
  ];
  const out = mosaic(scenes, { centerX: 40, centerY: 24, scales: [1, 2, 0.5, 1] });
  assert.deepEqual(out.boxes, [
    { x1: 6, y1: 5, x2: 26, y2: 15, classId: 0 },
    { x1: 36, y1: 10, x2: 40, y2: 22, classId: 1 },
    { x1: 0, y1: 5, x2: 6, y2: 15, classId: 2 },
    { x1: 44, y1: 0, x2: 60, y2: 16, classId: 5 },
    { x1: 8, y1: 24, x2: 40, y2: 56, classId: 6 },
  ]);
  // The bottom-left scene covers [8,40)×[24,56) only: pad around it in its quadrant.
  const at = (x: number, y: number) => [...out.image.data.slice((y * SIZE + x) * 3, (y * SIZE + x) * 3 + 3)];
  assert.deepEqual(at(3, 40), [MOSAIC_PAD_VALUE, MOSAIC_PAD_VALUE, MOSAIC_PAD_VALUE]);
  assert.deepEqual(at(20, 60), [MOSAIC_PAD_VALUE, MOSAIC_PAD_VALUE, MOSAIC_PAD_VALUE]);
  assert.deepEqual(mosaic(scenes, { centerX: 40, centerY: 24, scales: [1, 2, 0.5, 1], padValue: 7 }).image.data.slice((60 * SIZE + 20) * 3, (60 * SIZE + 20) * 3 + 1)[0], 7);
  // A stricter keep rule drops the clipped box too; the rule is clipBoxes' rule.
  const strict = { minVisibleFraction: 0.5, minSidePx: 2 };
  assert.deepEqual(mosaic(scenes, { centerX: 40, centerY: 24, scales: [1, 2, 0.5, 1] }, strict).boxes.map((b) => b.classId), [0, 1, 5, 6]);
  assert.deepEqual(clipBoxes([{ x1: -14, y1: 5, x2: 6, y2: 15, classId: 2 }], 40, 24, strict), []);
  // Pixels follow the boxes (colours drawn into the scenes).
  for (const sc of scenes) for (const b of sc.boxes) fillBox(sc.image, b);
  const drawn = mosaic(scenes, { centerX: 40, centerY: 24, scales: [1, 2, 0.5, 1] });
  assertBoxesExact(drawn.image, drawn.boxes, 'fixed layout');
  assert.throws(() => mosaic(scenes.slice(0, 3), { centerX: 40, centerY: 24, scales: [1, 1, 1, 1] }), /needs 4 scenes/);
  assert.throws(() => mosaic([...scenes.slice(0, 3), { image: solid(32, 32, 0), boxes: [] }], { centerX: 40, centerY: 24, scales: [1, 1, 1, 1] }), /share one size/);
});

test('mixup: pixel blend by the ratio, union of the boxes; Beta(32,32) ratio', () => {
  const a = { image: solid(8, 4, 200), boxes: [{ x1: 1, y1: 1, x2: 3, y2: 3, classId: 0 }] };
  const b = { image: solid(8, 4, 50), boxes: [{ x1: 4, y1: 0, x2: 8, y2: 4, classId: 1 }, { x1: 0, y1: 0, x2: 2, y2: 2, classId: 2 }] };
  b.image.data[5] = 150;
  const m = mixup(a, b, 0.3);
  assert.equal(m.image.data[0], Math.fround(200 * 0.3 + 50 * 0.7));
  assert.equal(m.image.data[5], Math.fround(200 * 0.3 + 150 * 0.7));
  assert.deepEqual(m.boxes, [...a.boxes, ...b.boxes]);
  assert.notEqual(m.boxes[0], a.boxes[0], 'boxes are copies');
  assert.deepEqual(mixup(a, b, 1).image.data, a.image.data);
  assert.throws(() => mixup(a, { image: solid(4, 4, 0), boxes: [] }, 0.5), /share one size/);
  assert.throws(() => mixup(a, b, 1.5), /ratio/);
  const rng = createRng(3);
  const draws = Array.from({ length: 4000 }, () => mixupRatio(rng));
  const mean = draws.reduce((s, v) => s + v, 0) / draws.length;
  const sd = Math.sqrt(draws.reduce((s, v) => s + (v - mean) ** 2, 0) / draws.length);
  assert.ok(draws.every((v) => v > 0 && v < 1));
  assert.ok(Math.abs(mean - 0.5) < 0.01, `mean ${mean}`);
  assert.ok(Math.abs(sd - Math.sqrt(1 / 260)) < 0.005, `sd ${sd}`); // Beta(32,32): σ² = 1/260
  assert.equal(mixupRatio(createRng(5)), mixupRatio(createRng(5)));
});

test('hsv jitter: exact on known colours', () => {
  const img: FloatRgbImage = { width: 3, height: 1, data: Float32Array.from([255, 0, 0, 100, 50, 20, 90, 90, 90]) };
  const close = (got: Float32Array, want: number[]) => want.forEach((v, i) => assert.ok(Math.abs(got[i] - v) < 1e-3, `${[...got]} vs ${want}`));
  close(hsvJitter(img, { hue: 0, saturation: 0, value: 0 }).data, [...img.data]);
  close(hsvJitter(img, { hue: 1 / 3, saturation: 0, value: 0 }).data.slice(0, 3), [0, 255, 0]);
  close(hsvJitter(img, { hue: -1 / 3, saturation: 0, value: 0 }).data.slice(0, 3), [0, 0, 255]);
  close(hsvJitter(img, { hue: 0, saturation: -1, value: 0 }).data, [255, 255, 255, 100, 100, 100, 90, 90, 90]);
  close(hsvJitter(img, { hue: 0, saturation: 0, value: 0.5 }).data, [255, 0, 0, 150, 75, 30, 135, 135, 135]);
  close(hsvJitter(img, { hue: 0.25, saturation: 0, value: 0 }).data.slice(6), [90, 90, 90]); // grey has no hue
  assert.deepEqual([...img.data], [255, 0, 0, 100, 50, 20, 90, 90, 90], 'input untouched');
});

test('hsv in the pipeline: changes colours, not geometry; seeded', () => {
  const scene = boxScene(0, 7);
  const onlyHsv = resolveAugmentConfig({
    ...Object.fromEntries(Object.keys(DEFAULT_AUGMENT_CONFIG).filter((k) => k !== 'enabled').map((k) => [k, { enabled: false }])),
    hsv: { enabled: true, p: 1 },
  });
  const a = augmentScene(scene.image, scene.boxes, onlyHsv, createRng(1));
  assert.deepEqual(a.applied, ['hsv']);
  assert.deepEqual(a.boxes, scene.boxes);
  assert.equal(a.image.width, SIZE);
  assert.notDeepEqual(a.image.data, scene.image.data);
  assert.deepEqual(augmentScene(scene.image, scene.boxes, onlyHsv, createRng(1)), a);
  assert.notDeepEqual(augmentScene(scene.image, scene.boxes, onlyHsv, createRng(2)).image.data, a.image.data);
  // Same partition of the pixels: equal input colours stay equal, different ones stay different.
  const key = (d: Float32Array, i: number) => `${d[i * 3].toFixed(2)},${d[i * 3 + 1].toFixed(2)},${d[i * 3 + 2].toFixed(2)}`;
  const map = new Map<string, string>();
  for (let i = 0; i < SIZE * SIZE; i++) {
    const k = key(scene.image.data, i);
    const v = key(a.image.data, i);
    if (map.has(k)) assert.equal(map.get(k), v);
    else map.set(k, v);
  }
  assert.equal(new Set(map.values()).size, map.size);
  for (let i = 0; i < a.image.data.length; i++) assert.ok(a.image.data[i] >= 0 && a.image.data[i] <= 255);
});

test('config: mosaic/mixup/hsv off by default, MODERN recipe, overrides over a base, checks', () => {
  for (const op of ['mosaic', 'mixup', 'hsv'] as const) assert.equal(DEFAULT_AUGMENT_CONFIG[op].enabled, false, op);
  assert.deepEqual(resolveAugmentConfig(), DEFAULT_AUGMENT_CONFIG);
  const m = resolveAugmentConfig({}, MODERN_AUGMENT_CONFIG);
  assert.deepEqual(m, MODERN_AUGMENT_CONFIG);
  assert.deepEqual([m.mosaic.enabled, m.mosaic.p, m.mosaic.minScale, m.mosaic.maxScale, m.mosaic.padValue], [true, 1, 0.5, 1.5, 114]);
  assert.deepEqual([m.mixup.enabled, m.mixup.p], [true, 0.1]);
  assert.deepEqual([m.hsv.enabled, m.hsv.hue, m.hsv.saturation, m.hsv.value], [true, 0.015, 0.7, 0.4]);
  assert.equal(m.horizontalFlip.enabled, true);
  for (const op of ['scaleCrop', 'blur', 'sharpen', 'noise', 'dropout'] as const) assert.equal(m[op].enabled, false, op);
  const o = resolveAugmentConfig(parseAugmentOverrides({ mosaic: { p: 0.5, maxScale: 2 }, hsv: { hue: 0.02 }, mixup: { enabled: false } }), MODERN_AUGMENT_CONFIG);
  assert.deepEqual([o.mosaic.enabled, o.mosaic.p, o.mosaic.minScale, o.mosaic.maxScale], [true, 0.5, 0.5, 2]);
  assert.deepEqual([o.hsv.enabled, o.hsv.hue, o.hsv.saturation], [true, 0.02, 0.7]);
  assert.equal(o.mixup.enabled, false);
  assert.equal(o.blur.enabled, false, 'other ops keep the base');
  assert.equal(resolveAugmentConfig({ mosaic: { enabled: true } }).mosaic.enabled, true);
  assert.throws(() => parseAugmentOverrides({ mosaic: { boxKeep: 1 } }), /mosaic\.boxKeep is not a setting/);
  assert.throws(() => parseAugmentOverrides({ hsv: { gain: 1 } }), /hsv\.gain is not a setting/);
  assert.throws(() => parseAugmentOverrides({ mixup: { enabled: 1 } }), /mixup\.enabled must be a boolean/);
  assert.throws(() => resolveAugmentConfig({ mosaic: { minScale: 2, maxScale: 1 } }), /mosaic needs 0 < minScale ≤ maxScale/);
  assert.throws(() => resolveAugmentConfig({ mosaic: { padValue: 300 } }), /mosaic\.padValue/);
  assert.throws(() => resolveAugmentConfig({ mixup: { p: 2 } }), /mixup\.p must be in \[0, 1\]/);
  assert.throws(() => resolveAugmentConfig({ hsv: { hue: 0.7 } }), /hsv\.hue/);
  assert.throws(() => resolveAugmentConfig({ hsv: { saturation: -0.1 } }), /hsv\.saturation/);
  assert.throws(() => resolveAugmentConfig({ hsv: { value: 2 } }, MODERN_AUGMENT_CONFIG), /hsv\.value/);
  const notMutated: AugmentConfig = JSON.parse(JSON.stringify(MODERN_AUGMENT_CONFIG));
  resolveAugmentConfig({ mosaic: { p: 0.2 } }, MODERN_AUGMENT_CONFIG);
  assert.deepEqual(MODERN_AUGMENT_CONFIG, notMutated);
});
