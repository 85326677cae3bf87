/**
 * Above "Start training": why it cannot start (no labeled image), and a warning when some classes
 * have no boxes (the model would get outputs for classes it never sees). Counts are live.
 */
import type { OpenedProject } from '../../../shared/api';
import { useClassUsage } from '../label/class-usage';

export function TrainReadiness({ project }: { project: OpenedProject }): React.JSX.Element | null {
  const usage = useClassUsage(project.root);
  const empty = usage ? project.classes.filter((c) => (usage.get(c)?.boxes ?? 0) === 0) : [];
  if (project.labeled === 0) {
    return <p className="field-error" data-testid="no-labels">Nothing to train on yet: no image of this project is labeled. Draw boxes in the Label view first.</p>;
  }
  if (!empty.length) return null;
  return (
    <p className="warn-text" data-testid="empty-class-warning" role="alert">
      {empty.length === 1 ? 'The class' : 'The classes'} {empty.map((c) => `“${c}”`).join(', ')} {empty.length === 1 ? 'has' : 'have'} no boxes: the model would learn {empty.length === 1 ? 'a class' : 'classes'} it never sees.
      Delete or merge {empty.length === 1 ? 'it' : 'them'} in the Label view (class menu ⋯), or label some first.
    </p>
  );
}
