/**
 * Reads a Label Studio JSON export (the "JSON" format: [{ data: { image }, annotations:
 * [{ result: [{ type: 'rectanglelabels', value: { x, y, width, height, rotation,
 * rectanglelabels }, original_width, original_height }] }] }]) and its "JSON-MIN" variant
 * ([{ image, label: [{ x, y, width, height, rectanglelabels }] }]). Coordinates are percent of
 * the image. Rotated rectangles and polygons become their bounding boxes (warning); other result
 * types are left out with a warning; cancelled annotations are skipped; when a task has several
 * annotations the most recently updated one is used (warning). Predictions are not imported.
 *
 * Image names: Label Studio stores uploads as /data/upload/<project>/<8 hex>-<name>; the image is
 * matched by that name and by <name>, beside the JSON or among the project's images.
 */
import { basename, dirname, join, relative } from 'node:path';
import { z } from 'zod';
import type { DatasetIssue } from '../../../shared/dataset/types';
import { boundsOfPoints, labelStudioToRelative, type Corners } from '../../../shared/dataset/convert';
import { naturalCompare } from '../../../shared/dataset/natural-sort';
import { isImageName } from '../folder-scan';
import { findBeside, isFile, posix, readJsonListed, usableLabel, walk, type ForeignDataset, type ForeignImage } from './foreign';

const value = z.object({
  x: z.number().optional(),
  y: z.number().optional(),
  width: z.number().optional(),
  height: z.number().optional(),
  rotation: z.number().optional(),
  points: z.array(z.tuple([z.number(), z.number()])).optional(),
  rectanglelabels: z.array(z.string()).optional(),
  polygonlabels: z.array(z.string()).optional(),
  labels: z.array(z.string()).optional(),
}).loose();
const result = z.object({
  id: z.string().optional(),
  type: z.string(),
  value,
  original_width: z.number().positive().optional(),
  original_height: z.number().positive().optional(),
});
const annotation = z.object({ result: z.array(result).default([]), was_cancelled: z.boolean().optional(), updated_at: z.string().optional() });
const task = z.object({
  id: z.union([z.number(), z.string()]).optional(),
  data: z.record(z.string(), z.unknown()),
  annotations: z.array(annotation).default([]),
});

type Result = z.infer<typeof result>;

/** The image file name(s) a Label Studio URL stands for: [name as stored, name without the upload prefix]. */
export function labelStudioNames(url: string): string[] {
  let path = url;
  const q = url.indexOf('?');
  if (q >= 0) {
    const d = new URLSearchParams(url.slice(q + 1)).get('d');
    path = d ?? url.slice(0, q);
  }
  let name = basename(path.replace(/\\/g, '/'));
  try { name = decodeURIComponent(name); } catch (err) { void err; /* a literal % in the name: keep it as written */ }
  const stripped = /^[0-9a-f]{8}-(.+)$/i.exec(name)?.[1];
  return stripped ? [name, stripped] : [name];
}

function imageUrl(data: Record<string, unknown>): string | null {
  if (typeof data.image === 'string') return data.image;
  for (const v of Object.values(data)) if (typeof v === 'string' && isImageName(labelStudioNames(v)[0] ?? '')) return v;
  return null;
}

/** Boxes of one annotation's results (relative corners), with counts of what was bounded or left out. */
function resultBoxes(results: readonly Result[], where: string, issues: DatasetIssue[]) {
  const boxes: ForeignImage['boxes'] = [];
  let bounded = 0;
  const leftOut = new Map<string, number>();
  // a Rectangle tag with a separate Labels tag gives two results with the same id
  const labelsById = new Map<string, string[]>();
  for (const r of results) if (r.type === 'labels' && r.id && r.value.labels) labelsById.set(r.id, r.value.labels);
  let size: { width: number; height: number } | undefined;
  for (const r of results) {
    if (r.original_width && r.original_height) size = { width: r.original_width, height: r.original_height };
    if (r.type === 'labels' && r.id && results.some((o) => o.id === r.id && o.type === 'rectangle')) continue;
    let box: Corners | null = null;
    let labels: string[] | undefined;
    const v = r.value;
    if ((r.type === 'rectanglelabels' || r.type === 'rectangle') && v.x !== undefined && v.y !== undefined && v.width !== undefined && v.height !== undefined) {
      labels = v.rectanglelabels ?? (r.id ? labelsById.get(r.id) : undefined) ?? v.labels;
      box = labelStudioToRelative({ x: v.x, y: v.y, width: v.width, height: v.height, rotation: v.rotation ?? 0 }, r.original_width ?? 100, r.original_height ?? 100);
      if (v.rotation) bounded++;
    } else if ((r.type === 'polygonlabels' || r.type === 'polygon') && v.points?.length) {
      labels = v.polygonlabels ?? (r.id ? labelsById.get(r.id) : undefined);
      const b = boundsOfPoints(v.points);
      box = { xmin: b.xmin / 100, ymin: b.ymin / 100, xmax: b.xmax / 100, ymax: b.ymax / 100 };
      bounded++;
    } else {
      leftOut.set(r.type, (leftOut.get(r.type) ?? 0) + 1);
      continue;
    }
    if (!labels?.length) { issues.push({ file: where, severity: 'error', reason: `${r.type} result ${r.id ?? ''} without a label; left out` }); continue; }
    if (labels.length > 1) issues.push({ file: where, severity: 'warning', reason: `result ${r.id ?? ''} has ${labels.length} labels (${labels.join(', ')}); the first was used` });
    if (!usableLabel(labels[0], where, `result ${r.id ?? ''}`, issues)) continue;
    boxes.push({ label: labels[0]!, ...box });
  }
  return { boxes, bounded, leftOut, size };
}

export async function readLabelStudio(src: string): Promise<ForeignDataset> {
  const single = await isFile(src);
  const base = single ? dirname(src) : src;
  const jsonFiles = single ? [src] : (await walk(src)).filter((f) => f.toLowerCase().endsWith('.json')).sort(naturalCompare);
  const issues: DatasetIssue[] = [];
  const classes: string[] = [];
  const images: ForeignImage[] = [];
  const seen = new Set<string>();
  let tasks = 0;
  for (const jf of jsonFiles) {
    const where = posix(relative(base, jf));
    const raw = await readJsonListed(jf, where, issues);
    if (raw === undefined) continue;
    if (!Array.isArray(raw)) {
      if (single) issues.push({ file: where, severity: 'error', reason: 'not a Label Studio export: expected a list of tasks' });
      continue;
    }
    for (const [n, item] of raw.entries()) {
      tasks++;
      let url: string | null;
      let results: Result[];
      const full = task.safeParse(item);
      if (full.success) {
        url = imageUrl(full.data.data);
        const done = full.data.annotations.filter((a) => !a.was_cancelled);
        if (full.data.annotations.length > done.length) issues.push({ file: where, severity: 'warning', reason: `task ${full.data.id ?? n}: ${full.data.annotations.length - done.length} cancelled annotation(s) skipped` });
        if (!done.length) continue; // not labeled in Label Studio: nothing to import
        if (done.length > 1) issues.push({ file: where, severity: 'warning', reason: `task ${full.data.id ?? n}: ${done.length} annotations; the most recently updated one was used` });
        const latest = [...done].sort((a, b) => (a.updated_at ?? '').localeCompare(b.updated_at ?? '')).pop()!;
        results = latest.result;
      } else if (item && typeof item === 'object' && !Array.isArray(item) && typeof (item as Record<string, unknown>).image === 'string') {
        // JSON-MIN: the control's name is the key of a list of values that carry their own type
        const rec = item as Record<string, unknown>;
        url = rec.image as string;
        results = [];
        for (const v of Object.values(rec)) {
          if (!Array.isArray(v)) continue;
          for (const x of v) {
            const p = value.safeParse(x);
            if (!p.success) continue;
            const ow = (x as Record<string, unknown>).original_width, oh = (x as Record<string, unknown>).original_height;
            const type = p.data.rectanglelabels ? 'rectanglelabels' : p.data.polygonlabels ? 'polygonlabels' : 'other';
            results.push({ type, value: p.data, ...(typeof ow === 'number' && typeof oh === 'number' ? { original_width: ow, original_height: oh } : {}) });
          }
        }
      } else {
        const i = full.error.issues[0];
        issues.push({ file: where, severity: 'error', reason: `task ${n}: not a Label Studio task (${i?.path.join('.')}: ${i?.message}); left out` });
        continue;
      }
      if (!url) { issues.push({ file: where, severity: 'error', reason: `task ${n}: no image in its data; left out` }); continue; }
      const names = labelStudioNames(url);
      const { boxes, bounded, leftOut, size } = resultBoxes(results, where, issues);
      if (bounded) issues.push({ file: where, severity: 'warning', reason: `${names.at(-1)}: ${bounded} rotated rectangle/polygon(s) imported as their bounding boxes` });
      for (const [type, count] of leftOut) issues.push({ file: where, severity: 'warning', reason: `${names.at(-1)}: ${count} ${type} result(s) left out (not a box)` });
      for (const b of boxes) if (!classes.includes(b.label)) classes.push(b.label);
      const dirs = [dirname(jf), join(dirname(jf), 'images'), join(base, 'images'), base];
      let file: string | null = null;
      for (const name of names) file ??= await findBeside(dirs, name);
      const rel = file && !posix(relative(base, file)).startsWith('..') ? posix(relative(base, file)) : names.at(-1)!;
      if (seen.has(rel)) { issues.push({ file: where, severity: 'warning', reason: `${rel} is in two tasks; the first was used` }); continue; }
      seen.add(rel);
      images.push({ file, rel, ...(names.length > 1 ? { alsoKnownAs: names.slice(0, -1) } : {}), units: 'relative', boxes, labeled: true, source: where, ...(size ? { size } : {}) });
    }
  }
  if (!tasks && !issues.length) issues.push({ file: src, severity: 'error', reason: 'no Label Studio JSON export (a list of tasks) found' });
  return { classes, images, issues };
}
