/**
 * Classifier datasets in memory: every usable image decoded once (sharp: EXIF orientation applied,
 * stretched to the model input, grayscale or sRGB) into `inputShape` uint8 pixels.
 *
 * Sources (shared/training/classifier.ts ClassifierSource):
 * - folder: DIR/<class>/<images…> (sub-folders of a class folder are included). Files that are
 *   not images are counted and listed, never read; files directly in DIR are not in a class and
 *   are listed too; corrupt images are reported and left out; a class with no usable image is
 *   left out with a warning; a class with one image trains only (warned by the split).
 * - crops: the labeled boxes of a detection project (main/dataset openDatasetProject), padded
 *   by `padding`·box side and clamped to the photo; each photo is decoded once.
 * - idx: MNIST-format files; the t10k files are the fixed test set.
 *
 * Input shape and colour mode, when not given, come from the data: grayscale when every image is
 * (mobilenet-embeddings: always rgb); the preset's natural long side (fashion-mnist 28,
 * sports 28, deep 64, mobilenet 224 square), not above the images' median long side, with the
 * images' median aspect ratio.
 */
import { promises as fs } from 'node:fs';
import { basename, dirname, join, relative, sep } from 'node:path';
import sharp, { type Sharp, type OutputInfo } from 'sharp';
import { decodeImageFile, toPixels } from './decode-image';
import { openDatasetProject } from '../../dataset/project';
import { isImageName, photoNames } from '../../dataset/folder-scan';
import { naturalCompare } from '../../../shared/dataset/natural-sort';
import { orientedSize } from '../../../shared/dataset/exif';
import type { ClassifierConfig, ClassifierPresetChoice, ClassifierSource, ColorMode } from '../../../shared/training/classifier';
import { FASHION_MNIST_CLASSES, readIdxSplit } from './idx';
import { errorMessage } from '../../../shared/error-message';

export interface ClassifierSample {
  /** folder: path relative to the source folder; crops: `<imageId>#<box index>`; idx: `train/<i>` or `t10k/<i>`. */
  id: string;
  label: number;
  /** The image file (crops: the photo the box is in); null for IDX. */
  path: string | null;
  /** Samples of one group share a split (crops of one photo). */
  group: string;
  /** inputShape pixels, HWC, 0..255. */
  pixels: Uint8Array;
}

export interface ClassifierDataset {
  classes: string[];
  samples: ClassifierSample[];
  inputShape: [number, number, number];
  colorMode: ColorMode;
  /** Images that could not be decoded (corrupt, unsupported), with why. */
  skipped: { file: string; reason: string }[];
  /** Files that were not read: not images, or not inside a class folder. */
  ignored: { file: string; reason: string }[];
  warnings: string[];
  /** Ids of a fixed test set (IDX t10k); otherwise the seeded split picks test images. */
  fixedTest: Set<string> | null;
}

export interface LoadClassifierOptions {
  preset: ClassifierPresetChoice;
  inputShape?: [number, number, number];
  colorMode: ClassifierConfig['colorMode'];
  /** Restores a run's shape and colour mode and its class order (resume). */
  fixed?: { inputShape: [number, number, number]; colorMode: ColorMode; classes: string[] };
  onProgress?: (done: number, total: number) => void;
}

const NATURAL_SIDE: Record<ClassifierPresetChoice, number> = { 'fashion-mnist-cnn': 28, 'sports-cnn': 28, 'deep-cnn': 64, 'mobilenet-embeddings': 224 };
const MIN_SIDE = 8;

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s[Math.floor(s.length / 2)]!;
};

/** The input shape for images of these sizes (see the module comment). */
export function chooseInputShape(preset: ClassifierPresetChoice, sizes: { width: number; height: number }[], channels: 1 | 3): [number, number, number] {
  if (preset === 'mobilenet-embeddings') return [224, 224, 3];
  const natural = NATURAL_SIDE[preset];
  if (sizes.length === 0) return [natural, natural, channels];
  const long = Math.max(MIN_SIDE, Math.min(natural, median(sizes.map((s) => Math.max(s.width, s.height)))));
  const aspect = median(sizes.map((s) => s.width / s.height));
  const h = Math.max(MIN_SIDE, Math.round(aspect >= 1 ? long / aspect : long));
  const w = Math.max(MIN_SIDE, Math.round(aspect >= 1 ? long : long * aspect));
  return [h, w, channels];
}

export { decodeImageFile };

const errorText = (err: unknown): string => errorMessage(err).split('\n')[0]!.trim().replace(/:$/, '');

interface Candidate { file: string; id: string; className: string; width: number; height: number; gray: boolean }

async function listFilesDeep(dir: string): Promise<string[]> {
  const out: string[] = [];
  const entries = await fs.readdir(dir, { withFileTypes: true });
  entries.sort((a, b) => naturalCompare(a.name, b.name));
  for (const e of entries) {
    if (e.name.startsWith('.')) continue;
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await listFilesDeep(p)));
    else if (e.isFile()) out.push(p);
  }
  return out;
}

const relId = (root: string, file: string): string => relative(root, file).split(sep).join('/');

async function resolveShape(preset: ClassifierPresetChoice, options: LoadClassifierOptions, sizes: { width: number; height: number }[], allGray: boolean, grayCount: number, total: number, warnings: string[]): Promise<{ inputShape: [number, number, number]; colorMode: ColorMode }> {
  if (options.fixed) return { inputShape: options.fixed.inputShape, colorMode: options.fixed.colorMode };
  let colorMode: ColorMode;
  if (preset === 'mobilenet-embeddings') colorMode = 'rgb';
  else if (options.inputShape) colorMode = options.inputShape[2] === 1 ? 'grayscale' : 'rgb';
  else colorMode = options.colorMode === 'auto' ? (allGray ? 'grayscale' : 'rgb') : options.colorMode;
  if (colorMode === 'rgb' && grayCount > 0 && grayCount < total) warnings.push(`${grayCount} grayscale and ${total - grayCount} colour image(s): the grayscale ones are converted to rgb`);
  if (colorMode === 'grayscale' && grayCount < total) warnings.push(`${total - grayCount} colour image(s) are converted to grayscale (colorMode grayscale)`);
  const channels = colorMode === 'grayscale' ? 1 : 3;
  const inputShape = options.inputShape ? [options.inputShape[0], options.inputShape[1], channels] as [number, number, number] : chooseInputShape(preset, sizes, channels);
  return { inputShape, colorMode };
}

async function loadFolder(dir: string, options: LoadClassifierOptions): Promise<ClassifierDataset> {
  const ignored: ClassifierDataset['ignored'] = [];
  const skipped: ClassifierDataset['skipped'] = [];
  const warnings: string[] = [];
  let entries;
  try {
    entries = await fs.readdir(dir, { withFileTypes: true });
  } catch (err) {
    throw new Error(`cannot read the dataset folder ${dir}: ${errorText(err)}`);
  }
  const classDirs = entries.filter((e) => e.isDirectory() && !e.name.startsWith('.')).map((e) => e.name).sort(naturalCompare);
  for (const e of entries) if (e.isFile() && !e.name.startsWith('.')) ignored.push({ file: e.name, reason: 'not inside a class folder' });
  if (classDirs.length === 0) throw new Error(`${dir} has no class folders: put each class's images in a sub-folder named after the class`);
  const candidates: Candidate[] = [];
  for (const className of classDirs) {
    const files = await listFilesDeep(join(dir, className));
    const namesByFolder = new Map<string, string[]>();
    for (const f of files) {
      const names = namesByFolder.get(dirname(f)) ?? [];
      names.push(basename(f));
      namesByFolder.set(dirname(f), names);
    }
    const photos = new Set([...namesByFolder].flatMap(([folder, names]) => photoNames(names).map((name) => join(folder, name))));
    for (const file of files) {
      const id = relId(dir, file);
      if (!isImageName(file)) { ignored.push({ file: id, reason: 'not an image file' }); continue; }
      if (!photos.has(file)) { ignored.push({ file: id, reason: 'a Detecta result image (boxes or classes drawn in)' }); continue; }
      try {
        const m = await sharp(file).metadata();
        if (!m.width || !m.height) throw new Error('no image size in the file');
        const size = orientedSize(m.width, m.height, m.orientation);
        candidates.push({ file, id, className, width: size.width, height: size.height, gray: m.channels === 1 || m.channels === 2 || m.space === 'b-w' });
      } catch (err) {
        skipped.push({ file: id, reason: `unreadable image: ${errorText(err)}` });
      }
    }
  }
  const grayCount = candidates.filter((c) => c.gray).length;
  const { inputShape, colorMode } = await resolveShape(options.preset, options, candidates, grayCount === candidates.length, grayCount, candidates.length, warnings);
  const decoded: { c: Candidate; pixels: Uint8Array }[] = [];
  let done = 0;
  for (const c of candidates) {
    try {
      decoded.push({ c, pixels: await decodeImageFile(c.file, inputShape) });
    } catch (err) {
      skipped.push({ file: c.id, reason: `corrupt image: ${errorText(err)}` });
    }
    options.onProgress?.(++done, candidates.length);
  }
  const present = new Set(decoded.map((d) => d.c.className));
  const classes = options.fixed ? options.fixed.classes : classDirs.filter((name) => present.has(name));
  for (const name of classDirs) if (!present.has(name)) warnings.push(`class folder "${name}" has no usable image: the class is left out`);
  const index = new Map(classes.map((c, i) => [c, i]));
  const samples: ClassifierSample[] = [];
  for (const d of decoded) {
    const label = index.get(d.c.className);
    if (label === undefined) { warnings.push(`"${d.c.id}": class "${d.c.className}" is not one of the run's classes; left out`); continue; }
    samples.push({ id: d.c.id, label, path: d.c.file, group: d.c.id, pixels: d.pixels });
  }
  return { classes, samples, inputShape, colorMode, skipped, ignored, warnings, fixedTest: null };
}

async function loadCrops(source: Extract<ClassifierSource, { kind: 'crops' }>, options: LoadClassifierOptions): Promise<ClassifierDataset> {
  const project = await openDatasetProject(source.project, { watch: false });
  try {
    await project.ready();
    const skipped: ClassifierDataset['skipped'] = [];
    const warnings: string[] = [];
    const ignored: ClassifierDataset['ignored'] = [];
    interface Photo { imageId: string; file: string; gray: boolean; width: number; height: number; boxes: { id: string; className: string; left: number; top: number; width: number; height: number }[] }
    const photos: Photo[] = [];
    let tooSmall = 0;
    let difficult = 0;
    for await (const { entry, ann } of project.annotations()) {
      const file = project.resolveImage(entry.id);
      let meta;
      try {
        meta = await sharp(file).metadata();
        if (!meta.width || !meta.height) throw new Error('no image size in the file');
      } catch (err) {
        skipped.push({ file: entry.id, reason: `unreadable image: ${errorText(err)}` });
        continue;
      }
      const size = orientedSize(meta.width, meta.height, meta.orientation);
      const boxes: Photo['boxes'] = [];
      ann.objects.forEach((o, i) => {
        if (o.difficult && !source.difficult) { difficult++; return; }
        const bw = o.bndbox.xmax - o.bndbox.xmin;
        const bh = o.bndbox.ymax - o.bndbox.ymin;
        if (bw < source.minSize || bh < source.minSize) { tooSmall++; return; }
        const x1 = Math.max(0, Math.floor(o.bndbox.xmin - source.padding * bw));
        const y1 = Math.max(0, Math.floor(o.bndbox.ymin - source.padding * bh));
        const x2 = Math.min(size.width, Math.ceil(o.bndbox.xmax + source.padding * bw));
        const y2 = Math.min(size.height, Math.ceil(o.bndbox.ymax + source.padding * bh));
        if (x2 - x1 < 1 || y2 - y1 < 1) { skipped.push({ file: `${entry.id}#${i}`, reason: 'the box lies outside the image' }); return; }
        boxes.push({ id: `${entry.id}#${i}`, className: o.name, left: x1, top: y1, width: x2 - x1, height: y2 - y1 });
      });
      if (boxes.length > 0) photos.push({ imageId: entry.id, file, gray: meta.channels === 1 || meta.channels === 2 || meta.space === 'b-w', width: size.width, height: size.height, boxes });
    }
    if (tooSmall > 0) warnings.push(`${tooSmall} box(es) smaller than ${source.minSize} px left out`);
    if (difficult > 0) warnings.push(`${difficult} box(es) marked difficult left out`);
    const allBoxes = photos.flatMap((p) => p.boxes);
    if (allBoxes.length === 0) throw new Error(`${project.root} has no labeled boxes to crop`);
    const grayCount = photos.filter((p) => p.gray).length;
    const { inputShape, colorMode } = await resolveShape(options.preset, options, allBoxes, grayCount === photos.length, grayCount, photos.length, warnings);
    const projectClasses = project.getConfig().classes;
    const present = new Set(allBoxes.map((b) => b.className));
    const classes = options.fixed ? options.fixed.classes : [...projectClasses.filter((c) => present.has(c)), ...[...present].filter((c) => !projectClasses.includes(c)).sort(naturalCompare)];
    const index = new Map(classes.map((c, i) => [c, i]));
    const samples: ClassifierSample[] = [];
    let done = 0;
    for (const p of photos) {
      let raw: { data: Buffer; info: OutputInfo };
      try {
        const base = sharp(p.file, { failOn: 'error' }).rotate().removeAlpha();
        raw = await (inputShape[2] === 1 ? base.grayscale() : base.toColourspace('srgb')).raw().toBuffer({ resolveWithObject: true });
      } catch (err) {
        skipped.push({ file: p.imageId, reason: `corrupt image: ${errorText(err)}` });
        done += p.boxes.length;
        continue;
      }
      for (const b of p.boxes) {
        const label = index.get(b.className);
        if (label === undefined) { ignored.push({ file: b.id, reason: `class "${b.className}" is not one of the run's classes` }); continue; }
        const region = { left: Math.min(b.left, raw.info.width - 1), top: Math.min(b.top, raw.info.height - 1), width: 0, height: 0 };
        region.width = Math.max(1, Math.min(b.width, raw.info.width - region.left));
        region.height = Math.max(1, Math.min(b.height, raw.info.height - region.top));
        const crop = sharp(raw.data, { raw: { width: raw.info.width, height: raw.info.height, channels: raw.info.channels } }).extract(region);
        samples.push({ id: b.id, label, path: p.file, group: p.imageId, pixels: await toPixels(crop, inputShape, b.id) });
        options.onProgress?.(++done, allBoxes.length);
      }
    }
    return { classes, samples, inputShape, colorMode, skipped, ignored, warnings, fixedTest: null };
  } finally {
    await project.close();
  }
}

async function loadIdx(source: Extract<ClassifierSource, { kind: 'idx' }>, options: LoadClassifierOptions): Promise<ClassifierDataset> {
  const train = await readIdxSplit(source.dir, 'train');
  const test = await readIdxSplit(source.dir, 't10k');
  if (!train && !test) throw new Error(`${source.dir} has no IDX files (train-images-idx3-ubyte[.gz], t10k-images-idx3-ubyte[.gz])`);
  const first = (train ?? test)!;
  const maxLabel = Math.max(...(train?.labels ?? []), ...(test?.labels ?? []));
  const classes = options.fixed?.classes ?? source.classNames ?? (/fashion/i.test(source.dir) && maxLabel < 10 ? FASHION_MNIST_CLASSES : Array.from({ length: maxLabel + 1 }, (_, i) => String(i)));
  if (maxLabel >= classes.length) throw new Error(`${source.dir}: label ${maxLabel} has no class name (${classes.length} names given)`);
  const warnings: string[] = [];
  const natural: [number, number, number] = [first.images.rows, first.images.cols, 1];
  const { inputShape, colorMode } = options.fixed
    ? options.fixed
    : options.inputShape
      ? { inputShape: options.inputShape, colorMode: (options.inputShape[2] === 1 ? 'grayscale' : 'rgb') as ColorMode }
      : options.colorMode === 'rgb' || options.preset === 'mobilenet-embeddings'
        ? { inputShape: chooseInputShape(options.preset, [{ width: natural[1], height: natural[0] }], 3), colorMode: 'rgb' as ColorMode }
        : { inputShape: natural, colorMode: 'grayscale' as ColorMode };
  const samples: ClassifierSample[] = [];
  const fixedTest = new Set<string>();
  const same = inputShape[0] === natural[0] && inputShape[1] === natural[1] && inputShape[2] === 1;
  const parts: [string, NonNullable<typeof train>, number | undefined][] = [];
  if (train) parts.push(['train', train, source.trainLimit]);
  if (test) parts.push(['t10k', test, source.testLimit]);
  const total = parts.reduce((n, [, s, limit]) => n + Math.min(s.images.count, limit ?? Infinity), 0);
  let done = 0;
  for (const [prefix, split, limit] of parts) {
    const { rows, cols, data } = split.images;
    const n = Math.min(split.images.count, limit ?? Infinity);
    for (let i = 0; i < n; i++) {
      const plane = data.subarray(i * rows * cols, (i + 1) * rows * cols);
      const pixels = same ? plane : await toPixels(sharp(plane, { raw: { width: cols, height: rows, channels: 1 } }), inputShape, `${prefix}/${i}`);
      const id = `${prefix}/${i}`;
      samples.push({ id, label: split.labels[i]!, path: null, group: id, pixels });
      if (prefix === 't10k' && train) fixedTest.add(id);
      if (!same) options.onProgress?.(++done, total);
    }
  }
  if (!test) warnings.push(`${source.dir} has no t10k files: the test images come from the train files`);
  if (!train) warnings.push(`${source.dir} has only t10k files: they are split into train, validation and test`);
  return { classes, samples, inputShape, colorMode, skipped: [], ignored: [], warnings, fixedTest: test && train ? fixedTest : null };
}

export async function loadClassifierDataset(source: ClassifierSource, options: LoadClassifierOptions): Promise<ClassifierDataset> {
  switch (source.kind) {
    case 'folder': return loadFolder(source.dir, options);
    case 'crops': return loadCrops(source, options);
    case 'idx': return loadIdx(source, options);
  }
}
