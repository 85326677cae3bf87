// The canvas a report PNG is drawn on (confusion matrix, gallery).
import { CHART_COLORS } from './chart-theme';

/** A canvas for a report PNG: the theme background, 12 px text, the title at (x, y). */
export function titledCanvas(width: number, height: number, title: string, x: number, y: number): CanvasRenderingContext2D | null {
  const c = document.createElement('canvas');
  c.width = width;
  c.height = height;
  const ctx = c.getContext('2d');
  if (!ctx) return null;
  ctx.fillStyle = CHART_COLORS.background;
  ctx.fillRect(0, 0, width, height);
  ctx.font = '12px system-ui, sans-serif';
  ctx.fillStyle = CHART_COLORS.text;
  ctx.fillText(title, x, y);
  return ctx;
}
