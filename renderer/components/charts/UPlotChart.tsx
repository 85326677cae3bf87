/**
 * A uPlot line chart that fills its container's width, keeps one uPlot instance while the series
 * stay the same and only swaps data (so thousands of points stream in smoothly), and reports how
 * many points it draws on `data-points` (what the e2e tests count). `markX` draws a vertical line
 * (e.g. the best-F1 confidence threshold).
 */
import { forwardRef, useEffect, useImperativeHandle, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { CHART_COLORS, formatTick, type ChartSeries } from './chart-theme';
import { chartToPngBlob } from './chart-png';

export interface UPlotChartProps {
  title: string;
  xLabel: string;
  yLabel?: string;
  series: ChartSeries[];
  /** [x, y1, y2, ...], aligned; null = no value at that x. */
  data: (number | null)[][];
  height?: number;
  /** Fixed y range (e.g. [0, 1] for metrics); default: auto from the data. */
  yRange?: [number, number];
  xRange?: [number, number];
  logY?: boolean;
  markX?: { x: number; label: string } | null;
  /** Legend with values (latest point, or the one under the cursor); off: names only. */
  legendValues?: boolean;
  testId?: string;
}

export interface ChartHandle {
  /** The chart (title, plot, legend) as a PNG, for downloads. */
  toPng(): Promise<Blob>;
}

export const UPlotChart = forwardRef<ChartHandle, UPlotChartProps>(function UPlotChart(props, ref) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const latest = useRef(props);
  latest.current = props;
  const { series, height = 220, yRange, xRange, logY, title, xLabel, yLabel, legendValues = true } = props;
  const seriesKey = JSON.stringify({ series, yRange, xRange, logY, height, xLabel, yLabel, legendValues });

  useImperativeHandle(ref, () => ({
    toPng: () => {
      if (!plot.current) return Promise.reject(new Error('the chart is not drawn yet'));
      return chartToPngBlob(plot.current, title, series);
    },
  }), [title, series]);

  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const axis = (label: string | undefined, scale?: string): uPlot.Axis => ({
      stroke: CHART_COLORS.axis,
      grid: { stroke: CHART_COLORS.grid, width: 1 },
      ticks: { stroke: CHART_COLORS.grid, width: 1, size: 4 },
      font: '11px system-ui, sans-serif',
      labelFont: '11px system-ui, sans-serif',
      label,
      labelSize: label ? 16 : 0,
      size: scale === 'y' ? 48 : 36,
      values: (_u, splits) => splits.map((v) => formatTick(v)),
      ...(scale ? { scale } : {}),
    });
    const opts: uPlot.Options = {
      width: Math.max(200, el.clientWidth),
      height,
      padding: [8, 12, 0, 0],
      cursor: { drag: { x: true, y: false }, points: { size: 6 } },
      legend: { live: legendValues },
      scales: {
        x: { time: false, ...(xRange ? { range: xRange } : {}) },
        y: logY ? { distr: 3 } : yRange ? { range: yRange } : { range: (_u, min, max) => autoRange(min, max) },
      },
      axes: [axis(xLabel), axis(yLabel, 'y')],
      series: [
        { label: xLabel, value: (_u, v) => formatTick(v) },
        ...series.map((s): uPlot.Series => ({
          label: s.label,
          stroke: s.color,
          width: s.width ?? 1.5,
          spanGaps: true,
          value: (_u, v) => (v === null || v === undefined ? '–' : formatTick(v)),
          ...(s.dash ? { dash: s.dash } : {}),
          points: s.points ? { show: true, size: 5, fill: s.color } : { show: false },
        })),
      ],
      hooks: {
        // with the cursor off the chart the legend shows the latest values (not dashes)
        ready: legendValues ? [(u) => showLatest(u)] : [],
        setCursor: legendValues ? [(u) => { if ((u.cursor.left ?? -1) < 0) showLatest(u); }] : [],
        draw: [(u) => {
          const mark = latest.current.markX;
          if (!mark) return;
          const x = Math.round(u.valToPos(mark.x, 'x', true));
          const { ctx } = u;
          ctx.save();
          ctx.strokeStyle = CHART_COLORS.marker;
          ctx.setLineDash([5, 4]);
          ctx.lineWidth = 1.5 * devicePixelRatio;
          ctx.beginPath();
          ctx.moveTo(x, u.bbox.top);
          ctx.lineTo(x, u.bbox.top + u.bbox.height);
          ctx.stroke();
          ctx.setLineDash([]);
          ctx.fillStyle = CHART_COLORS.marker;
          ctx.font = `${11 * devicePixelRatio}px system-ui, sans-serif`;
          const text = mark.label;
          const w = ctx.measureText(text).width;
          const tx = x + 6 * devicePixelRatio + w > u.bbox.left + u.bbox.width ? x - 6 * devicePixelRatio - w : x + 6 * devicePixelRatio;
          ctx.fillText(text, tx, u.bbox.top + 14 * devicePixelRatio);
          ctx.restore();
        }],
      },
    };
    const u = new uPlot(opts, latest.current.data as uPlot.AlignedData, el);
    plot.current = u;
    const resize = new ResizeObserver(() => {
      const w = Math.max(200, el.clientWidth);
      if (Math.abs(w - u.width) > 1) {
        u.setSize({ width: w, height });
        if (legendValues) showLatest(u);
      }
    });
    resize.observe(el);
    return () => {
      resize.disconnect();
      u.destroy();
      plot.current = null;
    };
    // the instance is rebuilt only when the series or axes change; data updates go through setData
  }, [seriesKey]);

  useEffect(() => {
    const u = plot.current;
    if (!u) return;
    u.setData(props.data as uPlot.AlignedData, true);
    if (legendValues) showLatest(u);
    if (box.current) box.current.dataset.points = String(countPoints(u.data));
  }, [props.data, seriesKey]);

  useEffect(() => { plot.current?.redraw(false, false); }, [props.markX?.x]);

  return (
    <figure className="chart" data-testid={props.testId}>
      <figcaption className="chart-title">{title}</figcaption>
      <div ref={box} className="chart-box" data-points={countPoints(props.data as uPlot.AlignedData)} />
    </figure>
  );
});

/** Without a cursor on the chart the legend shows the latest values. */
function showLatest(u: uPlot): void {
  const last = (u.data[0]?.length ?? 0) - 1;
  if (last >= 0 && (u.cursor.left ?? -1) < 0) u.setLegend({ idx: last });
}

/** From 0 (or below, for negative data) to a little above the top; a flat series gets a visible band. */
function autoRange(min: number | null, max: number | null): uPlot.Range.MinMax {
  if (min === null || max === null) return [0, 1];
  if (min === max) return min === 0 ? [0, 1] : min > 0 ? [0, max * 1.5] : [min * 1.5, 0];
  const lo = Math.min(0, min);
  return [lo, max + (max - lo) * 0.05];
}

/** Non-null y values over all series: what the chart actually draws. */
export function countPoints(data: uPlot.AlignedData): number {
  let n = 0;
  for (let s = 1; s < data.length; s++) for (const v of data[s] ?? []) if (v !== null && v !== undefined && Number.isFinite(v)) n++;
  return n;
}
