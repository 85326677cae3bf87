// The confusion-matrix card of the detector's and the classifier's reports.
import { Download, ImageDown } from 'lucide-react';
import { CHART_COLORS } from '../../components/charts/chart-theme';
import { downloadBlob } from '../../components/charts/chart-png';
import { titledCanvas } from '../../components/charts/titled-canvas';
import { canvasToBlob } from '../../lib/image-io';
import { confusionCsv } from './report-data';

/**
 * A confusion matrix (rows: true class, columns: predicted) with CSV and PNG downloads. With
 * `background` the last label is the detector's background row/column (never a diagonal cell).
 */
export function ConfusionMatrixCard({ run, confusion, title, note, pngTitle, background = false }: {
  run: string; confusion: { labels: string[]; matrix: number[][] }; title: string; note: string; pngTitle: string; background?: boolean;
}): React.JSX.Element {
  const { labels, matrix } = confusion;
  const diag = (i: number, j: number): boolean => i === j && (!background || i < labels.length - 1);
  const max = Math.max(1, ...matrix.flat());
  const total = matrix.flat().reduce((a, b) => a + b, 0);
  const toPng = async (): Promise<void> => {
    const cell = 56;
    const head = 110;
    const ctx = titledCanvas(head + cell * labels.length + 20, head + cell * labels.length + 40, pngTitle, 10, 20);
    if (!ctx) return;
    labels.forEach((l, i) => {
      ctx.fillStyle = CHART_COLORS.axis;
      ctx.fillText(l.slice(0, 13), 10, head + i * cell + cell / 2 + 4);
      ctx.save();
      ctx.translate(head + i * cell + cell / 2 + 4, head - 8);
      ctx.rotate(-Math.PI / 4);
      ctx.fillText(l.slice(0, 13), 0, 0);
      ctx.restore();
    });
    matrix.forEach((row, i) => row.forEach((v, j) => {
      ctx.fillStyle = heat(v / max, diag(i, j));
      ctx.fillRect(head + j * cell, head + i * cell, cell - 2, cell - 2);
      ctx.fillStyle = v / max > 0.55 ? '#0b0d12' : CHART_COLORS.text;
      ctx.textAlign = 'center';
      ctx.fillText(String(v), head + j * cell + cell / 2, head + i * cell + cell / 2 + 4);
      ctx.textAlign = 'left';
    }));
    downloadBlob(await canvasToBlob(ctx.canvas), `${run}-confusion.png`);
  };
  return (
    <section className="card">
      <h3>{title} <span className="muted small">{note}; {total} entries</span>
        <span className="spacer" />
        <button type="button" className="button small" onClick={() => downloadBlob(confusionCsv(confusion), `${run}-confusion.csv`)}><Download size={13} /> CSV</button>
        <button type="button" className="button small" onClick={() => void toPng()}><ImageDown size={13} /> PNG</button>
      </h3>
      <div className="confusion-wrap">
        <table className="confusion" data-testid="confusion-matrix" data-total={total}>
          <thead>
            <tr><th className="corner">true ↓ · pred →</th>{labels.map((l) => <th key={l} title={l}>{l}</th>)}</tr>
          </thead>
          <tbody>
            {matrix.map((row, i) => (
              <tr key={labels[i]}>
                <th title={labels[i]}>{labels[i]}</th>
                {row.map((v, j) => (
                  <td key={j} style={{ background: heat(v / max, diag(i, j)), color: v / max > 0.55 ? '#0b0d12' : undefined }} title={`${labels[i]} → ${labels[j]}: ${v}`}>{v}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

/** Blue scale for correct cells, orange scale for confusions; empty cells stay dark. */
function heat(f: number, diagonal: boolean): string {
  if (f <= 0) return '#14171d';
  const a = 0.18 + 0.82 * f;
  return diagonal ? `rgba(79, 157, 255, ${a})` : `rgba(242, 142, 43, ${a})`;
}
