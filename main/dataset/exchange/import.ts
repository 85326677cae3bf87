/**
 * Imports another tool's dataset into a project. Each image the labels name is resolved to a
 * project image:
 *   1. the image file already inside the project → that image;
 *   2. the image beside the labels (outside) → the project's own image of the same name and
 *      byte size when there is exactly one, else a copy at `<root>/<path inside the source>`
 *      (recursive projects) or `<root>/images/<name>`, names made unique as in exports (copied
 *      atomically, never over an existing file: copy-new.ts);
 *   3. labels only (no image with them) → the project's image of that file name (or stem, for
 *      YOLO / Open Images), see shared/dataset/name-match.ts; none or several is reported;
 *      a LabelMe file's embedded imageData is written as the image when none is found.
 * Class names are appended in the source's id order; boxes given as fractions are scaled by the
 * resolved image's size; pixel boxes made on a differently sized copy of the image are scaled
 * when the aspect ratio agrees, else reported. Boxes are written as LabelImg VOC XML through the
 * project's save path (atomic writes, backups). An image the project already has an annotation
 * file for is left alone and reported: nothing is overwritten. When the source has at least two
 * splits (train/val/test), imported images keep them as hand-set splits (one project.json write).
 */
import { stat } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import { ApiError } from '../../../shared/api/contract';
import { classNameProblem } from '../../../shared/dataset/classes';
import { relativeToCorners } from '../../../shared/dataset/convert';
import { ProjectNameIndex } from '../../../shared/dataset/name-match';
import type { ExchangeFormat, ExchangeReport, Split } from '../../../shared/dataset/types';
import { errorMessage } from '../../../shared/error-message';
import { errnoOf, fsApiError } from '../fs-errors';
import { readImageInfo } from '../image-header';
import { makeDirs } from '../make-dirs';
import type { DatasetProject } from '../project';
import { exists, isFile, type ForeignBox, type ForeignDataset, type ForeignImage } from './foreign';
import { copyNewFile } from './copy-new';
import { exportNames } from './names';
import { readCoco } from './read-coco';
import { readCreateMl } from './read-createml';
import { readCvatXml } from './read-cvat';
import { readLabelMe } from './read-labelme';
import { readLabelStudio } from './read-labelstudio';
import { readOpenImages } from './read-openimages';
import { readVoc } from './read-voc';
import { readYolo } from './read-yolo';

/** Formats read from one file as well as from a folder; the others read the folder of a file given. */
const FILE_FORMATS: readonly ExchangeFormat[] = ['coco', 'cvat', 'labelstudio'];

export async function readForeign(format: ExchangeFormat, path: string): Promise<ForeignDataset> {
  const src = !FILE_FORMATS.includes(format) && (await isFile(path)) ? dirname(path) : path;
  switch (format) {
    case 'yolo': return readYolo(src, false);
    case 'ultralytics': return readYolo(src, true);
    case 'coco': return readCoco(src);
    case 'createml': return readCreateMl(src);
    case 'voc': return readVoc(src);
    case 'labelme': return readLabelMe(src);
    case 'cvat': return readCvatXml(src);
    case 'labelstudio': return readLabelStudio(src);
    case 'openimages': return readOpenImages(src);
  }
}

async function sameSize(a: string, b: string): Promise<boolean | null> {
  try {
    const [sa, sb] = await Promise.all([stat(a), stat(b)]);
    return sa.size === sb.size;
  } catch (err) {
    if (errnoOf(err) === 'ENOENT') return null;
    throw fsApiError(err, b, 'cannot read');
  }
}

type Target = { id: string; image: ForeignImage; matched: boolean };

/** Where one foreign image goes in the project: its id (after copying when needed), or why not. */
async function resolveTarget(project: DatasetProject, img: ForeignImage, names: ProjectNameIndex, copyName: string): Promise<{ id: string; copied: boolean; matched: boolean } | { why: string }> {
  if (img.file && project.contains(img.file)) return { id: relative(project.root, img.file).split(sep).join('/'), copied: false, matched: false };
  const byName = (): { id: string } | { why: string } => {
    for (const name of [img.rel, ...(img.alsoKnownAs ?? [])]) {
      const m = names.match(name, name === img.rel ? img.stemOnly : !/\.[^./]+$/.test(name));
      if ('id' in m) return m;
      if (m.why === 'ambiguous') return { why: `${name} matches ${m.candidates.length} project images (${m.candidates.slice(0, 3).join(', ')}${m.candidates.length > 3 ? ', …' : ''}); not guessed` };
    }
    return { why: `image ${img.rel}${img.stemOnly ? '.*' : ''} is neither with the labels nor in the project (matched by file name)` };
  };
  const m = byName();
  let bytes: Uint8Array | null = null;
  if (!img.file) {
    if ('id' in m) return { ...m, copied: false, matched: true };
    bytes = (await img.embedded?.()) ?? null;
    if (!bytes) return m;
  } else if ('id' in m && (await sameSize(img.file, project.resolveImage(m.id)))) return { id: m.id, copied: false, matched: true };
  const id = copyName;
  const dest = join(project.root, ...id.split('/'));
  const same = img.file ? await sameSize(img.file, dest) : (await exists(dest)) ? false : null;
  if (same === false) return { why: `a different file already exists at ${id}; not overwritten` };
  if (same === true) return { id, copied: false, matched: false };
  try {
    await makeDirs(dirname(dest));
    await copyNewFile(img.file ?? bytes!, dest);
  } catch (err) {
    return { why: fsApiError(err, dest, 'cannot copy image to').message };
  }
  return { id, copied: true, matched: false };
}

/** The image's boxes in its own pixels, or why they cannot be placed on it. */
async function pixelBoxes(project: DatasetProject, t: Target): Promise<{ boxes: ForeignBox[]; note?: string } | { why: string }> {
  const { image } = t;
  if (!image.boxes.length || (image.units === 'px' && !image.size)) return { boxes: image.boxes };
  let size;
  try {
    size = await readImageInfo(project.resolveImage(t.id));
  } catch (err) {
    return { why: `the image cannot be read to place its boxes: ${errorMessage(err)}` };
  }
  if (image.units === 'relative') return { boxes: image.boxes.map((b) => ({ ...b, ...relativeToCorners(b, size.width, size.height) })) };
  const d = image.size!;
  if (d.width === size.width && d.height === size.height) return { boxes: image.boxes };
  const sx = size.width / d.width, sy = size.height / d.height;
  if (Math.abs(sx / sy - 1) > 0.01) return { why: `the labels were made on a ${d.width}x${d.height} image but ${t.id} is ${size.width}x${size.height} (another shape); not imported` };
  return {
    boxes: image.boxes.map((b) => ({ ...b, xmin: b.xmin * sx, xmax: b.xmax * sx, ymin: b.ymin * sy, ymax: b.ymax * sy })),
    note: `the labels were made on a ${d.width}x${d.height} copy; boxes scaled to ${size.width}x${size.height}`,
  };
}

export async function importDataset(project: DatasetProject, format: ExchangeFormat, sourceDir: string): Promise<ExchangeReport> {
  await project.ready();
  const foreign = await readForeign(format, sourceDir);
  const skipped = [...foreign.issues];
  const recursive = project.summary().recursive;
  const copyNames = exportNames(foreign.images.map((i) => i.rel));
  const names = new ProjectNameIndex(project.listImages({ limit: Number.MAX_SAFE_INTEGER }).items.map((e) => e.id));
  const targets: Target[] = [];
  const taken = new Map<string, string>();
  let written = 0;
  let matched = 0;
  for (const img of foreign.images) {
    const r = await resolveTarget(project, img, names, recursive ? img.rel : `images/${copyNames.get(img.rel)}`);
    if ('why' in r) { skipped.push({ file: img.source, severity: 'error', reason: r.why }); continue; }
    const first = taken.get(r.id);
    if (first !== undefined) { skipped.push({ file: img.source, severity: 'error', reason: `${img.rel} resolves to ${r.id}, which ${first} already labels; left out` }); continue; }
    taken.set(r.id, img.rel);
    if (r.copied) written++;
    targets.push({ id: r.id, image: img, matched: r.matched });
  }
  await project.refresh();
  const classes = foreign.classes.filter((c) => {
    const p = classNameProblem(c);
    if (p) skipped.push({ file: sourceDir, severity: 'error', reason: `class list: ${p}; left out` });
    return !p;
  });
  if (classes.length) await project.appendClasses(classes);
  // one split for everything (CVAT's default subset, a lone train.txt) says nothing: the project keeps its own
  const splitCount = new Set(foreign.declaredSplits ?? foreign.images.map((i) => i.split).filter(Boolean)).size;
  const overrides = project.getConfig().split.overrides;
  const splits = new Map<string, Split>();
  let boxes = 0;
  let images = 0;
  for (const t of targets) {
    let entry;
    try {
      entry = project.getImage(t.id);
    } catch (err) {
      skipped.push({ file: t.id, severity: 'error', reason: `not in the project index after copying (${errorMessage(err)})` });
      continue;
    }
    if (!t.image.labeled) continue;
    if (entry.status === 'unreadable') { skipped.push({ file: entry.annotation ?? t.id, severity: 'error', reason: `existing annotation file is unreadable; not overwritten (${entry.error})` }); continue; }
    if (entry.status !== 'unlabeled') { skipped.push({ file: t.id, severity: 'warning', reason: `already labeled in the project (${entry.boxes} box(es)); not overwritten` }); continue; }
    const placed = await pixelBoxes(project, t);
    if ('why' in placed) { skipped.push({ file: t.image.source, severity: 'error', reason: placed.why }); continue; }
    if (placed.note) skipped.push({ file: t.image.source, severity: 'warning', reason: `${t.id}: ${placed.note}` });
    const usable = placed.boxes.filter((b) => Math.round(b.xmax) - Math.round(b.xmin) >= 1 && Math.round(b.ymax) - Math.round(b.ymin) >= 1);
    if (usable.length < placed.boxes.length) skipped.push({ file: t.id, severity: 'warning', reason: `${placed.boxes.length - usable.length} box(es) without area left out` });
    try {
      const r = await project.saveAnnotation(t.id, {
        verified: false,
        boxes: usable.map((b) => ({ label: b.label, xmin: b.xmin, ymin: b.ymin, xmax: b.xmax, ymax: b.ymax, difficult: b.difficult ?? false, truncated: b.truncated ?? false })),
      });
      if (r.state === 'saved') written++;
      images++;
      if (t.matched) matched++;
      boxes += usable.length;
      if (splitCount >= 2 && t.image.split) {
        if (overrides[t.id] && overrides[t.id] !== t.image.split) skipped.push({ file: t.id, severity: 'warning', reason: `split: kept your ${overrides[t.id]} (the source says ${t.image.split})` });
        else if (!overrides[t.id]) splits.set(t.id, t.image.split);
      }
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      skipped.push({ file: t.id, severity: 'error', reason: err.message });
    }
  }
  if (splits.size) await project.setSplits(splits);
  return { format, dir: sourceDir, images, boxes, classes: project.summary().classes, skipped, written, matched };
}
