/**
 * The neutral form every foreign-format reader produces (one reader module per format, see
 * read-*.ts), and the small file helpers they share. The importer (import.ts) resolves each image
 * to a project image (a copy, an image already inside the project, or one matched by file name
 * when the labels came without their images) and turns relative boxes into pixels with the size of
 * the image it resolved to.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { join, sep } from 'node:path';
import type { DatasetIssue, Split } from '../../../shared/dataset/types';
import type { Corners } from '../../../shared/dataset/convert';
import { classNameProblem } from '../../../shared/dataset/classes';
import { errnoOf, fsApiError } from '../fs-errors';

export interface ForeignBox extends Corners {
  label: string;
  difficult?: boolean;
  truncated?: boolean;
}

export interface ForeignImage {
  /** Absolute path of the image when it sits with the labels; null: labels only (matched by name). */
  file: string | null;
  /** The image as the labels name it, relative to the source (forward slashes); unique per dataset. */
  rel: string;
  /** True when `rel` has no extension (a YOLO label file's stem): matched against image stems. */
  stemOnly?: boolean;
  /** The image's bytes carried inside the label file (LabelMe imageData), read when no file is found. */
  embedded?: () => Promise<Uint8Array | null>;
  /** Other file names the image may have in the project (Label Studio's upload prefix removed). */
  alsoKnownAs?: string[];
  /** 'relative': coordinates are fractions of the image's width and height (YOLO, OpenImages, Label Studio). */
  units: 'px' | 'relative';
  /** Size the labels were made on, when the label file says (pixel units are checked against it). */
  size?: { width: number; height: number };
  boxes: ForeignBox[];
  /** The labels say the image was looked at: no boxes means "nothing here", written as an empty file. */
  labeled: boolean;
  split?: Split;
  /** The label file the boxes come from (relative to the source), for messages. */
  source: string;
}

export interface ForeignDataset {
  /** Class names in the source's id order. */
  classes: string[];
  images: ForeignImage[];
  issues: DatasetIssue[];
  /** Splits the source's own split files name (VOC ImageSets/Main), when it has such files. */
  declaredSplits?: Split[];
}

export const posix = (p: string): string => p.split(sep).join('/');

/** Non-empty lines without `#` comments, trimmed. */
export const contentLines = (t: string): string[] => t.split(/\r?\n/).map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#'));

/** Every file under `dir` (hidden files and folders left out). */
export async function walk(dir: string, out: string[] = []): Promise<string[]> {
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

/** The file's text, or null when it does not exist; other errors name the file. */
export async function readText(file: string): Promise<string | null> {
  try {
    return (await readFile(file, 'utf8')).replace(/^\uFEFF/, '');
  } catch (err) {
    if (errnoOf(err) === 'ENOENT') return null;
    throw fsApiError(err, file, 'cannot read');
  }
}

/**
 * Parses one JSON file of an import. A file that is not JSON is listed in `issues` (as `where`)
 * and gives `undefined`, so the reader goes on with the next file.
 */
export async function readJsonListed(file: string, where: string, issues: DatasetIssue[]): Promise<unknown> {
  try {
    return JSON.parse((await readText(file)) ?? '');
  } catch (err) {
    if (!(err instanceof SyntaxError)) throw err;
    issues.push({ file: where, severity: 'error', reason: `not valid JSON: ${err.message}` });
    return undefined;
  }
}

export async function exists(p: string): Promise<boolean> {
  try {
    await stat(p);
    return true;
  } catch (err) {
    if (errnoOf(err) === 'ENOENT' || errnoOf(err) === 'ENOTDIR') return false;
    throw fsApiError(err, p, 'cannot read');
  }
}

/** True when `src` names a file (not a folder); a missing path is an error naming it. */
export async function isFile(src: string): Promise<boolean> {
  try {
    return (await stat(src)).isFile();
  } catch (err) {
    throw fsApiError(err, src, 'cannot import');
  }
}

/** The first of `dirs` holding `name`, as an absolute path, or null. */
export async function findBeside(dirs: readonly string[], name: string): Promise<string | null> {
  if (name === '' || name.includes('\0')) return null;
  for (const d of dirs) {
    const p = join(d, ...name.split('/'));
    if (await exists(p)) return p;
  }
  return null;
}

/**
 * Keeps the boxes whose label can be a class name; the others are reported (file and reason)
 * instead of failing the whole import.
 */
export function usableLabel(label: unknown, file: string, where: string, issues: DatasetIssue[]): label is string {
  if (typeof label !== 'string') {
    issues.push({ file, severity: 'error', reason: `${where}: no label; box left out` });
    return false;
  }
  const p = classNameProblem(label);
  if (p) {
    issues.push({ file, severity: 'error', reason: `${where}: ${p}; box left out` });
    return false;
  }
  return true;
}
