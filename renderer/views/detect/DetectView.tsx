import { Crosshair } from 'lucide-react';
import { useApp } from '../../store/app-store';

/** Detection needs a trained model; until the project has one, the view says how to get there. */
export function DetectView(): React.JSX.Element {
  const project = useApp((s) => s.project);
  const setView = useApp((s) => s.setView);
  return (
    <div className="empty-state" data-testid="detect-view">
      <div>
        <Crosshair size={40} strokeWidth={1.4} />
        <h2>No model to detect with yet</h2>
        <p>Detection runs a model you trained on photos, video files and the live webcam, right in this window.</p>
        <ol className="steps">
          <li>{project ? `Label your images in ${project.name}.` : 'Open a project and label your images.'}</li>
          <li>Train a detector on them.</li>
          <li>Come back here to run it.</li>
        </ol>
        <p>
          <button type="button" className="button" disabled={!project} onClick={() => setView('label')}>
            Go to labeling
          </button>
        </p>
      </div>
    </div>
  );
}
