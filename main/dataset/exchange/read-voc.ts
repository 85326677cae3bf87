/**
 * Reads a Pascal VOC dataset (JPEGImages/ + Annotations/, XML beside images, any layout the
 * project index understands) through a read-only project index of the source folder, and its
 * ImageSets/Main/{train,val,test,trainval}.txt split files (blank lines and # comments allowed;
 * per-class lists such as cat_train.txt are not split files). VOC XML whose image is not in the
 * source (a CVAT "PASCAL VOC" export without images, Annotations/ alone) is read as labels only:
 * matched to the project's images by its <filename>, else by the XML's stem.
 */
import { basename, relative } from 'node:path';
import { parseVocXml } from '../../../shared/voc';
import { errorMessage } from '../../../shared/error-message';
import type { DatasetIssue, Split } from '../../../shared/dataset/types';
import { naturalCompare } from '../../../shared/dataset/natural-sort';
import { openDatasetProject } from '../project';
import { vocToBoxes } from '../voc-boxes';
import { contentLines, posix, readText, walk, type ForeignDataset, type ForeignImage } from './foreign';

const SPLIT_FILES: Record<string, Split> = { 'train.txt': 'train', 'trainval.txt': 'train', 'val.txt': 'val', 'test.txt': 'test' };

/** Image stem → split from ImageSets/Main (train.txt and val.txt win over trainval.txt). */
export async function readVocSplits(src: string): Promise<Map<string, Split>> {
  const files = (await walk(src)).filter((f) => /(^|\/)ImageSets\/Main\/[^/]+\.txt$/.test(posix(relative(src, f))) && SPLIT_FILES[basename(f)]).sort(naturalCompare);
  files.sort((a, b) => Number(basename(b) === 'trainval.txt') - Number(basename(a) === 'trainval.txt')); // trainval first, overridden after
  const out = new Map<string, Split>();
  for (const f of files) {
    for (const line of contentLines((await readText(f)) ?? '')) {
      const stem = line.split(/\s+/)[0]!;
      out.set(stem, SPLIT_FILES[basename(f)]!);
    }
  }
  return out;
}

export async function readVoc(src: string): Promise<ForeignDataset> {
  const splits = await readVocSplits(src);
  const other = await openDatasetProject(src, { watch: false, recursive: true });
  try {
    await other.ready();
    const images: ForeignImage[] = [];
    const issues: DatasetIssue[] = [];
    for await (const { entry, ann } of other.annotations()) {
      const stem = entry.name.replace(/\.[^.]+$/, '');
      const split = splits.get(stem);
      const all = vocToBoxes(ann);
      const drafts = all.filter((b) => b.draft).length;
      if (drafts) issues.push({ file: entry.annotation ?? entry.id, severity: 'warning', reason: `${drafts} draft box(es) (model suggestions not accepted) left out` });
      images.push({
        file: other.resolveImage(entry.id),
        rel: entry.id,
        units: 'px',
        boxes: all.filter((b) => !b.draft).map((b) => ({ label: b.label, xmin: b.xmin, ymin: b.ymin, xmax: b.xmax, ymax: b.ymax, difficult: b.difficult, truncated: b.truncated })),
        labeled: true,
        source: entry.annotation ?? entry.id,
        ...(split ? { split } : {}),
      });
    }
    // annotation files the index did not pair with an image: labels only
    const paired = new Set(other.listImages({ limit: Number.MAX_SAFE_INTEGER }).items.flatMap((e) => (e.annotation ? [e.annotation] : [])));
    for (const f of (await walk(src)).filter((x) => x.toLowerCase().endsWith('.xml')).sort(naturalCompare)) {
      const where = posix(relative(src, f));
      if (paired.has(where)) continue;
      const text = (await readText(f)) ?? '';
      if (!/<annotation[\s>]/.test(text.slice(0, 4096))) continue; // not VOC (e.g. CVAT's annotations.xml)
      let ann;
      try {
        ann = parseVocXml(text, where);
      } catch (err) {
        issues.push({ file: where, severity: 'error', reason: errorMessage(err) });
        continue;
      }
      const all = vocToBoxes(ann);
      const drafts = all.filter((b) => b.draft).length;
      if (drafts) issues.push({ file: where, severity: 'warning', reason: `${drafts} draft box(es) (model suggestions not accepted) left out` });
      const stem = basename(f).replace(/\.xml$/i, '');
      const named = ann.filename && basename(ann.filename.replace(/\\/g, '/'));
      const split = splits.get(stem);
      images.push({
        file: null,
        rel: named || stem,
        ...(named ? { alsoKnownAs: [stem] } : { stemOnly: true }),
        units: 'px',
        ...(ann.size ? { size: { width: ann.size.width, height: ann.size.height } } : {}),
        boxes: all.filter((b) => !b.draft).map((b) => ({ label: b.label, xmin: b.xmin, ymin: b.ymin, xmax: b.xmax, ymax: b.ymax, difficult: b.difficult, truncated: b.truncated })),
        labeled: true,
        source: where,
        ...(split ? { split } : {}),
      });
    }
    issues.push(...other.listImages({ filter: 'unreadable', limit: 5000 }).items.map((e) => ({ file: e.annotation ?? e.id, severity: 'error' as const, reason: e.error ?? 'unreadable' })));
    if (!images.length && !issues.length) issues.push({ file: src, severity: 'error', reason: 'no Pascal VOC XML (<annotation>) found' });
    // class order: CVAT / Datumaro labelmap.txt when there is one ('background' is not an object class), then the index's, then first use
    const labelmap = (await walk(src)).find((f) => basename(f) === 'labelmap.txt');
    const mapped = labelmap ? contentLines((await readText(labelmap)) ?? '').map((l) => l.split(':')[0]!.trim()).filter((n) => n !== '' && n !== 'background') : [];
    const classes = [...new Set([...mapped, ...other.summary().classes, ...images.flatMap((i) => i.boxes.map((b) => b.label))])];
    return { classes, images, issues, declaredSplits: [...new Set(splits.values())] };
  } finally {
    await other.close();
  }
}
