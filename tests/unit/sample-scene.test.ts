import { test } from 'node:test';
import assert from 'node:assert/strict';
import { drawScene, SAMPLE_CLASSES } from '../../shared/synthetic/scene';

test('the same seed draws the same pixels and boxes; another seed draws another scene', () => {
  const a = drawScene(42);
  const b = drawScene(42);
  const c = drawScene(43);
  assert.deepEqual(a.boxes, b.boxes);
  assert.ok(Buffer.from(a.rgb).equals(Buffer.from(b.rgb)));
  assert.ok(!Buffer.from(a.rgb).equals(Buffer.from(c.rgb)));
});

test('boxes lie inside the image, are non-empty, and respect the requested sizes and classes', () => {
  for (let seed = 1; seed <= 40; seed++) {
    const s = drawScene(seed, { width: 160, height: 120, minObjects: 1, maxObjects: 3, classes: ['ball', 'cone'] });
    assert.equal(s.rgb.length, 160 * 120 * 3);
    assert.ok(s.boxes.length >= 1 && s.boxes.length <= 3, `seed ${seed}: ${s.boxes.length} boxes`);
    for (const box of s.boxes) {
      assert.ok(['ball', 'cone'].includes(box.className));
      assert.ok(box.x1 >= 0 && box.y1 >= 0 && box.x2 <= 160 && box.y2 <= 120, JSON.stringify(box));
      assert.ok(box.x2 - box.x1 >= 120 * 0.18 * 0.6 - 1 && box.y2 - box.y1 >= 8, JSON.stringify(box));
    }
  }
  assert.deepEqual([...SAMPLE_CLASSES], ['brick', 'ball', 'cone']);
});

test('each box frames a drawn object: its pixels differ from the background around it', () => {
  // a ball on a plain scene: the box centre must not look like the image corner far from it
  let checked = 0;
  for (let seed = 1; seed <= 30 && checked < 10; seed++) {
    const s = drawScene(seed, { width: 200, height: 150, minObjects: 1, maxObjects: 1, classes: ['ball'] });
    const box = s.boxes[0];
    if (!box) continue;
    const px = (x: number, y: number): number[] => {
      const i = (Math.floor(y) * s.width + Math.floor(x)) * 3;
      return [s.rgb[i] as number, s.rgb[i + 1] as number, s.rgb[i + 2] as number];
    };
    // the mean colour of the disc differs from the mean colour just outside the box's left edge
    const mean = (pts: number[][]): number[] => [0, 1, 2].map((k) => pts.reduce((acc, p) => acc + (p[k] as number), 0) / pts.length);
    const cx = (box.x1 + box.x2) / 2;
    const cy = (box.y1 + box.y2) / 2;
    const inner = mean([px(cx, cy), px(cx - 2, cy), px(cx + 2, cy), px(cx, cy - 2), px(cx, cy + 2)]);
    if (box.x1 < 6) continue;
    const outer = mean([px(box.x1 - 4, cy), px(box.x1 - 5, cy - 2), px(box.x1 - 5, cy + 2)]);
    const diff = Math.abs(inner[0]! - outer[0]!) + Math.abs(inner[1]! - outer[1]!) + Math.abs(inner[2]! - outer[2]!);
    assert.ok(diff > 20, `seed ${seed}: object and background look alike (${inner} vs ${outer})`);
    checked++;
  }
  assert.ok(checked >= 5, 'too few scenes checked');
});
