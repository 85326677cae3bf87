import { useEffect } from 'react';
import { ChevronLeft, ChevronRight } from 'lucide-react';
import type { OpenedProject } from '../../../shared/api';
import { api, projectFileUrl } from '../../client';
import { useLabel } from '../../store/label-store';
import { useApp } from '../../store/app-store';
import { ImageList } from './ImageList';
import { AnnotationCanvas } from './AnnotationCanvas';
import { classColor } from './class-colors';

/** Label view: the image list, the current image with its boxes, the classes and the boxes of the image. */
export function LabelView({ project }: { project: OpenedProject }): React.JSX.Element {
  const { current, annotation, annotationError, reset, step, currentIndex, total, reloadCurrent } = useLabel();

  useEffect(() => { void reset(project.root); }, [project.root, reset]);
  useEffect(
    () =>
      api.on('dataset.changed', (e) => {
        if (e.project !== project.root) return;
        useApp.setState({ project: e.summary });
        if (e.reason !== 'save') void reloadCurrent();
      }),
    [project.root, reloadCurrent],
  );
  useEffect(() => {
    const onKey = (e: KeyboardEvent): void => {
      if (e.target instanceof HTMLInputElement || e.target instanceof HTMLSelectElement || e.ctrlKey || e.metaKey || e.altKey) return;
      if (e.key === 'd' || e.key === 'D') void step(1);
      else if (e.key === 'a' || e.key === 'A') void step(-1);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [step]);

  const boxes = annotation?.boxes ?? [];
  return (
    <div className="label-view" data-testid="label-view">
      <ImageList classes={project.classes} labeled={project.labeled} images={project.images} />
      <section className="label-center">
        <div className="canvas-toolbar">
          <button type="button" className="icon-button" aria-label="Previous image (A)" title="Previous image (A)" disabled={currentIndex <= 0} onClick={() => void step(-1)}>
            <ChevronLeft size={18} />
          </button>
          <span className="current-name" data-testid="current-image">{current ? current.id : 'No image selected'}</span>
          <span className="muted">{total > 0 ? `${currentIndex + 1} / ${total}` : ''}</span>
          <button type="button" className="icon-button" aria-label="Next image (D)" title="Next image (D)" disabled={currentIndex >= total - 1} onClick={() => void step(1)}>
            <ChevronRight size={18} />
          </button>
          <div className="topbar-spacer" />
          {annotation?.size ? <span className="muted small">{annotation.size.width} × {annotation.size.height}px</span> : null}
        </div>
        {current ? <AnnotationCanvas src={projectFileUrl(`${project.root}/${current.id}`)} boxes={boxes} classes={project.classes} /> : <div className="canvas-wrap" />}
        {annotationError || current?.error ? <p className="canvas-error error-text">{annotationError ?? current?.error}</p> : null}
      </section>
      <aside className="label-side">
        <h3>Classes</h3>
        <ul className="class-list" data-testid="class-list">
          {project.classes.map((c, i) => (
            <li key={c}>
              <span className="swatch" style={{ background: classColor(project.classes, c) }} />
              <span className="class-key">{i < 9 ? i + 1 : ''}</span>
              {c}
            </li>
          ))}
          {project.classes.length === 0 ? <li className="muted">No classes yet.</li> : null}
        </ul>
        <h3>Boxes {annotation ? <span className="muted">({boxes.length})</span> : null}</h3>
        <ul className="box-list" data-testid="box-list">
          {boxes.map((b, i) => (
            <li key={b.key ?? `n${i}`}>
              <span className="swatch" style={{ background: classColor(project.classes, b.label) }} />
              <span>{b.label}</span>
              <span className="muted small">
                {Math.round(b.xmax - b.xmin)}×{Math.round(b.ymax - b.ymin)}
                {b.difficult ? ' · difficult' : ''}
              </span>
            </li>
          ))}
        </ul>
        {annotation?.verified ? <p className="ok small">Verified</p> : null}
      </aside>
    </div>
  );
}
