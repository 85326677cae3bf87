/**
 * Which annotation file belongs to which image (pure; works on the scan result).
 *
 * With an annotation folder A, image `images/sub/x.jpg` looks in this order for:
 *   1. A/sub/x.xml    the mirror path: the image's folder with a leading well-known image folder
 *                     (images/, JPEGImages/...) dropped; for flat projects this is A/x.xml,
 *                     LabelImg's convention, and it is where new files are written
 *   2. A/x.xml        the flat path, only when no other image has the stem `x` (else ambiguous)
 *   3. images/sub/x.xml  beside the image
 * Without an annotation folder: only 3, which is also where new files go.
 * Two images that would write the same file (x.jpg and x.png in one folder) are both marked
 * with a conflict: their file is read only for the image its <filename> names, and saving them
 * is refused with a message, so neither overwrites the other's boxes.
 */
import { IMAGE_FOLDERS } from './folder-scan';

export interface AnnotationLocation {
  /** Relative path of the annotation file to read (when it exists) or write. */
  path: string;
  exists: boolean;
  /** Set when the location is ambiguous (shared by several images). */
  conflict?: string;
}

function splitId(id: string): { dir: string; stem: string } {
  const slash = id.lastIndexOf('/');
  const dir = slash < 0 ? '' : id.slice(0, slash);
  const name = id.slice(slash + 1);
  const dot = name.lastIndexOf('.');
  return { dir, stem: dot > 0 ? name.slice(0, dot) : name };
}

function join(...parts: string[]): string {
  return parts.filter((p) => p !== '').join('/');
}

/** Where a new annotation file for this image is written. */
export function annotationTarget(imageId: string, annotationDir: string | null): string {
  const { dir, stem } = splitId(imageId);
  if (!annotationDir) return join(dir, `${stem}.xml`);
  const parts = dir === '' ? [] : dir.split('/');
  if (parts.length && IMAGE_FOLDERS.includes(parts[0]!)) parts.shift();
  return join(annotationDir, ...parts, `${stem}.xml`);
}

export function locateAnnotations(images: readonly string[], xml: ReadonlySet<string>, annotationDir: string | null): Map<string, AnnotationLocation> {
  const out = new Map<string, AnnotationLocation>();
  const targets = images.map((id) => annotationTarget(id, annotationDir));
  const sharedTargets = new Map<string, number>();
  for (const t of targets) sharedTargets.set(t, (sharedTargets.get(t) ?? 0) + 1);
  const sharers = new Map<string, string[]>();
  images.forEach((id, i) => {
    if (sharedTargets.get(targets[i]!)! > 1) {
      const list = sharers.get(targets[i]!);
      if (list) list.push(id); else sharers.set(targets[i]!, [id]);
    }
  });
  const stemCount = new Map<string, number>();
  if (annotationDir) {
    for (const id of images) {
      const { stem } = splitId(id);
      stemCount.set(stem, (stemCount.get(stem) ?? 0) + 1);
    }
  }
  images.forEach((id, i) => {
    const target = targets[i]!;
    let loc: AnnotationLocation = { path: target, exists: xml.has(target) };
    if (!loc.exists && annotationDir) {
      const { dir, stem } = splitId(id);
      const flat = join(annotationDir, `${stem}.xml`);
      const beside = join(dir, `${stem}.xml`);
      if (flat !== target && xml.has(flat) && stemCount.get(stem) === 1) loc = { path: flat, exists: true };
      else if (xml.has(beside)) loc = { path: beside, exists: true };
      if (flat !== target && xml.has(flat) && stemCount.get(stem)! > 1) {
        loc.conflict = `${flat} could belong to any of the ${stemCount.get(stem)} images named ${stem}.*; it is not used (new boxes go to ${target})`;
      }
    }
    const shared = sharers.get(target);
    if (shared) {
      loc.conflict = `${shared.join(' and ')} share the annotation file ${target} (same name, different extension); rename one of them to label it`;
    }
    out.set(id, loc);
  });
  return out;
}
