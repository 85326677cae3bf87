/**
 * Target encoding: ground-truth boxes (model-input pixels) → the YOLOv2 training target.
 *
 * Each box is assigned to the grid cell holding its centre and to the anchor whose shape best
 * matches it (highest IoU with both centred at the origin), as in YOLOv2. If that anchor of that
 * cell is already taken by another box, the next best free anchor of the cell is used; a box
 * that finds no free anchor is dropped and counted. Target layout: see layout.ts.
 *
 * The encoded target also carries every box of the image as a (cx, cy, w, h) grid-unit list
 * (`trueBoxes`), zero-padded to `maxBoxes`: the loss uses it for the ignore threshold (a
 * prediction overlapping any true box by IoU ≥ 0.6 is not punished as background). A batch keeps
 * only as many rows as its fullest image needs, rounded up to a power of two (at most maxBoxes):
 * a zero row has IoU 0 with every prediction, so the padding never changes the loss, and the
 * IoU against every row is the largest tensor of the loss (16 images × 245 predictions × 50
 * rows on the mobilenet preset, where most images have one to three boxes).
 */
import * as tf from '@tensorflow/tfjs';
import type { LabeledBox } from './box';
import { centredIou } from './box';
import type { GridSpec } from './layout';
import { fieldsPerAnchor, valuesPerImage } from './layout';

export interface EncodedImage {
  /** grid × grid × A × (5 + C) values. */
  target: Float32Array;
  /** maxBoxes × 4 values: cx, cy, w, h in grid units, zero rows for padding. */
  trueBoxes: Float32Array;
  /** Boxes written into the target. */
  assigned: number;
  /** Boxes dropped: degenerate, centre outside the input, unknown class, or no free anchor. */
  dropped: number;
  /** Rows of trueBoxes in use. */
  listed: number;
}

/** A batch target as tensors, the `yTrue` of the loss. */
export interface YoloTargets {
  /** [batch, grid, grid, A, 5 + C] */
  target: tf.Tensor5D;
  /** [batch, M, 4]: M = the most boxes of one image, rounded up to a power of two, at most maxBoxes. */
  trueBoxes: tf.Tensor3D;
}

/** Anchor indices sorted from best to worst shape match for a box of size (w, h) grid units. */
export function rankAnchors(w: number, h: number, anchors: GridSpec['anchors']): number[] {
  const ious = anchors.map(([aw, ah]) => centredIou(w, h, aw, ah));
  return ious.map((_, i) => i).sort((a, b) => ious[b] - ious[a] || a - b);
}

/**
 * Encodes one image's boxes, given in model-input pixels (0..inputSize). Boxes are clipped to
 * the input first.
 */
export function encodeImageTargets(boxes: readonly LabeledBox[], spec: GridSpec, maxBoxes: number): EncodedImage {
  const { gridSize: g, anchors, numClasses, inputSize } = spec;
  const A = anchors.length;
  const F = fieldsPerAnchor(spec);
  const target = new Float32Array(valuesPerImage(spec));
  const trueBoxes = new Float32Array(maxBoxes * 4);
  const cellUnit = inputSize / g;
  let assigned = 0;
  let dropped = 0;
  let listed = 0;
  for (const box of boxes) {
    const x1 = Math.max(0, Math.min(inputSize, box.x1));
    const x2 = Math.max(0, Math.min(inputSize, box.x2));
    const y1 = Math.max(0, Math.min(inputSize, box.y1));
    const y2 = Math.max(0, Math.min(inputSize, box.y2));
    const w = (x2 - x1) / cellUnit;
    const h = (y2 - y1) / cellUnit;
    const cx = (x1 + x2) / 2 / cellUnit;
    const cy = (y1 + y2) / 2 / cellUnit;
    if (!(w > 0 && h > 0) || !Number.isInteger(box.classId) || box.classId < 0 || box.classId >= numClasses) {
      dropped++;
      continue;
    }
    const col = Math.min(g - 1, Math.floor(cx));
    const row = Math.min(g - 1, Math.floor(cy));
    const cellBase = (row * g + col) * A * F;
    const anchor = rankAnchors(w, h, anchors).find((a) => target[cellBase + a * F + 4] === 0);
    if (anchor === undefined) {
      dropped++;
      continue;
    }
    const o = cellBase + anchor * F;
    target[o] = cx;
    target[o + 1] = cy;
    target[o + 2] = w;
    target[o + 3] = h;
    target[o + 4] = 1;
    target[o + 5 + box.classId] = 1;
    assigned++;
    if (listed < maxBoxes) {
      trueBoxes.set([cx, cy, w, h], listed * 4);
      listed++;
    }
  }
  return { target, trueBoxes, assigned, dropped, listed };
}

/** Encodes a batch and stacks it into the loss's yTrue tensors. */
export function encodeBatchTargets(batch: readonly (readonly LabeledBox[])[], spec: GridSpec, maxBoxes = 50): YoloTargets {
  const per = valuesPerImage(spec);
  const target = new Float32Array(batch.length * per);
  const encoded = batch.map((boxes) => encodeImageTargets(boxes, spec, maxBoxes));
  const fullest = Math.max(1, ...encoded.map((e) => e.listed));
  const rows = Math.min(maxBoxes, 2 ** Math.ceil(Math.log2(fullest)));
  const trueBoxes = new Float32Array(batch.length * rows * 4);
  encoded.forEach((enc, i) => {
    target.set(enc.target, i * per);
    trueBoxes.set(enc.trueBoxes.subarray(0, rows * 4), i * rows * 4);
  });
  const g = spec.gridSize;
  return {
    target: tf.tensor5d(target, [batch.length, g, g, spec.anchors.length, fieldsPerAnchor(spec)]),
    trueBoxes: tf.tensor3d(trueBoxes, [batch.length, rows, 4]),
  };
}
