/**
 * Reads LabelMe / X-AnyLabeling JSON: one file per image ({ shapes: [{ label, points,
 * shape_type }], imagePath, imageWidth, imageHeight }), found anywhere under the folder.
 * rectangle (2 corners, or X-AnyLabeling's 4) → its box; polygon, rotation (X-AnyLabeling's
 * rotated box) and circle → their bounding boxes, counted in a warning per file; point, line,
 * linestrip and other shapes are left out with a warning. The image: imagePath relative to the
 * JSON, else an image with the JSON's stem beside it, else matched to the project's by name,
 * else the image embedded as imageData (written into the project under its imagePath name).
 */
import { basename, dirname, join, relative } from 'node:path';
import { z } from 'zod';
import type { DatasetIssue } from '../../../shared/dataset/types';
import { boundsOfPoints } from '../../../shared/dataset/convert';
import { naturalCompare } from '../../../shared/dataset/natural-sort';
import { IMAGE_EXTENSIONS } from '../../../shared/dataset/types';
import { exists, findBeside, posix, readJsonListed, readText, usableLabel, walk, type ForeignDataset, type ForeignImage } from './foreign';

const point = z.tuple([z.number(), z.number()]).rest(z.number());
const labelMeSchema = z.object({
  shapes: z.array(z.object({
    label: z.unknown(),
    points: z.array(point),
    shape_type: z.string().nullable().optional(),
    difficult: z.boolean().optional(),
  })),
  imagePath: z.string(),
  imageWidth: z.number().positive().nullable().optional(),
  imageHeight: z.number().positive().nullable().optional(),
});

/** True for a parsed JSON value that has LabelMe's top-level keys (other JSON files are not ours). */
export function looksLikeLabelMe(v: unknown): boolean {
  return !!v && typeof v === 'object' && !Array.isArray(v) && 'shapes' in v && 'imagePath' in v;
}

const imagePathOf = (p: string) => p.replace(/\\/g, '/');

/** The image bytes LabelMe embeds as base64 imageData (read again when needed: they can be large). */
async function embeddedImage(jsonFile: string): Promise<Uint8Array | null> {
  const v = JSON.parse((await readText(jsonFile)) ?? '{}') as { imageData?: unknown };
  if (typeof v.imageData !== 'string' || v.imageData === '') return null;
  const bytes = Buffer.from(v.imageData, 'base64');
  return bytes.length ? bytes : null;
}

export async function readLabelMe(src: string): Promise<ForeignDataset> {
  const jsonFiles = (await walk(src)).filter((f) => f.toLowerCase().endsWith('.json')).sort(naturalCompare);
  const issues: DatasetIssue[] = [];
  const classes: string[] = [];
  const images: ForeignImage[] = [];
  const seen = new Set<string>();
  for (const jf of jsonFiles) {
    const where = posix(relative(src, jf));
    const raw = await readJsonListed(jf, where, issues);
    if (raw === undefined) continue;
    if (!looksLikeLabelMe(raw)) continue;
    const parsed = labelMeSchema.safeParse(raw);
    if (!parsed.success) {
      const i = parsed.error.issues[0];
      issues.push({ file: where, severity: 'error', reason: `not a LabelMe file: ${i?.path.join('.')}: ${i?.message}` });
      continue;
    }
    const json = parsed.data;
    const hasData = typeof (raw as { imageData?: unknown }).imageData === 'string' && basename(imagePathOf(json.imagePath)) !== '';
    const boxes: ForeignImage['boxes'] = [];
    let bounded = 0;
    const leftOut = new Map<string, number>();
    for (const [n, s] of json.shapes.entries()) {
      const type = s.shape_type ?? 'polygon';
      const pts = s.points.map((p) => [p[0], p[1]] as [number, number]);
      let box;
      if (type === 'rectangle' && pts.length >= 2) box = boundsOfPoints(pts);
      else if ((type === 'polygon' || type === 'rotation') && pts.length >= 3) { box = boundsOfPoints(pts); bounded++; }
      else if (type === 'circle' && pts.length === 2) {
        const [[cx, cy], [ex, ey]] = pts as [[number, number], [number, number]];
        const r = Math.hypot(ex - cx, ey - cy);
        box = { xmin: cx - r, ymin: cy - r, xmax: cx + r, ymax: cy + r };
        bounded++;
      } else { leftOut.set(type, (leftOut.get(type) ?? 0) + 1); continue; }
      if (!usableLabel(s.label, where, `shape ${n}`, issues)) continue;
      boxes.push({ label: s.label, ...box, ...(s.difficult ? { difficult: true } : {}) });
      if (!classes.includes(s.label)) classes.push(s.label);
    }
    if (bounded) issues.push({ file: where, severity: 'warning', reason: `${bounded} polygon/rotated/circle shape(s) imported as their bounding boxes` });
    for (const [type, count] of leftOut) issues.push({ file: where, severity: 'warning', reason: `${count} ${type} shape(s) left out (not a box)` });

    const imagePath = imagePathOf(json.imagePath);
    let file = imagePath ? await findBeside([dirname(jf)], imagePath) : null;
    if (!file) {
      const stem = jf.slice(0, -'.json'.length);
      for (const ext of IMAGE_EXTENSIONS) {
        for (const e of [ext, ext.toUpperCase()]) if (!file && (await exists(stem + e))) file = stem + e;
      }
    }
    const name = basename(imagePath) || basename(jf).replace(/\.json$/i, '');
    const rel = file && !posix(relative(src, file)).startsWith('..') ? posix(relative(src, file)) : posix(join(dirname(where), name)).replace(/^\.\//, '');
    if (seen.has(rel)) { issues.push({ file: where, severity: 'warning', reason: `a second label file for ${rel}; left out` }); continue; }
    seen.add(rel);
    images.push({
      file, rel, ...(file || basename(imagePath) ? {} : { stemOnly: true }), units: 'px', boxes, labeled: true, source: where,
      ...(!file && hasData ? { embedded: () => embeddedImage(jf) } : {}),
      ...(json.imageWidth && json.imageHeight ? { size: { width: json.imageWidth, height: json.imageHeight } } : {}),
    });
  }
  if (!images.length && !issues.length) issues.push({ file: src, severity: 'error', reason: 'no LabelMe / X-AnyLabeling JSON (with shapes and imagePath) found' });
  return { classes, images, issues };
}
