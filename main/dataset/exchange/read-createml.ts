/**
 * Reads CreateML JSON (LabelImg's create_ml_io): every *.json holding
 * [{ image, annotations: [{ label, coordinates: { x, y, width, height } }] }], centre and size in
 * pixels. Images beside the JSON, or matched to the project's images by name.
 */
import { dirname, relative } from 'node:path';
import { z } from 'zod';
import type { DatasetIssue } from '../../../shared/dataset/types';
import { createMlToCorners } from '../../../shared/dataset/convert';
import { naturalCompare } from '../../../shared/dataset/natural-sort';
import { findBeside, posix, readJsonListed, usableLabel, walk, type ForeignDataset, type ForeignImage } from './foreign';

const recordSchema = z.object({
  image: z.string().min(1),
  annotations: z.array(z.object({
    label: z.unknown(),
    coordinates: z.object({ x: z.number(), y: z.number(), width: z.number(), height: z.number() }),
  })).default([]),
});

export async function readCreateMl(src: string): Promise<ForeignDataset> {
  const jsonFiles = (await walk(src)).filter((f) => f.toLowerCase().endsWith('.json')).sort(naturalCompare);
  const issues: DatasetIssue[] = [];
  const classes: string[] = [];
  const images: ForeignImage[] = [];
  for (const jf of jsonFiles) {
    const where = posix(relative(src, jf));
    const json = await readJsonListed(jf, where, issues);
    if (json === undefined) continue;
    if (!Array.isArray(json)) continue; // not a CreateML file
    for (const [n, item] of json.entries()) {
      const rec = recordSchema.safeParse(item);
      if (!rec.success) {
        issues.push({ file: where, severity: 'error', reason: `record ${n}: ${rec.error.issues[0]?.path.join('.')}: ${rec.error.issues[0]?.message}; left out` });
        continue;
      }
      const boxes: ForeignImage['boxes'] = [];
      for (const a of rec.data.annotations) {
        if (!usableLabel(a.label, where, `${rec.data.image}`, issues)) continue;
        boxes.push({ label: a.label, ...createMlToCorners(a.coordinates) });
        if (!classes.includes(a.label)) classes.push(a.label);
      }
      const file = await findBeside([dirname(jf)], rec.data.image);
      const rel = file ? posix(relative(src, file)) : rec.data.image;
      images.push({ file, rel, units: 'px', boxes, labeled: true, source: where });
    }
  }
  if (!images.length && !issues.length) issues.push({ file: src, severity: 'error', reason: 'no CreateML JSON ([{ image, annotations }]) found' });
  return { classes, images, issues };
}
