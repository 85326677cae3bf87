/**
 * The entries of a project's image index: one ImageEntry per image with where its annotation
 * lives (buildIndex, from a folder scan), updated from its parsed annotation (applyParsed).
 * image-index.ts keeps them in order, parses them in the background and follows the disk.
 */
import type { ImageEntry, SplitConfig } from '../../shared/dataset/types';
import { assignSplit } from '../../shared/dataset/split';
import type { VocAnnotation } from '../../shared/voc';
import { locateAnnotations, type AnnotationLocation } from './annotation-locator';
import type { ScanResult } from './folder-scan';
import { isDraftObject } from './voc-boxes';

export interface IndexedImage {
  entry: ImageEntry;
  location: AnnotationLocation;
  /** Class names of the accepted (non-draft) boxes: only these join the project's class list. */
  accepted?: string[];
  /** Accepted and draft boxes per class name, from the last parse (for live class counts). */
  counts?: Map<string, { boxes: number; drafts: number }>;
}

function nameOf(id: string): string {
  return id.slice(id.lastIndexOf('/') + 1);
}

export function buildIndex(scan: ScanResult, annotationDir: string | null, split: SplitConfig, previous?: Map<string, IndexedImage>): Map<string, IndexedImage> {
  const locations = locateAnnotations(scan.images, scan.xml, annotationDir);
  const out = new Map<string, IndexedImage>();
  for (const id of scan.images) {
    const location = locations.get(id)!;
    const prev = previous?.get(id);
    if (prev && prev.location.path === location.path && prev.location.exists === location.exists && prev.location.conflict === location.conflict) {
      out.set(id, prev);
      continue;
    }
    const entry: ImageEntry = {
      id,
      name: nameOf(id),
      annotation: location.exists ? location.path : null,
      status: location.exists ? 'pending' : 'unlabeled',
      verified: false,
      boxes: 0,
      classes: [],
      difficult: false,
      split: assignSplit(split, id),
    };
    if (location.conflict) entry.error = location.conflict;
    out.set(id, { entry, location });
  }
  return out;
}

/** Updates an entry from its parsed annotation (or the reason it could not be read). */
export function applyParsed(item: IndexedImage, result: { ann: VocAnnotation } | { error: string }): void {
  const e = item.entry;
  const conflict = item.location.conflict;
  if ('error' in result) {
    Object.assign(e, { status: 'unreadable', verified: false, boxes: 0, classes: [], difficult: false, error: result.error });
    item.accepted = [];
    item.counts = new Map();
    return;
  }
  const ann = result.ann;
  if (conflict && ann.filename !== undefined && ann.filename !== e.name) {
    // A shared file that names another image: not this image's boxes.
    Object.assign(e, { status: 'unlabeled', annotation: null, verified: false, boxes: 0, classes: [], difficult: false, error: conflict });
    item.accepted = [];
    item.counts = new Map();
    return;
  }
  const classes: string[] = [];
  const accepted: string[] = [];
  const counts = new Map<string, { boxes: number; drafts: number }>();
  for (const o of ann.objects) {
    if (!classes.includes(o.name)) classes.push(o.name);
    const draft = isDraftObject(o);
    if (!draft && !accepted.includes(o.name)) accepted.push(o.name);
    const c = counts.get(o.name) ?? { boxes: 0, drafts: 0 };
    if (draft) c.drafts++;
    else c.boxes++;
    counts.set(o.name, c);
  }
  item.accepted = accepted;
  item.counts = counts;
  Object.assign(e, {
    status: 'labeled',
    annotation: item.location.path,
    verified: ann.verified,
    boxes: ann.objects.length,
    classes,
    difficult: ann.objects.some((o) => o.difficult),
  });
  if (conflict) e.error = conflict;
  else delete e.error;
}
