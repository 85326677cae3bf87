/** Per-frame detections of a processed video as JSON (one entry per frame) and CSV (one row per box; frames without boxes get an empty row). */
import type { Detection } from '../../../../shared/ml/detector/box';

export interface FrameDetections {
  frame: number;
  /** Presentation time in seconds. */
  time: number;
  detections: Array<{ label: string; classId: number; score: number; x1: number; y1: number; x2: number; y2: number }>;
}

const r2 = (v: number): number => Math.round(v * 100) / 100;

export function frameEntry(frame: number, time: number, dets: readonly Detection[], labels: readonly string[]): FrameDetections {
  return { frame, time: Math.round(time * 1e4) / 1e4, detections: dets.map((d) => ({ label: labels[d.classId] ?? `class ${d.classId}`, classId: d.classId, score: Math.round(d.score * 1e4) / 1e4, x1: r2(d.x1), y1: r2(d.y1), x2: r2(d.x2), y2: r2(d.y2) })) };
}

export function detectionsJson(meta: { source: string; model: string; width: number; height: number; fps: number }, frames: readonly FrameDetections[]): string {
  return JSON.stringify({ ...meta, frameCount: frames.length, frames }, null, 1);
}

const csvCell = (v: string | number): string => (typeof v === 'string' && /[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : String(v));

export function detectionsCsv(frames: readonly FrameDetections[]): string {
  const rows = ['frame,time,label,class_id,score,x1,y1,x2,y2'];
  for (const f of frames) {
    if (!f.detections.length) rows.push(`${f.frame},${f.time},,,,,,,`);
    for (const d of f.detections) rows.push([f.frame, f.time, d.label, d.classId, d.score, d.x1, d.y1, d.x2, d.y2].map(csvCell).join(','));
  }
  return rows.join('\n') + '\n';
}
