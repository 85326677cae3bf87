/**
 * Tiled detection (SAHI-style slicing) for small objects in large photos: the image is cut into
 * overlapping square tiles, each tile is detected at the model's input size (so a small object
 * covers many more input pixels than in one pass over the whole photo), optionally plus the usual
 * pass over the whole image for large objects, and the boxes of every pass are mapped back to
 * image pixels and merged.
 *
 * Merging: a box that touches an inner tile border (a tile edge that is not an image edge) may be
 * only the part of an object that fell into that tile; it is dropped when another pass saw a
 * whole (uncut) box of the same class that covers most of it. The rest goes through class-wise
 * NMS (tf.image.nonMaxSuppression semantics, shared/ml/detector/nms.ts).
 *
 * Pure TypeScript: used by `detecta predict --tile` (main/training/predict-files.ts), the Detect
 * view and pre-labeling (renderer/detect/tiled-frame.ts).
 */
import type { Detection } from './box';
import { boxArea } from './box';
import { nmsPerClass } from './nms';

/** One tile in image pixels (integers; x + width ≤ image width). */
export interface TileRect {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface TileOptions {
  /** Tile side in image pixels (a tile is smaller only where the image is). */
  tileSize: number;
  /** Fraction of a tile shared with its neighbour, in [0, 0.9] (default 0.2). */
  overlap?: number;
  /** Add a pass over the whole image (for objects larger than a tile); default true. */
  fullImage?: boolean;
}

export const DEFAULT_TILE_OVERLAP = 0.2;

function starts(length: number, tile: number, step: number): number[] {
  if (length <= tile) return [0];
  const out: number[] = [];
  for (let s = 0; s + tile < length; s += step) out.push(s);
  // the last tile ends at the image edge (SAHI shifts it back instead of cutting it short)
  out.push(length - tile);
  return out;
}

/** Checks tile options; throws a message that names the bad value. */
export function checkTileOptions(options: TileOptions): void {
  const { tileSize, overlap = DEFAULT_TILE_OVERLAP } = options;
  if (!Number.isInteger(tileSize) || tileSize < 16) throw new Error(`tile size must be an integer of at least 16 pixels, got ${tileSize}`);
  if (!(overlap >= 0 && overlap <= 0.9)) throw new Error(`tile overlap must be a fraction in [0, 0.9], got ${overlap}`);
}

/**
 * The tile grid of a width×height image, row by row: square tiles of `tileSize` (cut to the image
 * where it is smaller), neighbours overlapping by `overlap` of a tile, the last column and row
 * ending exactly at the image edge. An image no larger than one tile is one tile.
 */
export function tileGrid(width: number, height: number, options: TileOptions): TileRect[] {
  checkTileOptions(options);
  if (!Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0) {
    throw new Error(`tileGrid: image size must be positive integers, got ${width}x${height}`);
  }
  const tile = options.tileSize;
  const step = Math.max(1, Math.round(tile * (1 - (options.overlap ?? DEFAULT_TILE_OVERLAP))));
  const tw = Math.min(tile, width);
  const th = Math.min(tile, height);
  const rects: TileRect[] = [];
  for (const y of starts(height, th, step)) for (const x of starts(width, tw, step)) rects.push({ x, y, width: tw, height: th });
  return rects;
}

/** Whether tiling this image adds anything: false when the whole image fits in one tile. */
export const needsTiles = (width: number, height: number, tileSize: number): boolean => width > tileSize || height > tileSize;

/** The passes to run: the tiles, then the whole image when `fullImage` (default) and there is more than one tile. */
export function tilePasses(width: number, height: number, options: TileOptions): TileRect[] {
  const tiles = tileGrid(width, height, options);
  const full = { x: 0, y: 0, width, height };
  if (tiles.length === 1) return [full];
  return options.fullImage === false ? tiles : [...tiles, full];
}

/** One pass's detections, in pixels of its tile (0,0 = the tile's top-left corner). */
export interface TileDetections {
  tile: TileRect;
  detections: readonly Detection[];
}

export interface MergeOptions {
  /** Class-wise NMS IoU threshold (default 0.45). */
  iouThreshold?: number;
  /** Keep at most this many boxes (default 300). */
  maxDetections?: number;
  /** A box edge within this many pixels of an inner tile border counts as cut (default 2). */
  borderMargin?: number;
  /** A cut box is dropped when a whole box of its class covers at least this fraction of it (default 0.6). */
  coverThreshold?: number;
}

interface Placed {
  det: Detection;
  cut: boolean;
}

/** Moves a tile's boxes into image pixels (clipped to the image) and marks those cut by an inner tile border. */
function place(pass: TileDetections, image: { width: number; height: number }, margin: number): Placed[] {
  const { tile } = pass;
  const inner = {
    left: tile.x > 0, top: tile.y > 0,
    right: tile.x + tile.width < image.width, bottom: tile.y + tile.height < image.height,
  };
  return pass.detections.map((d) => {
    const cut = (inner.left && d.x1 <= margin) || (inner.top && d.y1 <= margin) ||
      (inner.right && d.x2 >= tile.width - margin) || (inner.bottom && d.y2 >= tile.height - margin);
    const det: Detection = {
      ...d,
      x1: Math.max(0, Math.min(image.width, d.x1 + tile.x)),
      y1: Math.max(0, Math.min(image.height, d.y1 + tile.y)),
      x2: Math.max(0, Math.min(image.width, d.x2 + tile.x)),
      y2: Math.max(0, Math.min(image.height, d.y2 + tile.y)),
    };
    return { det, cut };
  });
}

function coveredFraction(part: Detection, whole: Detection): number {
  const iw = Math.min(part.x2, whole.x2) - Math.max(part.x1, whole.x1);
  const ih = Math.min(part.y2, whole.y2) - Math.max(part.y1, whole.y1);
  const a = boxArea(part);
  return iw > 0 && ih > 0 && a > 0 ? (iw * ih) / a : 0;
}

/**
 * Merges the detections of every pass into one list in image pixels, best score first: boxes cut
 * at an inner tile border give way to a whole box of their class that covers them, then class-wise
 * NMS.
 */
export function mergeTileDetections(passes: readonly TileDetections[], image: { width: number; height: number }, options: MergeOptions = {}): Detection[] {
  const margin = options.borderMargin ?? 2;
  const cover = options.coverThreshold ?? 0.6;
  const placed = passes.flatMap((p) => place(p, image, margin)).filter((p) => boxArea(p.det) > 0);
  const whole = placed.filter((p) => !p.cut).map((p) => p.det);
  const kept = placed
    .filter((p) => !p.cut || !whole.some((w) => w.classId === p.det.classId && w !== p.det && boxArea(w) > boxArea(p.det) && coveredFraction(p.det, w) >= cover))
    .map((p) => p.det);
  return nmsPerClass(kept, { iouThreshold: options.iouThreshold ?? 0.45, maxOutput: options.maxDetections ?? 300 });
}
