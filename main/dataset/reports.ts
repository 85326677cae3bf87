/**
 * What a project says about itself: the summary (counts by status and split, from the index, no
 * file reads), the statistics (classes, box sizes, ... from the annotation files) and the
 * validation report (unreadable or suspicious files, with reasons).
 */
import { basename } from 'node:path';
import type { DatasetIssue, DatasetStats, DatasetSummary, Split } from '../../shared/dataset/types';
import { computeStats } from '../../shared/dataset/stats';
import { errorMessage } from '../../shared/error-message';
import { toIntegerBox, type VocAnnotation } from '../../shared/voc';
import type { AnnotationStore } from './annotation-store';
import type { ImageIndex } from './image-index';
import type { StoredProjectConfig } from './project-config';
import { vocToBoxes } from './voc-boxes';

export function datasetSummary(index: ImageIndex, config: Readonly<StoredProjectConfig>): DatasetSummary {
  let labeled = 0, unlabeled = 0, verified = 0, unreadable = 0, empty = 0, pending = 0;
  const splits: Record<Split, number> = { train: 0, val: 0, test: 0 };
  for (const { entry: e } of index.items()) {
    if (e.status === 'labeled') { labeled++; if (e.boxes === 0) empty++; }
    else if (e.status === 'unlabeled') unlabeled++;
    else if (e.status === 'unreadable') unreadable++;
    else pending++;
    if (e.verified) verified++;
    splits[e.split]++;
  }
  return {
    name: basename(index.root),
    root: index.root,
    images: index.size,
    labeled,
    unlabeled,
    verified,
    unreadable,
    empty,
    pending,
    indexing: index.isIndexing,
    classes: [...config.classes],
    defaultClass: config.defaultClass,
    classColors: { ...(config.classColors ?? {}) },
    annotationDir: config.annotationDir,
    recursive: config.recursive,
    splits,
  };
}

/** Statistics of the readable annotation files (the caller waits for the index first). */
export async function datasetStats(index: ImageIndex, store: AnnotationStore, config: Readonly<StoredProjectConfig>): Promise<DatasetStats> {
  const images: { size: { width: number; height: number } | null; boxes: ReturnType<typeof vocToBoxes> }[] = [];
  for await (const { ann } of store.annotations()) images.push({ size: ann.size ?? null, boxes: vocToBoxes(ann) });
  return computeStats(datasetSummary(index, config), { classes: config.classes, images });
}

/** Unreadable or suspicious files, with reasons (the caller waits for the index first). */
export async function validateDataset(index: ImageIndex, store: AnnotationStore): Promise<DatasetIssue[]> {
  const issues: DatasetIssue[] = index.scanProblems().map((p) => ({ file: p.file, severity: 'error' as const, reason: p.reason }));
  for (const item of [...index.items()]) {
    const id = item.entry.id;
    const e = item.entry;
    if (e.status === 'unreadable') {
      issues.push({ file: item.location.path, severity: 'error', reason: e.error ?? 'unreadable' });
      continue;
    }
    if (item.location.conflict) issues.push({ file: id, severity: 'warning', reason: item.location.conflict });
    const warnings: string[] = [];
    const { info } = await store.imageSize(id, warnings);
    for (const w of warnings) issues.push({ file: id, severity: 'error', reason: w });
    if (info && info.orientation !== 1) {
      issues.push({ file: id, severity: 'warning', reason: `EXIF orientation ${info.orientation}: boxes are in the rotated (displayed) frame; LabelImg shows this photo unrotated` });
    }
    if (e.status !== 'labeled') continue;
    let voc: { ann: VocAnnotation } | null;
    try {
      voc = await store.readVoc(item);
    } catch (err) {
      issues.push({ file: item.location.path, severity: 'error', reason: errorMessage(err) });
      continue;
    }
    if (!voc) continue;
    const file = item.location.path;
    for (const w of voc.ann.warnings ?? []) issues.push({ file, severity: 'warning', reason: w });
    const s = voc.ann.size;
    if (!s) issues.push({ file, severity: 'warning', reason: 'no <size>; it is written from the image on the next save' });
    if (s && info) {
      if (s.width === info.rawWidth && s.height === info.rawHeight && (info.rawWidth !== info.width || info.rawHeight !== info.height)) {
        issues.push({ file, severity: 'warning', reason: `<size> ${s.width}x${s.height} is the unrotated size; the displayed image is ${info.width}x${info.height} (EXIF orientation ${info.orientation})` });
      } else if (s.width !== info.width || s.height !== info.height) {
        issues.push({ file, severity: 'warning', reason: `<size> ${s.width}x${s.height} differs from the image (${info.width}x${info.height})` });
      }
    }
    const w = info?.width ?? s?.width;
    const h = info?.height ?? s?.height;
    voc.ann.objects.forEach((o, i) => {
      const b = o.bndbox;
      const label = `object ${i + 1} ("${o.name}")`;
      if (b.xmax - b.xmin <= 0 || b.ymax - b.ymin <= 0) issues.push({ file, severity: 'warning', reason: `${label} has zero or negative size (${b.xmin},${b.ymin})-(${b.xmax},${b.ymax})` });
      else if (w !== undefined && h !== undefined) {
        const c = toIntegerBox(b, w, h);
        if (b.xmin < 0 || b.ymin < 0 || b.xmax > w || b.ymax > h) issues.push({ file, severity: 'warning', reason: `${label} reaches outside the ${w}x${h} image; it is clamped to (${c.xmin},${c.ymin})-(${c.xmax},${c.ymax}) on the next save` });
      }
    });
  }
  return issues;
}
