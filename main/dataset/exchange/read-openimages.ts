/**
 * Reads Open Images box annotations: `*-annotations-bbox.csv` (ImageID, LabelName, XMin, XMax,
 * YMin, YMax as fractions of the image, IsTruncated…) with the class names from
 * `*class-descriptions*.csv` (LabelName,DisplayName; with or without a header row). A LabelName
 * missing from the descriptions is an error naming the file and the row, and its box is left
 * out. Images are `<ImageID>.jpg` anywhere under the folder (e.g. images/validation/), else
 * matched to the project's images by stem. The CSV's name gives the split (train-, validation-,
 * test-annotations-bbox.csv). CSV parsing: csv-parse, streamed.
 */
import { createReadStream } from 'node:fs';
import { basename, relative } from 'node:path';
import { parse } from 'csv-parse';
import type { DatasetIssue } from '../../../shared/dataset/types';
import { naturalCompare } from '../../../shared/dataset/natural-sort';
import { errorMessage } from '../../../shared/error-message';
import { isImageName } from '../folder-scan';
import { fsApiError } from '../fs-errors';
import { posix, usableLabel, walk, type ForeignDataset, type ForeignImage } from './foreign';
import { splitFromName } from './split-names';

const BOX_COLUMNS = ['ImageID', 'LabelName', 'XMin', 'XMax', 'YMin', 'YMax'] as const;

async function* rows(file: string): AsyncGenerator<string[]> {
  const stream = createReadStream(file).pipe(parse({ bom: true, relax_column_count: true, skip_empty_lines: true, trim: true }));
  try {
    for await (const r of stream) yield r as string[];
  } catch (err) {
    throw fsApiError(err, file, 'cannot read CSV');
  }
}

export async function readOpenImages(src: string): Promise<ForeignDataset> {
  const files = (await walk(src)).sort(naturalCompare);
  const issues: DatasetIssue[] = [];
  const rel = (f: string) => posix(relative(src, f));
  const names = new Map<string, string>();
  for (const f of files.filter((x) => /class-descriptions.*\.csv$/i.test(basename(x)))) {
    try {
      for await (const [mid, display] of rows(f)) {
        if (mid === 'LabelName' || !mid || display === undefined) continue; // header row
        names.set(mid, display);
      }
    } catch (err) {
      issues.push({ file: rel(f), severity: 'error', reason: errorMessage(err) });
    }
  }
  const boxFiles = files.filter((x) => /bbox.*\.csv$/i.test(basename(x)));
  const descriptions = files.some((x) => /class-descriptions.*\.csv$/i.test(basename(x)));
  if (!descriptions && boxFiles.length) issues.push({ file: src, severity: 'warning', reason: 'no class-descriptions CSV found: classes are named by their Open Images id (/m/…)' });
  const pictures = new Map<string, string[]>();
  for (const f of files.filter((x) => isImageName(basename(x)))) {
    const stem = basename(f).replace(/\.[^.]+$/, '');
    pictures.set(stem, [...(pictures.get(stem) ?? []), f]);
  }
  const classes: string[] = [];
  const byImage = new Map<string, ForeignImage>();
  if (!boxFiles.length) issues.push({ file: src, severity: 'error', reason: 'no Open Images *-annotations-bbox.csv found' });
  for (const f of boxFiles) {
    const where = rel(f);
    const split = splitFromName(basename(f));
    let col: Record<string, number> | null = null;
    let n = 0;
    const unknown = new Map<string, number>();
    try {
      for await (const r of rows(f)) {
        n++;
        if (!col) {
          col = Object.fromEntries(r.map((h, i) => [h, i]));
          const missing = BOX_COLUMNS.filter((c) => col![c] === undefined);
          if (missing.length) { issues.push({ file: where, severity: 'error', reason: `not an Open Images box CSV: no column ${missing.join(', ')}` }); break; }
          continue;
        }
        const get = (c: string) => r[col![c]!] ?? '';
        const id = get('ImageID');
        const mid = get('LabelName');
        const [x1, x2, y1, y2] = [get('XMin'), get('XMax'), get('YMin'), get('YMax')].map((v) => (v === '' ? NaN : Number(v)));
        if (!id || ![x1, x2, y1, y2].every(Number.isFinite)) { issues.push({ file: where, severity: 'error', reason: `row ${n}: no ImageID or a coordinate is not a number; left out` }); continue; }
        const label = names.size ? names.get(mid) : mid;
        if (label === undefined) { unknown.set(mid, (unknown.get(mid) ?? 0) + 1); continue; }
        if (!usableLabel(label, where, `row ${n}`, issues)) continue;
        if (!classes.includes(label)) classes.push(label);
        let img = byImage.get(id);
        if (!img) {
          const found = pictures.get(id) ?? [];
          const file = found.find((p) => split && splitFromName(basename(p.slice(0, -basename(p).length - 1))) === split) ?? found[0] ?? null;
          img = { file, rel: file ? rel(file) : id, ...(file ? {} : { stemOnly: true }), units: 'relative', boxes: [], labeled: true, source: where, ...(split ? { split } : {}) };
          byImage.set(id, img);
        }
        const truncated = get('IsTruncated') === '1';
        img.boxes.push({ label, xmin: x1!, ymin: y1!, xmax: x2!, ymax: y2!, ...(truncated ? { truncated: true } : {}) });
      }
    } catch (err) {
      issues.push({ file: where, severity: 'error', reason: errorMessage(err) });
    }
    for (const [mid, count] of unknown) issues.push({ file: where, severity: 'error', reason: `class ${mid} is not in the class-descriptions CSV; ${count} box(es) left out` });
  }
  return { classes, images: [...byImage.values()], issues };
}
