/**
 * COCO JSON: ground truth (`{ images, annotations, categories }`) and detection results
 * (pycocotools' results list `[{ image_id, category_id, bbox, score }]`, or a ground-truth-shaped
 * object whose annotations carry `score`).
 *
 * Boxes are `[x, y, w, h]` → corners (x, y, x + w, y + h). Image key = the `file_name` stem when
 * those are unique (so txt detections named after the image match), else the id as a string.
 * Image order for score ties = ascending image id, as pycocotools.
 */
import type { Detection, GroundTruthBox } from '../../shared/metrics';
import { FormatError } from './errors';
import { readText, stem, type ImageSize } from './files';
import type { DetectionSet, GroundTruthSet } from './types';

type Json = Record<string, unknown>;

function readJson(file: string): unknown {
  const text = readText(file);
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new FormatError(file, `invalid JSON: ${(err as Error).message}`);
  }
}

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function arrayField(obj: Json, key: string, file: string): Json[] {
  const v = obj[key];
  if (!Array.isArray(v)) throw new FormatError(file, `"${key}" must be an array`);
  v.forEach((x, i) => { if (!isObject(x)) throw new FormatError(file, `${key}[${i}] must be an object`); });
  return v as Json[];
}

function numberField(obj: Json, key: string, where: string, file: string): number {
  const v = obj[key];
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new FormatError(file, `${where}.${key} must be a finite number, got ${JSON.stringify(v)}`);
  return v;
}

function corners(a: Json, where: string, file: string) {
  const b = a.bbox;
  if (!Array.isArray(b) || b.length !== 4 || !b.every((x) => typeof x === 'number' && Number.isFinite(x))) {
    throw new FormatError(file, `${where}.bbox must be [x, y, w, h] of finite numbers, got ${JSON.stringify(b)}`);
  }
  const [x, y, w, h] = b as [number, number, number, number];
  if (w < 0 || h < 0) throw new FormatError(file, `${where}.bbox has a negative width or height: ${JSON.stringify(b)}`);
  return { x1: x, y1: y, x2: x + w, y2: y + h };
}

/** Image table of a COCO object: id → key, sizes, order by ascending id. */
function imageTable(obj: Json, file: string) {
  const images = arrayField(obj, 'images', file);
  const ids = images.map((im, i) => numberField(im, 'id', `images[${i}]`, file));
  const stems = images.map((im) => (typeof im.file_name === 'string' && im.file_name !== '' ? stem(im.file_name) : undefined));
  const useStems = stems.every((s) => s !== undefined) && new Set(stems).size === stems.length;
  const keys = new Map<number, string>();
  const sizes = new Map<string, ImageSize>();
  images.forEach((im, i) => {
    if (keys.has(ids[i]!)) throw new FormatError(file, `images[${i}].id ${ids[i]} is repeated`);
    const key = useStems ? stems[i]! : String(ids[i]);
    keys.set(ids[i]!, key);
    if (typeof im.width === 'number' && typeof im.height === 'number' && im.width > 0 && im.height > 0) sizes.set(key, { width: im.width, height: im.height });
  });
  const order = [...keys.entries()].sort((a, b) => a[0] - b[0]).map(([, k]) => k);
  return { keys, sizes, order };
}

function categoryTable(obj: Json, file: string): Map<number, string> {
  const cats = new Map<number, string>();
  if (obj.categories === undefined) return cats;
  arrayField(obj, 'categories', file).forEach((c, i) => {
    const id = numberField(c, 'id', `categories[${i}]`, file);
    cats.set(id, typeof c.name === 'string' && c.name !== '' ? c.name : String(id));
  });
  return cats;
}

export function readCocoGroundTruth(file: string): GroundTruthSet {
  const obj = readJson(file);
  if (!isObject(obj)) throw new FormatError(file, 'expected a COCO object with "images", "annotations" and "categories"');
  const { keys, sizes, order } = imageTable(obj, file);
  const cats = categoryTable(obj, file);
  const boxes = arrayField(obj, 'annotations', file).map((a, i): GroundTruthBox => {
    const where = `annotations[${i}]`;
    const imageId = keys.get(numberField(a, 'image_id', where, file));
    if (imageId === undefined) throw new FormatError(file, `${where}.image_id ${String(a.image_id)} is not in "images"`);
    const cat = cats.get(numberField(a, 'category_id', where, file));
    if (cat === undefined) throw new FormatError(file, `${where}.category_id ${String(a.category_id)} is not in "categories"`);
    const g: GroundTruthBox = { imageId, className: cat, ...corners(a, where, file) };
    if (a.area !== undefined) g.area = numberField(a, 'area', where, file);
    if (a.iscrowd) g.iscrowd = true;
    return g;
  });
  return { boxes, images: order, imageSizes: sizes, imageOrder: order, cocoImages: keys, cocoCategories: cats };
}

/**
 * Reads COCO detection results. `image_id` and `category_id` are resolved through the ground
 * truth's COCO tables, else through the file's own `images` / `categories` (object form); an
 * unknown image id becomes the id as a string (its detections are then false positives), an
 * unknown category id becomes the id as a string (a class without ground truth, ignored).
 */
export function readCocoDetections(file: string, gt?: Pick<GroundTruthSet, 'cocoImages' | 'cocoCategories'>): DetectionSet {
  const obj = readJson(file);
  let list: Json[];
  let ownImages: Map<number, string> | undefined;
  let ownCats = new Map<number, string>();
  if (Array.isArray(obj)) {
    obj.forEach((x, i) => { if (!isObject(x)) throw new FormatError(file, `result [${i}] must be an object`); });
    list = obj as Json[];
  } else if (isObject(obj)) {
    list = arrayField(obj, 'annotations', file);
    if (obj.images !== undefined) ownImages = imageTable(obj, file).keys;
    ownCats = categoryTable(obj, file);
  } else {
    throw new FormatError(file, 'expected a COCO results array or an object with "annotations"');
  }
  const images = gt?.cocoImages ?? ownImages;
  const cats = gt?.cocoCategories ?? ownCats;
  const detections = list.map((a, i): Detection => {
    const where = Array.isArray(obj) ? `[${i}]` : `annotations[${i}]`;
    const imgId = numberField(a, 'image_id', where, file);
    const catId = numberField(a, 'category_id', where, file);
    const score = a.score;
    if (typeof score !== 'number' || Number.isNaN(score)) throw new FormatError(file, `${where}.score must be a number, got ${JSON.stringify(score)}`);
    return {
      imageId: images?.get(imgId) ?? String(imgId),
      className: cats.get(catId) ?? ownCats.get(catId) ?? String(catId),
      score,
      ...corners(a, where, file),
    };
  });
  return { detections, images: [...new Set(detections.map((d) => d.imageId))] };
}
