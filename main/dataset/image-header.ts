/**
 * Cheap image size + EXIF orientation from the file header (JPEG, PNG, GIF, BMP, WebP), reading
 * 64 KiB (more only for JPEGs with a large EXIF block). Falls back to sharp's metadata() for
 * anything the header reader does not understand (sharp cannot read BMP, the header reader can). `readImageInfo` returns the *oriented* size
 * (see shared/dataset/exif.ts for the rule) along with the raw one.
 */
import { open } from 'node:fs/promises';
import sharp from 'sharp';
import { orientedSize } from '../../shared/dataset/exif';
import { fsApiError } from './fs-errors';
import { ApiError } from '../../shared/api/contract';
import { errorMessage } from '../../shared/error-message';

export interface ImageInfo {
  format: 'jpeg' | 'png' | 'gif' | 'bmp' | 'webp' | string;
  /** Stored (raw) pixel size. */
  rawWidth: number;
  rawHeight: number;
  /** EXIF orientation 1..8 (1 when absent). */
  orientation: number;
  /** Size as displayed: raw size with the orientation applied. */
  width: number;
  height: number;
  /** Channels when the header says (JPEG components, PNG colour type). */
  depth?: number;
}

interface Header { format: string; width: number; height: number; orientation: number; depth?: number }

function exifOrientation(b: Buffer, start: number, end: number): number {
  // start points at the TIFF header ("II*\0" or "MM\0*").
  if (end - start < 8) return 1;
  const le = b.toString('latin1', start, start + 2) === 'II';
  const u16 = (o: number) => (le ? b.readUInt16LE(o) : b.readUInt16BE(o));
  const u32 = (o: number) => (le ? b.readUInt32LE(o) : b.readUInt32BE(o));
  const ifd = start + u32(start + 4);
  if (ifd + 2 > end) return 1;
  const n = u16(ifd);
  for (let i = 0; i < n; i++) {
    const e = ifd + 2 + i * 12;
    if (e + 12 > end) break;
    if (u16(e) === 0x0112) {
      const v = u16(e + 8);
      return v >= 1 && v <= 8 ? v : 1;
    }
  }
  return 1;
}

/** Returns the header, 'more' when the JPEG needs more bytes, or null when unknown. */
function parseHeader(b: Buffer): Header | 'more' | null {
  if (b.length >= 24 && b.readUInt32BE(0) === 0x89504e47) {
    const colorType = b[25];
    const depth = colorType === 0 ? 1 : colorType === 2 ? 3 : colorType === 4 ? 2 : colorType === 6 ? 4 : 3;
    return { format: 'png', width: b.readUInt32BE(16), height: b.readUInt32BE(20), orientation: 1, depth };
  }
  if (b.length >= 10 && b.toString('latin1', 0, 4) === 'GIF8') {
    return { format: 'gif', width: b.readUInt16LE(6), height: b.readUInt16LE(8), orientation: 1, depth: 3 };
  }
  if (b.length >= 26 && b[0] === 0x42 && b[1] === 0x4d) {
    const dib = b.readUInt32LE(14);
    if (dib === 12) return { format: 'bmp', width: b.readUInt16LE(18), height: b.readUInt16LE(20), orientation: 1, depth: 3 };
    return { format: 'bmp', width: Math.abs(b.readInt32LE(18)), height: Math.abs(b.readInt32LE(22)), orientation: 1, depth: 3 };
  }
  if (b.length >= 30 && b.toString('latin1', 0, 4) === 'RIFF' && b.toString('latin1', 8, 12) === 'WEBP') {
    const chunk = b.toString('latin1', 12, 16);
    if (chunk === 'VP8 ') return { format: 'webp', width: b.readUInt16LE(26) & 0x3fff, height: b.readUInt16LE(28) & 0x3fff, orientation: 1, depth: 3 };
    if (chunk === 'VP8L') {
      const bits = b.readUInt32LE(21);
      return { format: 'webp', width: (bits & 0x3fff) + 1, height: ((bits >> 14) & 0x3fff) + 1, orientation: 1, depth: 4 };
    }
    if (chunk === 'VP8X') {
      // Extended WebP may carry EXIF (orientation): let sharp read it.
      if (b[20]! & 0x08) return null;
      return { format: 'webp', width: b.readUIntLE(24, 3) + 1, height: b.readUIntLE(27, 3) + 1, orientation: 1 };
    }
    return null;
  }
  if (b.length >= 4 && b[0] === 0xff && b[1] === 0xd8) {
    let o = 2;
    let orientation = 1;
    while (o + 4 <= b.length) {
      if (b[o] !== 0xff) return null;
      const marker = b[o + 1]!;
      if (marker === 0xff) { o++; continue; }
      if (marker === 0xd8 || (marker >= 0xd0 && marker <= 0xd7) || marker === 0x01) { o += 2; continue; }
      const len = b.readUInt16BE(o + 2);
      const seg = o + 4;
      if (marker === 0xe1 && seg + 6 <= b.length && b.toString('latin1', seg, seg + 4) === 'Exif') {
        orientation = exifOrientation(b, seg + 6, Math.min(b.length, o + 2 + len));
      }
      const isSof = marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
      if (isSof) {
        if (seg + 6 > b.length) return 'more';
        return { format: 'jpeg', height: b.readUInt16BE(seg + 1), width: b.readUInt16BE(seg + 3), orientation, depth: b[seg + 5] };
      }
      if (marker === 0xda || marker === 0xd9) return null;
      o += 2 + len;
    }
    return 'more';
  }
  return null;
}

async function readHead(file: string, bytes: number): Promise<Buffer> {
  const fh = await open(file, 'r');
  try {
    const buf = Buffer.alloc(bytes);
    const { bytesRead } = await fh.read(buf, 0, bytes, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}

function toInfo(h: Header): ImageInfo {
  const o = orientedSize(h.width, h.height, h.orientation);
  const info: ImageInfo = { format: h.format, rawWidth: h.width, rawHeight: h.height, orientation: h.orientation, width: o.width, height: o.height };
  if (h.depth !== undefined) info.depth = h.depth;
  return info;
}

/**
 * Size and orientation of one image. Throws ApiError: not_found / forbidden / io for file
 * errors, 'unreadable' when neither the header reader nor sharp can decode it.
 */
export async function readImageInfo(file: string): Promise<ImageInfo> {
  let parsed: Header | 'more' | null = null;
  try {
    for (const bytes of [16384, 262144, 1 << 22]) {
      const head = await readHead(file, bytes);
      parsed = parseHeader(head);
      if (parsed !== 'more' || head.length < bytes) break;
    }
  } catch (err) {
    throw fsApiError(err, file, 'cannot read image');
  }
  if (parsed && parsed !== 'more' && parsed.width > 0 && parsed.height > 0) return toInfo(parsed);
  try {
    const m = await sharp(file, { pages: 1 }).metadata();
    if (!m.width || !m.height) throw new Error('no width/height in the image');
    const h: Header = { format: m.format ?? 'unknown', width: m.width, height: m.height, orientation: m.orientation ?? 1 };
    if (m.channels) h.depth = m.channels;
    return toInfo(h);
  } catch (err) {
    throw new ApiError('unreadable', `cannot decode image ${file}: ${errorMessage(err)}`, { file });
  }
}
