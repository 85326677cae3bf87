/**
 * Reads YOLO label folders: Darknet / LabelImg (`images/x.jpg` + `images/x.txt`), Ultralytics
 * (`labels/` mirroring `images/`, `data.yaml`) and CVAT "YOLO 1.1" (`obj.names`, `obj.data`,
 * `train.txt` listing `data/obj_train_data/x.jpg`, labels in `obj_train_data/x.txt`, images often
 * left out). Label files without an image become labels-only entries, matched to the project's
 * images by file name (from the list files) or by stem.
 *
 * Classes: data.yaml `names` (list, map or inline [a, b]), else the names file obj.data points
 * to, classes.txt, or any *.names. Splits: train.txt / valid.txt / test.txt (or those obj.data
 * names), else an `images/train|val|test` folder.
 */
import { basename, dirname, relative } from 'node:path';
import type { DatasetIssue, Split } from '../../../shared/dataset/types';
import { parseYoloLine, yoloToCorners } from '../../../shared/dataset/convert';
import { naturalCompare } from '../../../shared/dataset/natural-sort';
import { errorMessage } from '../../../shared/error-message';
import { isImageName } from '../folder-scan';
import { fsApiError } from '../fs-errors';
import { splitFromFolders } from './split-names';
import { contentLines, posix, readText, walk, type ForeignDataset, type ForeignImage } from './foreign';

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

/** Darknet obj.data: `key = value` lines (classes, train, valid, test, names, backup). */
export function parseObjData(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const l of contentLines(text)) {
    const m = /^([A-Za-z_]+)\s*=\s*(.*)$/.exec(l);
    if (m) out[m[1]!.toLowerCase()] = m[2]!.trim();
  }
  return out;
}

const LIST_SPLITS: Record<string, Split> = { 'train.txt': 'train', 'valid.txt': 'val', 'val.txt': 'val', 'test.txt': 'test' };

const stemOf = (p: string) => { const b = basename(p); const d = b.lastIndexOf('.'); return d > 0 ? b.slice(0, d) : b; };

export async function readYolo(src: string, ultralytics: boolean): Promise<ForeignDataset> {
  const files = (await walk(src)).sort(naturalCompare);
  const issues: DatasetIssue[] = [];
  const rel = (f: string) => posix(relative(src, f));
  let classes: string[] | null = null;
  const yamlFile = files.find((f) => /\.ya?ml$/i.test(f) && /data/i.test(basename(f))) ?? files.find((f) => /\.ya?ml$/i.test(f));
  if (yamlFile) classes = parseYamlNames((await readText(yamlFile)) ?? '');
  const objDataFile = files.find((f) => basename(f) === 'obj.data') ?? files.find((f) => f.endsWith('.data'));
  const objData = objDataFile ? parseObjData((await readText(objDataFile)) ?? '') : {};
  // obj.data names paths as the training machine saw them (`data/obj.names`): found by base name here
  const listSplits = new Map(Object.entries(LIST_SPLITS));
  for (const [key, split] of [['train', 'train'], ['valid', 'val'], ['test', 'test']] as const) if (objData[key]) listSplits.set(basename(objData[key]), split);
  if (!classes) {
    const wanted = objData.names ? basename(objData.names) : null;
    const namesFile = (wanted && files.find((f) => basename(f) === wanted)) ?? files.find((f) => basename(f) === 'classes.txt') ?? files.find((f) => f.endsWith('.names'));
    if (namesFile) classes = contentLines((await readText(namesFile)) ?? '');
  }
  if (!classes && ultralytics) throw fsApiError(Object.assign(new Error('no data.yaml with names'), { code: 'ENOENT' }), `${src}/data.yaml`, 'cannot import:');
  classes ??= [];
  const notLabels = (f: string) => basename(f) === 'classes.txt' || listSplits.has(basename(f)) || /readme/i.test(basename(f));

  // list files: image names and splits by stem
  const listed = new Map<string, { name: string; split: Split }>();
  for (const f of files.filter((x) => listSplits.has(basename(x)))) {
    for (const line of contentLines((await readText(f)) ?? '')) {
      const name = basename(line.replace(/\\/g, '/'));
      if (isImageName(name)) listed.set(stemOf(name), { name, split: listSplits.get(basename(f))! });
    }
  }
  const splitOf = (imageRel: string): Split | undefined => {
    const l = listed.get(stemOf(imageRel));
    if (l) return l.split;
    return splitFromFolders(imageRel);
  };

  const labelFiles = new Set(files.filter((f) => f.endsWith('.txt') && !notLabels(f)));
  const parse = async (labelFile: string): Promise<ForeignImage['boxes']> => {
    const boxes: ForeignImage['boxes'] = [];
    const text = (await readText(labelFile)) ?? '';
    text.split(/\r?\n/).forEach((line, n) => {
      try {
        const y = parseYoloLine(line);
        if (!y) return;
        const label = classes![y.classId] ?? String(y.classId);
        if (classes![y.classId] === undefined) issues.push({ file: rel(labelFile), severity: 'warning', reason: `line ${n + 1}: class id ${y.classId} has no name; imported as "${label}"` });
        boxes.push({ label, ...yoloToCorners(y.box, 1, 1) });
      } catch (err) {
        issues.push({ file: rel(labelFile), severity: 'error', reason: `line ${n + 1}: ${errorMessage(err)}` });
      }
    });
    return boxes;
  };

  const images: ForeignImage[] = [];
  for (const file of files.filter((f) => isImageName(basename(f)))) {
    const stem = file.slice(0, file.lastIndexOf('.'));
    const candidates = [`${stem}.txt`];
    const parts = posix(stem).split('/');
    const k = parts.lastIndexOf('images');
    if (k >= 0) { parts[k] = 'labels'; candidates.unshift(`${parts.join('/')}.txt`); }
    const labelFile = candidates.find((c) => labelFiles.has(c));
    const r = rel(file);
    const split = splitOf(r);
    if (!labelFile) { images.push({ file, rel: r, units: 'relative', boxes: [], labeled: false, source: r, ...(split ? { split } : {}) }); continue; }
    labelFiles.delete(labelFile);
    images.push({ file, rel: r, units: 'relative', boxes: await parse(labelFile), labeled: true, source: rel(labelFile), ...(split ? { split } : {}) });
  }
  // labels without their image: matched to the project's images by name (list files) or stem
  for (const labelFile of labelFiles) {
    const l = listed.get(stemOf(labelFile));
    const dir = posix(dirname(relative(src, labelFile)));
    const name = l?.name ?? stemOf(labelFile);
    const r = dir === '.' ? name : `${dir}/${name}`;
    const split = l?.split ?? splitOf(r.replace(/(^|\/)labels\//, '$1images/'));
    images.push({ file: null, rel: r, ...(l ? {} : { stemOnly: true }), units: 'relative', boxes: await parse(labelFile), labeled: true, source: rel(labelFile), ...(split ? { split } : {}) });
  }
  if (!images.some((i) => i.labeled) && !issues.length) issues.push({ file: src, severity: 'error', reason: 'no YOLO label files (.txt) found' });
  for (const [i, c] of classes.entries()) if (c === undefined) classes[i] = String(i);
  return { classes, images, issues };
}
