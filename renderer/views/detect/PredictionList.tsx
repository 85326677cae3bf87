/** The side panel of the current frame: a detector's boxes, or a classifier's top-k classes with score bars. */
import type { ClassScore } from '../../../shared/ml/classifier/predict';
import { DetectionList } from './DetectionList';
import { useProjectMapping } from './project-mapping';
import { useApp } from '../../store/app-store';
import { colourOf } from '../../detect/draw';
import { emptyPrediction, type Prediction } from '../../detect/predict-frame';
import { labelsOf, type LoadedModel } from '../../detect/load-model';

export function ClassScoreList({ top }: { top: readonly ClassScore[] }): React.JSX.Element {
  return (
    <div className="det-list" data-testid="class-scores" data-count={top.length} data-top={top[0]?.className ?? ''}>
      <div className="det-list-head">{top.length ? `Top ${top.length}` : 'Not classified yet'}</div>
      <ol className="class-scores">
        {top.map((t) => (
          <li key={t.classId} data-testid="class-score" data-label={t.className} data-score={t.score.toFixed(4)}>
            <span className="class-name"><span className="swatch" style={{ background: colourOf(t.classId) }} />{t.className}</span>
            <span className="score-bar"><span style={{ width: `${(Math.max(0, Math.min(1, t.score)) * 100).toFixed(1)}%`, background: colourOf(t.classId) }} /></span>
            <span className="num">{t.score.toFixed(2)}</span>
          </li>
        ))}
      </ol>
    </div>
  );
}

/** The loaded model's prediction for the current frame; empty until one of this model's kind arrives. */
export function PredictionList({ prediction, model }: { prediction: Prediction | null; model: LoadedModel }): React.JSX.Element {
  const p = prediction?.task === model.task ? prediction : emptyPrediction(model.task);
  const classes = useApp((s) => s.project?.classes ?? null);
  const mapping = useProjectMapping();
  const project = classes && mapping ? { classes, mapping } : null;
  return p.task === 'detect' ? <DetectionList dets={p.dets} labels={labelsOf(model)} project={project} /> : <ClassScoreList top={p.top} />;
}
