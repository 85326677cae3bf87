/** Drawing detections over a frame (overlay canvases, annotated exports). */
import type { Detection } from '../../../../shared/ml/detector/box';

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

/** The frame with its boxes at full resolution, as an image file. */
export async function annotatedBlob(source: CanvasImageSource, width: number, height: number, dets: readonly Detection[], labels: readonly string[], type: 'image/png' | 'image/jpeg'): Promise<Blob> {
  const canvas = document.createElement('canvas');
  canvas.width = width;
  canvas.height = height;
  const ctx = canvas.getContext('2d');
  if (!ctx) throw new Error('no 2D canvas context');
  ctx.drawImage(source, 0, 0, width, height);
  drawDetections(ctx, dets, labels);
  return new Promise((resolve, reject) => canvas.toBlob((b) => (b ? resolve(b) : reject(new Error('the browser could not encode the image'))), type, 0.92));
}

export async function blobToBase64(blob: Blob): Promise<string> {
  const bytes = new Uint8Array(await blob.arrayBuffer());
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}
