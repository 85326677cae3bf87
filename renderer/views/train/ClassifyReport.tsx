/**
 * Evaluation report of a classifier run (eval.json of weights/best on the test split): accuracy,
 * the per-class precision / recall / F1 / support table with macro and weighted rows, the
 * confusion matrix and the most-confused pairs (thumbnails for images inside the project).
 */
import { Download } from 'lucide-react';
import type { ClassifierRunReport } from '../../../shared/api';
import { projectFileUrl } from '../../client';
import { downloadBlob } from '../../components/charts/chart-png';
import { ConfusionMatrixCard } from './ConfusionMatrixCard';
import { classScoresCsv } from './report-data';

const fmt = (v: number | null | undefined, d = 3): string => (v === null || v === undefined || !Number.isFinite(v) ? '—' : v.toFixed(d));

export function ClassifyReport({ report }: { report: ClassifierRunReport }): React.JSX.Element {
  const support = report.perClass.reduce((n, c) => n + c.support, 0);
  const chance = report.perClass.length ? 1 / report.perClass.length : null;
  return (
    <div className="report" data-testid="eval-report">
      <section className="card report-summary">
        <div className="stat"><div className="value" data-testid="report-accuracy">{fmt(report.accuracy)}</div><div className="label">accuracy ({report.split}, {report.images} images)</div></div>
        <div className="stat"><div className="value">{fmt(report.macro.F1)}</div><div className="label">macro F1</div></div>
        <div className="stat"><div className="value">{fmt(report.weighted.F1)}</div><div className="label">weighted F1</div></div>
        <div className="stat"><div className="value">{fmt(chance)}</div><div className="label">chance accuracy</div></div>
        <div className="stat"><div className="value">{report.epoch}</div><div className="label">epoch (best weights)</div></div>
      </section>

      <section className="card">
        <h3>Per-class scores <span className="spacer" />
          <button type="button" className="button small" onClick={() => downloadBlob(classScoresCsv(report), `${report.run}-classes.csv`)}><Download size={13} /> CSV</button>
        </h3>
        <table className="table num-table" data-testid="class-table">
          <thead><tr><th>class</th><th>precision</th><th>recall</th><th>F1</th><th>support</th></tr></thead>
          <tbody>
            {report.perClass.map((c) => (
              <tr key={c.className}><td>{c.className}</td><td>{fmt(c.precision)}</td><td>{fmt(c.recall)}</td><td>{fmt(c.F1)}</td><td>{c.support}</td></tr>
            ))}
            <tr className="total-row"><td>macro</td><td>{fmt(report.macro.precision)}</td><td>{fmt(report.macro.recall)}</td><td>{fmt(report.macro.F1)}</td><td>{support}</td></tr>
            <tr className="total-row"><td>weighted</td><td>{fmt(report.weighted.precision)}</td><td>{fmt(report.weighted.recall)}</td><td>{fmt(report.weighted.F1)}</td><td>{support}</td></tr>
          </tbody>
        </table>
      </section>

      <ConfusionMatrixCard
        run={report.run} confusion={report.confusion} title="Confusion matrix"
        note={`rows: true class, columns: predicted; ${report.split} split`}
        pngTitle={`Confusion matrix (rows: true, columns: predicted) — ${report.split} split`}
      />

      <section className="card" data-testid="most-confused">
        <h3>Most confused pairs</h3>
        {report.mostConfused.length === 0 ? <p className="muted">No image was mistaken for another class.</p> : (
          <table className="table">
            <thead><tr><th>true class</th><th>predicted as</th><th>images</th><th>examples</th></tr></thead>
            <tbody>
              {report.mostConfused.map((p) => (
                <tr key={`${p.trueClass}→${p.predictedClass}`}>
                  <td>{p.trueClass}</td><td>{p.predictedClass}</td><td>{p.count}</td>
                  <td className="confused-examples">
                    {p.examples.map((ex) => {
                      const file = report.imagePaths[ex.id];
                      return file
                        ? <img key={ex.id} src={projectFileUrl(file)} alt={ex.id} title={`${ex.id} (score ${fmt(ex.score, 2)})`} />
                        : <span key={ex.id} className="muted small" title={`score ${fmt(ex.score, 2)}`}>{ex.id}</span>;
                    })}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </div>
  );
}
