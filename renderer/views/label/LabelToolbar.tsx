/** The Label view's two toolbars: image navigation with the save state, and the canvas tools. */
import {
  AlertTriangle, Check, ChevronLeft, ChevronRight, Copy, Eye, EyeOff, Keyboard, Loader2, Maximize, MoveHorizontal,
  Pencil, Redo2, Sun, Tag, Undo2, ZoomIn, ZoomOut,
} from 'lucide-react';
import { useLabel } from '../../store/label-store';
import { useLabelKeys } from '../../store/label-keys';
import { selectConflictHere, selectDrawing, selectHasDoc, selectZoomPercent } from '../../store/label/selectors';
import type { ActionId } from '../../store/label/keymap';

function SaveChip(): React.JSX.Element {
  const state = useLabel((s) => s.saveState);
  const error = useLabel((s) => s.saveError);
  const savedAt = useLabel((s) => s.savedAt);
  const conflict = useLabel(selectConflictHere);
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

/** Image name, position, previous/next, size and save state. */
export function NavBar({ onHelp }: { onHelp(): void }): React.JSX.Element {
  const keymap = useLabelKeys((k) => k.keymap);
  const currentId = useLabel((s) => s.current?.id ?? null);
  const currentIndex = useLabel((s) => s.currentIndex);
  const total = useLabel((s) => s.total);
  const width = useLabel((s) => s.annotation?.size?.width);
  const height = useLabel((s) => s.annotation?.size?.height);
  const { step } = useLabel.getState();
  const k = (a: ActionId): string => keymap[a][0] ?? '';
  return (
    <div className="canvas-toolbar">
      <button type="button" className="icon-button" aria-label={`Previous image (${k('prev')})`} title={`Previous image (${k('prev')})`} disabled={currentIndex <= 0} onClick={() => void step(-1)}>
        <ChevronLeft size={18} />
      </button>
      <span className="current-name" data-testid="current-image">{currentId ?? 'No image selected'}</span>
      <span className="muted small">{total > 0 ? `${currentIndex + 1} / ${total}` : ''}</span>
      <button type="button" className="icon-button" aria-label={`Next image (${k('next')})`} title={`Next image (${k('next')})`} disabled={currentIndex >= total - 1} onClick={() => void step(1)}>
        <ChevronRight size={18} />
      </button>
      <div className="topbar-spacer" />
      {width !== undefined && height !== undefined ? <span className="muted small">{width} × {height}px</span> : null}
      <SaveChip />
      <button type="button" className="icon-button" aria-label="Keyboard shortcuts (?)" title="Keyboard shortcuts (?)" onClick={onHelp}><Keyboard size={16} /></button>
    </div>
  );
}

/** Draw, undo/redo, copy previous, zoom and fit, display settings. */
export function ToolBar({ run }: { run(action: ActionId): void }): React.JSX.Element {
  const keymap = useLabelKeys((k) => k.keymap);
  const hasDoc = useLabel(selectHasDoc);
  const drawing = useLabel(selectDrawing);
  const canUndo = useLabel((s) => s.canUndo);
  const canRedo = useLabel((s) => s.canRedo);
  const first = useLabel((s) => s.currentIndex <= 0);
  const zoom = useLabel(selectZoomPercent);
  const fitMode = useLabel((s) => s.fitMode);
  const keepZoom = useLabel((s) => s.keepZoom);
  const hideBoxes = useLabel((s) => s.hideBoxes);
  const showLabels = useLabel((s) => s.showLabels);
  const brightness = useLabel((s) => s.brightness);
  const { setDisplay } = useLabel.getState();
  const k = (a: ActionId): string => keymap[a][0] ?? '';
  const tip = (text: string, a: ActionId): { 'aria-label': string; title: string } => ({ 'aria-label': `${text} (${k(a)})`, title: `${text} (${k(a)})` });
  return (
    <div className="canvas-toolbar tools" role="toolbar" aria-label="Canvas tools">
      <button type="button" className={`icon-button${drawing ? ' on' : ''}`} {...tip('Draw a box', 'draw')} aria-pressed={drawing} disabled={!hasDoc} onClick={() => run('draw')}>
        <Pencil size={16} />
      </button>
      <button type="button" className="icon-button" {...tip('Undo', 'undo')} disabled={!canUndo} onClick={() => run('undo')}><Undo2 size={16} /></button>
      <button type="button" className="icon-button" {...tip('Redo', 'redo')} disabled={!canRedo} onClick={() => run('redo')}><Redo2 size={16} /></button>
      <button type="button" className="icon-button" {...tip("Copy the previous image's boxes", 'copyPrevious')} disabled={!hasDoc || first} onClick={() => run('copyPrevious')}><Copy size={16} /></button>
      <span className="tool-sep" />
      <button type="button" className="icon-button" {...tip('Zoom out', 'zoomOut')} onClick={() => run('zoomOut')}><ZoomOut size={16} /></button>
      <span className="zoom-readout small" data-testid="zoom">{zoom !== null ? `${zoom}%` : ''}</span>
      <button type="button" className="icon-button" {...tip('Zoom in', 'zoomIn')} onClick={() => run('zoomIn')}><ZoomIn size={16} /></button>
      <button type="button" className={`icon-button${fitMode === 'window' ? ' on' : ''}`} {...tip('Fit window', 'zoomFit')} onClick={() => run('zoomFit')}><Maximize size={16} /></button>
      <button type="button" className={`icon-button${fitMode === 'width' ? ' on' : ''}`} {...tip('Fit width', 'fitWidth')} onClick={() => run('fitWidth')}><MoveHorizontal size={16} /></button>
      <label className="check small" title="Keep the zoom and position when changing images">
        <input type="checkbox" checked={keepZoom} onChange={(e) => setDisplay({ keepZoom: e.target.checked })} /> keep zoom
      </label>
      <span className="tool-sep" />
      <button type="button" className="icon-button" {...tip(`${hideBoxes ? 'Show' : 'Hide'} all boxes`, 'toggleHide')} onClick={() => run('toggleHide')}>
        {hideBoxes ? <EyeOff size={16} /> : <Eye size={16} />}
      </button>
      <button type="button" className={`icon-button${showLabels ? ' on' : ''}`} {...tip('Show labels on boxes', 'toggleLabels')} aria-pressed={showLabels} onClick={() => run('toggleLabels')}><Tag size={16} /></button>
      <label className="brightness small" title="Brightness (display only)">
        <Sun size={14} />
        <input type="range" aria-label="Brightness" min={0.4} max={3} step={0.1} value={brightness} onChange={(e) => setDisplay({ brightness: Number(e.target.value) })} onDoubleClick={() => setDisplay({ brightness: 1 })} />
      </label>
    </div>
  );
}
