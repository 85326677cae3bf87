import { test } from 'node:test';
import assert from 'node:assert/strict';
import { brightnessAdd, brightnessMultiply, clampPixels, clipBoxes, contrast, gaussianBlur, gaussianNoise, horizontalFlip, hsvJitter, pixelDropout, scaleCrop, sharpen } from '../../shared/ml/augment';
import type { FloatRgbImage } from '../../shared/ml/preprocess';
import { createRng } from '../../shared/ml/random';

const constant = (w: number, h: number, v: number): FloatRgbImage => ({ width: w, height: h, data: new Float32Array(w * h * 3).fill(v) });
const px = (img: FloatRgbImage, x: number, y: number) => [...img.data.slice((y * img.width + x) * 3, (y * img.width + x) * 3 + 3)];
const mean = (a: Float32Array) => a.reduce((s, v) => s + v, 0) / a.length;
const std = (a: Float32Array) => { const m = mean(a); return Math.sqrt(a.reduce((s, v) => s + (v - m) ** 2, 0) / a.length); };

/** 40×30 grey image with a red rectangle covering pixels x 10..19, y 5..14 → box (10,5)-(20,15). */
function rectScene(): FloatRgbImage {
  const img = constant(40, 30, 100);
  for (let y = 5; y < 15; y++) for (let x = 10; x < 20; x++) img.data.set([250, 0, 0], (y * 40 + x) * 3);
  return img;
}
const rectBox = { x1: 10, y1: 5, x2: 20, y2: 15, classId: 0 };

test('photometric ops: exact values on known pixels', () => {
  const img: FloatRgbImage = { width: 1, height: 2, data: Float32Array.from([0, 128, 200, 255, 64, 10]) };
  assert.deepEqual([...brightnessAdd(img, 10).data], [10, 138, 210, 265, 74, 20]);
  assert.deepEqual([...brightnessMultiply(img, 0.5).data], [0, 64, 100, 127.5, 32, 5]);
  assert.deepEqual([...contrast(img, 2).data], [-128, 128, 272, 382, 0, -108]);
  assert.deepEqual([...img.data], [0, 128, 200, 255, 64, 10], 'input untouched');
});

test('gaussian noise has the requested σ; dropout blacks out the requested fraction of pixels', () => {
  const noisy = gaussianNoise(constant(100, 100, 128), 10, createRng(1));
  assert.ok(Math.abs(std(noisy.data) - 10) < 0.3, `σ ${std(noisy.data)}`);
  assert.ok(Math.abs(mean(noisy.data) - 128) < 0.3);
  const dropped = pixelDropout(constant(100, 100, 128), 0.2, createRng(2));
  let black = 0;
  for (let i = 0; i < 10000; i++) {
    const p = px(dropped, i % 100, Math.floor(i / 100));
    if (p[0] === 0) { black++; assert.deepEqual(p, [0, 0, 0], 'whole pixel'); }
  }
  assert.ok(Math.abs(black / 10000 - 0.2) < 0.02, `dropped ${black}`);
});

test('blur keeps flat areas and the mean, softens edges; sharpen keeps flat areas and steepens edges', () => {
  const flatBlur = gaussianBlur(constant(10, 10, 77), 1.2);
  assert.ok(flatBlur.data.every((v) => Math.abs(v - 77) < 1e-3));
  const scene = rectScene();
  const blurred = gaussianBlur(scene, 1);
  assert.ok(Math.abs(mean(blurred.data) - mean(scene.data)) < 0.5);
  assert.ok(px(blurred, 10, 10)[0] < 250 && px(blurred, 9, 10)[0] > 100, 'edge softened');
  assert.ok(sharpen(constant(10, 10, 77), 0.7, 1).data.every((v) => Math.abs(v - 77) < 1e-3));
  const sharp = sharpen(scene, 1, 1);
  // Just inside the left edge: 9·250 − 3·100 − 5·250 = 700 for red; just outside: 9·100 − 3·250 − 5·100 = −350.
  assert.equal(px(sharp, 10, 10)[0], 700);
  assert.equal(px(sharp, 9, 10)[0], -350);
});

test('horizontal flip mirrors pixels and boxes exactly; twice is identity', () => {
  const scene = rectScene();
  const f = horizontalFlip(scene, [rectBox]);
  assert.deepEqual(f.boxes, [{ x1: 20, y1: 5, x2: 30, y2: 15, classId: 0 }]);
  assert.deepEqual(px(f.image, 20, 5), [250, 0, 0]);
  assert.deepEqual(px(f.image, 29, 14), [250, 0, 0]);
  assert.deepEqual(px(f.image, 19, 5), [100, 100, 100]);
  assert.deepEqual(px(f.image, 30, 5), [100, 100, 100]);
  const back = horizontalFlip(f.image, f.boxes);
  assert.deepEqual([...back.image.data], [...scene.data]);
  assert.deepEqual(back.boxes, [rectBox]);
});

test('scale/crop moves the box exactly with the rectangle', () => {
  const scene = rectScene();
  const r = scaleCrop(scene, [rectBox], { scaleX: 2, scaleY: 2, offsetX: -10, offsetY: -4 });
  assert.deepEqual(r.boxes, [{ x1: 10, y1: 6, x2: 30, y2: 26, classId: 0 }]);
  // Pixels well inside the new box are red, well outside grey; the boundary pixels are blends.
  assert.deepEqual(px(r.image, 11, 7), [250, 0, 0]);
  assert.deepEqual(px(r.image, 28, 24), [250, 0, 0]);
  assert.deepEqual(px(r.image, 8, 15), [100, 100, 100]);
  assert.deepEqual(px(r.image, 31, 15), [100, 100, 100]);
  // Zoom out: the image shrinks onto pad.
  const z = scaleCrop(scene, [rectBox], { scaleX: 0.5, scaleY: 0.5, offsetX: 20, offsetY: 15, padValue: 0 });
  assert.deepEqual(z.boxes, [{ x1: 25, y1: 17.5, x2: 30, y2: 22.5, classId: 0 }]);
  assert.deepEqual(px(z.image, 5, 5), [0, 0, 0]);
  assert.deepEqual(px(z.image, 27, 20), [250, 0, 0]);
});

test('boxes pushed out of the frame are clipped, or dropped when mostly gone or too thin', () => {
  const scene = rectScene();
  const clipped = scaleCrop(scene, [rectBox], { scaleX: 1, scaleY: 1, offsetX: 25, offsetY: 0 }).boxes;
  assert.deepEqual(clipped, [{ x1: 35, y1: 5, x2: 40, y2: 15, classId: 0 }], 'half visible: kept, clipped');
  assert.deepEqual(scaleCrop(scene, [rectBox], { scaleX: 1, scaleY: 1, offsetX: 28, offsetY: 0 }).boxes, [], '20 % visible: dropped');
  assert.deepEqual(clipBoxes([{ x1: -5, y1: 0, x2: 1.5, y2: 10, classId: 1 }], 40, 30, { minVisibleFraction: 0, minSidePx: 2 }), []);
});

test('every pixel op gives the same values written in place (the pipeline\'s way) as into a new image', () => {
  // 7×5: odd width (the flip's middle column), edges on every side for the filters' clamping
  const scene = (): FloatRgbImage => {
    const img = constant(7, 5, 0);
    for (let i = 0; i < img.data.length; i++) img.data[i] = ((i * 53) % 300) - 20;
    return img;
  };
  const ops: [string, (img: FloatRgbImage, into?: Float32Array) => FloatRgbImage][] = [
    ['brightnessAdd', (img, into) => brightnessAdd(img, 7.5, into)],
    ['brightnessMultiply', (img, into) => brightnessMultiply(img, 1.1, into)],
    ['contrast', (img, into) => contrast(img, 1.3, into)],
    ['gaussianNoise', (img, into) => gaussianNoise(img, 4, createRng(5), into)],
    ['pixelDropout', (img, into) => pixelDropout(img, 0.3, createRng(6), into)],
    ['clampPixels', (img, into) => clampPixels(img, into)],
    ['gaussianBlur', (img, into) => gaussianBlur(img, 1.4, into)],
    ['sharpen', (img, into) => sharpen(img, 0.4, 1.2, into)],
    ['hsvJitter', (img, into) => hsvJitter(img, { hue: 0.2, saturation: -0.3, value: 0.25 }, into)],
    ['horizontalFlip', (img, into) => horizontalFlip(img, [], into).image],
  ];
  for (const [name, op] of ops) {
    const input = scene();
    const fresh = op(input);
    assert.deepEqual([...input.data], [...scene().data], `${name}: a new image leaves the input alone`);
    assert.notEqual(fresh.data, input.data, name);
    const inPlace = op(input, input.data);
    assert.equal(inPlace.data, input.data, `${name}: wrote into the given array`);
    assert.deepEqual([...inPlace.data], [...fresh.data], `${name}: same values in place`);
  }
  assert.throws(() => brightnessAdd(scene(), 1, new Float32Array(3)), /'into' has 3 values, the image 105/);
});
