/**
 * Procedural "photos" of toy bricks and shapes on varied backgrounds, with exact bounding boxes.
 * Used for the sample project a newcomer can label, train and detect on within minutes, and by
 * tests and benchmarks that need a detection dataset with known boxes. Pure TypeScript: draws
 * into an RGB byte array (row-major, 3 bytes per pixel); encoding to JPEG happens on the Node side.
 *
 * Box convention: x1,y1,x2,y2 in pixels, x1/y1 inclusive, x2/y2 exclusive, so a box covers
 * columns x1..x2-1; every box is clipped to the image.
 */
import { createRng as createMlRng, type Rng as MlRng } from '../ml/random';

/** The seeded draws the scene needs, on top of the shared mulberry32 generator. */
interface Rng extends MlRng {
  range(min: number, max: number): number;
  /** Integer in [min, max] inclusive. */
  between(min: number, max: number): number;
  pick<T>(items: readonly T[]): T;
}

function createRng(seed: number): Rng {
  const base = createMlRng(seed);
  return {
    ...base,
    range: (min, max) => base.uniform(min, max),
    between: (min, max) => min + base.int(max - min + 1),
    pick: (items) => {
      if (items.length === 0) throw new Error('pick from an empty list');
      return items[base.int(items.length)] as (typeof items)[number];
    },
  };
}

export const SAMPLE_CLASSES = ['brick', 'ball', 'cone'] as const;
export type SampleClass = (typeof SAMPLE_CLASSES)[number];

export interface SceneBox {
  className: SampleClass;
  x1: number;
  y1: number;
  x2: number;
  y2: number;
}

export interface Scene {
  width: number;
  height: number;
  /** RGB bytes, length width*height*3. */
  rgb: Uint8Array;
  boxes: SceneBox[];
}

export interface SceneOptions {
  width?: number;
  height?: number;
  /** Objects per image, inclusive range. */
  minObjects?: number;
  maxObjects?: number;
  /** Smallest and largest object size as a fraction of the shorter image side. */
  minSize?: number;
  maxSize?: number;
  /** Restrict the classes drawn (default: all three). */
  classes?: readonly SampleClass[];
}

type Rgb = [number, number, number];

const PALETTE: Rgb[] = [
  [201, 26, 9], [0, 85, 191], [242, 205, 55], [35, 120, 65], [254, 138, 24],
  [160, 188, 172], [129, 0, 123], [255, 255, 255], [27, 42, 52], [146, 57, 120],
];

class Canvas {
  readonly rgb: Uint8Array;
  constructor(readonly width: number, readonly height: number) {
    this.rgb = new Uint8Array(width * height * 3);
  }
  /** Blends colour c with coverage a (0..1) into pixel (x, y). */
  blend(x: number, y: number, c: Rgb, a: number): void {
    if (a <= 0 || x < 0 || y < 0 || x >= this.width || y >= this.height) return;
    const i = (y * this.width + x) * 3;
    const k = Math.min(1, a);
    for (let ch = 0; ch < 3; ch++) {
      const cur = this.rgb[i + ch] as number;
      this.rgb[i + ch] = Math.round(cur + ((c[ch] as number) - cur) * k);
    }
  }
}

const clamp = (v: number, lo: number, hi: number): number => Math.max(lo, Math.min(hi, v));
const shade = (c: Rgb, f: number): Rgb => [clamp(c[0] * f, 0, 255), clamp(c[1] * f, 0, 255), clamp(c[2] * f, 0, 255)];
const mix = (a: Rgb, b: Rgb, t: number): Rgb => [a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t, a[2] + (b[2] - a[2]) * t];

function drawBackground(cv: Canvas, rng: Rng): void {
  const kind = rng.between(0, 3);
  const base: Rgb = [rng.between(60, 230), rng.between(60, 230), rng.between(60, 230)];
  const other: Rgb = [rng.between(30, 250), rng.between(30, 250), rng.between(30, 250)];
  const angle = rng.range(0, Math.PI);
  const period = rng.range(8, 40);
  const cx = Math.cos(angle);
  const sy = Math.sin(angle);
  for (let y = 0; y < cv.height; y++) {
    for (let x = 0; x < cv.width; x++) {
      let c: Rgb;
      if (kind === 0) {
        c = mix(base, other, (x * cx + y * sy) / (cv.width + cv.height) + 0.5); // gradient
      } else if (kind === 1) {
        const s = Math.sin((x * cx + y * sy) / period + Math.sin(y / 23) * 2); // wood-like stripes
        c = mix(base, shade(base, 0.75), (s + 1) / 2);
      } else if (kind === 2) {
        const tile = (Math.floor(x / (period * 2)) + Math.floor(y / (period * 2))) % 2; // floor tiles
        c = tile ? base : mix(base, other, 0.35);
      } else {
        c = base; // plain table
      }
      const i = (y * cv.width + x) * 3;
      cv.rgb[i] = c[0];
      cv.rgb[i + 1] = c[1];
      cv.rgb[i + 2] = c[2];
    }
  }
  // a soft vignette light, as a desk lamp would make
  const lx = rng.range(0, cv.width);
  const ly = rng.range(0, cv.height);
  const r2 = (cv.width * cv.width + cv.height * cv.height) / 2;
  for (let y = 0; y < cv.height; y++) {
    for (let x = 0; x < cv.width; x++) {
      const d = ((x - lx) ** 2 + (y - ly) ** 2) / r2;
      const f = 1.15 - 0.45 * Math.min(1, d);
      const i = (y * cv.width + x) * 3;
      for (let ch = 0; ch < 3; ch++) cv.rgb[i + ch] = clamp((cv.rgb[i + ch] as number) * f, 0, 255);
    }
  }
}

/** Anti-aliased filled ellipse; `colorAt` can shade by position. */
function fillEllipse(cv: Canvas, cx: number, cy: number, rx: number, ry: number, colorAt: (x: number, y: number) => Rgb): void {
  for (let y = Math.floor(cy - ry - 1); y <= Math.ceil(cy + ry + 1); y++) {
    for (let x = Math.floor(cx - rx - 1); x <= Math.ceil(cx + rx + 1); x++) {
      const dx = (x + 0.5 - cx) / rx;
      const dy = (y + 0.5 - cy) / ry;
      const d = Math.sqrt(dx * dx + dy * dy);
      const edge = (1 - d) * Math.min(rx, ry);
      cv.blend(x, y, colorAt(x, y), clamp(edge + 0.5, 0, 1));
    }
  }
}

function fillRect(cv: Canvas, x1: number, y1: number, x2: number, y2: number, c: Rgb): void {
  for (let y = Math.floor(y1); y < Math.ceil(y2); y++) {
    for (let x = Math.floor(x1); x < Math.ceil(x2); x++) {
      const cov = (Math.min(x + 1, x2) - Math.max(x, x1)) * (Math.min(y + 1, y2) - Math.max(y, y1));
      cv.blend(x, y, c, cov);
    }
  }
}

function shadow(cv: Canvas, x1: number, y1: number, x2: number, y2: number): void {
  const off = Math.max(2, (x2 - x1) * 0.06);
  fillEllipse(cv, (x1 + x2) / 2 + off, y2 - (y2 - y1) * 0.05 + off * 0.3, (x2 - x1) * 0.55, (y2 - y1) * 0.12, () => [0, 0, 0]);
}

/** A toy brick seen from the front: body, top face and a row of studs. */
function drawBrick(cv: Canvas, x: number, y: number, w: number, h: number, c: Rgb, rng: Rng): SceneBox {
  const studs = rng.between(2, 4);
  const studH = h * 0.18;
  const body = { x1: x, y1: y + studH, x2: x + w, y2: y + h };
  shadow(cv, body.x1, body.y1, body.x2, body.y2);
  fillRect(cv, body.x1, body.y1, body.x2, body.y2, shade(c, 0.85));
  fillRect(cv, body.x1, body.y1, body.x2, body.y1 + (h - studH) * 0.22, shade(c, 1.12));
  const gap = w / studs;
  for (let s = 0; s < studs; s++) {
    const sx = x + gap * (s + 0.2);
    fillRect(cv, sx, y, sx + gap * 0.6, y + studH + 1, shade(c, 1.0));
    fillRect(cv, sx, y, sx + gap * 0.6, y + studH * 0.35, shade(c, 1.25));
  }
  return { className: 'brick', x1: x, y1: y, x2: x + w, y2: y + h };
}

function drawBall(cv: Canvas, x: number, y: number, d: number, c: Rgb): SceneBox {
  const r = d / 2;
  const cx = x + r;
  const cy = y + r;
  shadow(cv, x, y, x + d, y + d);
  fillEllipse(cv, cx, cy, r, r, (px, py) => {
    const l = 1.3 - 0.6 * Math.hypot(px - (cx - r * 0.35), py - (cy - r * 0.35)) / d;
    return shade(c, l);
  });
  return { className: 'ball', x1: x, y1: y, x2: x + d, y2: y + d };
}

function drawCone(cv: Canvas, x: number, y: number, w: number, h: number, c: Rgb): SceneBox {
  shadow(cv, x, y, x + w, y + h);
  for (let py = Math.floor(y); py < Math.ceil(y + h); py++) {
    const t = (py + 0.5 - y) / h; // 0 at the tip, 1 at the base
    const half = (w / 2) * t;
    const left = x + w / 2 - half;
    const right = x + w / 2 + half;
    for (let px = Math.floor(left); px < Math.ceil(right); px++) {
      const cov = clamp(Math.min(px + 1, right) - Math.max(px, left), 0, 1);
      const band = Math.floor(t * 4) % 2 === 1 ? shade(c, 0.7) : c;
      cv.blend(px, py, shade(band, 1.1 - 0.3 * ((px - left) / Math.max(1, right - left))), cov);
    }
  }
  return { className: 'cone', x1: x, y1: y, x2: x + w, y2: y + h };
}

function iou(a: SceneBox, b: SceneBox): number {
  const iw = Math.max(0, Math.min(a.x2, b.x2) - Math.max(a.x1, b.x1));
  const ih = Math.max(0, Math.min(a.y2, b.y2) - Math.max(a.y1, b.y1));
  const inter = iw * ih;
  const area = (r: SceneBox): number => (r.x2 - r.x1) * (r.y2 - r.y1);
  return inter / (area(a) + area(b) - inter);
}

/** Adds sensor-like noise so the images are not perfectly flat (and JPEG-friendly). */
function addNoise(cv: Canvas, rng: Rng, sigma: number): void {
  for (let i = 0; i < cv.rgb.length; i++) {
    cv.rgb[i] = clamp(Math.round((cv.rgb[i] as number) + rng.normal() * sigma), 0, 255);
  }
}

/** Draws one scene. The same seed and options always give the same pixels and boxes. */
export function drawScene(seed: number, options: SceneOptions = {}): Scene {
  const width = options.width ?? 320;
  const height = options.height ?? 240;
  const classes = options.classes ?? SAMPLE_CLASSES;
  if (classes.length === 0) throw new Error('drawScene needs at least one class');
  const rng = createRng(seed);
  const cv = new Canvas(width, height);
  drawBackground(cv, rng);
  const short = Math.min(width, height);
  const count = rng.between(options.minObjects ?? 1, options.maxObjects ?? 4);
  const boxes: SceneBox[] = [];
  for (let n = 0, tries = 0; n < count && tries < 50; tries++) {
    const cls = rng.pick(classes);
    const size = short * rng.range(options.minSize ?? 0.18, options.maxSize ?? 0.45);
    const w = cls === 'brick' ? size * rng.range(1.1, 1.7) : cls === 'cone' ? size * rng.range(0.6, 0.9) : size;
    const h = cls === 'brick' ? size * rng.range(0.55, 0.8) : size;
    const x = Math.round(rng.range(2, Math.max(3, width - w - 2)));
    const y = Math.round(rng.range(2, Math.max(3, height - h - 2)));
    const candidate: SceneBox = { className: cls, x1: x, y1: y, x2: x + w, y2: y + h };
    if (boxes.some((b) => iou(b, candidate) > 0.1)) continue; // keep objects mostly apart
    const colour = rng.pick(PALETTE);
    const drawn =
      cls === 'brick' ? drawBrick(cv, x, y, w, h, colour, rng) : cls === 'ball' ? drawBall(cv, x, y, w, colour) : drawCone(cv, x, y, w, h, colour);
    boxes.push(drawn);
    n++;
  }
  addNoise(cv, rng, rng.range(2, 7));
  return {
    width,
    height,
    rgb: cv.rgb,
    boxes: boxes.map((b) => ({
      className: b.className,
      x1: clamp(Math.floor(b.x1), 0, width),
      y1: clamp(Math.floor(b.y1), 0, height),
      x2: clamp(Math.ceil(b.x2), 0, width),
      y2: clamp(Math.ceil(b.y2), 0, height),
    })),
  };
}
