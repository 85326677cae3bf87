/**
 * Imports another tool's dataset into a project: images are copied in (unless they already
 * are inside the project), class names are appended to the class list in the source's id
 * order, and each image's boxes are written as LabelImg VOC XML through the project's normal
 * save path (atomic writes, backups). An image that already has boxes in the project is left
 * alone and reported: nothing is overwritten.
 *
 * Where copied images go: `<root>/<path inside the source>` for recursive projects, else
 * `<root>/images/<name>` (a folder the non-recursive index reads), names made unique as in
 * exports (see names.ts).
 */
import { copyFile, constants, stat } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import { ApiError } from '../../../shared/api/contract';
import type { DatasetIssue, ExchangeFormat, ExchangeReport } from '../../../shared/dataset/types';
import { errnoOf, fsApiError } from '../fs-errors';
import { openDatasetProject, type DatasetProject } from '../project';
import { vocToBoxes } from '../voc-boxes';
import { exportNames } from './names';
import { readCoco, readCreateMl, readYolo, type ForeignDataset } from './read-foreign';
import { errorMessage } from '../../../shared/error-message';
import { makeDirs } from '../make-dirs';

async function readVocFolder(src: string): Promise<ForeignDataset> {
  const other = await openDatasetProject(src, { watch: false, recursive: true });
  try {
    await other.ready();
    const images: ForeignDataset['images'] = [];
    for await (const { entry, ann } of other.annotations()) {
      images.push({ file: other.resolveImage(entry.id), rel: entry.id, boxes: vocToBoxes(ann).map((b) => ({ label: b.label, xmin: b.xmin, ymin: b.ymin, xmax: b.xmax, ymax: b.ymax, difficult: b.difficult })) });
    }
    const issues: DatasetIssue[] = other.listImages({ filter: 'unreadable', limit: 5000 }).items.map((e) => ({ file: e.annotation ?? e.id, severity: 'error' as const, reason: e.error ?? 'unreadable' }));
    return { classes: other.summary().classes, images, issues };
  } finally {
    await other.close();
  }
}

export async function readForeign(format: ExchangeFormat, src: string): Promise<ForeignDataset> {
  switch (format) {
    case 'yolo': return readYolo(src, false);
    case 'ultralytics': return readYolo(src, true);
    case 'coco': return readCoco(src);
    case 'createml': return readCreateMl(src);
    case 'voc': return readVocFolder(src);
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

export async function importDataset(project: DatasetProject, format: ExchangeFormat, sourceDir: string): Promise<ExchangeReport> {
  const foreign = await readForeign(format, sourceDir);
  const skipped = [...foreign.issues];
  const recursive = project.summary().recursive;
  const names = exportNames(foreign.images.map((i) => i.rel));
  const targets: { id: string; boxes: ForeignDataset['images'][number]['boxes'] }[] = [];
  let written = 0;
  for (const img of foreign.images) {
    let id: string;
    if (project.contains(img.file)) {
      id = relative(project.root, img.file).split(sep).join('/');
    } else {
      id = recursive ? img.rel : `images/${names.get(img.rel)}`;
      const dest = join(project.root, ...id.split('/'));
      const same = await sameSize(img.file, dest);
      if (same === false) {
        skipped.push({ file: id, severity: 'error', reason: `a different file already exists at ${id}; not overwritten` });
        continue;
      }
      if (same === null) {
        try {
          await makeDirs(dirname(dest));
          await copyFile(img.file, dest, constants.COPYFILE_EXCL | constants.COPYFILE_FICLONE);
          written++;
        } catch (err) {
          skipped.push({ file: id, severity: 'error', reason: fsApiError(err, dest, 'cannot copy image to').message });
          continue;
        }
      }
    }
    targets.push({ id, boxes: img.boxes });
  }
  await project.refresh();
  if (foreign.classes.length) await project.appendClasses(foreign.classes);
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
    if (entry.status === 'unreadable') { skipped.push({ file: entry.annotation ?? t.id, severity: 'error', reason: `existing annotation file is unreadable; not overwritten (${entry.error})` }); continue; }
    if (entry.status === 'labeled' && entry.boxes > 0) { skipped.push({ file: t.id, severity: 'warning', reason: 'already labeled in the project; not overwritten' }); continue; }
    if (!t.boxes.length) continue;
    const usable = t.boxes.filter((b) => Math.round(b.xmax) - Math.round(b.xmin) >= 1 && Math.round(b.ymax) - Math.round(b.ymin) >= 1);
    if (usable.length < t.boxes.length) skipped.push({ file: t.id, severity: 'warning', reason: `${t.boxes.length - usable.length} box(es) without area left out` });
    try {
      const r = await project.saveAnnotation(t.id, {
        verified: false,
        boxes: usable.map((b) => ({ label: b.label, xmin: b.xmin, ymin: b.ymin, xmax: b.xmax, ymax: b.ymax, difficult: b.difficult ?? false, truncated: false })),
      });
      if (r.state === 'saved') written++;
      images++;
      boxes += usable.length;
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      skipped.push({ file: t.id, severity: 'error', reason: err.message });
    }
  }
  return { format, dir: sourceDir, images, boxes, classes: project.summary().classes, skipped, written };
}
