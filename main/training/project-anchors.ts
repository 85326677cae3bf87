/**
 * Anchors for a project before any training: k-means (1 − IoU distance) over the boxes of the
 * project's train split, measured as the letterboxed model sees them (a box's side divided by its
 * image's longer side, times the grid), so the result depends on the grid only, not on the input
 * size. The trainer computes its own anchors the same way from the samples it loads; this is what
 * the Train view shows and `detecta anchors` prints.
 */
import type { DatasetProject } from '../dataset/project';
import { kmeansAnchors, type KMeansAnchorsResult } from '../../shared/ml/detector/anchors';

export interface ProjectAnchors {
  /** Anchors (w, h) in grid cells, sorted by area. */
  anchors: KMeansAnchorsResult['anchors'];
  /** Anchors in input pixels (grid cells × 32). */
  anchorsPx: [number, number][];
  /** Mean IoU of each box with its best anchor. */
  meanIoU: number;
  /** How many boxes the clustering used, and from which split. */
  boxes: number;
  split: 'train' | 'all';
  grid: number;
}

export interface ProjectAnchorOptions {
  k: number;
  /** Grid side (input size / 32). */
  grid: number;
  seed?: number;
}

/** Throws (with a message a user can act on) when the project has fewer boxes than anchors. */
export async function computeProjectAnchors(project: DatasetProject, options: ProjectAnchorOptions): Promise<ProjectAnchors> {
  const train: { w: number; h: number }[] = [];
  const all: { w: number; h: number }[] = [];
  for await (const { entry, ann } of project.annotations()) {
    const size = ann.size;
    if (!size || !(size.width > 0) || !(size.height > 0)) continue;
    const side = Math.max(size.width, size.height);
    for (const o of ann.objects) {
      const w = ((o.bndbox.xmax - o.bndbox.xmin) / side) * options.grid;
      const h = ((o.bndbox.ymax - o.bndbox.ymin) / side) * options.grid;
      if (!(w > 0 && h > 0)) continue;
      all.push({ w, h });
      if (entry.split === 'train') train.push({ w, h });
    }
  }
  const useTrain = train.length >= options.k;
  const sizes = useTrain ? train : all;
  if (sizes.length < options.k) {
    throw new Error(`anchors: the project has ${sizes.length} usable boxes, fewer than the ${options.k} anchors asked for; label more boxes or ask for fewer anchors`);
  }
  const result = kmeansAnchors(sizes, options.k, { seed: options.seed ?? 1 });
  return {
    anchors: result.anchors,
    anchorsPx: result.anchors.map(([w, h]) => [w * 32, h * 32] as [number, number]),
    meanIoU: result.avgIou,
    boxes: sizes.length,
    split: useTrain ? 'train' : 'all',
    grid: options.grid,
  };
}
