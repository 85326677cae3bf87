/**
 * Colours, axis styling and the series style shared by every chart, matched to renderer/styles.css (dark theme).
 * The palette is Okabe–Ito-like: distinguishable for most colour-vision deficiencies.
 */
export const CHART_PALETTE = ['#4f9dff', '#f28e2b', '#59c27a', '#e15759', '#b07aa1', '#edc948', '#76b7b2', '#ff9da7', '#9c755f', '#bab0ac'];

export const CHART_COLORS = {
  background: '#181b22',
  axis: '#9aa3b5',
  grid: '#262b36',
  text: '#e6e8ee',
  marker: '#edc948',
};

export const colorAt = (i: number): string => CHART_PALETTE[i % CHART_PALETTE.length]!;

/** Short tick labels: 0.00012 → 1.2e-4, 1234 → 1.2k, 0.5 → 0.5. */
export function formatTick(v: number | null | undefined): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '';
  const a = Math.abs(v);
  if (a === 0) return '0';
  if (a >= 1e4) return `${(v / 1000).toFixed(a >= 1e5 ? 0 : 1)}k`;
  if (a < 1e-3) return v.toExponential(1).replace('e-', 'e−');
  return String(Number(v.toPrecision(3)));
}

/** How one series of a chart is drawn (its label, colour, line width, dash or dots). */
export interface ChartSeries {
  label: string;
  color: string;
  width?: number;
  dash?: number[];
  /** Draw dots only (sparse series such as validation every N epochs stay visible). */
  points?: boolean;
}
