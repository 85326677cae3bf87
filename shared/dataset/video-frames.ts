/**
 * Frames taken from a video into a project (pure): where each frame image came from. One file per
 * video, `.detecta/videos/<video-stem>.json`, read and written only by main/dataset/video-index.ts;
 * this is its schema. Frame images are named `<video-stem>_<frame number, 6 digits>.jpg`, so the
 * image list (natural order) shows them as a sequence.
 */
import { z } from 'zod';

export const videoFrameSchema = z.object({
  /** The frame's image id (project-relative path). */
  imageId: z.string().min(1),
  /** Frame number in the video (0 = first), from its time and the stream's frame rate. */
  frame: z.number().int().nonnegative(),
  /** Presentation time in the video, seconds. */
  time: z.number().nonnegative().finite(),
});

export const videoIndexSchema = z.object({
  version: z.literal(1),
  /** The video file, absolute, as it was when the frames were taken. */
  video: z.string().min(1),
  /** The video stream's average frame rate (frames per second). */
  fps: z.number().positive().finite(),
  width: z.number().int().positive(),
  height: z.number().int().positive(),
  /** Frames taken so far (every extraction adds to the list), in time order. */
  frames: z.array(videoFrameSchema),
});

export type VideoFrame = z.infer<typeof videoFrameSchema>;
export type VideoIndex = z.infer<typeof videoIndexSchema>;

/** How frames are picked from a video. */
export interface FramePick {
  /** Every n-th frame (1 = all); default 1 unless `fps` is given. */
  every?: number;
  /** Frames per second of video time instead of every n-th frame. */
  fps?: number;
  /** Start and end of the range, seconds. */
  start?: number;
  end?: number;
  /**
   * Keep a frame only when it differs from the last kept one by at least this mean absolute
   * difference of grey levels (0–1, on a small thumbnail); 0 or absent keeps every picked frame.
   */
  minChange?: number;
}

/** The file stem of a video's frames: its own stem with characters unsafe in file names replaced. */
export function frameStem(videoFileName: string): string {
  const base = videoFileName.replace(/^.*[\\/]/, '');
  const dot = base.lastIndexOf('.');
  const stem = (dot > 0 ? base.slice(0, dot) : base).replace(/[^\p{L}\p{N}._-]+/gu, '_').replace(/^[._]+/, '');
  return stem || 'video';
}

/** A frame image's file name: `<stem>_000123.jpg`. */
export function frameFileName(stem: string, frame: number): string {
  return `${stem}_${String(frame).padStart(6, '0')}.jpg`;
}

/** A problem with the pick options, or null. */
export function framePickProblem(p: FramePick): string | null {
  if (p.every !== undefined && p.fps !== undefined) return 'give either every N frames or frames per second, not both';
  if (p.every !== undefined && (!Number.isInteger(p.every) || p.every < 1)) return `every must be a whole number ≥ 1 (got ${p.every})`;
  if (p.fps !== undefined && !(p.fps > 0 && Number.isFinite(p.fps))) return `fps must be a number > 0 (got ${p.fps})`;
  if (p.start !== undefined && !(p.start >= 0 && Number.isFinite(p.start))) return `start must be seconds ≥ 0 (got ${p.start})`;
  if (p.end !== undefined && !(p.end > 0 && Number.isFinite(p.end))) return `end must be seconds > 0 (got ${p.end})`;
  if (p.start !== undefined && p.end !== undefined && p.end <= p.start) return `end (${p.end} s) must come after start (${p.start} s)`;
  if (p.minChange !== undefined && !(p.minChange >= 0 && p.minChange <= 1)) return `min-change must be between 0 and 1 (got ${p.minChange})`;
  return null;
}
