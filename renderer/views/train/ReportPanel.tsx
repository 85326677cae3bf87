/**
 * Evaluation report of a run's best weights (eval.json): per-class AP table, AP by object size, PR curves, F1 versus
 * confidence with the best threshold, the detection confusion matrix (background row/column) and a
 * gallery of validation images with predicted and ground-truth boxes. PNG and CSV downloads.
 */
import { useEffect, useMemo, useRef, useState } from 'react';
import { Download, ImageDown } from 'lucide-react';
import type { DetectRunReport, RunReport } from '../../../shared/api';
import { GALLERY_MIN_SCORE, type GalleryImage } from '../../../shared/training/eval-report';
import { rematchGalleryImage } from '../../../shared/training/gallery-match';
import { api, projectFileUrl } from '../../client';
import { UPlotChart, type ChartHandle } from '../../components/charts/UPlotChart';
import { CHART_COLORS, colorAt, type ChartSeries } from '../../components/charts/chart-theme';
import { downloadBlob } from '../../components/charts/chart-png';
import { canvasToBlob, loadImage } from '../../lib/image-io';
import { apTableCsv, perSizeRows, prOnGrid } from './report-data';
import { ClassifyReport } from './ClassifyReport';
import { ConfusionMatrixCard } from './ConfusionMatrixCard';
import { titledCanvas } from '../../components/charts/titled-canvas';
import { errorMessage } from '../../../shared/error-message';

const fmt = (v: number | null | undefined, d = 3): string => (v === null || v === undefined || !Number.isFinite(v) ? '—' : v.toFixed(d));

export function ReportPanel({ project, run, version }: { project: string; run: string; version: string }): React.JSX.Element {
  const [report, setReport] = useState<RunReport | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    api.call('train.report', { project, run }).then(
      (r) => { if (live) { setReport(r); setError(null); } },
      (err: unknown) => { if (live) { setReport(null); setError(errorMessage(err)); } },
    );
    return () => { live = false; };
  }, [project, run, version]);
  if (error) return <div className="card muted" data-testid="report-missing">{error}</div>;
  if (!report) return <div className="card muted">Reading the evaluation report…</div>;
  return report.task === 'classify' ? <ClassifyReport report={report} /> : <Report report={report} />;
}

function Report({ report }: { report: DetectRunReport }): React.JSX.Element {
  const prRef = useRef<ChartHandle>(null);
  const f1Ref = useRef<ChartHandle>(null);
  const grid = useMemo(() => Array.from({ length: 101 }, (_, i) => i / 100), []);
  const prClasses = report.classes.filter((c) => c.numGroundTruth > 0);
  const prSeries = prClasses.map((c, i): ChartSeries => ({ label: `${c.className} ${fmt(c.ap50)}`, color: colorAt(i) }));
  const prData = useMemo(() => [grid, ...prClasses.map((c) => prOnGrid(c.pr))], [report]);
  const f1 = report.f1;
  const f1Series: ChartSeries[] = !f1 ? [] : [
    ...f1.perClass.map((c, i): ChartSeries => ({ label: c.className, color: colorAt(i), width: 1.2 })),
    { label: `all classes${f1.best ? ` ${fmt(f1.best.f1, 2)} at ${fmt(f1.best.threshold, 2)}` : ''}`, color: '#ffffff', width: 2.5 },
  ];
  const f1Data = useMemo(() => (f1 ? [f1.thresholds, ...f1.perClass.map((c) => c.f1), f1.f1] : [[]]), [report]);
  const png = async (h: ChartHandle | null, name: string): Promise<void> => { if (h) downloadBlob(await h.toPng(), `${report.run}-${name}.png`); };

  return (
    <div className="report" data-testid="eval-report">
      <section className="card report-summary">
        <Metric label="mAP50" value={fmt(report.mAP50)} />
        <Metric label="mAP50-95" value={fmt(report['mAP50-95'])} />
        <Metric label="best F1" value={f1?.best ? `${fmt(f1.best.f1, 3)} @ ${fmt(f1.best.threshold, 2)}` : '—'} />
        <Metric label="epoch (best weights)" value={String(report.epoch)} />
        <Metric label="P / R / matrix at confidence" value={fmt(report.confidence, 2)} />
      </section>

      <section className="card">
        <h3>Per-class AP <span className="spacer" />
          <button type="button" className="button small" onClick={() => downloadBlob(apTableCsv(report), `${report.run}-ap.csv`)}><Download size={13} /> CSV</button>
        </h3>
        <table className="table num-table" data-testid="ap-table">
          <thead><tr><th>class</th><th>ground truth</th><th>AP50</th><th>AP50-95</th><th>precision</th><th>recall</th></tr></thead>
          <tbody>
            {report.classes.map((c) => (
              <tr key={c.className}><td>{c.className}</td><td>{c.numGroundTruth}</td><td>{fmt(c.ap50)}</td><td>{fmt(c['ap50-95'])}</td><td>{fmt(c.precision)}</td><td>{fmt(c.recall)}</td></tr>
            ))}
            <tr className="total-row"><td>all</td><td>{report.classes.reduce((n, c) => n + c.numGroundTruth, 0)}</td><td>{fmt(report.mAP50)}</td><td>{fmt(report['mAP50-95'])}</td><td /><td /></tr>
          </tbody>
        </table>
      </section>

      <SizeCard report={report} />

      <div className="chart-grid two">
        <section className="card">
          <UPlotChart ref={prRef} testId="chart-pr" title="Precision–recall (IoU 0.5, interpolated)" xLabel="recall" yLabel="precision" series={prSeries} data={prData} xRange={[0, 1]} yRange={[0, 1.02]} legendValues={false} />
          <button type="button" className="button small" onClick={() => void png(prRef.current, 'pr-curve')}><ImageDown size={13} /> PNG</button>
        </section>
        {f1 ? (
          <section className="card">
            <UPlotChart ref={f1Ref} testId="chart-f1" title="F1 vs confidence" xLabel="confidence" yLabel="F1" series={f1Series} data={f1Data} xRange={[0, 1]} yRange={[0, 1.02]} legendValues={false}
              markX={f1.best ? { x: f1.best.threshold, label: `best ${fmt(f1.best.threshold, 2)}` } : null} />
            <button type="button" className="button small" onClick={() => void png(f1Ref.current, 'f1-curve')}><ImageDown size={13} /> PNG</button>
          </section>
        ) : <section className="card muted">This run's eval.json was written before F1 curves were part of the report; train on (or a new run) writes them.</section>}
      </div>

      <ConfusionMatrixCard
        run={report.run} confusion={report.confusion} title="Detection confusion matrix" background
        note={`rows: true class, columns: predicted; confidence ≥ ${report.confidence}, IoU 0.45`}
        pngTitle={`Confusion matrix (rows: true, columns: predicted) — conf ≥ ${report.confidence}`}
      />
      <Gallery report={report} />
    </div>
  );
}

/** AP50-95 per COCO object size, with the ground-truth boxes of each: where the detector is weak. */
function SizeCard({ report }: { report: DetectRunReport }): React.JSX.Element {
  if (!report.perSize) {
    return <section className="card muted" data-testid="size-table-missing">This run's eval.json was written before AP per object size was part of the report; train on (or a new run) writes it.</section>;
  }
  const rows = perSizeRows(report.perSize);
  return (
    <section className="card size-card">
      <h3>AP by object size <span className="muted small">COCO sizes by box area in original-image pixels; AP50-95 averaged over the classes</span></h3>
      <table className="table num-table size-table" data-testid="size-table">
        <thead><tr><th>size</th><th className="size-area">box area</th><th>ground truth</th><th>AP50-95</th><th className="size-bar-head" aria-hidden /></tr></thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.size} data-size={r.size} className={r.weakest ? 'weakest' : undefined}>
              <td>{r.size}{r.weakest ? <span className="weak-badge">weakest</span> : null}</td>
              <td className="muted size-area">{r.area}</td>
              <td>{r.count}</td>
              <td title={r.ap === null ? 'no ground truth of this size' : undefined}>{fmt(r.ap)}</td>
              <td className="size-bar-cell" aria-hidden>{r.ap !== null ? <span className="size-bar" style={{ width: `${Math.max(0, Math.min(1, r.ap)) * 100}%` }} /> : null}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

function Metric({ label, value }: { label: string; value: string }): React.JSX.Element {
  return <div className="stat"><div className="value">{value}</div><div className="label">{label}</div></div>;
}

const BOX_STYLE = {
  gt: '#59c27a', miss: '#ff4d6d', tp: '#4f9dff', fp: '#ff9f1c', low: '#8b93a5',
};

function Gallery({ report }: { report: DetectRunReport }): React.JSX.Element {
  const [filter, setFilter] = useState<'all' | 'errors'>('all');
  const [showLow, setShowLow] = useState(false);
  const [thresholdText, setThresholdText] = useState(String(report.confidence));
  const t = Number(thresholdText);
  const thresholdOk = thresholdText.trim() !== '' && Number.isFinite(t) && t >= 0 && t <= 1;
  const threshold = thresholdOk ? t : report.confidence;
  const marked = useMemo(() => (threshold === report.confidence ? report.gallery : report.gallery.map((g) => rematchGalleryImage(g, threshold))), [report, threshold]);
  const shown = marked.filter((g) => filter === 'all' || g.falsePositives > 0 || g.misses > 0);
  const bestT = report.f1?.best?.threshold ?? null;
  const exportPng = async (): Promise<void> => {
    const tile = 240;
    const cols = Math.min(6, Math.max(1, shown.length));
    const rows = Math.ceil(shown.length / cols);
    const ctx = titledCanvas(cols * tile, rows * (tile + 18) + 30, `${report.run}: green ground truth, red missed, blue true positive, orange false positive (confidence ≥ ${threshold})`, 8, 18);
    if (!ctx) return;
    for (let i = 0; i < shown.length; i++) {
      const g = shown[i]!;
      const img = await loadImage(projectFileUrl(report.imagePaths[g.imageId] ?? ''));
      const s = Math.min((tile - 8) / img.naturalWidth, (tile - 8) / img.naturalHeight);
      const ox = (i % cols) * tile + 4;
      const oy = 30 + Math.floor(i / cols) * (tile + 18);
      ctx.drawImage(img, ox, oy, img.naturalWidth * s, img.naturalHeight * s);
      const rect = (b: { x1: number; y1: number; x2: number; y2: number }, color: string, dash: number[]): void => {
        ctx.strokeStyle = color;
        ctx.lineWidth = 2;
        ctx.setLineDash(dash);
        ctx.strokeRect(ox + b.x1 * s, oy + b.y1 * s, (b.x2 - b.x1) * s, (b.y2 - b.y1) * s);
      };
      for (const b of g.groundTruth) rect(b, b.matched || b.difficult ? BOX_STYLE.gt : BOX_STYLE.miss, [5, 3]);
      for (const d of g.detections) if (d.outcome !== 'low' || showLow) rect(d, BOX_STYLE[d.outcome], []);
      ctx.setLineDash([]);
      ctx.fillStyle = CHART_COLORS.axis;
      ctx.fillText(g.imageId.slice(-34), ox, oy + tile + 8);
    }
    downloadBlob(await canvasToBlob(ctx.canvas), `${report.run}-gallery.png`);
  };
  return (
    <section className="card">
      <h3>Validation images <span className="muted small">{report.gallery.length} images{shown.length !== report.gallery.length ? `, ${shown.length} shown` : ''}</span>
        <span className="spacer" />
        <button type="button" className="button small" onClick={() => void exportPng()} disabled={shown.length === 0}><ImageDown size={13} /> PNG</button>
      </h3>
      <div className="gallery-toolbar small">
        <label className={`toggle${thresholdOk ? '' : ' invalid'}`}>
          confidence ≥
          <input className="threshold-input" value={thresholdText} onChange={(e) => setThresholdText(e.target.value)} aria-label="Gallery confidence threshold" aria-invalid={!thresholdOk} />
        </label>
        {bestT !== null ? <button type="button" className="button small" onClick={() => setThresholdText(String(bestT))} title="the threshold of the highest F1">best F1 ({bestT.toFixed(2)})</button> : null}
        <button type="button" className="button small" onClick={() => setThresholdText(String(report.confidence))}>report ({report.confidence})</button>
        <select value={filter} onChange={(e) => setFilter(e.target.value as 'all' | 'errors')} aria-label="Gallery filter">
          <option value="all">all images</option>
          <option value="errors">with false positives or misses</option>
        </select>
        <label className="toggle"><input type="checkbox" checked={showLow} onChange={(e) => setShowLow(e.target.checked)} /> below-threshold detections</label>
      </div>
      <div className="legend-row small">
        <span><i style={{ borderColor: BOX_STYLE.gt }} className="dashed" /> ground truth</span>
        <span><i style={{ borderColor: BOX_STYLE.miss }} className="dashed" /> missed</span>
        <span><i style={{ borderColor: BOX_STYLE.tp }} /> true positive</span>
        <span><i style={{ borderColor: BOX_STYLE.fp }} /> false positive</span>
        <span><i style={{ borderColor: BOX_STYLE.low }} /> below {threshold}</span>
        {!thresholdOk ? <span className="field-error">threshold must be a number from 0 to 1</span> : null}
        <span className="muted">detections below {GALLERY_MIN_SCORE} are not stored</span>
      </div>
      <div className="gallery" data-testid="gallery">
        {shown.map((g) => <GalleryTile key={g.imageId} g={g} src={projectFileUrl(report.imagePaths[g.imageId] ?? '')} showLow={showLow} />)}
        {shown.length === 0 ? <p className="muted">No images {filter === 'errors' ? 'with errors' : ''}.</p> : null}
      </div>
    </section>
  );
}

function GalleryTile({ g, src, showLow }: { g: GalleryImage; src: string; showLow: boolean }): React.JSX.Element {
  const [size, setSize] = useState<{ w: number; h: number } | null>(null);
  const tp = g.detections.filter((d) => d.outcome === 'tp').length;
  return (
    <figure className={`tile${g.falsePositives || g.misses ? ' has-errors' : ''}`}>
      <div className="tile-img">
        <img src={src} alt={g.imageId} onLoad={(e) => setSize({ w: e.currentTarget.naturalWidth, h: e.currentTarget.naturalHeight })} />
        {size ? (
          <svg viewBox={`0 0 ${size.w} ${size.h}`} preserveAspectRatio="xMidYMid meet">
            {g.groundTruth.map((b, i) => (
              <rect key={`g${i}`} x={b.x1} y={b.y1} width={b.x2 - b.x1} height={b.y2 - b.y1} fill="none" stroke={b.matched || b.difficult ? BOX_STYLE.gt : BOX_STYLE.miss} strokeWidth={2} strokeDasharray="5 3" vectorEffect="non-scaling-stroke">
                <title>{`${b.className} (ground truth${b.matched ? ', found' : b.difficult ? ', difficult' : ', missed'})`}</title>
              </rect>
            ))}
            {g.detections.filter((d) => showLow || d.outcome !== 'low').map((d, i) => (
              <rect key={`d${i}`} x={d.x1} y={d.y1} width={d.x2 - d.x1} height={d.y2 - d.y1} fill="none" stroke={BOX_STYLE[d.outcome]} strokeWidth={d.outcome === 'low' ? 1 : 2} vectorEffect="non-scaling-stroke" opacity={d.outcome === 'low' ? 0.7 : 1}>
                <title>{`${d.className} ${d.score.toFixed(2)} (${d.outcome === 'tp' ? 'true positive' : d.outcome === 'fp' ? 'false positive' : 'below threshold'})`}</title>
              </rect>
            ))}
          </svg>
        ) : null}
      </div>
      <figcaption>
        <span className="tile-name" title={g.imageId}>{g.imageId}</span>
        <span className="tile-counts"><span className="c-tp">{tp} TP</span> <span className="c-fp">{g.falsePositives} FP</span> <span className="c-miss">{g.misses} missed</span></span>
      </figcaption>
    </figure>
  );
}
