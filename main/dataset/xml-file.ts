/**
 * The bytes of an annotation file: how they are read (bounded, regular files only, in the
 * encoding they declare) and how text goes back to bytes (in that same encoding), so a file
 * written by another tool in ISO-8859-1 or UTF-16 keeps its encoding and its accents.
 *
 * Reading: a byte-order mark wins (UTF-8, UTF-16LE/BE); otherwise the XML declaration's
 * `encoding`; otherwise UTF-8, which must be valid. Encodings this app cannot write back are
 * refused as unreadable, so the file is never rewritten. Writing: the text's own declaration
 * names the encoding (the VOC serializer writes it for a non-UTF-8 file); characters the encoding
 * cannot hold become character references (`&#x...;`), which XML allows anywhere text goes.
 */
import { readFileSync, statSync, type Stats } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { ApiError } from '../../shared/api/contract';
import { fsApiError } from './fs-errors';

/** Largest annotation file read; VOC files are a few kB, one with 10,000 boxes about 3 MB. */
export const MAX_XML_BYTES = 16 * 1024 * 1024;

/** Encodings read and written back, by their canonical name (as written in the declaration). */
type XmlEncoding = 'UTF-8' | 'UTF-16LE' | 'UTF-16BE' | 'ISO-8859-1' | 'US-ASCII';

const ALIASES: Readonly<Record<string, XmlEncoding>> = {
  'utf-8': 'UTF-8', utf8: 'UTF-8',
  'utf-16': 'UTF-16LE', 'utf-16le': 'UTF-16LE', 'utf-16be': 'UTF-16BE',
  'iso-8859-1': 'ISO-8859-1', 'iso8859-1': 'ISO-8859-1', latin1: 'ISO-8859-1', 'latin-1': 'ISO-8859-1', 'l1': 'ISO-8859-1',
  'us-ascii': 'US-ASCII', ascii: 'US-ASCII',
};

const DECLARED = /^\s*<\?xml[^>]*?\sencoding\s*=\s*["']([A-Za-z0-9._-]+)["']/;

/** The encoding a text's XML declaration names (undefined without one). */
function declaredEncoding(head: string): string | undefined {
  return DECLARED.exec(head)?.[1];
}

function canonical(name: string, file: string): XmlEncoding {
  const enc = ALIASES[name.toLowerCase()];
  if (!enc) throw new ApiError('unreadable', `${file} declares the encoding ${name}, which Detecta Studio cannot write back; convert the file to UTF-8 (it is left untouched)`, { file });
  return enc;
}

/** Decodes an annotation file's bytes; throws ApiError('unreadable') naming the file. */
export function decodeXmlBytes(bytes: Uint8Array, file: string): { text: string; encoding: XmlEncoding } {
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const decode = (label: string, from: number): string => {
    try {
      return new TextDecoder(label, { fatal: true, ignoreBOM: true }).decode(b.subarray(from));
    } catch {
      throw new ApiError('unreadable', `${file} is not valid ${label.toUpperCase()} text (it is left untouched)`, { file });
    }
  };
  if (b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf) return { text: decode('utf-8', 3), encoding: 'UTF-8' };
  if (b[0] === 0xff && b[1] === 0xfe) return { text: decode('utf-16le', 2), encoding: 'UTF-16LE' };
  if (b[0] === 0xfe && b[1] === 0xff) return { text: decode('utf-16be', 2), encoding: 'UTF-16BE' };
  const declared = declaredEncoding(b.subarray(0, 200).toString('latin1'));
  const encoding = declared ? canonical(declared, file) : 'UTF-8';
  if (encoding === 'UTF-16LE' || encoding === 'UTF-16BE') {
    throw new ApiError('unreadable', `${file} declares ${declared} but has no byte-order mark (it is left untouched)`, { file });
  }
  if (encoding === 'ISO-8859-1') return { text: b.toString('latin1'), encoding };
  if (encoding === 'US-ASCII' && b.some((x) => x > 0x7f)) {
    throw new ApiError('unreadable', `${file} declares US-ASCII but holds other bytes (it is left untouched)`, { file });
  }
  return { text: decode('utf-8', 0), encoding };
}

/** Bytes of `text` in the encoding its declaration names (UTF-8 without one). */
export function encodeXmlText(text: string): Buffer {
  const declared = declaredEncoding(text.slice(0, 200));
  const encoding = declared ? ALIASES[declared.toLowerCase()] ?? 'UTF-8' : 'UTF-8';
  const limit = encoding === 'ISO-8859-1' ? 0xff : encoding === 'US-ASCII' ? 0x7f : Infinity;
  const fitted = limit === Infinity ? text : text.replace(/[^\x00-\x7f]/gu, (ch) => (ch.codePointAt(0)! > limit ? `&#x${ch.codePointAt(0)!.toString(16)};` : ch));
  switch (encoding) {
    case 'ISO-8859-1':
    case 'US-ASCII':
      return Buffer.from(fitted, 'latin1');
    case 'UTF-16LE':
      return Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(fitted, 'utf16le')]);
    case 'UTF-16BE':
      return Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(fitted, 'utf16le').swap16()]);
    default:
      return Buffer.from(fitted, 'utf8');
  }
}

/** A regular file of at most MAX_XML_BYTES, or an ApiError saying why not (no read is started). */
function checkReadable(st: Stats, file: string): void {
  if (!st.isFile()) throw new ApiError('unreadable', `${file} is not a regular file (a device, pipe or folder is never read)`, { file });
  if (st.size > MAX_XML_BYTES) throw new ApiError('unreadable', `${file} is ${Math.round(st.size / 2 ** 20)} MiB, more than an annotation file can be (${MAX_XML_BYTES / 2 ** 20} MiB)`, { file });
}

/** Reads and decodes an annotation file; `name` is how errors name it (a project-relative path). */
export async function readXmlFile(abs: string, name: string): Promise<{ text: string; encoding: XmlEncoding }> {
  let bytes: Buffer;
  try {
    checkReadable(await stat(abs), name);
    bytes = await readFile(abs);
  } catch (err) {
    throw fsApiError(err, name, 'cannot read');
  }
  return decodeXmlBytes(bytes, name);
}

/** Synchronous variant, for the index pass. */
export function readXmlFileSync(abs: string, name: string): { text: string; encoding: XmlEncoding } {
  let bytes: Buffer;
  try {
    checkReadable(statSync(abs), name);
    bytes = readFileSync(abs);
  } catch (err) {
    throw fsApiError(err, name, 'cannot read');
  }
  return decodeXmlBytes(bytes, name);
}
