/**
 * The trainer's image cache: which decoded images (./fitted-image: uint8 RGB at training size)
 * stay in memory between epochs, within a memory budget.
 *
 * - Budget: DETECTA_IMAGE_CACHE_MB when set (0: nothing kept, every image is decoded from its file
 *   when a batch or a validation pass needs it), else a quarter of the machine's memory, at most
 *   4 GiB.
 * - Which images: the first ones in load order (the train images in id order, then the val
 *   images) while their bytes fit; from the first one that does not fit on, none. That depends on
 *   the images only, never on timing (the loader decodes several at once), and the images not
 *   kept are decoded again to the same bytes, so a seed trains the same weights with any budget.
 * - Kept pixels move into SharedArrayBuffers: the batch workers read them without a copy.
 */
import { totalmem } from 'node:os';
import type { FittedImage } from './fitted-image';

/** Environment variable: the image cache's budget in MB (2^20 bytes); 0 keeps no image. */
export const IMAGE_CACHE_ENV = 'DETECTA_IMAGE_CACHE_MB';
const DEFAULT_FRACTION = 0.25;
const DEFAULT_CAP_BYTES = 4 * 2 ** 30;

export interface ImageCacheBudget {
  bytes: number;
  /** Where the budget comes from, for the log. */
  source: string;
}

/** The cache budget: DETECTA_IMAGE_CACHE_MB, else min(¼ of the machine's memory, 4 GiB). */
export function imageCacheBudget(env: NodeJS.ProcessEnv = process.env, machineBytes: number = totalmem()): ImageCacheBudget {
  const raw = env[IMAGE_CACHE_ENV];
  if (raw !== undefined && raw.trim() !== '') {
    if (!/^\s*\d+\s*$/.test(raw)) throw new Error(`${IMAGE_CACHE_ENV} must be a whole number of MB for the decoded images kept in memory (0: none), got ${JSON.stringify(raw)}`);
    return { bytes: Number(raw) * 2 ** 20, source: IMAGE_CACHE_ENV };
  }
  const bytes = Math.min(DEFAULT_CAP_BYTES, Math.floor(machineBytes * DEFAULT_FRACTION));
  return { bytes, source: `¼ of the machine's ${mb(machineBytes)}${bytes === DEFAULT_CAP_BYTES ? ', at most 4096 MB' : ''}` };
}

/** Bytes as MB (2^20 bytes) for log lines: one decimal below 10 MB. */
export const mb = (bytes: number): string => `${(bytes / 2 ** 20).toFixed(bytes < 10 * 2 ** 20 ? 1 : 0)} MB`;

/** Copies bytes into a SharedArrayBuffer (as is when they are in one already). */
export function sharedBytes(data: Uint8Array): Uint8Array {
  if (data.buffer instanceof SharedArrayBuffer) return data;
  const out = new Uint8Array(new SharedArrayBuffer(data.byteLength));
  out.set(data);
  return out;
}

/**
 * Decides, in load order, which decoded images keep their pixels. The loader calls `settle` once
 * per position as each image is decoded (in any order; null for an image that failed); an image's
 * pixels are kept or dropped when every image before it is settled.
 */
export class ImageCache {
  private next = 0;
  private used = 0;
  private full = false;
  private readonly waiting = new Map<number, FittedImage | null>();

  constructor(readonly budgetBytes: number) {}

  settle(position: number, image: FittedImage | null): void {
    if (image && this.full) image.data = null; // nothing after the first image that did not fit is kept
    this.waiting.set(position, image);
    for (let im = this.waiting.get(this.next); im !== undefined; im = this.waiting.get(this.next)) {
      this.waiting.delete(this.next++);
      if (!im?.data) continue;
      if (!this.full && this.used + im.data.byteLength <= this.budgetBytes) {
        this.used += im.data.byteLength;
        im.data = sharedBytes(im.data);
      } else {
        this.full = true;
        im.data = null;
      }
    }
  }
}

export interface CacheCount {
  images: number;
  /** Images whose pixels are kept, and their bytes. */
  cached: number;
  bytes: number;
}

export function countCached(images: readonly FittedImage[]): CacheCount {
  const kept = images.filter((im) => im.data !== null);
  return { images: images.length, cached: kept.length, bytes: kept.reduce((n, im) => n + im.data!.byteLength, 0) };
}

/** The log line: what the cache holds, its budget, and what is decoded from files instead. */
export function describeImageCache(train: CacheCount, val: CacheCount, budget: ImageCacheBudget, inputSize: number): string {
  const notCached = train.images - train.cached + val.images - val.cached;
  const all = `${train.cached + val.cached} of ${train.images + val.images} images (${train.cached}/${train.images} train, ${val.cached}/${val.images} val)`;
  const rest = notCached === 0 ? 'every image stays in memory' : `${notCached} decoded from their files each time they are needed`;
  return `image cache: ${all} kept decoded at ${inputSize} px, ${mb(train.bytes + val.bytes)} of the ${mb(budget.bytes)} budget (${budget.source}); ${rest}`;
}
