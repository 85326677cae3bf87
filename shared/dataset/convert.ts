/**
 * Box conversion math between Pascal VOC (pixel corners), YOLO (normalised centre + size) and
 * COCO / CreateML. Convention (LabelImg's yolo_io and create_ml_io): VOC corners are used as
 * edges in [0, width] with no "1-based" offset, so VOC → YOLO → VOC keeps a box within rounding.
 */

import { iou } from '../metrics/iou';

export interface Corners {
  xmin: number;
  ymin: number;
  xmax: number;
  ymax: number;
}

/** IoU of two corner boxes in continuous pixels (shared/metrics' iou); 0 when they do not overlap or are empty. */
export function cornersIou(a: Corners, b: Corners): number {
  return iou({ x1: a.xmin, y1: a.ymin, x2: a.xmax, y2: a.ymax }, { x1: b.xmin, y1: b.ymin, x2: b.xmax, y2: b.ymax }, 'continuous');
}

/** YOLO line values, all in [0, 1]: centre x, centre y, width, height. */
export interface YoloBox {
  cx: number;
  cy: number;
  w: number;
  h: number;
}

const clamp01 = (v: number) => Math.min(1, Math.max(0, v));

export function cornersToYolo(b: Corners, width: number, height: number): YoloBox {
  const x1 = Math.min(Math.max(b.xmin, 0), width);
  const x2 = Math.min(Math.max(b.xmax, 0), width);
  const y1 = Math.min(Math.max(b.ymin, 0), height);
  const y2 = Math.min(Math.max(b.ymax, 0), height);
  return {
    cx: clamp01((x1 + x2) / 2 / width),
    cy: clamp01((y1 + y2) / 2 / height),
    w: clamp01((x2 - x1) / width),
    h: clamp01((y2 - y1) / height),
  };
}

export function yoloToCorners(y: YoloBox, width: number, height: number): Corners {
  return {
    xmin: (y.cx - y.w / 2) * width,
    ymin: (y.cy - y.h / 2) * height,
    xmax: (y.cx + y.w / 2) * width,
    ymax: (y.cy + y.h / 2) * height,
  };
}

/** One YOLO label line: `id cx cy w h` with 6 decimals (Ultralytics and Darknet read it). */
export function formatYoloLine(classId: number, y: YoloBox): string {
  return `${classId} ${y.cx.toFixed(6)} ${y.cy.toFixed(6)} ${y.w.toFixed(6)} ${y.h.toFixed(6)}`;
}

/**
 * Parses one YOLO label line. Returns null for blank lines and `#` comments; throws with a
 * reason for a malformed line. Segment lines (more than 5 numbers: Ultralytics polygons) become
 * their bounding box.
 */
export function parseYoloLine(line: string): { classId: number; box: YoloBox } | null {
  const t = line.trim();
  if (t === '' || t.startsWith('#')) return null;
  const parts = t.split(/\s+/).map(Number);
  if (parts.length < 5 || parts.some((v) => !Number.isFinite(v))) throw new Error(`not a YOLO line: "${t}"`);
  const classId = parts[0]!;
  if (!Number.isInteger(classId) || classId < 0) throw new Error(`bad class id in "${t}"`);
  if (parts.length === 5) return { classId, box: { cx: parts[1]!, cy: parts[2]!, w: parts[3]!, h: parts[4]! } };
  if ((parts.length - 1) % 2 !== 0) throw new Error(`odd number of polygon coordinates in "${t}"`);
  let x1 = Infinity, y1 = Infinity, x2 = -Infinity, y2 = -Infinity;
  for (let i = 1; i < parts.length; i += 2) {
    x1 = Math.min(x1, parts[i]!); x2 = Math.max(x2, parts[i]!);
    y1 = Math.min(y1, parts[i + 1]!); y2 = Math.max(y2, parts[i + 1]!);
  }
  return { classId, box: { cx: (x1 + x2) / 2, cy: (y1 + y2) / 2, w: x2 - x1, h: y2 - y1 } };
}

/** COCO bbox: [x, y, width, height] in pixels from the top-left corner. */
export function cornersToCoco(b: Corners): [number, number, number, number] {
  return [b.xmin, b.ymin, b.xmax - b.xmin, b.ymax - b.ymin];
}

export function cocoToCorners(bbox: readonly number[]): Corners {
  const [x = 0, y = 0, w = 0, h = 0] = bbox;
  return { xmin: x, ymin: y, xmax: x + w, ymax: y + h };
}

/** CreateML (LabelImg's create_ml_io): centre x/y and width/height in pixels. */
export function cornersToCreateMl(b: Corners): { x: number; y: number; width: number; height: number } {
  return { x: (b.xmin + b.xmax) / 2, y: (b.ymin + b.ymax) / 2, width: b.xmax - b.xmin, height: b.ymax - b.ymin };
}

export function createMlToCorners(c: { x: number; y: number; width: number; height: number }): Corners {
  return { xmin: c.x - c.width / 2, ymin: c.y - c.height / 2, xmax: c.x + c.width / 2, ymax: c.y + c.height / 2 };
}

/** The axis-aligned bounding box of a list of points (polygons, rotated boxes, LabelMe rectangles). */
export function boundsOfPoints(points: readonly (readonly [number, number])[]): Corners {
  let xmin = Infinity, ymin = Infinity, xmax = -Infinity, ymax = -Infinity;
  for (const [x, y] of points) {
    xmin = Math.min(xmin, x); xmax = Math.max(xmax, x);
    ymin = Math.min(ymin, y); ymax = Math.max(ymax, y);
  }
  return { xmin, ymin, xmax, ymax };
}

/**
 * The four corners of a w×h rectangle whose unrotated top-left corner is (x, y), turned by
 * `degrees` clockwise (image y points down) around `pivot`.
 */
export function rotatedRectPoints(x: number, y: number, w: number, h: number, degrees: number, pivot: readonly [number, number]): [number, number][] {
  const a = (degrees * Math.PI) / 180;
  const cos = Math.cos(a), sin = Math.sin(a);
  const [px, py] = pivot;
  return ([[x, y], [x + w, y], [x + w, y + h], [x, y + h]] as const).map(([u, v]) => {
    const dx = u - px, dy = v - py;
    return [px + dx * cos - dy * sin, py + dx * sin + dy * cos];
  });
}

/** CVAT's `points="x1,y1;x2,y2;…"`; null when malformed. */
export function parseCvatPoints(s: string): [number, number][] | null {
  const out: [number, number][] = [];
  for (const pair of s.split(';')) {
    if (pair.trim() === '') continue;
    const [x, y, extra] = pair.split(',').map((v) => Number(v.trim()));
    if (extra !== undefined || !Number.isFinite(x) || !Number.isFinite(y)) return null;
    out.push([x!, y!]);
  }
  return out.length ? out : null;
}

/** Corners given as fractions of the image size → pixels. */
export function relativeToCorners(b: Corners, width: number, height: number): Corners {
  return { xmin: b.xmin * width, ymin: b.ymin * height, xmax: b.xmax * width, ymax: b.ymax * height };
}

/**
 * Label Studio rectangle value (x, y, width, height in percent of the image; `rotation` degrees
 * clockwise around the top-left corner) → corners as fractions of the image size. A rotated box
 * becomes the bounding box of its corners, computed in pixels of `width`×`height` (the
 * original_width/height the export records).
 */
export function labelStudioToRelative(v: { x: number; y: number; width: number; height: number; rotation?: number }, width: number, height: number): Corners {
  if (!v.rotation) return { xmin: v.x / 100, ymin: v.y / 100, xmax: (v.x + v.width) / 100, ymax: (v.y + v.height) / 100 };
  const x = (v.x / 100) * width, y = (v.y / 100) * height;
  const b = boundsOfPoints(rotatedRectPoints(x, y, (v.width / 100) * width, (v.height / 100) * height, v.rotation, [x, y]));
  return { xmin: b.xmin / width, ymin: b.ymin / height, xmax: b.xmax / width, ymax: b.ymax / height };
}
