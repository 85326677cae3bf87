/**
 * Raw model outputs → detections in original-image pixels, for each adapter decoder. Pure TS on
 * the Float32Arrays read back from the model once per frame, so threshold and class-filter
 * changes re-run only this step.
 */
import type { Detection } from '../detector/box';
import type { DetectorConfig } from '../detector/config';
import { decodeDetectorOutput } from '../detector/head-ops';
import { nmsPerClass, nonMaxSuppression, packDetections } from '../detector/nms';
import type { ImageTransform } from '../preprocess';
import type { AdapterMetadata } from './metadata';

export interface RawOutput {
  /** Output name as the model reports it (GraphModel node name, or 'output'). */
  name: string;
  shape: number[];
  data: Float32Array;
}

export interface FrameGeometry {
  /** Original pixels → input pixels. */
  transform: ImageTransform;
  imageSize: { width: number; height: number };
}

export interface PostprocessSettings {
  scoreThreshold: number;
  iouThreshold: number;
  /** Class ids to keep; null/undefined keeps all. */
  classes?: ReadonlySet<number> | null;
  maxDetections?: number;
}

function toOriginal(x1: number, y1: number, x2: number, y2: number, g: FrameGeometry): [number, number, number, number] | null {
  const t = g.transform;
  const { width, height } = g.imageSize;
  const clampX = (v: number) => Math.min(Math.max(v, 0), width);
  const clampY = (v: number) => Math.min(Math.max(v, 0), height);
  const a = clampX((x1 - t.offsetX) / t.scaleX);
  const b = clampY((y1 - t.offsetY) / t.scaleY);
  const c = clampX((x2 - t.offsetX) / t.scaleX);
  const d = clampY((y2 - t.offsetY) / t.scaleY);
  return c > a && d > b ? [a, b, c, d] : null;
}

function agnosticNms(dets: Detection[], iou: number, max: number): Detection[] {
  const { boxes, scores } = packDetections(dets);
  return Array.from(nonMaxSuppression(boxes, scores, { iouThreshold: iou, maxOutput: max }), (i) => dets[i]);
}

/** CenterNet-style [1, N, 6] rows x1,y1,x2,y2,score,classId in input pixels. */
export function decodeTopkBoxes(out: RawOutput, g: FrameGeometry, s: PostprocessSettings): Detection[] {
  const n = out.shape.length === 3 ? out.shape[1] : out.data.length / 6;
  if ((out.shape.at(-1) ?? 6) !== 6 || out.data.length < n * 6) throw new Error(`topk-boxes decoder: output "${out.name}" has shape [${out.shape.join(',')}], expected [1, N, 6]`);
  const dets: Detection[] = [];
  for (let i = 0; i < n; i++) {
    const o = i * 6;
    const score = out.data[o + 4];
    if (!(score >= s.scoreThreshold)) continue;
    const classId = Math.round(out.data[o + 5]);
    if (s.classes && !s.classes.has(classId)) continue;
    const box = toOriginal(out.data[o], out.data[o + 1], out.data[o + 2], out.data[o + 3], g);
    if (box) dets.push({ x1: box[0], y1: box[1], x2: box[2], y2: box[3], classId, score });
  }
  return nmsPerClass(dets, { iouThreshold: s.iouThreshold, maxOutput: s.maxDetections ?? 100 });
}

/**
 * NanoDet v0.x (GFL): per stride a score output [1, n², C] (sigmoid already applied) and a
 * distance output [1, n², 4·(regMax+1)] (logits of the distance bins of left, top, right, bottom).
 * Outputs are matched to strides by their cell count (inputSize/stride)².
 */
export function decodeGflGrid(outputs: RawOutput[], meta: AdapterMetadata, g: FrameGeometry, s: PostprocessSettings): Detection[] {
  if (meta.decoder.kind !== 'gfl-grid') throw new Error('decodeGflGrid: adapter decoder is not gfl-grid');
  const { strides, regMax, centerOffset, classAgnosticNms } = meta.decoder;
  const bins = regMax + 1;
  const C = meta.labels.length;
  const dets: Detection[] = [];
  const prob = new Float64Array(bins);
  for (const stride of strides) {
    const n = Math.round(meta.inputSize / stride);
    const cells = n * n;
    const cls = outputs.find((o) => o.data.length === cells * C && o.shape.at(-1) === C);
    const reg = outputs.find((o) => o.data.length === cells * 4 * bins && o.shape.at(-1) === 4 * bins);
    if (!cls || !reg) throw new Error(`gfl-grid decoder: no [1, ${cells}, ${C}] score and [1, ${cells}, ${4 * bins}] box outputs for stride ${stride} (got ${outputs.map((o) => `[${o.shape.join(',')}]`).join(' ')})`);
    for (let i = 0; i < cells; i++) {
      let best = -1;
      let score = s.scoreThreshold;
      for (let c = 0; c < C; c++) {
        const v = cls.data[i * C + c];
        if (v >= score && (!s.classes || s.classes.has(c))) { score = v; best = c; }
      }
      if (best < 0) continue;
      const cx = ((i % n) + centerOffset) * stride;
      const cy = (Math.floor(i / n) + centerOffset) * stride;
      const d = [0, 0, 0, 0];
      for (let side = 0; side < 4; side++) {
        const o = i * 4 * bins + side * bins;
        let max = -Infinity;
        for (let k = 0; k < bins; k++) max = Math.max(max, reg.data[o + k]);
        let sum = 0;
        for (let k = 0; k < bins; k++) { prob[k] = Math.exp(reg.data[o + k] - max); sum += prob[k]; }
        let e = 0;
        for (let k = 0; k < bins; k++) e += (k * prob[k]) / sum;
        d[side] = e * stride;
      }
      const box = toOriginal(cx - d[0], cy - d[1], cx + d[2], cy + d[3], g);
      if (box) dets.push({ x1: box[0], y1: box[1], x2: box[2], y2: box[3], classId: best, score });
    }
  }
  const max = s.maxDetections ?? 100;
  return classAgnosticNms ? agnosticNms(dets, s.iouThreshold, max) : nmsPerClass(dets, { iouThreshold: s.iouThreshold, maxOutput: max });
}

/** A Detecta detector's one output (YOLOv2 grid or anchor-free points), decoded with the model's own config (its metadata). */
export function decodeDetectaOutput(out: RawOutput, detector: DetectorConfig, g: FrameGeometry, s: PostprocessSettings): Detection[] {
  const dets = decodeDetectorOutput(out.data, detector, { scoreThreshold: s.scoreThreshold, transform: g.transform, imageSize: g.imageSize });
  const kept = s.classes ? dets.filter((d) => s.classes!.has(d.classId)) : dets;
  return nmsPerClass(kept, { iouThreshold: s.iouThreshold, maxOutput: s.maxDetections ?? 100 });
}

/** Dispatches on the adapter's decoder. `detector` (the model's detectaDetector metadata) is required for detecta-yolo models. */
export function decodeOutputs(meta: AdapterMetadata, outputs: RawOutput[], g: FrameGeometry, s: PostprocessSettings, detector?: DetectorConfig): Detection[] {
  const d = meta.decoder;
  switch (d.kind) {
    case 'detecta-yolo': {
      if (!detector) throw new Error('detecta-yolo decoder needs the model config (detectaDetector metadata)');
      if (outputs.length !== 1) throw new Error(`detecta-yolo decoder: expected one output, got ${outputs.length}`);
      return decodeDetectaOutput(outputs[0], detector, g, s);
    }
    case 'topk-boxes': {
      const out = outputs.find((o) => o.name === d.output) ?? (outputs.length === 1 ? outputs[0] : undefined);
      if (!out) throw new Error(`topk-boxes decoder: the model has no output "${d.output}"`);
      return decodeTopkBoxes(out, g, s);
    }
    case 'gfl-grid':
      return decodeGflGrid(outputs, meta, g, s);
  }
}
