/**
 * Reads COCO detection JSON (instances_*.json: images, annotations with bbox [x, y, w, h] in
 * pixels, categories): every such JSON under the folder, or the one file given. Images are looked
 * for by file_name beside the JSON, in ../images, ./images, images/<split>, or the folder given;
 * when they are not there the entry is labels-only and matched to the project's images by name.
 * Splits come from the file or folder name (instances_val2017.json, valid/_annotations.coco.json).
 * A category that is only the supercategory of others and has no boxes (Roboflow's category 0) is
 * not made a class.
 */
import { basename, dirname, join, relative } from 'node:path';
import { z } from 'zod';
import type { DatasetIssue } from '../../../shared/dataset/types';
import { cocoToCorners } from '../../../shared/dataset/convert';
import { naturalCompare } from '../../../shared/dataset/natural-sort';
import { findBeside, isFile, posix, readJsonListed, usableLabel, walk, type ForeignDataset, type ForeignImage } from './foreign';
import { splitFromFolders, splitFromName } from './split-names';

const id = z.union([z.number(), z.string()]);
const cocoSchema = z.object({
  images: z.array(z.object({ id, file_name: z.string().min(1), width: z.number().positive().optional(), height: z.number().positive().optional() })),
  annotations: z.array(z.object({ image_id: id, category_id: id, bbox: z.array(z.number()).optional(), difficult: z.union([z.number(), z.boolean()]).optional() })).default([]),
  categories: z.array(z.object({ id, name: z.string(), supercategory: z.string().optional() })),
});

const zodWhere = (e: z.ZodError) => e.issues.slice(0, 3).map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');

export async function readCoco(src: string): Promise<ForeignDataset> {
  const single = await isFile(src);
  const jsonFiles = single ? [src] : (await walk(src)).filter((f) => f.toLowerCase().endsWith('.json')).sort(naturalCompare);
  const base = single ? dirname(src) : src;
  const issues: DatasetIssue[] = [];
  const classes: string[] = [];
  const images: ForeignImage[] = [];
  const seen = new Set<string>();
  for (const jf of jsonFiles) {
    const where = posix(relative(base, jf));
    const raw = await readJsonListed(jf, where, issues);
    if (raw === undefined) continue;
    // a JSON that is not a COCO instances file is not ours to judge (unless it was named)
    if (!single && !(raw && typeof raw === 'object' && 'images' in raw && 'categories' in raw)) continue;
    const parsed = cocoSchema.safeParse(raw);
    if (!parsed.success) {
      issues.push({ file: where, severity: 'error', reason: `not a COCO detection file: ${zodWhere(parsed.error)}` });
      continue;
    }
    const json = parsed.data;
    const cats = new Map<string, string>();
    // Roboflow lists its dataset's name as category 0, the supercategory of all the others, and never uses it
    const used = new Set(json.annotations.map((a) => String(a.category_id)));
    const parents = new Set(json.categories.map((c) => c.supercategory).filter((n) => n && n !== 'none'));
    for (const c of [...json.categories].sort((a, b) => Number(a.id) - Number(b.id))) {
      if (!usableLabel(c.name, where, `category ${c.id}`, issues)) continue;
      cats.set(String(c.id), c.name);
      if (!used.has(String(c.id)) && parents.has(c.name)) {
        issues.push({ file: where, severity: 'warning', reason: `category "${c.name}" is only the supercategory of others and has no boxes; not made a class` });
        continue;
      }
      if (!classes.includes(c.name)) classes.push(c.name);
    }
    const byImage = new Map<string, ForeignImage['boxes']>();
    for (const [n, a] of json.annotations.entries()) {
      const label = cats.get(String(a.category_id));
      if (!label || !a.bbox || a.bbox.length !== 4) {
        issues.push({ file: where, severity: 'error', reason: `annotations[${n}] (image ${a.image_id}): ${label ? 'bbox is not [x, y, w, h]' : `unknown category ${a.category_id}`}; box left out` });
        continue;
      }
      const list = byImage.get(String(a.image_id)) ?? [];
      list.push({ label, ...cocoToCorners(a.bbox), ...(a.difficult ? { difficult: true } : {}) });
      byImage.set(String(a.image_id), list);
    }
    const split = splitFromName(basename(jf)) ?? splitFromFolders(where);
    const stemDir = basename(jf).replace(/\.json$/i, '').replace(/^instances_/, '');
    const dirs = [dirname(jf), join(dirname(jf), '..', 'images'), join(dirname(jf), 'images'), join(base, 'images'), join(base, 'images', stemDir), join(base, stemDir), base];
    for (const im of json.images) {
      const name = im.file_name.replace(/\\/g, '/');
      const file = await findBeside(dirs, name) ?? (name.includes('/') ? await findBeside(dirs, basename(name)) : null);
      const rel = file && !posix(relative(base, file)).startsWith('..') ? posix(relative(base, file)) : name;
      if (seen.has(rel)) { issues.push({ file: where, severity: 'warning', reason: `image ${name} is listed again; the first listing was used` }); continue; }
      seen.add(rel);
      images.push({
        file, rel, units: 'px', boxes: byImage.get(String(im.id)) ?? [], labeled: true, source: where,
        ...(im.width && im.height ? { size: { width: im.width, height: im.height } } : {}),
        ...(split ? { split } : {}),
      });
    }
  }
  if (!images.length && !issues.length) issues.push({ file: src, severity: 'error', reason: 'no COCO JSON file (with images and categories) found' });
  return { classes, images, issues };
}
