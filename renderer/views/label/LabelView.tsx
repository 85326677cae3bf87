/**
 * Label view: the image list, the canvas with its toolbars, the classes and the boxes of the image.
 * It wires the store to the API events and the keyboard; each part reads the store through its
 * own selectors, so a pan or a zoom re-renders the canvas (and the zoom readout) only.
 */
import { useCallback, useEffect, useMemo, useState } from 'react';
import type { OpenedProject } from '../../../shared/api';
import { api, projectFileUrl } from '../../client';
import { useLabel } from '../../store/label-store';
import type { Rect } from '../../store/label/geometry';
import type { ActionId } from '../../store/label/keymap';
import { ImageList } from './ImageList';
import { AnnotationCanvas } from './AnnotationCanvas';
import { ClassPicker } from './ClassPicker';
import { HelpOverlay } from './HelpOverlay';
import { classColor } from './class-colors';
import { PrelabelBar } from './PrelabelBar';
import { ReviewPanel } from './ReviewPanel';
import { TrackBar } from './TrackBar';
import { useTracks } from '../../store/track-store';
import { BoxPanel } from './BoxPanel';
import { NavBar, ToolBar } from './LabelToolbar';
import { runAction } from './label-actions';
import { useLabelKeyboard } from './use-label-keyboard';
import './label.css';

/** The image's problems: unreadable annotation, a failed save, a conflict to resolve. */
function CanvasMessages(): React.JSX.Element | null {
  const error = useLabel((s) => s.annotationError ?? s.current?.error ?? null);
  const conflict = useLabel((s) => s.conflict !== null && s.conflict.imageId === s.current?.id);
  const saveError = useLabel((s) => (s.saveState === 'error' ? s.saveError : null));
  const { resolveConflict } = useLabel.getState();
  return (
    <>
      {error ? <p className="canvas-error error-text">{error}</p> : null}
      {conflict ? (
        <div className="canvas-error conflict-bar" role="alert" data-testid="save-conflict">
          <span className="error-text">This image was changed in another window or program since you started editing it.</span>
          <button type="button" className="button small" onClick={() => void resolveConflict('mine')}>Keep my version</button>
          <button type="button" className="button small" onClick={() => void resolveConflict('theirs')}>Load theirs</button>
        </div>
      ) : saveError ? <p className="canvas-error error-text" data-testid="save-error">Could not save: {saveError}. Your edit is kept and retried.</p> : null}
    </>
  );
}

export function LabelView({ project }: { project: OpenedProject }): React.JSX.Element {
  const currentId = useLabel((s) => s.current?.id ?? null);
  const empty = useLabel((s) => s.total === 0);
  const drawing = useLabel((s) => s.interaction.gesture.mode === 'draw');
  const [picking, setPicking] = useState<Rect | null>(null);
  const [help, setHelp] = useState(false);

  const { reset, reloadCurrent, onImagesSaved, onSaveState } = useLabel.getState();
  useEffect(() => { void reset(project.root); }, [project.root, reset]);
  useEffect(() => {
    const offChanged = api.on('dataset.changed', (e) => {
      if (e.project !== project.root) return;
      if (e.reason === 'save') void onImagesSaved(e.imageIds);
      else void reloadCurrent();
    });
    const offSave = api.on('dataset.saveState', ({ project: p, ...e }) => {
      if (p === project.root) onSaveState(e);
    });
    return () => { offChanged(); offSave(); };
  }, [project.root, reloadCurrent, onImagesSaved, onSaveState]);

  const { classes, defaultClass, classColors } = project;
  const colorOf = useCallback((name: string): string => classColor(classes, name, classColors), [classes, classColors]);
  const openHelp = useCallback(() => setHelp(true), []);
  const ctx = useMemo(() => ({ classes, openHelp }), [classes, openHelp]);
  const run = useCallback((action: ActionId, shift = false): void => runAction(action, shift, ctx), [ctx]);
  useLabelKeyboard(!help && !picking, run);

  const onDraw = useCallback((r: Rect): void => {
    if (defaultClass) useLabel.getState().addBox(r, defaultClass, useTracks.getState().active ?? undefined);
    else setPicking(r);
  }, [defaultClass]);
  const onNextUnlabeled = useCallback(() => void useLabel.getState().nextUnlabeled(), []);

  return (
    <div className="label-view" data-testid="label-view">
      <ImageList classes={classes} labeled={project.labeled} images={project.images} onNextUnlabeled={onNextUnlabeled} />
      <section className="label-center">
        <NavBar onHelp={openHelp} />
        <ToolBar run={run} />
        <PrelabelBar project={project} />
        <TrackBar project={project} />
        <div className="canvas-area">
          {currentId !== null ? (
            <AnnotationCanvas src={projectFileUrl(`${project.root}/${currentId}`)} colorOf={colorOf} onDraw={onDraw} />
          ) : <div className="canvas-wrap"><p className="canvas-message muted">{empty ? 'No image here.' : ''}</p></div>}
          <ReviewPanel project={project} />
          {drawing ? <div className="mode-hint">Drag to draw a box · Ctrl/Shift for a square · Esc cancels</div> : null}
          {picking ? (
            <ClassPicker
              classes={classes}
              colorOf={colorOf}
              initial={useLabel.getState().nextClass ?? useLabel.getState().lastClass}
              onPick={(name) => { useLabel.getState().addBox(picking, name, useTracks.getState().active ?? undefined); setPicking(null); }}
              onCancel={() => setPicking(null)}
            />
          ) : null}
        </div>
        <CanvasMessages />
      </section>
      <BoxPanel project={project} colorOf={colorOf} run={run} onHelp={openHelp} />
      {help ? <HelpOverlay onClose={() => setHelp(false)} /> : null}
    </div>
  );
}
