/** The Label store's viewport slice: zoom and offset of the canvas, fit modes, display settings. */
import { fitView, keepInView, minUsefulScale, zoomAt } from './geometry';
import type { Slice, ViewportSlice } from './state';

export const createViewportSlice: Slice<ViewportSlice> = (set, get) => ({
  hideBoxes: false,
  showLabels: true,
  brightness: 1,
  keepZoom: false,
  view: null,
  fitMode: 'window',
  viewport: { width: 0, height: 0 },
  imageSize: null,

  setDisplay: (p) => set(p),
  setView: (view, fitMode = null) => set({ view, fitMode }),
  setViewport: (viewport) => {
    set({ viewport });
    const { fitMode, imageSize } = get();
    if (fitMode && imageSize && viewport.width > 0) set({ view: fitView(imageSize, viewport, fitMode) });
  },
  setImageSize: (imageSize) => {
    set({ imageSize });
    const { fitMode, viewport, view } = get();
    if (imageSize && viewport.width > 0 && (fitMode || !view)) set({ view: fitView(imageSize, viewport, fitMode ?? 'window'), fitMode: fitMode ?? 'window' });
  },
  fit: (mode) => {
    const { imageSize, viewport } = get();
    if (imageSize && viewport.width > 0) set({ view: fitView(imageSize, viewport, mode), fitMode: mode });
  },
  zoomBy: (factor, at) => {
    const { view, viewport, imageSize } = get();
    if (!view) return;
    const point = at ?? { x: viewport.width / 2, y: viewport.height / 2 };
    // zooming out stops at a quarter of "fit window": further out the image is only a dot
    const floor = imageSize ? minUsefulScale(imageSize, viewport) : 0;
    const f = view.scale * factor < floor ? Math.min(1, floor / view.scale) : factor;
    const next = zoomAt(view, point, f);
    set({ view: imageSize ? keepInView(next, imageSize, viewport) : next, fitMode: null });
  },
  panBy: (dx, dy) => {
    const { view, viewport, imageSize } = get();
    if (!view) return;
    const next = { scale: view.scale, x: view.x - dx, y: view.y - dy };
    set({ view: imageSize ? keepInView(next, imageSize, viewport) : next, fitMode: null });
  },
});
