/** The Label view's side panel: the classes, the boxes of the image, the selected box's flags, verified. */
import { memo } from 'react';
import { Copy, HelpCircle, Trash2 } from 'lucide-react';
import type { OpenedProject } from '../../../shared/api';
import { useLabel } from '../../store/label-store';
import { useLabelKeys } from '../../store/label-keys';
import { selectBoxes, selectHasDoc, selectSelectedBox, selectVerified } from '../../store/label/selectors';
import type { ActionId } from '../../store/label/keymap';
import { useRenderCount } from '../../lib/render-count';
import { ClassPanel } from './ClassPanel';

interface Props {
  project: OpenedProject;
  colorOf(name: string): string;
  run(action: ActionId): void;
  onHelp(): void;
}

export const BoxPanel = memo(function BoxPanel({ project, colorOf, run, onHelp }: Props): React.JSX.Element {
  useRenderCount('label.side');
  const verifyKey = useLabelKeys((k) => k.keymap.verify[0] ?? '');
  const boxes = useLabel(selectBoxes);
  const hasDoc = useLabel(selectHasDoc);
  const selectedId = useLabel((s) => s.selectedId);
  const selBox = useLabel(selectSelectedBox);
  const verified = useLabel(selectVerified);
  const { setSelected, pickClass } = useLabel.getState();
  return (
    <aside className="label-side">
      <ClassPanel project={project} selectedLabel={selBox?.label ?? null} colorOf={colorOf} onPick={pickClass} />

      <h3>Boxes {hasDoc ? <span className="muted">({boxes.length})</span> : null}</h3>
      <ul className="box-list" data-testid="box-list">
        {boxes.map((b, i) => (
          <li key={b.key ?? i} data-box-id={b.key} className={b.key === selectedId ? 'active' : ''} onClick={() => setSelected(b.key ?? null)}>
            <span className="swatch" style={{ background: colorOf(b.label) }} />
            <span className="box-label">{b.label}{b.track !== undefined ? <span className="track-tag"> #{b.track}</span> : null}{b.draft ? <span className="draft-tag"> draft</span> : null}</span>
            <span className="muted small">{Math.round(b.xmax - b.xmin)}×{Math.round(b.ymax - b.ymin)}</span>
          </li>
        ))}
      </ul>
      {selBox ? (
        <div className="box-attrs" data-testid="box-attrs">
          <label className="check"><input type="checkbox" checked={selBox.difficult} onChange={() => run('difficult')} /> difficult</label>
          <label className="check"><input type="checkbox" checked={selBox.truncated} onChange={() => run('truncated')} /> truncated</label>
          <button type="button" className="button small" onClick={() => run('duplicate')}><Copy size={12} /> Duplicate</button>
          <button type="button" className="button small danger" onClick={() => run('delete')}><Trash2 size={12} /> Delete</button>
        </div>
      ) : null}
      <label className="check verified-check" data-testid="verified">
        <input type="checkbox" checked={verified} disabled={!hasDoc} onChange={() => run('verify')} /> Verified <span className="muted small">({verifyKey})</span>
      </label>
      <p className="muted small help-link">
        <button type="button" className="link-button" onClick={onHelp}><HelpCircle size={12} /> All shortcuts (?)</button>
      </p>
    </aside>
  );
});
