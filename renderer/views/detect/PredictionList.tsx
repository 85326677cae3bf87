/** The side panel of the current frame: a detector's boxes, or a classifier's top-k classes with score bars. */
import type { ClassScore } from '../../../shared/ml/classifier/predict';
import { DetectionList } from './DetectionList';
import { colourOf } from './engine/draw';
import type { Prediction } from './engine/predict-frame';

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

export function PredictionList({ prediction, labels }: { prediction: Prediction; labels: readonly string[] }): React.JSX.Element {
  return prediction.task === 'detect' ? <DetectionList dets={prediction.dets} labels={labels} /> : <ClassScoreList top={prediction.top} />;
}
