/** Dataset statistics from the boxes of every labeled image (pure; main/dataset feeds it). */
import type { ClassStats, DatasetStats, DatasetSummary, HistogramBin } from './types';

export interface StatsInput {
  classes: readonly string[];
  images: Iterable<{ size: { width: number; height: number } | null; boxes: readonly { label: string; xmin: number; ymin: number; xmax: number; ymax: number; difficult: boolean }[] }>;
}

function bins(edges: number[]): HistogramBin[] {
  return edges.map((from, i) => ({ from, to: i + 1 < edges.length ? edges[i + 1]! : null, count: 0 }));
}

function put(h: HistogramBin[], v: number): void {
  for (let i = h.length - 1; i >= 0; i--) {
    if (v >= h[i]!.from) { h[i]!.count++; return; }
  }
  h[0]!.count++;
}

export function computeStats(summary: DatasetSummary, input: StatsInput): DatasetStats {
  const byName = new Map<string, ClassStats>();
  input.classes.forEach((name, id) => byName.set(name, { name, id, boxes: 0, images: 0, difficult: 0 }));
  const boxSize = bins([0, 8, 16, 32, 64, 128, 256, 512, 1024]);
  const aspectRatio = bins([0, 0.25, 0.5, 0.75, 1 / 0.75, 2, 4]);
  const boxesPerImage = bins([0, 1, 2, 3, 5, 10, 20, 50]);
  const coco = { small: 0, medium: 0, large: 0 };
  let boxes = 0, zero = 0, outside = 0;
  for (const img of input.images) {
    put(boxesPerImage, img.boxes.length);
    const seen = new Set<string>();
    for (const b of img.boxes) {
      boxes++;
      let c = byName.get(b.label);
      if (!c) { c = { name: b.label, id: -1, boxes: 0, images: 0, difficult: 0 }; byName.set(b.label, c); }
      c.boxes++;
      if (b.difficult) c.difficult++;
      if (!seen.has(b.label)) { seen.add(b.label); c.images++; }
      const w = b.xmax - b.xmin, h = b.ymax - b.ymin;
      if (w <= 0 || h <= 0) { zero++; continue; }
      if (img.size && (b.xmin < 0 || b.ymin < 0 || b.xmax > img.size.width || b.ymax > img.size.height)) outside++;
      const area = w * h;
      put(boxSize, Math.sqrt(area));
      put(aspectRatio, w / h);
      if (area < 32 * 32) coco.small++; else if (area < 96 * 96) coco.medium++; else coco.large++;
    }
  }
  return {
    summary,
    boxes,
    classes: [...byName.values()],
    boxSize,
    cocoSizes: coco,
    aspectRatio,
    boxesPerImage,
    zeroSizeBoxes: zero,
    outsideBoxes: outside,
  };
}
