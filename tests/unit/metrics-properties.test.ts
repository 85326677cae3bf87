// Properties every AP implementation must satisfy, on seeded random scenes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { evaluateCoco, evaluateVoc, type Detection, type GroundTruthBox } from '../../shared/metrics';
import { mulberry32 as rng } from '../../shared/ml/random';


const CLASSES = ['cat', 'dog', 'bird'];

function scene(seed: number, images = 12): { gts: GroundTruthBox[]; dets: Detection[] } {
  const r = rng(seed);
  const gts: GroundTruthBox[] = [];
  const dets: Detection[] = [];
  const used = new Set<number>();
  const distinctScore = () => {
    let s;
    do s = Math.round(r() * 1e6) / 1e6; while (used.has(s));
    used.add(s);
    return s;
  };
  for (let i = 0; i < images; i++) {
    const imageId = `img${i}`;
    const n = Math.floor(r() * 5);
    for (let k = 0; k < n; k++) {
      const x1 = Math.floor(r() * 400), y1 = Math.floor(r() * 400);
      const w = 8 + Math.floor(r() * 150), h = 8 + Math.floor(r() * 150);
      const g: GroundTruthBox = { imageId, className: CLASSES[Math.floor(r() * 3)]!, x1, y1, x2: x1 + w, y2: y1 + h };
      if (r() < 0.1) g.difficult = true;
      gts.push(g);
      if (r() < 0.8) {
        const jx = () => Math.round((r() - 0.5) * 0.4 * w);
        const jy = () => Math.round((r() - 0.5) * 0.4 * h);
        dets.push({ imageId, className: r() < 0.9 ? g.className : CLASSES[Math.floor(r() * 3)]!, score: distinctScore(), x1: x1 + jx(), y1: y1 + jy(), x2: x1 + w + jx(), y2: y1 + h + jy() });
      }
    }
    for (let k = Math.floor(r() * 3); k > 0; k--) {
      const x1 = Math.floor(r() * 400), y1 = Math.floor(r() * 400);
      dets.push({ imageId, className: CLASSES[Math.floor(r() * 3)]!, score: distinctScore(), x1, y1, x2: x1 + 30, y2: y1 + 30 });
    }
  }
  return { gts, dets };
}

function shuffle<T>(xs: T[], r: () => number): T[] {
  const out = [...xs];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

const perfect = (gts: GroundTruthBox[]): Detection[] => gts.map((g, i) => ({ ...g, score: 1 - i / (gts.length + 1) }));

test('a perfect detector scores 1.0 under every protocol', () => {
  for (let seed = 1; seed <= 5; seed++) {
    const { gts } = scene(seed);
    const dets = perfect(gts);
    for (const method of ['all-point', '11-point'] as const) {
      for (const pixelConvention of ['inclusive', 'continuous'] as const) {
        const r = evaluateVoc(gts, dets, { method, pixelConvention });
        assert.equal(r.mAP, 1, `seed ${seed} ${method} ${pixelConvention}`);
      }
    }
    const coco = evaluateCoco(gts, dets).stats;
    for (const k of ['AP', 'AP50', 'AP75', 'AR100'] as const) assert.ok(Math.abs(coco[k] - 1) < 1e-12, `seed ${seed} COCO ${k} = ${coco[k]}`);
  }
});

test('shuffling detections with distinct scores changes nothing', () => {
  for (let seed = 10; seed < 20; seed++) {
    const { gts, dets } = scene(seed);
    const r = rng(seed * 7);
    const a = evaluateVoc(gts, dets, { iouThreshold: 0.5 });
    const b = evaluateVoc(gts, shuffle(dets, r), { iouThreshold: 0.5 });
    assert.deepEqual(b.classes.map((c) => c.ap), a.classes.map((c) => c.ap), `seed ${seed}`);
    assert.ok(a.mAP! > 0 && a.mAP! < 1, `seed ${seed} is a non-trivial scene (mAP ${a.mAP})`);
    const a11 = evaluateVoc(gts, dets, { method: '11-point' }).mAP;
    assert.equal(evaluateVoc(gts, shuffle(dets, r), { method: '11-point' }).mAP, a11);
    assert.deepEqual(evaluateCoco(gts, shuffle(dets, r)).stats, evaluateCoco(gts, dets).stats);
    // GT order within an image can matter only on exactly equal IoU; shuffling images' GT lists as a whole is safe.
  }
});

test('adding a low-confidence false positive never raises AP', () => {
  for (let seed = 30; seed < 45; seed++) {
    const { gts, dets } = scene(seed);
    const r = rng(seed);
    const minScore = Math.min(...dets.map((d) => d.score));
    for (const cls of CLASSES) {
      const fp: Detection = { imageId: `img${Math.floor(r() * 12)}`, className: cls, score: minScore - 0.01, x1: 900, y1: 900, x2: 950, y2: 950 };
      const before = evaluateVoc(gts, dets);
      const after = evaluateVoc(gts, [...dets, fp]);
      const b = before.classes.find((c) => c.className === cls)?.ap ?? null;
      const a = after.classes.find((c) => c.className === cls)?.ap ?? null;
      if (b !== null) assert.ok(a! <= b, `seed ${seed} ${cls}: ${a} > ${b}`);
      assert.ok((evaluateVoc(gts, [...dets, fp], { method: '11-point' }).mAP ?? 0) <= (evaluateVoc(gts, dets, { method: '11-point' }).mAP ?? 0));
      assert.ok(evaluateCoco(gts, [...dets, fp]).stats.AP <= evaluateCoco(gts, dets).stats.AP);
    }
  }
});

test('AP always lies in [0, 1] and mAP is the mean of the per-class APs', () => {
  for (let seed = 50; seed < 60; seed++) {
    const { gts, dets } = scene(seed);
    const r = evaluateVoc(gts, dets);
    const aps = r.classes.map((c) => c.ap).filter((x): x is number => x !== null);
    for (const ap of aps) assert.ok(ap >= 0 && ap <= 1);
    assert.equal(r.mAP, aps.reduce((s, x) => s + x, 0) / aps.length);
  }
});
