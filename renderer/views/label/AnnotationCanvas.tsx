import { useEffect, useRef, useState } from 'react';
import { Group, Image as KonvaImage, Layer, Rect, Stage, Text } from 'react-konva';
import type { BoxAnnotation } from '../../../shared/api';
import { classColor } from './class-colors';

interface Props {
  src: string;
  boxes: BoxAnnotation[];
  classes: string[];
}

function useSize(ref: React.RefObject<HTMLDivElement | null>): { width: number; height: number } {
  const [size, setSize] = useState({ width: 0, height: 0 });
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const ro = new ResizeObserver(([e]) => e && setSize({ width: e.contentRect.width, height: e.contentRect.height }));
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

/** The image fitted into the view with its boxes, coloured per class and labeled. */
export function AnnotationCanvas({ src, boxes, classes }: Props): React.JSX.Element {
  const wrap = useRef<HTMLDivElement>(null);
  const { width, height } = useSize(wrap);
  const { image, error } = useHtmlImage(src);
  const iw = image?.naturalWidth ?? 1;
  const ih = image?.naturalHeight ?? 1;
  const scale = image ? Math.min((width - 32) / iw, (height - 32) / ih) : 1;
  const ox = (width - iw * scale) / 2;
  const oy = (height - ih * scale) / 2;
  return (
    <div ref={wrap} className="canvas-wrap" data-testid="annotation-canvas" data-boxes={boxes.length}>
      {error ? <p className="canvas-message error-text">{error}</p> : null}
      {!image && !error ? <p className="canvas-message muted">Loading image…</p> : null}
      {image && width > 0 ? (
        <Stage width={width} height={height}>
          <Layer>
            <Group x={ox} y={oy} scaleX={scale} scaleY={scale}>
              <KonvaImage image={image} width={iw} height={ih} />
              {boxes.map((b, i) => {
                const color = classColor(classes, b.label);
                return (
                  <Group key={b.key ?? `n${i}`}>
                    <Rect x={b.xmin} y={b.ymin} width={b.xmax - b.xmin} height={b.ymax - b.ymin} stroke={color} strokeWidth={2 / scale} fill={`${color}22`} dash={b.difficult ? [6 / scale, 4 / scale] : undefined} />
                    <Rect x={b.xmin} y={b.ymin - 18 / scale} width={(b.label.length * 7 + 10) / scale} height={18 / scale} fill={color} />
                    <Text x={b.xmin + 5 / scale} y={b.ymin - 15 / scale} text={b.label} fontSize={12 / scale} fill="#111" fontStyle="bold" />
                  </Group>
                );
              })}
            </Group>
          </Layer>
        </Stage>
      ) : null}
    </div>
  );
}
