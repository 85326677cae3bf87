/** The detections of the current frame as a table: class, score, box. */
import type { Detection } from '../../../shared/ml/detector/box';
import { colourOf } from './engine/draw';

export function DetectionList({ dets, labels }: { dets: readonly Detection[]; labels: readonly string[] }): React.JSX.Element {
  return (
    <div className="det-list" data-testid="detections" data-count={dets.length}>
      <div className="det-list-head">{dets.length} detection{dets.length === 1 ? '' : 's'}</div>
      <table>
        <tbody>
          {dets.map((d, i) => (
            <tr key={i} data-testid="detection" data-label={labels[d.classId] ?? ''} data-box={[d.x1, d.y1, d.x2, d.y2].map((v) => Math.round(v)).join(',')}>
              <td><span className="swatch" style={{ background: colourOf(d.classId) }} />{labels[d.classId] ?? `class ${d.classId}`}</td>
              <td className="num">{d.score.toFixed(2)}</td>
              <td className="num muted">{Math.round(d.x1)},{Math.round(d.y1)} – {Math.round(d.x2)},{Math.round(d.y2)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
