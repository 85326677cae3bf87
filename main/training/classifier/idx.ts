/**
 * IDX files (the MNIST / Fashion-MNIST format): big-endian int32 magic (0x00000803 images,
 * 0x00000801 labels), int32 counts (and rows, cols for images), then raw uint8 data row-major.
 * Gzipped files (.gz) are inflated. Bad or truncated files get a clear error.
 */
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';

export interface IdxImages {
  count: number;
  rows: number;
  cols: number;
  /** count × rows × cols bytes. */
  data: Uint8Array;
}

async function readMaybeGz(file: string): Promise<Uint8Array> {
  const raw = await fs.readFile(file);
  const bytes = raw[0] === 0x1f && raw[1] === 0x8b ? gunzipSync(raw) : raw;
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

export function parseIdxImages(bytes: Uint8Array, name: string): IdxImages {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.byteLength < 16 || view.getUint32(0) !== 0x00000803) throw new Error(`${name}: not an IDX image file (magic 0x00000803 expected)`);
  const count = view.getUint32(4);
  const rows = view.getUint32(8);
  const cols = view.getUint32(12);
  const need = 16 + count * rows * cols;
  if (bytes.byteLength < need) throw new Error(`${name}: truncated (${bytes.byteLength} bytes, ${count} images of ${rows}×${cols} need ${need})`);
  return { count, rows, cols, data: bytes.subarray(16, need) };
}

export function parseIdxLabels(bytes: Uint8Array, name: string): Uint8Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.byteLength < 8 || view.getUint32(0) !== 0x00000801) throw new Error(`${name}: not an IDX label file (magic 0x00000801 expected)`);
  const count = view.getUint32(4);
  if (bytes.byteLength < 8 + count) throw new Error(`${name}: truncated (${count} labels announced)`);
  return bytes.subarray(8, 8 + count);
}

async function findFile(dir: string, stem: string): Promise<string | null> {
  for (const name of [`${stem}.gz`, stem, stem.replace('-idx', '.idx')]) {
    const f = join(dir, name);
    if (await fs.access(f).then(() => true, () => false)) return f;
  }
  return null;
}

export interface IdxSplit {
  images: IdxImages;
  labels: Uint8Array;
  file: string;
}

/** Reads `<prefix>-images-idx3-ubyte[.gz]` + labels from `dir`; null when the images file is absent. */
export async function readIdxSplit(dir: string, prefix: 'train' | 't10k'): Promise<IdxSplit | null> {
  const imagesFile = await findFile(dir, `${prefix}-images-idx3-ubyte`);
  if (!imagesFile) return null;
  const labelsFile = await findFile(dir, `${prefix}-labels-idx1-ubyte`);
  if (!labelsFile) throw new Error(`${dir}: ${prefix}-labels-idx1-ubyte(.gz) is missing beside ${prefix}-images`);
  const images = parseIdxImages(await readMaybeGz(imagesFile), imagesFile);
  const labels = parseIdxLabels(await readMaybeGz(labelsFile), labelsFile);
  if (labels.length !== images.count) throw new Error(`${dir}: ${images.count} ${prefix} images but ${labels.length} labels`);
  return { images, labels, file: imagesFile };
}

export const FASHION_MNIST_CLASSES = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'];
