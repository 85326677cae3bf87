import { useCallback, useEffect, useRef, useState } from 'react';
import {
  AlertTriangle, Check, ChevronLeft, ChevronRight, Copy, Eye, EyeOff, HelpCircle, Keyboard, Loader2, Maximize, MoveHorizontal,
  Pencil, Redo2, Sun, Tag, Trash2, Undo2, ZoomIn, ZoomOut,
} from 'lucide-react';
import type { BoxAnnotation, OpenedProject } from '../../../shared/api';
import { api, projectFileUrl } from '../../client';
import { useLabel } from '../../store/label-store';
import { useLabelKeys } from '../../store/label-keys';
import { ImageList } from './ImageList';
import { AnnotationCanvas } from './AnnotationCanvas';
import { ClassPicker } from './ClassPicker';
import { HelpOverlay } from './HelpOverlay';
import { classColor } from './class-colors';
import { nudge, type Rect } from './geometry';
import { actionFor, comboOf, type ActionId } from './keymap';
import { PrelabelBar } from './PrelabelBar';
import { ClassPanel } from './ClassPanel';
import './label.css';

function SaveChip(): React.JSX.Element {
  const state = useLabel((s) => s.saveState);
  const error = useLabel((s) => s.saveError);
  const savedAt = useLabel((s) => s.savedAt);
  const conflict = useLabel((s) => s.conflict !== null && s.conflict.imageId === s.current?.id);
  const [label, icon, cls] =
    conflict ? ['Changed elsewhere — choose below', <AlertTriangle key="i" size={14} />, 'err']
    : state === 'error' ? ['Save failed — retrying', <AlertTriangle key="i" size={14} />, 'err']
      : state === 'pending' ? ['Unsaved changes…', <Loader2 key="i" size={14} className="spin" />, 'busy']
        : state === 'saving' ? ['Saving…', <Loader2 key="i" size={14} className="spin" />, 'busy']
          : state === 'saved' || state === 'unchanged' ? ['Saved', <Check key="i" size={14} />, 'ok']
            : ['All changes saved', <Check key="i" size={14} />, 'idle'];
  return (
    <span key={savedAt ?? 0} className={`save-chip ${cls}${savedAt && state === 'saved' ? ' flash' : ''}`} data-testid="save-state" data-state={state} data-saved-at={savedAt ?? ''} title={error ?? (savedAt ? `Saved at ${new Date(savedAt).toLocaleTimeString()}` : undefined)} role="status">
      {icon}
      {label}
    </span>
  );
}

/** Label view: the image list, the canvas with its toolbar, the classes and the boxes of the image. */
export function LabelView({ project }: { project: OpenedProject }): React.JSX.Element {
  const s = useLabel();
  const { current, annotation, annotationError, doc, selected, currentIndex, total } = s;
  const keymap = useLabelKeys((k) => k.keymap);
  const [picking, setPicking] = useState<Rect | null>(null);
  const [help, setHelp] = useState(false);
  const lastClass = useRef<string | null>(null);
  const panned = useRef(false);

  const { reset, reloadCurrent, refreshList, onSaveState } = s;
  useEffect(() => { void reset(project.root); }, [project.root, reset]);
  useEffect(() => {
    const offChanged = api.on('dataset.changed', (e) => {
      if (e.project !== project.root) return;
      if (e.reason === 'save') void refreshList();
      else void reloadCurrent();
    });
    const offSave = api.on('dataset.saveState', (e) => {
      if (e.project === project.root) onSaveState(e.imageId, e.state, e.error, e.conflict);
    });
    return () => { offChanged(); offSave(); };
  }, [project.root, reloadCurrent, refreshList, onSaveState]);

  const classes = project.classes;
  const defaultClass = project.defaultClass;
  const classColors = project.classColors;
  const colorOf = useCallback((name: string): string => classColor(classes, name, classColors), [classes, classColors]);
  const boxes = doc?.boxes ?? [];

  const setBoxes = useCallback((next: BoxAnnotation[], sel?: number | null): void => {
    const d = useLabel.getState().doc;
    if (d) useLabel.getState().commit({ ...d, boxes: next }, sel);
  }, []);

  const addBox = useCallback((r: Rect, label: string): void => {
    const d = useLabel.getState().doc;
    if (!d) return;
    lastClass.current = label;
    const box: BoxAnnotation = { label, xmin: r.x, ymin: r.y, xmax: r.x + r.width, ymax: r.y + r.height, difficult: false, truncated: false };
    useLabel.getState().commit({ ...d, boxes: [...d.boxes, box] }, d.boxes.length);
  }, []);

  const onDraw = useCallback((r: Rect): void => {
    useLabel.getState().setUi({ drawMode: false });
    if (defaultClass) addBox(r, defaultClass);
    else setPicking(r);
  }, [addBox, defaultClass]);

  const onChangeBox = useCallback((i: number, box: BoxAnnotation): void => {
    const d = useLabel.getState().doc;
    if (!d) return;
    setBoxes(d.boxes.map((b, j) => (j === i ? box : b)), i);
  }, [setBoxes]);

  const pickClass = useCallback((name: string): void => {
    const st = useLabel.getState();
    if (st.selected !== null && st.doc?.boxes[st.selected]) {
      const i = st.selected;
      setBoxes(st.doc.boxes.map((b, j) => (j === i ? { ...b, label: name } : b)), i);
    } else {
      st.setUi({ nextClass: name });
    }
    lastClass.current = name;
  }, [setBoxes]);

  const run = useCallback((action: ActionId, shift: boolean): boolean => {
    const st = useLabel.getState();
    const d = st.doc;
    const sel = st.selected !== null && d?.boxes[st.selected] ? st.selected : null;
    const move = (dx: number, dy: number): void => {
      if (d && sel !== null) setBoxes(d.boxes.map((b, j) => (j === sel ? nudge(b, dx, dy, st.imageSize) : b)), sel);
    };
    switch (action) {
      case 'draw': if (d) st.setUi({ drawMode: true }); st.setSelected(null); return true;
      case 'cancel': st.setUi({ drawMode: false }); st.setSelected(null); return true;
      case 'next': void st.step(1); return true;
      case 'prev': void st.step(-1); return true;
      case 'nextUnlabeled': void st.nextUnlabeled(); return true;
      case 'delete': if (d && sel !== null) setBoxes(d.boxes.filter((_, j) => j !== sel), null); return true;
      case 'duplicate':
        if (d && sel !== null) {
          const { key: _k, ...b } = d.boxes[sel]!;
          setBoxes([...d.boxes, nudge({ ...b }, 10, 10, st.imageSize)], d.boxes.length);
        }
        return true;
      case 'copyPrevious': void st.copyPrevious(); return true;
      case 'undo': st.undo(); return true;
      case 'redo': st.redo(); return true;
      case 'save': void st.saveNow(); return true;
      case 'verify': if (d) st.commit({ ...d, verified: !d.verified }); return true;
      case 'difficult': if (d && sel !== null) setBoxes(d.boxes.map((b, j) => (j === sel ? { ...b, difficult: !b.difficult } : b)), sel); return true;
      case 'truncated': if (d && sel !== null) setBoxes(d.boxes.map((b, j) => (j === sel ? { ...b, truncated: !b.truncated } : b)), sel); return true;
      case 'nudgeLeft': move(shift ? -10 : -1, 0); return true;
      case 'nudgeRight': move(shift ? 10 : 1, 0); return true;
      case 'nudgeUp': move(0, shift ? -10 : -1); return true;
      case 'nudgeDown': move(0, shift ? 10 : 1); return true;
      case 'nudgeLeftFast': move(-10, 0); return true;
      case 'nudgeRightFast': move(10, 0); return true;
      case 'nudgeUpFast': move(0, -10); return true;
      case 'nudgeDownFast': move(0, 10); return true;
      case 'zoomIn': st.zoomBy(1.25); return true;
      case 'zoomOut': st.zoomBy(0.8); return true;
      case 'zoomFit': st.fit('window'); return true;
      case 'fitWidth': st.fit('width'); return true;
      case 'toggleHide': st.setUi({ hideBoxes: !st.hideBoxes }); return true;
      case 'toggleLabels': st.setUi({ showLabels: !st.showLabels }); return true;
      case 'help': setHelp(true); return true;
      default: {
        const n = Number(action.replace('class', ''));
        const name = classes[n - 1];
        if (name) pickClass(name);
        return true;
      }
    }
  }, [classes, pickClass, setBoxes]);

  useEffect(() => {
    if (help || picking) return undefined;
    // Shortcuts work everywhere except while typing (a focused checkbox or button must not eat Space).
    const typing = (t: EventTarget | null): boolean =>
      (t instanceof HTMLInputElement && !['checkbox', 'radio', 'button', 'submit'].includes(t.type)) || t instanceof HTMLSelectElement || t instanceof HTMLTextAreaElement;
    const onPanned = (): void => { panned.current = true; };
    const onKey = (e: KeyboardEvent): void => {
      const combo = comboOf(e);
      if (!combo) return;
      const action = actionFor(keymap, combo);
      // Ctrl+S saves even from a text field (and never opens the browser's "save page")
      if (typing(e.target) && action !== 'save') return;
      if (!action) return;
      e.preventDefault();
      // Space: verified toggles on release, unless it was held to pan.
      if (combo === 'Space') { if (!e.repeat) panned.current = false; return; }
      if (e.repeat && !action.startsWith('nudge') && action !== 'undo' && action !== 'redo' && action !== 'next' && action !== 'prev') return;
      run(action, e.shiftKey);
    };
    const onKeyUp = (e: KeyboardEvent): void => {
      if (e.key !== ' ' || typing(e.target)) return;
      if (actionFor(keymap, 'Space')) e.preventDefault();
      const action = actionFor(keymap, 'Space');
      if (action && !panned.current) run(action, false);
      panned.current = false;
    };
    window.addEventListener('keydown', onKey);
    window.addEventListener('keyup', onKeyUp);
    window.addEventListener('detecta-label-panned', onPanned);
    return () => { window.removeEventListener('keydown', onKey); window.removeEventListener('keyup', onKeyUp); window.removeEventListener('detecta-label-panned', onPanned); };
  }, [keymap, run, help, picking]);

  const k = (a: ActionId): string => keymap[a][0] ?? '';
  const selBox = selected !== null ? boxes[selected] : undefined;
  return (
    <div className="label-view" data-testid="label-view">
      <ImageList classes={classes} labeled={project.labeled} images={project.images} onNextUnlabeled={() => void s.nextUnlabeled()} />
      <section className="label-center">
        <div className="canvas-toolbar">
          <button type="button" className="icon-button" aria-label={`Previous image (${k('prev')})`} title={`Previous image (${k('prev')})`} disabled={currentIndex <= 0} onClick={() => void s.step(-1)}>
            <ChevronLeft size={18} />
          </button>
          <span className="current-name" data-testid="current-image">{current ? current.id : 'No image selected'}</span>
          <span className="muted small">{total > 0 ? `${currentIndex + 1} / ${total}` : ''}</span>
          <button type="button" className="icon-button" aria-label={`Next image (${k('next')})`} title={`Next image (${k('next')})`} disabled={currentIndex >= total - 1} onClick={() => void s.step(1)}>
            <ChevronRight size={18} />
          </button>
          <div className="topbar-spacer" />
          {annotation?.size ? <span className="muted small">{annotation.size.width} × {annotation.size.height}px</span> : null}
          <SaveChip />
          <button type="button" className="icon-button" aria-label="Keyboard shortcuts (?)" title="Keyboard shortcuts (?)" onClick={() => setHelp(true)}><Keyboard size={16} /></button>
        </div>
        <div className="canvas-toolbar tools" role="toolbar" aria-label="Canvas tools">
          <button type="button" className={`icon-button${s.drawMode ? ' on' : ''}`} aria-label={`Draw a box (${k('draw')})`} title={`Draw a box (${k('draw')})`} aria-pressed={s.drawMode} disabled={!doc} onClick={() => run('draw', false)}>
            <Pencil size={16} />
          </button>
          <button type="button" className="icon-button" aria-label={`Undo (${k('undo')})`} title={`Undo (${k('undo')})`} disabled={!s.canUndo} onClick={() => s.undo()}><Undo2 size={16} /></button>
          <button type="button" className="icon-button" aria-label={`Redo (${k('redo')})`} title={`Redo (${k('redo')})`} disabled={!s.canRedo} onClick={() => s.redo()}><Redo2 size={16} /></button>
          <button type="button" className="icon-button" aria-label={`Copy the previous image's boxes (${k('copyPrevious')})`} title={`Copy the previous image's boxes (${k('copyPrevious')})`} disabled={!doc || currentIndex <= 0} onClick={() => void s.copyPrevious()}><Copy size={16} /></button>
          <span className="tool-sep" />
          <button type="button" className="icon-button" aria-label={`Zoom out (${k('zoomOut')})`} title={`Zoom out (${k('zoomOut')})`} onClick={() => s.zoomBy(0.8)}><ZoomOut size={16} /></button>
          <span className="zoom-readout small" data-testid="zoom">{s.view ? `${Math.round(s.view.scale * 100)}%` : ''}</span>
          <button type="button" className="icon-button" aria-label={`Zoom in (${k('zoomIn')})`} title={`Zoom in (${k('zoomIn')})`} onClick={() => s.zoomBy(1.25)}><ZoomIn size={16} /></button>
          <button type="button" className={`icon-button${s.fitMode === 'window' ? ' on' : ''}`} aria-label={`Fit window (${k('zoomFit')})`} title={`Fit window (${k('zoomFit')})`} onClick={() => s.fit('window')}><Maximize size={16} /></button>
          <button type="button" className={`icon-button${s.fitMode === 'width' ? ' on' : ''}`} aria-label={`Fit width (${k('fitWidth')})`} title={`Fit width (${k('fitWidth')})`} onClick={() => s.fit('width')}><MoveHorizontal size={16} /></button>
          <label className="check small" title="Keep the zoom and position when changing images">
            <input type="checkbox" checked={s.keepZoom} onChange={(e) => s.setUi({ keepZoom: e.target.checked })} /> keep zoom
          </label>
          <span className="tool-sep" />
          <button type="button" className="icon-button" aria-label={`${s.hideBoxes ? 'Show' : 'Hide'} all boxes (${k('toggleHide')})`} title={`${s.hideBoxes ? 'Show' : 'Hide'} all boxes (${k('toggleHide')})`} onClick={() => s.setUi({ hideBoxes: !s.hideBoxes })}>
            {s.hideBoxes ? <EyeOff size={16} /> : <Eye size={16} />}
          </button>
          <button type="button" className={`icon-button${s.showLabels ? ' on' : ''}`} aria-label={`Show labels on boxes (${k('toggleLabels')})`} title={`Show labels on boxes (${k('toggleLabels')})`} aria-pressed={s.showLabels} onClick={() => s.setUi({ showLabels: !s.showLabels })}><Tag size={16} /></button>
          <label className="brightness small" title="Brightness (display only)">
            <Sun size={14} />
            <input type="range" aria-label="Brightness" min={0.4} max={3} step={0.1} value={s.brightness} onChange={(e) => s.setUi({ brightness: Number(e.target.value) })} onDoubleClick={() => s.setUi({ brightness: 1 })} />
          </label>
        </div>
        <PrelabelBar project={project} />
        <div className="canvas-area">
          {current ? (
            <AnnotationCanvas
              src={projectFileUrl(`${project.root}/${current.id}`)}
              boxes={boxes}
              colorOf={colorOf}
              selected={selected}
              onSelect={s.setSelected}
              onChangeBox={onChangeBox}
              onDraw={onDraw}
            />
          ) : <div className="canvas-wrap"><p className="canvas-message muted">{total === 0 ? 'No image here.' : ''}</p></div>}
          {s.drawMode ? <div className="mode-hint">Drag to draw a box · Ctrl/Shift for a square · Esc cancels</div> : null}
          {picking ? (
            <ClassPicker
              classes={classes}
              colorOf={colorOf}
              initial={s.nextClass ?? lastClass.current}
              onPick={(name) => { addBox(picking, name); setPicking(null); }}
              onCancel={() => setPicking(null)}
            />
          ) : null}
        </div>
        {annotationError || current?.error ? <p className="canvas-error error-text">{annotationError ?? current?.error}</p> : null}
        {s.conflict && s.conflict.imageId === current?.id ? (
          <div className="canvas-error conflict-bar" role="alert" data-testid="save-conflict">
            <span className="error-text">This image was changed in another window or program since you started editing it.</span>
            <button type="button" className="button small" onClick={() => void s.resolveConflict('mine')}>Keep my version</button>
            <button type="button" className="button small" onClick={() => void s.resolveConflict('theirs')}>Load theirs</button>
          </div>
        ) : s.saveState === 'error' && s.saveError ? <p className="canvas-error error-text" data-testid="save-error">Could not save: {s.saveError}. Your edit is kept and retried.</p> : null}
      </section>
      <aside className="label-side">
        <ClassPanel project={project} selectedLabel={selBox?.label ?? null} colorOf={colorOf} onPick={pickClass} />

        <h3>Boxes {doc ? <span className="muted">({boxes.length})</span> : null}</h3>
        <ul className="box-list" data-testid="box-list">
          {boxes.map((b, i) => (
            <li key={i} className={i === selected ? 'active' : ''} onClick={() => s.setSelected(i)}>
              <span className="swatch" style={{ background: colorOf(b.label) }} />
              <span className="box-label">{b.label}{b.draft ? <span className="draft-tag"> draft</span> : null}</span>
              <span className="muted small">{Math.round(b.xmax - b.xmin)}×{Math.round(b.ymax - b.ymin)}</span>
            </li>
          ))}
        </ul>
        {selBox && selected !== null ? (
          <div className="box-attrs" data-testid="box-attrs">
            <label className="check"><input type="checkbox" checked={selBox.difficult} onChange={() => run('difficult', false)} /> difficult</label>
            <label className="check"><input type="checkbox" checked={selBox.truncated} onChange={() => run('truncated', false)} /> truncated</label>
            <button type="button" className="button small" onClick={() => run('duplicate', false)}><Copy size={12} /> Duplicate</button>
            <button type="button" className="button small danger" onClick={() => run('delete', false)}><Trash2 size={12} /> Delete</button>
          </div>
        ) : null}
        <label className="check verified-check" data-testid="verified">
          <input type="checkbox" checked={doc?.verified ?? false} disabled={!doc} onChange={() => run('verify', false)} /> Verified <span className="muted small">({k('verify')})</span>
        </label>
        <p className="muted small help-link">
          <button type="button" className="link-button" onClick={() => setHelp(true)}><HelpCircle size={12} /> All shortcuts (?)</button>
        </p>
      </aside>
      {help ? <HelpOverlay onClose={() => setHelp(false)} /> : null}
    </div>
  );
}
