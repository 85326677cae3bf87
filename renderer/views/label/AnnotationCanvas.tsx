/**
 * The Label canvas (react-konva). Three layers: the image (not listening, brightness as a CSS
 * filter on its canvas), the unselected boxes (memoised: they re-render only when their own box,
 * the zoom or the label setting changes) and an active layer with the selected box, its
 * Transformer (8 handles) and the rectangle being drawn. Dragging, resizing, drawing and panning
 * move Konva nodes directly; the store gets one command at the end (one undo step) — React does
 * not re-render on mousemove and the layer of 500 boxes is not redrawn while one box moves.
 * What the pointer is doing (and whether Space is held) is the store's interaction state machine
 * (store/label/interaction.ts): this component feeds it pointer events and acts on its state.
 */
import { memo, useEffect, useLayoutEffect, useRef, useState } from 'react';
import type Konva from 'konva';
import { Image as KonvaImage, Layer, Rect, Stage, Text, Transformer, Group } from 'react-konva';
import type { BoxAnnotation } from '../../../shared/api';
import { useLabel } from '../../store/label-store';
import { selectBoxes, selectDrawing, selectSelectedIndex, selectSpaceHeld } from '../../store/label/selectors';
import { clampPosition, clampRect, dragRect, MIN_BOX, type Rect as R, type Size } from '../../store/label/geometry';
import { useRenderCount } from '../../lib/render-count';

interface Props {
  src: string;
  /** Colour of a class (picked, named or palette; grey for a model class not in the project). */
  colorOf(name: string): string;
  /** A box was drawn (the interaction is back to idle). */
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

interface BoxProps { box: BoxAnnotation; color: string; scale: number; showLabel: boolean }

/** One unselected box: outline, translucent fill and (optionally) its class name. */
const BoxShape = memo(function BoxShape({ box, color, scale, showLabel }: BoxProps): React.JSX.Element {
  const w = box.xmax - box.xmin;
  const h = box.ymax - box.ymin;
  const tag = box.label + (box.track !== undefined ? ` #${box.track}` : '') + (box.draft ? ' · draft' : '') + (box.difficult ? ' · difficult' : '') + (box.truncated ? ' · truncated' : '');
  return (
    <>
      <Rect
        x={box.xmin} y={box.ymin} width={w} height={h}
        stroke={color} strokeWidth={2} strokeScaleEnabled={false} fill={box.draft ? `${color}0a` : `${color}1f`}
        dash={box.draft ? [10, 5] : box.difficult ? [6, 4] : undefined} perfectDrawEnabled={false} shadowForStrokeEnabled={false}
        boxId={box.key}
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

export function AnnotationCanvas({ src, colorOf, onDraw }: Props): React.JSX.Element {
  useRenderCount('label.canvas');
  const wrap = useRef<HTMLDivElement>(null);
  const size = useSize(wrap);
  const { image, error } = useHtmlImage(src);
  const view = useLabel((s) => s.view);
  const drawMode = useLabel(selectDrawing);
  const spaceHeld = useLabel(selectSpaceHeld);
  const mode = useLabel((s) => s.interaction.gesture.mode);
  const hideBoxes = useLabel((s) => s.hideBoxes);
  const showLabels = useLabel((s) => s.showLabels);
  const brightness = useLabel((s) => s.brightness);
  const boxes = useLabel(selectBoxes);
  const selected = useLabel(selectSelectedIndex);
  const { setViewport, setImageSize, setView, zoomBy, panBy, interact, setSelected } = useLabel.getState();

  const stageRef = useRef<Konva.Stage>(null);
  const imageLayerRef = useRef<Konva.Layer>(null);
  const selRef = useRef<Konva.Rect>(null);
  const selLabelRef = useRef<Konva.Group>(null);
  const trRef = useRef<Konva.Transformer>(null);
  const previewRef = useRef<Konva.Rect>(null);
  const pendingDrag = useRef(false);

  useEffect(() => { if (size.width > 0) setViewport(size); }, [size, setViewport]);
  useEffect(() => { setImageSize(image ? { width: image.naturalWidth, height: image.naturalHeight } : null); }, [image, setImageSize]);
  useEffect(() => {
    const canvas = imageLayerRef.current?.getNativeCanvasElement();
    if (canvas) canvas.style.filter = brightness === 1 ? '' : `brightness(${brightness})`;
  }, [brightness, image, size.width]);

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

  /** Follows a pan or a drawn rectangle with the pointer until the button is released (anywhere). */
  const followPointer = (): void => {
    const move = (evt: MouseEvent): void => {
      const stage = stageRef.current;
      if (!stage) return;
      stage.setPointersPositions(evt);
      const g = useLabel.getState().interaction.gesture;
      if (g.mode === 'pan') {
        const p = stage.getPointerPosition();
        if (!p) return;
        interact({ type: 'pointerMove', screen: p });
        stage.position({ x: g.stage.x + p.x - g.origin.x, y: g.stage.y + p.y - g.origin.y });
        stage.batchDraw();
      } else if (g.mode === 'draw' && g.from && imageSize) {
        const p = stage.getRelativePointerPosition();
        if (p) previewRef.current?.setAttrs({ ...dragRect(g.from.x, g.from.y, p.x, p.y, imageSize, evt.ctrlKey || evt.shiftKey), visible: true });
        previewRef.current?.getLayer()?.batchDraw();
      }
    };
    const up = (evt: MouseEvent): void => {
      window.removeEventListener('mousemove', move);
      window.removeEventListener('mouseup', up);
      const stage = stageRef.current;
      const g = interact({ type: 'pointerUp' }).gesture;
      if (!stage) return;
      if (g.mode === 'pan') {
        if (g.moved) setView({ scale: stage.scaleX(), x: stage.x(), y: stage.y() });
        else if (g.emptyClick) setSelected(null);
        return;
      }
      if (g.mode !== 'draw' || !g.from || !imageSize) return;
      const preview = previewRef.current;
      preview?.visible(false);
      preview?.getLayer()?.batchDraw();
      stage.setPointersPositions(evt);
      const p = stage.getRelativePointerPosition();
      const square = evt.ctrlKey || evt.shiftKey;
      const r = p ? dragRect(g.from.x, g.from.y, p.x, p.y, imageSize, square) : null;
      if (r && r.width >= MIN_BOX && r.height >= MIN_BOX) onDraw(r, square);
      else interact({ type: 'arm' }); // a click, not a box: still drawing
    };
    window.addEventListener('mousemove', move);
    window.addEventListener('mouseup', up);
  };

  const onMouseDown = (e: Konva.KonvaEventObject<MouseEvent>): void => {
    const stage = stageRef.current;
    if (!stage || !imageSize) return;
    const screen = stage.getPointerPosition();
    const p = stage.getRelativePointerPosition();
    if (!screen || !p) return;
    const node = e.target as Konva.Node;
    const boxId: unknown = node.getAttr('boxId');
    const target = typeof boxId === 'string' ? 'box' : node === selRef.current ? 'selected' : node.getParent() === trRef.current ? 'handle' : 'empty';
    const image = { x: Math.min(imageSize.width, Math.max(0, p.x)), y: Math.min(imageSize.height, Math.max(0, p.y)) };
    interact({ type: 'pointerDown', button: e.evt.button, target, screen, image, stage: { x: stage.x(), y: stage.y() } });
    const g = useLabel.getState().interaction.gesture;
    if (g.mode === 'pan' || (g.mode === 'draw' && g.from)) {
      if (g.mode === 'draw') previewRef.current?.setAttrs({ x: image.x, y: image.y, width: 0, height: 0, visible: true });
      followPointer();
    } else if (target === 'box' && e.evt.button === 0 && typeof boxId === 'string') {
      // select it, and keep dragging it (the selected box is its own node, made on render)
      pendingDrag.current = true;
      setSelected(boxId);
    }
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

  // Dragging and resizing the selected box: one gesture each, one undo step (history mark).
  const gestureStart = (type: 'dragStart' | 'resizeStart'): void => {
    if (!selBox?.key) return;
    interact({ type, id: selBox.key });
    const g = useLabel.getState().interaction.gesture;
    // refused (Space held, or a pan is on): the box stays where it is
    if ((g.mode !== 'drag' && g.mode !== 'resize') || g.id !== selBox.key) { selRef.current?.stopDrag(); return; }
    useLabel.getState().beginGesture();
  };
  const gestureEnd = (r: R): void => {
    const before = interact({ type: 'gestureEnd' }).gesture;
    if (before.mode !== 'drag' && before.mode !== 'resize') return; // refused at its start (Space held)
    const st = useLabel.getState();
    st.moveBox(before.id, r);
    st.endGesture();
  };
  const onSelDragMove = (): void => {
    const n = selRef.current;
    if (!n || !imageSize) return;
    n.position(clampPosition(n.x(), n.y(), n.width(), n.height(), imageSize));
    selLabelRef.current?.position(n.position());
  };
  const onSelDragEnd = (): void => {
    const n = selRef.current;
    if (!n || !selBox) return;
    gestureEnd({ x: n.x(), y: n.y(), width: n.width(), height: n.height() });
  };
  const onSelTransform = (): void => {
    const n = selRef.current;
    if (n) selLabelRef.current?.position(n.position());
  };
  const onSelTransformEnd = (): void => {
    const n = selRef.current;
    if (!n || !selBox || !imageSize) return;
    const r = clampRect({ x: n.x(), y: n.y(), width: n.width() * n.scaleX(), height: n.height() * n.scaleY() }, imageSize);
    n.setAttrs({ scaleX: 1, scaleY: 1, ...r });
    gestureEnd(r);
  };

  const cursor = spaceHeld ? 'grab' : drawMode ? 'crosshair' : 'default';
  const selColor = selBox ? colorOf(selBox.label) : '#fff';
  const selTag = selBox ? selBox.label + (selBox.difficult ? ' · difficult' : '') + (selBox.truncated ? ' · truncated' : '') : '';
  return (
    <div
      ref={wrap}
      className={`canvas-wrap${drawMode ? ' drawing' : ''}`}
      data-testid="annotation-canvas"
      data-boxes={boxes.length}
      data-selected={selected ?? ''}
      data-selected-id={selBox?.key ?? ''}
      data-mode={mode}
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
              <BoxShape key={b.key ?? i} box={b} color={colorOf(b.label)} scale={scale} showLabel={showLabels} />
            )))}
          </Layer>
          <Layer>
            {selBox && !hideBoxes ? (
              <>
                <Rect
                  ref={selRef}
                  x={selBox.xmin} y={selBox.ymin} width={selBox.xmax - selBox.xmin} height={selBox.ymax - selBox.ymin}
                  stroke={selColor} strokeWidth={2} strokeScaleEnabled={false} fill={`${selColor}40`}
                  dash={selBox.draft ? [10, 5] : selBox.difficult ? [6, 4] : undefined}
                  draggable={!drawMode} listening={!drawMode}
                  onDragStart={() => gestureStart('dragStart')} onDragMove={onSelDragMove} onDragEnd={onSelDragEnd}
                  onTransformStart={() => gestureStart('resizeStart')} onTransform={onSelTransform} onTransformEnd={onSelTransformEnd}
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
