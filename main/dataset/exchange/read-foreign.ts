/**
 * Readers for datasets in other tools' layouts (YOLO/Darknet, Ultralytics, COCO, CreateML),
 * producing one neutral list: image file, boxes in pixel corners, class names in id order.
 * Problems (a malformed line, a label without image) are collected, never thrown one by one.
 *
 * Where labels are looked for:
 *   yolo         <image dir>/<stem>.txt; classes from classes.txt | obj.names | *.names
 *   ultralytics  labels/ mirror of images/ (…/images/train/x.jpg → …/labels/train/x.txt);
 *                classes from data.yaml `names` (list, map or inline [a, b]); falls back to yolo
 *   coco         every *.json with images/annotations/categories under the folder (or the file
 *                given); images by file_name relative to the JSON, its ../images, or the folder
 *   createml     every *.json holding [{ image, annotations: [{ label, coordinates }] }]
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, dirname, join, relative, sep } from 'node:path';
import type { DatasetIssue } from '../../../shared/dataset/types';
import { cocoToCorners, createMlToCorners, parseYoloLine, yoloToCorners, type Corners } from '../../../shared/dataset/convert';
import { naturalCompare } from '../../../shared/dataset/natural-sort';
import { isImageName } from '../folder-scan';
import { errnoOf, fsApiError } from '../fs-errors';
import { readImageInfo } from '../image-header';
import { errorMessage } from '../../../shared/error-message';

export interface ForeignImage {
  /** Absolute image path. */
  file: string;
  /** Path relative to the source folder, forward slashes. */
  rel: string;
  boxes: (Corners & { label: string; difficult?: boolean })[];
}

export interface ForeignDataset {
  classes: string[];
  images: ForeignImage[];
  issues: DatasetIssue[];
}

async function walk(dir: string, out: string[] = []): Promise<string[]> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (err) {
    throw fsApiError(err, dir, 'cannot list');
  }
  for (const e of entries) {
    if (e.name.startsWith('.')) continue;
    const p = join(dir, e.name);
    if (e.isDirectory()) await walk(p, out);
    else out.push(p);
  }
  return out;
}

async function readText(file: string): Promise<string | null> {
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    if (errnoOf(err) === 'ENOENT') return null;
    throw fsApiError(err, file, 'cannot read');
  }
}

const lines = (t: string) => t.split(/\r?\n/).map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#'));
const posix = (p: string) => p.split(sep).join('/');

/** `names:` from an Ultralytics data.yaml: block list, block map (`0: a`) or inline list. */
export function parseYamlNames(yaml: string): string[] | null {
  const unquote = (s: string) => {
    const t = s.trim();
    if ((t.startsWith('"') && t.endsWith('"'))) return JSON.parse(t) as string;
    if (t.startsWith("'") && t.endsWith("'")) return t.slice(1, -1).replace(/''/g, "'");
    return t;
  };
  const rows = yaml.split(/\r?\n/);
  const i = rows.findIndex((r) => /^names\s*:/.test(r));
  if (i < 0) return null;
  const inline = rows[i]!.replace(/^names\s*:/, '').replace(/\s+#.*$/, '').trim();
  if (inline.startsWith('[')) {
    return inline.replace(/^\[|\]$/g, '').split(',').map(unquote).filter((s) => s !== '');
  }
  const out: string[] = [];
  for (const r of rows.slice(i + 1)) {
    if (!/^\s+/.test(r) || r.trim() === '') { if (r.trim() === '') continue; break; }
    const t = r.trim();
    const m = /^(\d+)\s*:\s*(.*)$/.exec(t);
    if (m) out[Number(m[1])] = unquote(m[2]!);
    else if (t.startsWith('- ')) out.push(unquote(t.slice(2)));
  }
  return out.length ? out : null;
}

export async function readYolo(src: string, ultralytics: boolean): Promise<ForeignDataset> {
  const files = (await walk(src)).sort(naturalCompare);
  const issues: DatasetIssue[] = [];
  let classes: string[] | null = null;
  const yamlFile = files.find((f) => /\.ya?ml$/i.test(f) && /data/i.test(basename(f))) ?? files.find((f) => /\.ya?ml$/i.test(f));
  if (yamlFile) classes = parseYamlNames((await readText(yamlFile)) ?? '');
  if (!classes) {
    const namesFile = files.find((f) => basename(f) === 'classes.txt') ?? files.find((f) => f.endsWith('.names'));
    if (namesFile) classes = lines((await readText(namesFile)) ?? '');
  }
  if (!classes && ultralytics) throw fsApiError(Object.assign(new Error('no data.yaml with names'), { code: 'ENOENT' }), join(src, 'data.yaml'), 'cannot import:');
  classes ??= [];
  const txt = new Set(files.filter((f) => f.endsWith('.txt')));
  const images: ForeignImage[] = [];
  for (const file of files.filter((f) => isImageName(basename(f)))) {
    const stem = file.slice(0, file.lastIndexOf('.'));
    const candidates = [`${stem}.txt`];
    const parts = posix(stem).split('/');
    const k = parts.lastIndexOf('images');
    if (k >= 0) { parts[k] = 'labels'; candidates.unshift(`${parts.join('/')}.txt`); }
    const labelFile = candidates.find((c) => txt.has(c));
    const rel = posix(relative(src, file));
    if (!labelFile) { images.push({ file, rel, boxes: [] }); continue; }
    txt.delete(labelFile);
    let size: { width: number; height: number };
    try {
      size = await readImageInfo(file);
    } catch (err) {
      issues.push({ file: rel, severity: 'error', reason: errorMessage(err) });
      continue;
    }
    const boxes: ForeignImage['boxes'] = [];
    const text = (await readText(labelFile)) ?? '';
    text.split(/\r?\n/).forEach((line, n) => {
      try {
        const y = parseYoloLine(line);
        if (!y) return;
        const label = classes![y.classId] ?? String(y.classId);
        if (classes![y.classId] === undefined) issues.push({ file: posix(relative(src, labelFile)), severity: 'warning', reason: `line ${n + 1}: class id ${y.classId} has no name; imported as "${label}"` });
        boxes.push({ label, ...yoloToCorners(y.box, size.width, size.height) });
      } catch (err) {
        issues.push({ file: posix(relative(src, labelFile)), severity: 'error', reason: `line ${n + 1}: ${errorMessage(err)}` });
      }
    });
    images.push({ file, rel, boxes });
  }
  const extra = new Set(['classes.txt', 'train.txt', 'valid.txt', 'test.txt', 'val.txt']);
  for (const t of txt) if (!extra.has(basename(t))) issues.push({ file: posix(relative(src, t)), severity: 'warning', reason: 'label file without an image' });
  for (const [i, c] of classes.entries()) if (c === undefined) classes[i] = String(i);
  return { classes, images, issues };
}

interface CocoJson {
  images?: { id: number; file_name: string; width?: number; height?: number }[];
  annotations?: { image_id: number; category_id: number; bbox: number[]; difficult?: number }[];
  categories?: { id: number; name: string }[];
}

async function exists(p: string): Promise<boolean> {
  try { await stat(p); return true; } catch (err) { if (errnoOf(err) === 'ENOENT') return false; throw fsApiError(err, p, 'cannot read'); }
}

export async function readCoco(src: string): Promise<ForeignDataset> {
  const isFile = (await stat(src).catch((err: unknown) => { throw fsApiError(err, src, 'cannot import'); })).isFile();
  const jsonFiles = isFile ? [src] : (await walk(src)).filter((f) => f.endsWith('.json')).sort(naturalCompare);
  const base = isFile ? dirname(src) : src;
  const issues: DatasetIssue[] = [];
  const classes: string[] = [];
  const images: ForeignImage[] = [];
  for (const jf of jsonFiles) {
    let json: CocoJson;
    try {
      json = JSON.parse((await readText(jf)) ?? '') as CocoJson;
    } catch (err) {
      issues.push({ file: posix(relative(base, jf)), severity: 'error', reason: `not valid JSON: ${errorMessage(err)}` });
      continue;
    }
    if (!Array.isArray(json.images) || !Array.isArray(json.categories)) continue; // not a COCO instances file
    const cats = new Map<number, string>();
    for (const c of [...json.categories].sort((a, b) => a.id - b.id)) {
      cats.set(c.id, c.name);
      if (!classes.includes(c.name)) classes.push(c.name);
    }
    const byImage = new Map<number, ForeignImage['boxes']>();
    for (const a of json.annotations ?? []) {
      const label = cats.get(a.category_id);
      if (!label || !Array.isArray(a.bbox) || a.bbox.length !== 4) {
        issues.push({ file: posix(relative(base, jf)), severity: 'error', reason: `annotation of image ${a.image_id}: ${label ? 'bbox is not [x, y, w, h]' : `unknown category ${a.category_id}`}` });
        continue;
      }
      const list = byImage.get(a.image_id) ?? [];
      list.push({ label, ...cocoToCorners(a.bbox), ...(a.difficult ? { difficult: true } : {}) });
      byImage.set(a.image_id, list);
    }
    for (const im of json.images) {
      const dirs = [dirname(jf), join(dirname(jf), '..', 'images'), join(dirname(jf), 'images'), join(base, 'images'), base];
      let file: string | undefined;
      for (const d of dirs) if (await exists(join(d, im.file_name))) { file = join(d, im.file_name); break; }
      if (!file) { issues.push({ file: im.file_name, severity: 'error', reason: `image listed in ${basename(jf)} not found` }); continue; }
      images.push({ file, rel: posix(relative(base, file)), boxes: byImage.get(im.id) ?? [] });
    }
  }
  if (!jsonFiles.length) issues.push({ file: src, severity: 'error', reason: 'no COCO JSON file found' });
  return { classes, images, issues };
}

export async function readCreateMl(src: string): Promise<ForeignDataset> {
  const jsonFiles = (await walk(src)).filter((f) => f.endsWith('.json')).sort(naturalCompare);
  const issues: DatasetIssue[] = [];
  const classes: string[] = [];
  const images: ForeignImage[] = [];
  for (const jf of jsonFiles) {
    let json: unknown;
    try {
      json = JSON.parse((await readText(jf)) ?? '');
    } catch (err) {
      issues.push({ file: posix(relative(src, jf)), severity: 'error', reason: `not valid JSON: ${errorMessage(err)}` });
      continue;
    }
    if (!Array.isArray(json)) continue;
    for (const rec of json as { image?: string; annotations?: { label: string; coordinates: { x: number; y: number; width: number; height: number } }[] }[]) {
      if (typeof rec?.image !== 'string') continue;
      const file = join(dirname(jf), rec.image);
      if (!(await exists(file))) { issues.push({ file: rec.image, severity: 'error', reason: `image listed in ${basename(jf)} not found` }); continue; }
      const boxes = (rec.annotations ?? []).map((a) => ({ label: a.label, ...createMlToCorners(a.coordinates) }));
      for (const b of boxes) if (!classes.includes(b.label)) classes.push(b.label);
      images.push({ file, rel: posix(relative(src, file)), boxes });
    }
  }
  return { classes, images, issues };
}
