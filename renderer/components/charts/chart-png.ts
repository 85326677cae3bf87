/** PNG snapshots of charts and other canvases for the report's downloads. */
import type uPlot from 'uplot';
import { CHART_COLORS, type ChartSeries } from './chart-theme';
import { canvasToBlob } from '../../lib/image-io';

/** Draws the chart's canvas on the theme background with its title above and its legend below. */
export function chartToPngBlob(u: uPlot, title: string, series: ChartSeries[]): Promise<Blob> {
  const src = u.ctx.canvas;
  const dpr = src.width / Math.max(1, u.width);
  const pad = 12 * dpr;
  const titleH = 24 * dpr;
  const legendH = 22 * dpr;
  const out = document.createElement('canvas');
  out.width = src.width + 2 * pad;
  out.height = src.height + titleH + legendH + 2 * pad;
  const ctx = out.getContext('2d');
  if (!ctx) return Promise.reject(new Error('no 2D canvas context'));
  ctx.fillStyle = CHART_COLORS.background;
  ctx.fillRect(0, 0, out.width, out.height);
  ctx.fillStyle = CHART_COLORS.text;
  ctx.font = `600 ${13 * dpr}px system-ui, sans-serif`;
  ctx.fillText(title, pad, pad + 14 * dpr);
  ctx.drawImage(src, pad, pad + titleH);
  ctx.font = `${11 * dpr}px system-ui, sans-serif`;
  let x = pad;
  const y = pad + titleH + src.height + 15 * dpr;
  for (const s of series) {
    ctx.fillStyle = s.color;
    ctx.fillRect(x, y - 8 * dpr, 12 * dpr, 3 * dpr);
    x += 16 * dpr;
    ctx.fillStyle = CHART_COLORS.text;
    ctx.fillText(s.label, x, y);
    x += ctx.measureText(s.label).width + 14 * dpr;
  }
  return canvasToBlob(out);
}

/** Starts a browser download of a blob (or text) under a file name. */
export function downloadBlob(data: Blob | string, fileName: string, type = 'text/csv'): void {
  const blob = typeof data === 'string' ? new Blob([data], { type }) : data;
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
