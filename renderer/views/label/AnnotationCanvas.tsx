/**
 * The Label canvas (react-konva). Three layers: the image (not listening, brightness as a CSS
 * filter on its canvas), the unselected boxes (memoised: they re-render only when their own box,
 * the zoom or the label setting changes) and an active layer with the selected box, its
 * Transformer (8 handles) and the rectangle being drawn. Dragging, resizing, drawing and panning
 * move Konva nodes directly; the store gets one commit at the end (one undo step) — React does
 * not re-render on mousemove and the layer of 500 boxes is not redrawn while one box moves.
 */
import { memo, useCallback, useEffect, useLayoutEffect, useRef, useState } from 'react';
import type Konva from 'konva';
import { Image as KonvaImage, Layer, Rect, Stage, Text, Transformer, Group } from 'react-konva';
import type { BoxAnnotation } from '../../../shared/api';
import { useLabel } from '../../store/label-store';
import { clampPosition, clampRect, dragRect, MIN_BOX, withRect, type Rect as R, type Size } from './geometry';

interface Props {
  src: string;
  boxes: BoxAnnotation[];
  /** Colour of a class (picked, named or palette; grey for a model class not in the project). */
  colorOf(name: string): string;
  selected: number | null;
  onSelect(i: number | null): void;
  onChangeBox(i: number, box: BoxAnnotation): void;
  onDraw(rect: R, square: boolean): void;
}

function useSize(ref: React.RefObject<HTMLDivElement | null>): Size {
  const [size, setSize] = useState({ width: 0, height: 0 });
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const ro = new ResizeObserver(([e]) => e && setSize({ width: Math.floor(e.contentRect.width), height: Math.floor(e.contentRect.height) }));
    ro.observe(el);
    return () => ro.disconnect();
  }, [ref]);
  return size;
}

function useHtmlImage(src: string): { image: HTMLImageElement | null; error: string | null } {
  const [state, setState] = useState<{ image: HTMLImageElement | null; error: string | null }>({ image: null, error: null });
  useEffect(() => {
    let live = true;
    const img = new window.Image();
    img.onload = () => live && setState({ image: img, error: null });
    img.onerror = () => live && setState({ image: null, error: 'the image could not be decoded' });
    setState({ image: null, error: null });
    img.src = src;
    return () => { live = false; };
  }, [src]);
  return state;
}

const labelWidth = (text: string): number => text.length * 7 + 10;

interface BoxProps { box: BoxAnnotation; index: number; color: string; scale: number; showLabel: boolean }

/** One unselected box: outline, translucent fill and (optionally) its class name. */
const BoxShape = memo(function BoxShape({ box, index, color, scale, showLabel }: BoxProps): React.JSX.Element {
  const w = box.xmax - box.xmin;
  const h = box.ymax - box.ymin;
  const tag = box.label + (box.draft ? ' · draft' : '') + (box.difficult ? ' · difficult' : '') + (box.truncated ? ' · truncated' : '');
  return (
    <>
      <Rect
        x={box.xmin} y={box.ymin} width={w} height={h}
        stroke={color} strokeWidth={2} strokeScaleEnabled={false} fill={box.draft ? `${color}0a` : `${color}1f`}
        dash={box.draft ? [10, 5] : box.difficult ? [6, 4] : undefined} perfectDrawEnabled={false} shadowForStrokeEnabled={false}
        boxIndex={index}
      />
      {showLabel && w * scale >= 30 ? ( /* no tag on boxes too small on screen to carry one */
        <Group x={box.xmin} y={box.ymin} scaleX={1 / scale} scaleY={1 / scale} listening={false}>
          <Rect y={-17} width={labelWidth(tag)} height={17} fill={color} cornerRadius={[3, 3, 0, 0]} perfectDrawEnabled={false} />
          <Text x={5} y={-14} text={tag} fontSize={12} fontStyle="bold" fill="#111" perfectDrawEnabled={false} />
        </Group>
      ) : null}
    </>
  );
});

type Interaction =
  | { kind: 'pan'; sx: number; sy: number; x0: number; y0: number; moved: boolean; emptyClick: boolean }
  | { kind: 'draw'; x0: number; y0: number };

export function AnnotationCanvas({ src, boxes, colorOf, selected, onSelect, onChangeBox, onDraw }: Props): React.JSX.Element {
  const wrap = useRef<HTMLDivElement>(null);
  const size = useSize(wrap);
  const { image, error } = useHtmlImage(src);
  const view = useLabel((s) => s.view);
  const drawMode = useLabel((s) => s.drawMode);
  const hideBoxes = useLabel((s) => s.hideBoxes);
  const showLabels = useLabel((s) => s.showLabels);
  const brightness = useLabel((s) => s.brightness);
  const { setViewport, setImageSize, setView, zoomBy, panBy } = useLabel.getState();

  const stageRef = useRef<Konva.Stage>(null);
  const imageLayerRef = useRef<Konva.Layer>(null);
  const activeLayerRef = useRef<Konva.Layer>(null);
  const selRef = useRef<Konva.Rect>(null);
  const selLabelRef = useRef<Konva.Group>(null);
  const trRef = useRef<Konva.Transformer>(null);
  const previewRef = useRef<Konva.Rect>(null);
  const interaction = useRef<Interaction | null>(null);
  const spaceHeld = useRef(false);
  const pendingDrag = useRef(false);
  const [spaceCursor, setSpaceCursor] = useState(false);

  useEffect(() => { if (size.width > 0) setViewport(size); }, [size, setViewport]);
  useEffect(() => { setImageSize(image ? { width: image.naturalWidth, height: image.naturalHeight } : null); }, [image, setImageSize]);
  useEffect(() => {
    const canvas = imageLayerRef.current?.getNativeCanvasElement();
    if (canvas) canvas.style.filter = brightness === 1 ? '' : `brightness(${brightness})`;
  }, [brightness, image, size.width]);

  // Space held = pan mode (the view's key handler toggles "verified" on a Space tap).
  useEffect(() => {
    const down = (e: KeyboardEvent): void => { if (e.key === ' ' && !(e.target instanceof HTMLInputElement)) { spaceHeld.current = true; setSpaceCursor(true); } };
    const up = (e: KeyboardEvent): void => { if (e.key === ' ') { spaceHeld.current = false; setSpaceCursor(false); } };
    window.addEventListener('keydown', down);
    window.addEventListener('keyup', up);
    return () => { window.removeEventListener('keydown', down); window.removeEventListener('keyup', up); };
  }, []);

  const selBox = selected !== null ? boxes[selected] : undefined;
  useLayoutEffect(() => {
    const tr = trRef.current;
    if (!tr) return;
    tr.nodes(selRef.current && selBox ? [selRef.current] : []);
    tr.getLayer()?.batchDraw();
    if (pendingDrag.current && selRef.current) {
      pendingDrag.current = false;
      selRef.current.startDrag();
    }
  }, [selected, selBox]);

  const imageSize = image ? { width: image.naturalWidth, height: image.naturalHeight } : null;
  const scale = view?.scale ?? 1;

  const finish = useCallback((evt: MouseEvent): void => {
    const it = interaction.current;
    const stage = stageRef.current;
    interaction.current = null;
    if (!it || !stage) return;
    if (it.kind === 'pan') {
      if (it.moved) setView({ scale: stage.scaleX(), x: stage.x(), y: stage.y() });
      else if (it.emptyClick) onSelect(null);
      return;
    }
    const preview = previewRef.current;
    if (!preview || !imageSize) return;
    preview.visible(false);
    preview.getLayer()?.batchDraw();
    stage.setPointersPositions(evt);
    const p = stage.getRelativePointerPosition();
    if (!p) return;
    const square = evt.ctrlKey || evt.shiftKey;
    const r = dragRect(it.x0, it.y0, p.x, p.y, imageSize, square);
    if (r.width >= MIN_BOX && r.height >= MIN_BOX) onDraw(r, square);
  }, [imageSize, onDraw, onSelect, setView]);

  const move = useCallback((evt: MouseEvent): void => {
    const it = interaction.current;
    const stage = stageRef.current;
    if (!it || !stage) return;
    stage.setPointersPositions(evt);
    if (it.kind === 'pan') {
      const p = stage.getPointerPosition();
      if (!p) return;
      const dx = p.x - it.sx;
      const dy = p.y - it.sy;
      if (Math.abs(dx) + Math.abs(dy) > 2) it.moved = true;
      stage.position({ x: it.x0 + dx, y: it.y0 + dy });
      stage.batchDraw();
      return;
    }
    const p = stage.getRelativePointerPosition();
    const preview = previewRef.current;
    if (!p || !preview || !imageSize) return;
    preview.setAttrs({ ...dragRect(it.x0, it.y0, p.x, p.y, imageSize, evt.ctrlKey || evt.shiftKey), visible: true });
    preview.getLayer()?.batchDraw();
  }, [imageSize]);

  useEffect(() => {
    window.addEventListener('mousemove', move);
    window.addEventListener('mouseup', finish);
    return () => { window.removeEventListener('mousemove', move); window.removeEventListener('mouseup', finish); };
  }, [move, finish]);

  const onMouseDown = (e: Konva.KonvaEventObject<MouseEvent>): void => {
    const stage = stageRef.current;
    if (!stage || !imageSize) return;
    const evt = e.evt;
    if (evt.button === 1 || (evt.button === 0 && spaceHeld.current)) {
      interaction.current = { kind: 'pan', sx: evt.clientX - stage.container().getBoundingClientRect().left, sy: evt.clientY - stage.container().getBoundingClientRect().top, x0: stage.x(), y0: stage.y(), moved: false, emptyClick: false };
      const p = stage.getPointerPosition();
      if (p && interaction.current.kind === 'pan') { interaction.current.sx = p.x; interaction.current.sy = p.y; }
      if (spaceHeld.current) window.dispatchEvent(new CustomEvent('detecta-label-panned'));
      return;
    }
    if (evt.button !== 0) return;
    if (drawMode) {
      const p = stage.getRelativePointerPosition();
      if (!p) return;
      const x0 = Math.min(imageSize.width, Math.max(0, p.x));
      const y0 = Math.min(imageSize.height, Math.max(0, p.y));
      interaction.current = { kind: 'draw', x0, y0 };
      previewRef.current?.setAttrs({ x: x0, y: y0, width: 0, height: 0, visible: true });
      return;
    }
    const idx: unknown = (e.target as Konva.Node).getAttr('boxIndex');
    if (typeof idx === 'number') {
      pendingDrag.current = true;
      onSelect(idx);
      return;
    }
    if (e.target === selRef.current || e.target.getParent() === trRef.current) return;
    const p = stage.getPointerPosition();
    if (!p) return;
    interaction.current = { kind: 'pan', sx: p.x, sy: p.y, x0: stage.x(), y0: stage.y(), moved: false, emptyClick: true };
  };

  const onWheel = (e: Konva.KonvaEventObject<WheelEvent>): void => {
    e.evt.preventDefault();
    const stage = stageRef.current;
    if (!stage || !view) return;
    // LabelImg and CVAT habit: the wheel zooms at the cursor (Ctrl or not); Shift+wheel scrolls
    // sideways and Alt+wheel up and down. The image always stays in view.
    if (e.evt.shiftKey) panBy(e.evt.deltaY || e.evt.deltaX, 0);
    else if (e.evt.altKey) panBy(e.evt.deltaX, e.evt.deltaY);
    else zoomBy(Math.pow(1.0015, -e.evt.deltaY), stage.getPointerPosition() ?? undefined);
  };

  const onSelDragMove = (): void => {
    const n = selRef.current;
    if (!n || !imageSize) return;
    n.position(clampPosition(n.x(), n.y(), n.width(), n.height(), imageSize));
    selLabelRef.current?.position(n.position());
  };
  const onSelDragStart = (): void => {
    if (spaceHeld.current) selRef.current?.stopDrag();
  };
  const onSelDragEnd = (): void => {
    const n = selRef.current;
    if (!n || !selBox || selected === null) return;
    onChangeBox(selected, withRect(selBox, { x: n.x(), y: n.y(), width: n.width(), height: n.height() }, imageSize));
  };
  const onSelTransform = (): void => {
    const n = selRef.current;
    if (n) selLabelRef.current?.position(n.position());
  };
  const onSelTransformEnd = (): void => {
    const n = selRef.current;
    if (!n || !selBox || selected === null || !imageSize) return;
    const r = clampRect({ x: n.x(), y: n.y(), width: n.width() * n.scaleX(), height: n.height() * n.scaleY() }, imageSize);
    n.setAttrs({ scaleX: 1, scaleY: 1, ...r });
    onChangeBox(selected, withRect(selBox, r, null));
  };

  const cursor = spaceCursor ? 'grab' : drawMode ? 'crosshair' : 'default';
  const selColor = selBox ? colorOf(selBox.label) : '#fff';
  const selTag = selBox ? selBox.label + (selBox.difficult ? ' · difficult' : '') + (selBox.truncated ? ' · truncated' : '') : '';
  return (
    <div
      ref={wrap}
      className={`canvas-wrap${drawMode ? ' drawing' : ''}`}
      data-testid="annotation-canvas"
      data-boxes={boxes.length}
      data-selected={selected ?? ''}
      data-view={view && image ? `${view.scale},${view.x},${view.y}` : ''}
      style={{ cursor }}
    >
      {error ? <p className="canvas-message error-text">{error}</p> : null}
      {!image && !error ? <p className="canvas-message muted">Loading image…</p> : null}
      {image && size.width > 0 && view ? (
        <Stage ref={stageRef} width={size.width} height={size.height} x={view.x} y={view.y} scaleX={view.scale} scaleY={view.scale} onMouseDown={onMouseDown} onWheel={onWheel}>
          <Layer ref={imageLayerRef} listening={false} imageSmoothingEnabled={scale < 2}>
            <KonvaImage image={image} width={image.naturalWidth} height={image.naturalHeight} />
          </Layer>
          <Layer listening={!drawMode} visible={!hideBoxes}>
            {boxes.map((b, i) => (i === selected ? null : (
              <BoxShape key={i} box={b} index={i} color={colorOf(b.label)} scale={scale} showLabel={showLabels} />
            )))}
          </Layer>
          <Layer ref={activeLayerRef}>
            {selBox && !hideBoxes ? (
              <>
                <Rect
                  ref={selRef}
                  x={selBox.xmin} y={selBox.ymin} width={selBox.xmax - selBox.xmin} height={selBox.ymax - selBox.ymin}
                  stroke={selColor} strokeWidth={2} strokeScaleEnabled={false} fill={`${selColor}40`}
                  dash={selBox.draft ? [10, 5] : selBox.difficult ? [6, 4] : undefined}
                  draggable={!drawMode} listening={!drawMode}
                  onDragStart={onSelDragStart} onDragMove={onSelDragMove} onDragEnd={onSelDragEnd}
                  onTransform={onSelTransform} onTransformEnd={onSelTransformEnd}
                  onMouseEnter={() => { if (!drawMode && wrap.current) wrap.current.style.cursor = 'move'; }}
                  onMouseLeave={() => { if (wrap.current) wrap.current.style.cursor = cursor; }}
                />
                {showLabels ? (
                  <Group ref={selLabelRef} x={selBox.xmin} y={selBox.ymin} scaleX={1 / scale} scaleY={1 / scale} listening={false}>
                    <Rect y={-17} width={labelWidth(selTag)} height={17} fill={selColor} cornerRadius={[3, 3, 0, 0]} />
                    <Text x={5} y={-14} text={selTag} fontSize={12} fontStyle="bold" fill="#111" />
                  </Group>
                ) : null}
              </>
            ) : null}
            <Transformer
              ref={trRef}
              rotateEnabled={false}
              flipEnabled={false}
              keepRatio={false}
              ignoreStroke
              anchorSize={9}
              anchorCornerRadius={2}
              anchorStroke="#ffffff"
              anchorFill={selColor}
              borderStroke="#ffffff"
              borderDash={[4, 3]}
              boundBoxFunc={(oldBox, newBox) => (Math.abs(newBox.width) < MIN_BOX * scale || Math.abs(newBox.height) < MIN_BOX * scale ? oldBox : newBox)}
            />
            <Rect ref={previewRef} visible={false} stroke="#ffffff" strokeWidth={1.5} strokeScaleEnabled={false} dash={[6, 4]} fill="#ffffff22" listening={false} />
          </Layer>
        </Stage>
      ) : null}
    </div>
  );
}
