// evaluateCoco against numbers produced by pycocotools 2.0.11 (numpy 2.4.6) on the same generated
// scenes: crowd boxes, `area` fields that differ from the box, > 100 detections on some images,
// many equal scores across images, non-sequential image ids. The scene generator below wrote the
// COCO JSON that pycocotools evaluated (COCO(gt).loadRes(results), COCOeval 'bbox', summarize()).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { evaluateCoco, type CocoStats, type Detection, type GroundTruthBox } from '../../shared/metrics';

function scene(seed: number): { gts: GroundTruthBox[]; dets: Detection[] } {
  let a = seed >>> 0;
  const r = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const gts: GroundTruthBox[] = [];
  const dets: Detection[] = [];
  const cats = [1, 2, 3];
  for (let im = 0; im < 40; im++) {
    const imageId = String(Math.floor(r() * 1000) * 40 + im);
    const boxes: number[][] = [];
    for (let k = Math.floor(r() * 8); k > 0; k--) {
      const w = 4 + r() * 200, h = 4 + r() * 200, x = r() * 400, y = r() * 300, c = cats[Math.floor(r() * 3)]!, crowd = r() < 0.08;
      const area = r() < 0.3 ? w * h * (0.5 + r()) : w * h;
      gts.push({ imageId, className: String(c), x1: x, y1: y, x2: x + w, y2: y + h, area, ...(crowd ? { iscrowd: true } : {}) });
      boxes.push([x, y, w, h, c]);
    }
    const nd = r() < 0.1 ? 130 : Math.floor(r() * 15);
    for (let k = 0; k < nd; k++) {
      let x, y, w, h, c;
      if (boxes.length && r() < 0.7) {
        const b = boxes[Math.floor(r() * boxes.length)]!;
        x = b[0]! + (r() - 0.5) * 10; y = b[1]! + (r() - 0.5) * 10; w = b[2]! * (0.8 + r() * 0.4); h = b[3]! * (0.8 + r() * 0.4);
        c = r() < 0.9 ? b[4]! : cats[Math.floor(r() * 3)]!;
      } else {
        w = 4 + r() * 150; h = 4 + r() * 150; x = r() * 400; y = r() * 300; c = cats[Math.floor(r() * 3)]!;
      }
      dets.push({ imageId, className: String(c), x1: x, y1: y, x2: x + w, y2: y + h, score: Math.round(r() * 20) / 20 });
    }
  }
  return { gts, dets };
}

const KEYS: (keyof CocoStats)[] = ['AP', 'AP50', 'AP75', 'APsmall', 'APmedium', 'APlarge', 'AR1', 'AR10', 'AR100', 'ARsmall', 'ARmedium', 'ARlarge'];
const PYCOCOTOOLS: Record<number, number[]> = {
  1: [0.090835584555648, 0.1576286604901581, 0.08833914664423592, 0.002599009900990099, 0.07534830514857913, 0.18677488389218222, 0.15286898096304594, 0.37093990294886153, 0.3901754385964912, 0.04000000000000001, 0.34714285714285714, 0.4688484848484848],
  3: [0.10646477403197933, 0.18162708801908248, 0.11904650726290747, 0.051569609767227596, 0.07537689952406541, 0.21413610519429194, 0.2046432987609458, 0.40372599490246547, 0.44232846291669825, 0.3125, 0.39169934640522874, 0.5205128205128204],
};

for (const [seed, want] of Object.entries(PYCOCOTOOLS)) {
  test(`COCO stats equal pycocotools on generated scene ${seed}`, () => {
    const { gts, dets } = scene(Number(seed));
    assert.ok(gts.some((g) => g.iscrowd) && dets.length > 300, 'the scene exercises crowds and many detections');
    const stats = evaluateCoco(gts, dets).stats;
    KEYS.forEach((k, i) => assert.ok(Math.abs(stats[k] - want[i]!) < 1e-12, `${k}: got ${stats[k]}, pycocotools ${want[i]}`));
  });
}
