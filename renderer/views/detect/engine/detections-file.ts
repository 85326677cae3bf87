/**
 * Per-frame results of a processed video as JSON (one entry per frame) and CSV. A detector's CSV
 * has one row per box (frames without boxes get an empty row); a classifier's has one row per
 * ranked class (rank 1 is the frame's class).
 */
import type { Prediction } from './predict-frame';

export interface FrameBox { label: string; classId: number; score: number; x1: number; y1: number; x2: number; y2: number }
export interface FrameClass { rank: number; label: string; classId: number; score: number }

export interface FrameDetections {
  frame: number;
  /** Presentation time in seconds. */
  time: number;
  detections?: FrameBox[];
  classes?: FrameClass[];
}

const r2 = (v: number): number => Math.round(v * 100) / 100;
const r4 = (v: number): number => Math.round(v * 1e4) / 1e4;

export function frameEntry(frame: number, time: number, p: Prediction, labels: readonly string[]): FrameDetections {
  const base = { frame, time: r4(time) };
  if (p.task === 'classify') return { ...base, classes: p.top.map((t, i) => ({ rank: i + 1, label: t.className, classId: t.classId, score: r4(t.score) })) };
  return { ...base, detections: p.dets.map((d) => ({ label: labels[d.classId] ?? `class ${d.classId}`, classId: d.classId, score: r4(d.score), x1: r2(d.x1), y1: r2(d.y1), x2: r2(d.x2), y2: r2(d.y2) })) };
}

export function detectionsJson(meta: { source: string; model: string; task: Prediction['task']; width: number; height: number; fps: number }, frames: readonly FrameDetections[]): string {
  return JSON.stringify({ ...meta, frameCount: frames.length, frames }, null, 1);
}

const csvCell = (v: string | number): string => (typeof v === 'string' && /[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : String(v));

const RESULT_COLUMNS = { classify: 'rank,label,class_id,score', detect: 'label,class_id,score,x1,y1,x2,y2' } as const;

/** The result cells of one frame or image: a row per box (one empty row when none) or per ranked class. */
function resultRows(task: Prediction['task'], r: Pick<FrameDetections, 'detections' | 'classes'>): (string | number)[][] {
  if (task === 'classify') return (r.classes ?? []).map((c) => [c.rank, c.label, c.classId, c.score]);
  if (!r.detections?.length) return [['', '', '', '', '', '', '']];
  return r.detections.map((d) => [d.label, d.classId, d.score, d.x1, d.y1, d.x2, d.y2]);
}

function csv(header: string, rows: (string | number)[][]): string {
  return [header, ...rows.map((r) => r.map(csvCell).join(','))].join('\n') + '\n';
}

export function detectionsCsv(task: Prediction['task'], frames: readonly FrameDetections[]): string {
  return csv(`frame,time,${RESULT_COLUMNS[task]}`, frames.flatMap((f) => resultRows(task, f).map((cells) => [f.frame, f.time, ...cells])));
}

/** Results of a list of images (Image mode's CSV): `image` first, then the same result columns. */
export function imagesCsv(task: Prediction['task'], images: readonly { image: string; prediction: Prediction }[], labels: readonly string[]): string {
  return csv(`image,${RESULT_COLUMNS[task]}`, images.flatMap(({ image, prediction }) => resultRows(task, frameEntry(0, 0, prediction, labels)).map((cells) => [image, ...cells])));
}
