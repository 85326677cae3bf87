/** The detections of the current frame as a table: class, score, box. */
import type { Detection } from '../../../shared/ml/detector/box';
import { colourOf } from '../../detect/draw';
import { mapClass } from '../../../shared/dataset/class-mapping';
import type { ClassMapping } from '../../../shared/dataset/types';

/** In the project's terms (with a project open): the project class a model class maps to. */
export interface ProjectTerms { classes: readonly string[]; mapping: ClassMapping }

export function DetectionList({ dets, labels, project }: { dets: readonly Detection[]; labels: readonly string[]; project?: ProjectTerms | null }): React.JSX.Element {
  const inProject = (label: string): React.JSX.Element | null => {
    if (!project) return null;
    const to = mapClass(label, project.classes, project.mapping);
    if (to === label) return null;
    return <span className="muted small" data-testid="project-class"> {to === null ? '(ignored in this project)' : to === undefined ? '(not a project class)' : `→ ${to}`}</span>;
  };
  return (
    <div className="det-list" data-testid="detections" data-count={dets.length}>
      <div className="det-list-head">{dets.length} detection{dets.length === 1 ? '' : 's'}</div>
      <table>
        <tbody>
          {dets.map((d, i) => (
            <tr key={i} data-testid="detection" data-label={labels[d.classId] ?? ''} data-box={[d.x1, d.y1, d.x2, d.y2].map((v) => Math.round(v)).join(',')}>
              <td><span className="swatch" style={{ background: colourOf(d.classId) }} />{labels[d.classId] ?? `class ${d.classId}`}{inProject(labels[d.classId] ?? `class ${d.classId}`)}</td>
              <td className="num">{d.score.toFixed(2)}</td>
              <td className="num muted">{Math.round(d.x1)},{Math.round(d.y1)} – {Math.round(d.x2)},{Math.round(d.y2)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
