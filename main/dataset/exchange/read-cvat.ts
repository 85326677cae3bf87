/**
 * Reads "CVAT for images 1.1" XML (annotations.xml: <annotations><meta>…<labels>, then
 * <image name width height subset> with <box label xtl ytl xbr ybr rotation>): the file given,
 * or every *.xml under the folder whose root is <annotations>. Rotated boxes, polygons,
 * ellipses and masks become their bounding boxes (counted in a warning); polylines, points,
 * cuboids, skeletons, tags and video tracks are left out with a warning. The `difficult` and
 * `truncated` attributes are kept. Subsets named Train / Validation / Test give the split. Images
 * are looked for under images/ and beside the XML, else matched to the project's by name.
 */
import { basename, dirname, join, relative } from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import type { DatasetIssue } from '../../../shared/dataset/types';
import { boundsOfPoints, parseCvatPoints, rotatedRectPoints, type Corners } from '../../../shared/dataset/convert';
import { naturalCompare } from '../../../shared/dataset/natural-sort';
import { wellFormedProblem } from '../../../shared/voc/well-formed';
import { errorMessage } from '../../../shared/error-message';
import { findBeside, isFile, posix, readText, usableLabel, walk, type ForeignDataset, type ForeignImage } from './foreign';
import { splitFromName } from './split-names';

type Node = Record<string, unknown>;
const LISTS = new Set(['image', 'box', 'polygon', 'polyline', 'points', 'ellipse', 'mask', 'cuboid', 'skeleton', 'tag', 'track', 'label', 'attribute']);
const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  processEntities: true,
  htmlEntities: false,
  isArray: (name) => LISTS.has(name),
});

const arr = (v: unknown): Node[] => (Array.isArray(v) ? (v as Node[]) : []);
const num = (v: unknown) => (typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN);
const truthy = (v: unknown) => typeof v === 'string' && ['1', 'true', 'yes'].includes(v.trim().toLowerCase());

/** Label names of <meta>, in order, wherever CVAT put them (task, project or job). */
function metaLabels(meta: unknown, out: string[] = []): string[] {
  if (!meta || typeof meta !== 'object') return out;
  for (const [k, v] of Object.entries(meta as Node)) {
    if (k === 'labels' && v && typeof v === 'object') {
      for (const l of arr((v as Node).label)) if (typeof l.name === 'string' && !out.includes(l.name)) out.push(l.name);
    } else if (typeof v === 'object') metaLabels(v, out);
  }
  return out;
}

function attributes(shape: Node): Map<string, string> {
  const m = new Map<string, string>();
  for (const a of arr(shape.attribute)) if (typeof a['@name'] === 'string') m.set(a['@name'].toLowerCase(), typeof a['#text'] === 'string' ? a['#text'] : '');
  return m;
}

/** The box of one shape element, or null when it is not one we read (or malformed: `why`). */
function shapeBox(kind: string, s: Node): { box: Corners; bounded: boolean } | { why: string } {
  if (kind === 'box') {
    const [x1, y1, x2, y2] = [num(s['@xtl']), num(s['@ytl']), num(s['@xbr']), num(s['@ybr'])];
    if (![x1, y1, x2, y2].every(Number.isFinite)) return { why: 'box without numeric xtl/ytl/xbr/ybr' };
    const rot = num(s['@rotation']);
    if (Number.isFinite(rot) && rot % 360 !== 0) {
      return { box: boundsOfPoints(rotatedRectPoints(x1, y1, x2 - x1, y2 - y1, rot, [(x1 + x2) / 2, (y1 + y2) / 2])), bounded: true };
    }
    return { box: { xmin: x1, ymin: y1, xmax: x2, ymax: y2 }, bounded: false };
  }
  if (kind === 'polygon') {
    const pts = parseCvatPoints(typeof s['@points'] === 'string' ? s['@points'] : '');
    return pts ? { box: boundsOfPoints(pts), bounded: true } : { why: 'polygon with malformed points' };
  }
  if (kind === 'ellipse') {
    const [cx, cy, rx, ry] = [num(s['@cx']), num(s['@cy']), num(s['@rx']), num(s['@ry'])];
    if (![cx, cy, rx, ry].every(Number.isFinite)) return { why: 'ellipse without numeric cx/cy/rx/ry' };
    return { box: { xmin: cx - rx, ymin: cy - ry, xmax: cx + rx, ymax: cy + ry }, bounded: true };
  }
  // mask: left/top/width/height of the mask's bounding rectangle
  const [l, t, w, h] = [num(s['@left']), num(s['@top']), num(s['@width']), num(s['@height'])];
  if (![l, t, w, h].every(Number.isFinite)) return { why: 'mask without numeric left/top/width/height' };
  return { box: { xmin: l, ymin: t, xmax: l + w, ymax: t + h }, bounded: true };
}

export async function readCvatXml(src: string): Promise<ForeignDataset> {
  const single = await isFile(src);
  const base = single ? dirname(src) : src;
  const xmlFiles = single ? [src] : (await walk(src)).filter((f) => f.toLowerCase().endsWith('.xml')).sort(naturalCompare);
  const issues: DatasetIssue[] = [];
  const classes: string[] = [];
  const images: ForeignImage[] = [];
  const seen = new Set<string>();
  let found = 0;
  for (const xf of xmlFiles) {
    const where = posix(relative(base, xf));
    const text = (await readText(xf)) ?? '';
    if (!single && !/<annotations[\s>]/.test(text.slice(0, 4096))) continue; // VOC files (<annotation>) and others are not ours
    const problem = wellFormedProblem(text);
    let doc: Node;
    try {
      if (problem) throw new Error(problem);
      doc = parser.parse(text) as Node;
    } catch (err) {
      issues.push({ file: where, severity: 'error', reason: `cannot read CVAT XML: ${errorMessage(err)}` });
      continue;
    }
    const root = doc.annotations as Node | undefined;
    if (!root || typeof root !== 'object') {
      issues.push({ file: where, severity: 'error', reason: 'not a CVAT XML file: the root element is not <annotations>' });
      continue;
    }
    found++;
    for (const l of metaLabels(root.meta)) if (usableLabel(l, where, 'label in <meta>', issues) && !classes.includes(l)) classes.push(l);
    const tracks = arr(root.track).length;
    if (tracks) issues.push({ file: where, severity: 'warning', reason: `${tracks} track(s) (video annotation) left out: export the task as "CVAT for images"` });
    const dirs = [join(dirname(xf), 'images'), dirname(xf), join(base, 'images'), base];
    for (const im of arr(root.image)) {
      const name = typeof im['@name'] === 'string' ? im['@name'].replace(/\\/g, '/') : '';
      if (!name) { issues.push({ file: where, severity: 'error', reason: `<image id="${String(im['@id'])}"> without a name; left out` }); continue; }
      const boxes: ForeignImage['boxes'] = [];
      let bounded = 0;
      const leftOut = new Map<string, number>();
      for (const [kind, value] of Object.entries(im)) {
        if (kind.startsWith('@') || kind === '#text') continue;
        for (const s of arr(value)) {
          if (!['box', 'polygon', 'ellipse', 'mask'].includes(kind)) { leftOut.set(kind, (leftOut.get(kind) ?? 0) + 1); continue; }
          const r = shapeBox(kind, s);
          if ('why' in r) { issues.push({ file: where, severity: 'error', reason: `${name}: ${r.why}; left out` }); continue; }
          if (!usableLabel(s['@label'], where, `${name}: ${kind}`, issues)) continue;
          const label = s['@label'] as string;
          const attrs = attributes(s);
          if (r.bounded) bounded++;
          boxes.push({ label, ...r.box, ...(truthy(attrs.get('difficult')) ? { difficult: true } : {}), ...(truthy(attrs.get('truncated')) ? { truncated: true } : {}) });
          if (!classes.includes(label)) classes.push(label);
        }
      }
      if (bounded) issues.push({ file: where, severity: 'warning', reason: `${name}: ${bounded} rotated box/polygon/ellipse/mask shape(s) imported as their bounding boxes` });
      for (const [kind, count] of leftOut) issues.push({ file: where, severity: 'warning', reason: `${name}: ${count} ${kind} shape(s) left out (not a box)` });
      const file = await findBeside(dirs, name) ?? (name.includes('/') ? await findBeside(dirs, basename(name)) : null);
      const rel = file && !posix(relative(base, file)).startsWith('..') ? posix(relative(base, file)) : name;
      if (seen.has(rel)) { issues.push({ file: where, severity: 'warning', reason: `${name} is listed again; the first listing was used` }); continue; }
      seen.add(rel);
      const [w, h] = [num(im['@width']), num(im['@height'])];
      const split = typeof im['@subset'] === 'string' ? splitFromName(im['@subset']) : undefined;
      images.push({
        file, rel, units: 'px', boxes, labeled: true, source: where,
        ...(w > 0 && h > 0 ? { size: { width: w, height: h } } : {}),
        ...(split ? { split } : {}),
      });
    }
  }
  if (!found && !issues.length) issues.push({ file: src, severity: 'error', reason: 'no CVAT XML file (root <annotations>) found' });
  return { classes, images, issues };
}
