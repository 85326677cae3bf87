/**
 * Pure geometry of the Label canvas (no React, no Konva): rectangles in image pixels, the view
 * transform (scale + offset, screen = image * scale + offset), zoom to cursor, fit.
 */
import type { BoxAnnotation } from '../../../shared/api';

export interface Rect { x: number; y: number; width: number; height: number }
export interface View { scale: number; x: number; y: number }
export interface Size { width: number; height: number }

export const MIN_SCALE = 0.02;
export const MAX_SCALE = 40;
/** Boxes smaller than this (image pixels) on either side are treated as a click, not a box. */
export const MIN_BOX = 2;

const clamp = (v: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, v));

/**
 * Rectangle spanned by a drag from (x0,y0) to (x1,y1), clamped into the image. With `square`
 * the shorter side grows to the longer one (in the drag direction), LabelImg's Ctrl behaviour.
 */
export function dragRect(x0: number, y0: number, x1: number, y1: number, image: Size, square = false): Rect {
  let dx = x1 - x0;
  let dy = y1 - y0;
  if (square) {
    const s = Math.max(Math.abs(dx), Math.abs(dy));
    dx = (dx < 0 ? -1 : 1) * s;
    dy = (dy < 0 ? -1 : 1) * s;
  }
  const ax = clamp(Math.min(x0, x0 + dx), 0, image.width);
  const bx = clamp(Math.max(x0, x0 + dx), 0, image.width);
  const ay = clamp(Math.min(y0, y0 + dy), 0, image.height);
  const by = clamp(Math.max(y0, y0 + dy), 0, image.height);
  return { x: ax, y: ay, width: bx - ax, height: by - ay };
}

/** The box moved/resized to `r`, clamped into the image (size kept when only moved). */
export function withRect<B extends BoxAnnotation>(b: B, r: Rect, image: Size | null): B {
  let { x, y, width, height } = r;
  if (image) {
    width = Math.min(width, image.width);
    height = Math.min(height, image.height);
    x = clamp(x, 0, image.width - width);
    y = clamp(y, 0, image.height - height);
  }
  return { ...b, xmin: x, ymin: y, xmax: x + width, ymax: y + height };
}

/** Position of a box of the given size moved to (x,y), kept inside the image. */
export function clampPosition(x: number, y: number, width: number, height: number, image: Size): { x: number; y: number } {
  return { x: clamp(x, 0, Math.max(0, image.width - width)), y: clamp(y, 0, Math.max(0, image.height - height)) };
}

/** Resized rectangle kept inside the image (a resize never moves the opposite edges). */
export function clampRect(r: Rect, image: Size): Rect {
  const x0 = clamp(r.x, 0, image.width);
  const y0 = clamp(r.y, 0, image.height);
  const x1 = clamp(r.x + r.width, 0, image.width);
  const y1 = clamp(r.y + r.height, 0, image.height);
  return { x: Math.min(x0, x1), y: Math.min(y0, y1), width: Math.abs(x1 - x0), height: Math.abs(y1 - y0) };
}

export function nudge<B extends BoxAnnotation>(b: B, dx: number, dy: number, image: Size | null): B {
  return withRect(b, { x: b.xmin + dx, y: b.ymin + dy, width: b.xmax - b.xmin, height: b.ymax - b.ymin }, image);
}

/** Fit the image into the viewport ('window': whole image; 'width': full width), centred, with a margin. */
export function fitView(image: Size, viewport: Size, mode: 'window' | 'width' = 'window', margin = 16): View {
  const aw = Math.max(1, viewport.width - 2 * margin);
  const ah = Math.max(1, viewport.height - 2 * margin);
  const scale = clamp(mode === 'width' ? aw / image.width : Math.min(aw / image.width, ah / image.height), MIN_SCALE, MAX_SCALE);
  const x = (viewport.width - image.width * scale) / 2;
  const y = mode === 'width' && image.height * scale > ah ? margin : (viewport.height - image.height * scale) / 2;
  return { scale, x, y };
}

/** Zoom by `factor` keeping the image point under the screen point `at` where it is. */
export function zoomAt(view: View, at: { x: number; y: number }, factor: number): View {
  const scale = clamp(view.scale * factor, MIN_SCALE, MAX_SCALE);
  const ix = (at.x - view.x) / view.scale;
  const iy = (at.y - view.y) / view.scale;
  return { scale, x: at.x - ix * scale, y: at.y - iy * scale };
}

export function toImage(view: View, p: { x: number; y: number }): { x: number; y: number } {
  return { x: (p.x - view.x) / view.scale, y: (p.y - view.y) / view.scale };
}

/**
 * The view moved as little as needed so the image stays in view: on each axis at least half of
 * the image (or half of the viewport, when the image is larger) remains on screen. Wheel panning
 * and zooming can then never lose the image off the canvas.
 */
export function keepInView(view: View, image: Size, viewport: Size): View {
  const axis = (pos: number, len: number, vp: number): number => {
    const keep = Math.min(len, vp) / 2;
    return clamp(pos, keep - len, vp - keep);
  };
  return { scale: view.scale, x: axis(view.x, image.width * view.scale, viewport.width), y: axis(view.y, image.height * view.scale, viewport.height) };
}

/** The smallest zoom worth having: a quarter of the fit-to-window scale (never above 100%). */
export function minUsefulScale(image: Size, viewport: Size): number {
  return Math.min(1, fitView(image, viewport, 'window').scale / 4);
}
