/**
 * The one reader and writer of `.detecta/videos/<video-stem>.json`: which video and time each
 * frame image of a project came from (schema: shared/dataset/video-frames.ts). Written atomically;
 * a file that does not parse is reported, never overwritten.
 */
import { join, posix } from 'node:path';
import { videoIndexSchema, type VideoIndex } from '../../shared/dataset/video-frames';
import { writeFileAtomic } from './atomic-write';
import { readJsonFile } from './json-file';
import { assertWriteInside } from './confine';
import { makeDirs } from './make-dirs';
import { PROJECT_DIR } from './project-config';

export const VIDEOS_DIR = 'videos';

/** The index file of the video whose frames are named `<stem>_NNNNNN.jpg`. */
export function videoIndexPath(root: string, stem: string): string {
  return join(root, PROJECT_DIR, VIDEOS_DIR, `${stem}.json`);
}

/** The index of one video's frames, or null when none was written. */
export async function readVideoIndex(root: string, stem: string): Promise<VideoIndex | null> {
  const file = videoIndexPath(root, stem);
  return readJsonFile(file, videoIndexSchema, 'it is left as it is');
}

export async function writeVideoIndex(root: string, stem: string, index: VideoIndex): Promise<void> {
  const file = videoIndexPath(root, stem);
  videoIndexSchema.parse(index);
  await assertWriteInside(root, file);
  await makeDirs(join(root, PROJECT_DIR, VIDEOS_DIR));
  await writeFileAtomic(file, `${JSON.stringify(index, null, 2)}\n`);
}

/** The video sequence an image belongs to (its frames in time order), or null for a plain photo. */
export async function sequenceOf(root: string, imageId: string): Promise<{ stem: string; index: VideoIndex } | null> {
  const base = posix.basename(imageId);
  const m = /^(.*)_\d{6,}\.jpg$/.exec(base);
  if (!m) return null;
  const index = await readVideoIndex(root, m[1]!);
  return index && index.frames.some((f) => f.imageId === imageId) ? { stem: m[1]!, index } : null;
}
