/**
 * Layout of the detector's raw output and of the encoded training target.
 *
 * Raw output: [batch, grid, grid, A * (5 + C)], row-major over (row, col, anchor, field), so the
 * value for cell (row, col), anchor a, field f of image b sits at
 *   ((b * grid + row) * grid + col) * A * (5 + C) + a * (5 + C) + f.
 * Fields of the raw output (YOLOv2): 0 tx, 1 ty, 2 tw, 3 th, 4 objectness logit, 5.. class logits;
 *   box centre x = (col + sigmoid(tx)) grid units, w = anchorW * exp(tw) grid units, same for y/h.
 * Fields of the encoded target (same positions): 0 cx, 1 cy, 2 w, 3 h (grid units, absolute),
 *   4 object mask (1 where this anchor of this cell is responsible for a box), 5.. one-hot class.
 */
import type { Anchor } from './box';
import type { DetectorConfig } from './config';
import { gridSizeOf } from './config';

export interface GridSpec {
  /** Model input side in pixels. */
  inputSize: number;
  /** Cells per side: inputSize / 32. */
  gridSize: number;
  /** (w, h) in grid units. */
  anchors: readonly Anchor[];
  numClasses: number;
}

export function gridSpecOf(config: DetectorConfig): GridSpec {
  return { inputSize: config.inputSize, gridSize: gridSizeOf(config), anchors: config.anchors, numClasses: config.numClasses };
}

/** Values per anchor: 5 + C. */
export function fieldsPerAnchor(spec: Pick<GridSpec, 'numClasses'>): number {
  return 5 + spec.numClasses;
}

/** Values per image: grid × grid × A × (5 + C). */
export function valuesPerImage(spec: GridSpec): number {
  return spec.gridSize * spec.gridSize * spec.anchors.length * fieldsPerAnchor(spec);
}

