/**
 * The in-memory index of a project: one ImageEntry per image, in natural order, with where its
 * annotation lives. Built from a folder scan; annotation files are parsed afterwards (in the
 * background, `parseAnnotations`) so the first page reaches the UI before every XML is read.
 */
import { join } from 'node:path';
import type { ImageEntry, SplitConfig } from '../../shared/dataset/types';
import { assignSplit } from '../../shared/dataset/split';
import { parseVocXml, type VocAnnotation } from '../../shared/voc';
import { locateAnnotations, type AnnotationLocation } from './annotation-locator';
import type { ScanResult } from './folder-scan';
import { isDraftObject } from './voc-boxes';
import { readXmlFile, readXmlFileSync } from './xml-file';

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

/** Reads and parses one annotation file; the error names the file and the reason. */
export async function readAnnotationFile(root: string, relPath: string): Promise<{ text: string; ann: VocAnnotation }> {
  return parsed(await readXmlFile(join(root, relPath), relPath), relPath);
}

function parsed(file: { text: string; encoding: string }, relPath: string): { text: string; ann: VocAnnotation } {
  const ann = parseVocXml(file.text, relPath);
  if (file.encoding !== 'UTF-8') ann.encoding = file.encoding;
  return { text: file.text, ann };
}

/** Updates an entry from its parsed annotation (or the reason it could not be read). */
/**
 * Synchronous variant for the index pass: VOC files are small, and a blocking read is several
 * times cheaper than an async one; callers work in batches and yield between them.
 */
export function readAnnotationFileSync(root: string, relPath: string): { text: string; ann: VocAnnotation } {
  return parsed(readXmlFileSync(join(root, relPath), relPath), relPath);
}

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

/** Yields to the event loop (between batches of synchronous work). */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
