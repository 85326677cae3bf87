/**
 * Learning curves of one run (panels of metric columns, plus the per-batch training loss) and the
 * overlay of several runs (one chart per metric, one line per run).
 */
import { useMemo } from 'react';
import { UPlotChart } from '../../components/charts/UPlotChart';
import { colorAt, type ChartSeries } from '../../components/charts/chart-theme';
import { alignRecords, alignRuns, panelHasData, type CurvePanel, type MetricRecord } from './metric-records';
import { ema, type BatchSeries } from './batch-series';

const LOSS_PARTS = [['total', 'total'], ['box', 'box'], ['obj', 'obj'], ['noobj', 'no-obj'], ['cls', 'cls'], ['dfl', 'dfl']] as const;

export function RunCurves({ records, batch, panels, epochs }: { records: MetricRecord[]; batch: BatchSeries; panels: CurvePanel[]; epochs: number | null }): React.JSX.Element {
  const xRange: [number, number] | undefined = epochs ? [0, Math.max(1, epochs)] : undefined;
  // classifier runs have only a total loss, the anchor-free head no objectness: parts that are never a finite non-zero value are left out
  const parts = LOSS_PARTS.filter(([k]) => k === 'total' || batch[k].some((v) => Number.isFinite(v) && v !== 0));
  const batchSeries: ChartSeries[] = [
    ...parts.map(([, label], i): ChartSeries => ({ label, color: colorAt(i), width: i === 0 ? 1 : 1.1 })),
    { label: 'total (EMA 0.9)', color: '#ffffff', width: 2 },
  ];
  const batchData = useMemo(() => [batch.x, ...parts.map(([k]) => batch[k]), ema(batch.total, 0.9)], [batch, parts.length]);
  return (
    <div className="chart-grid" data-testid="run-curves">
      <UPlotChart testId="chart-batch-loss" title="Train loss per batch" xLabel="epoch" yLabel="loss" series={batchSeries} data={batchData} xRange={xRange} />
      {panels.map((p) => <PanelChart key={p.id} panel={p} records={records} xRange={xRange} />)}
    </div>
  );
}

function PanelChart({ panel: all, records, xRange }: { panel: CurvePanel; records: MetricRecord[]; xRange?: [number, number] }): React.JSX.Element {
  // a loss part that is 0 in every epoch (objectness of the anchor-free head) is not drawn; metrics always are
  const panel = useMemo(() => (records.length === 0 || !all.id.endsWith('-loss') ? all : { ...all, columns: all.columns.filter((c, i) => i === 0 || records.some((r) => r[c.key] != null && r[c.key] !== 0)) }), [all, records]);
  const data = useMemo(() => alignRecords(records, panel.columns.map((c) => c.key)), [records, panel]);
  const series = useMemo(() => panel.columns.map((c, i): ChartSeries => ({ label: c.label, color: colorAt(i), width: i === 0 ? 2 : 1.2, points: true })), [panel]);
  const empty = !panelHasData(records, panel);
  return (
    <div className={`chart-cell${empty ? ' empty' : ''}`}>
      <UPlotChart testId={`chart-${panel.id}`} title={panel.title} xLabel="epoch" yLabel={panel.yLabel} series={series} data={data} xRange={xRange} {...(panel.unit ? { yRange: [0, 1] as [number, number] } : {})} logY={panel.logY} />
      {empty ? <span className="chart-empty muted small">no epoch has finished yet</span> : null}
    </div>
  );
}

/** One chart per compared column; every run is one line. */
export function CompareCurves({ runs, panels }: { runs: { name: string; records: MetricRecord[] }[]; panels: CurvePanel[] }): React.JSX.Element {
  const columns = panels.flatMap((p) => (p.unit ? p.columns.map((c) => ({ ...c, title: c.label, unit: true, yLabel: p.yLabel })) : [{ ...p.columns[0]!, title: p.title, unit: false, yLabel: p.yLabel }]));
  const series = runs.map((r, i): ChartSeries => ({ label: r.name, color: colorAt(i), width: 1.8, points: true }));
  return (
    <div className="chart-grid" data-testid="compare-curves">
      {columns.map((c) => (
        <UPlotChart key={c.key} testId={`compare-${c.key}`} title={c.title} xLabel="epoch" yLabel={c.yLabel} series={series} data={alignRuns(runs, c.key)} {...(c.unit ? { yRange: [0, 1] as [number, number] } : {})} />
      ))}
    </div>
  );
}
