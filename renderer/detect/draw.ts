/** Drawing predictions over a frame (overlay canvases, annotated exports): boxes, or a classifier's ranking. */
import type { Detection } from '../../shared/ml/detector/box';
import type { ClassScore } from '../../shared/ml/classifier/predict';
import type { Prediction } from './predict-frame';
import { canvasToBlob } from '../lib/image-io';

const PALETTE = ['#ff4d4f', '#40a9ff', '#73d13d', '#ffc53d', '#9254de', '#36cfc9', '#ff85c0', '#ffa940', '#bae637', '#597ef7'];
export const colourOf = (classId: number): string => PALETTE[classId % PALETTE.length]!;

/** Draws boxes with "label 0.87" tags. `scale` maps frame pixels to canvas pixels. */
export function drawDetections(ctx: CanvasRenderingContext2D, dets: readonly Detection[], labels: readonly string[], scale = 1, offsetX = 0, offsetY = 0): void {
  const line = Math.max(2, Math.round(Math.min(ctx.canvas.width, ctx.canvas.height) / 300));
  const font = Math.max(12, Math.round(Math.min(ctx.canvas.width, ctx.canvas.height) / 40));
  ctx.save();
  ctx.lineWidth = line;
  ctx.font = `600 ${font}px system-ui, sans-serif`;
  ctx.textBaseline = 'top';
  for (const d of dets) {
    const x = offsetX + d.x1 * scale;
    const y = offsetY + d.y1 * scale;
    const w = (d.x2 - d.x1) * scale;
    const h = (d.y2 - d.y1) * scale;
    const colour = colourOf(d.classId);
    ctx.strokeStyle = colour;
    ctx.strokeRect(x, y, w, h);
    const text = `${labels[d.classId] ?? `class ${d.classId}`} ${d.score.toFixed(2)}`;
    const tw = ctx.measureText(text).width + 8;
    const ty = y - font - 6 >= 0 ? y - font - 6 : y;
    ctx.fillStyle = colour;
    ctx.fillRect(x - line / 2, ty, tw, font + 6);
    ctx.fillStyle = '#000';
    ctx.fillText(text, x + 4 - line / 2, ty + 3);
  }
  ctx.restore();
}

/**
 * A classifier's top-k as a panel in the top-left corner of the frame area (x, y, width, height in
 * canvas pixels): one row per class, best first, with its score as a bar and a number.
 */
export function drawClassScores(ctx: CanvasRenderingContext2D, top: readonly ClassScore[], x = 0, y = 0, width = ctx.canvas.width, height = ctx.canvas.height): void {
  if (!top.length) return;
  const font = Math.max(13, Math.round(Math.min(width, height) / 24));
  const pad = Math.round(font * 0.5);
  const rowH = Math.round(font * 1.45);
  ctx.save();
  ctx.font = `600 ${font}px system-ui, sans-serif`;
  ctx.textBaseline = 'middle';
  const labelW = Math.max(...top.map((t) => ctx.measureText(t.className).width));
  const scoreW = ctx.measureText('0.00').width;
  const barW = font * 5;
  const left = x + pad;
  ctx.fillStyle = 'rgba(0, 0, 0, 0.7)';
  ctx.fillRect(left, y + pad, pad * 4 + labelW + barW + scoreW, pad * 2 + rowH * top.length);
  top.forEach((t, i) => {
    const cy = y + pad * 2 + rowH * (i + 0.5);
    ctx.fillStyle = i === 0 ? '#ffffff' : '#c9ced8';
    ctx.fillText(t.className, left + pad, cy);
    const bx = left + pad * 2 + labelW;
    const bh = Math.max(4, Math.round(font * 0.55));
    ctx.fillStyle = 'rgba(255, 255, 255, 0.15)';
    ctx.fillRect(bx, cy - bh / 2, barW, bh);
    ctx.fillStyle = colourOf(t.classId);
    ctx.fillRect(bx, cy - bh / 2, barW * Math.max(0, Math.min(1, t.score)), bh);
    ctx.fillStyle = i === 0 ? '#ffffff' : '#c9ced8';
    ctx.fillText(t.score.toFixed(2), bx + barW + pad, cy);
  });
  ctx.restore();
}

/** A prediction over a frame of frameWidth×frameHeight pixels, drawn at `scale` from (offsetX, offsetY). */
export function drawPrediction(ctx: CanvasRenderingContext2D, p: Prediction, labels: readonly string[], frameWidth: number, frameHeight: number, scale = 1, offsetX = 0, offsetY = 0): void {
  if (p.task === 'detect') drawDetections(ctx, p.dets, labels, scale, offsetX, offsetY);
  else drawClassScores(ctx, p.top, offsetX, offsetY, frameWidth * scale, frameHeight * scale);
}

/** The frame with its prediction at full resolution, as an image file. */
export async function annotatedBlob(source: CanvasImageSource, width: number, height: number, prediction: Prediction, labels: readonly string[], type: 'image/png' | 'image/jpeg'): Promise<Blob> {
  const canvas = document.createElement('canvas');
  canvas.width = width;
  canvas.height = height;
  const ctx = canvas.getContext('2d');
  if (!ctx) throw new Error('no 2D canvas context');
  ctx.drawImage(source, 0, 0, width, height);
  drawPrediction(ctx, prediction, labels, width, height);
  return canvasToBlob(canvas, type);
}
