/**
 * The labeled samples of a project as training reads them: each labeled image's file, split,
 * VOC size and boxes (drafts included, flagged), in index order, with the images whose
 * annotation could not be read and why. The app builds it from its open project after flushing
 * pending autosaves and hands it to the trainer process, so that process does not scan the
 * folder again; `detecta train` (no open project) builds it from a project it opens itself.
 */
import type { BoxAnnotation, Split } from '../../shared/dataset/types';
import { errorMessage } from '../../shared/error-message';
import type { AnnotationStore } from './annotation-store';
import type { ImageIndex } from './image-index';
import type { IndexedImage } from './index-entry';
import { vocToBoxes } from './voc-boxes';

export interface LabeledSample {
  imageId: string;
  /** Absolute path of the image. */
  file: string;
  split: Split;
  /** The annotation's <size>, when it has one. */
  size: { width: number; height: number } | null;
  boxes: BoxAnnotation[];
}

export interface SampleList {
  root: string;
  /** The project's classes, in order (class id = index). */
  classes: string[];
  samples: LabeledSample[];
  /** Labeled images whose annotation could not be read, and why. */
  skipped: { imageId: string; split: Split; reason: string }[];
}

/** Reads every labeled image's annotation (the caller waits for the index and flushes autosaves first). */
export async function collectSamples(index: ImageIndex, store: AnnotationStore, classes: readonly string[]): Promise<SampleList> {
  const samples: LabeledSample[] = [];
  const skipped: SampleList['skipped'] = [];
  for (const item of [...index.items()]) {
    if (item.entry.status !== 'labeled') continue;
    try {
      const sample = await readSample(index, store, item);
      if (sample) samples.push(sample);
    } catch (err) {
      skipped.push({ imageId: item.entry.id, split: item.entry.split, reason: errorMessage(err) });
    }
  }
  return { root: index.root, classes: [...classes], samples, skipped };
}

/** One image's sample: null when it has no annotation file (any more). @throws ApiError('unreadable'). */
export async function readSample(index: ImageIndex, store: AnnotationStore, item: IndexedImage): Promise<LabeledSample | null> {
  const voc = await store.readVoc(item);
  if (!voc) return null;
  const imageId = item.entry.id;
  const size = voc.ann.size ? { width: voc.ann.size.width, height: voc.ann.size.height } : null;
  return { imageId, file: index.resolveImage(imageId), split: item.entry.split, size, boxes: vocToBoxes(voc.ann) };
}
