/**
 * Lists a project folder: the image files and the VOC XML files that can belong to them.
 *
 * Layouts understood (first match wins per image, see annotation-locator.ts):
 *   beside           photos/a.jpg + photos/a.xml                      (LabelImg's default)
 *   annotation dir   a.jpg + Annotations/a.xml | annotations/a.xml | annots/a.xml
 *                    (LabelImg's "Change Save Dir"; Pascal VOC's JPEGImages/ + Annotations/;
 *                    images/ + annotations/ as in the raccoon set)
 * Which folders hold images: the root and the well-known image folders directly in it
 * (images/, JPEGImages/, imgs/, img/); with `recursive`, every sub-folder except hidden ones
 * (.detecta, .git...), node_modules and the annotation folder.
 * Image types: .jpg .jpeg .png .bmp .webp .gif (first frame), any letter case. Detecta's own
 * result images (NAME_detected.EXT beside NAME.EXT, webcam result snapshots) are not listed.
 */
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { IMAGE_EXTENSIONS } from '../../shared/dataset/types';
import { naturalSort } from '../../shared/dataset/natural-sort';
import { isResultImage, stemOf } from '../../shared/dataset/result-files';
import { errnoOf, fsApiError } from './fs-errors';
import { isTempName } from './atomic-write';

export const IMAGE_FOLDERS = ['images', 'JPEGImages', 'imgs', 'img'];
export const ANNOTATION_FOLDERS = ['Annotations', 'annotations', 'annots'];
const SKIP_DIRS = new Set(['node_modules', '__pycache__']);

export interface ScanResult {
  /** Image ids (relative paths, forward slashes), natural order. */
  images: string[];
  /** Every .xml file found in the scanned folders and the annotation folder (relative paths). */
  xml: Set<string>;
  /** Folders listed (relative, '' = root), for the watcher. */
  dirs: string[];
  /** Sub-folders that could not be listed, with the reason. */
  problems: { file: string; reason: string }[];
  /** Temp files of atomic writes interrupted by a crash (relative paths), this version's and older ones'. */
  leftovers: string[];
}

/** The temp-file name of atomic writes before they were shortened: `.NAME.PID.RANDOM.tmp`. */
const OLD_TEMP_NAME = /^\..+\.\d+\.[0-9a-f]{8}\.tmp$/;

export function isImageName(name: string): boolean {
  const dot = name.lastIndexOf('.');
  if (dot <= 0) return false;
  const ext = name.slice(dot).toLowerCase();
  return (IMAGE_EXTENSIONS as readonly string[]).includes(ext);
}

/** The photos among the file names of one folder: image files that are not Detecta result images. */
export function photoNames(names: readonly string[]): string[] {
  const images = names.filter(isImageName);
  const stems = new Set(images.map(stemOf));
  return images.filter((n) => !isResultImage(n, stems));
}

export function isXmlName(name: string): boolean {
  return name.length > 4 && name.slice(-4).toLowerCase() === '.xml';
}

const rel = (dir: string, name: string) => (dir === '' ? name : `${dir}/${name}`);

/** The annotation folder to use: the configured one, else the first well-known one that exists. */
export async function detectAnnotationDir(root: string): Promise<string | null> {
  for (const name of ANNOTATION_FOLDERS) {
    try {
      if ((await stat(join(root, name))).isDirectory()) return name;
    } catch (err) {
      if (errnoOf(err) !== 'ENOENT' && errnoOf(err) !== 'ENOTDIR') throw fsApiError(err, join(root, name), 'cannot read');
    }
  }
  return null;
}

export async function scanFolder(root: string, options: { recursive: boolean; annotationDir: string | null }): Promise<ScanResult> {
  const images: string[] = [];
  const xml = new Set<string>();
  const dirs: string[] = [];
  const problems: ScanResult['problems'] = [];
  const leftovers: string[] = [];
  const annDir = options.annotationDir?.replace(/\/+$/, '') ?? null;

  async function list(dir: string, mode: 'images' | 'xml-only', isRoot = false): Promise<void> {
    let entries;
    try {
      entries = await readdir(dir === '' ? root : join(root, dir), { withFileTypes: true });
    } catch (err) {
      if (isRoot) throw fsApiError(err, root, 'cannot open project folder');
      problems.push({ file: dir, reason: fsApiError(err, dir, 'cannot list folder').message });
      return;
    }
    dirs.push(dir);
    const photos = new Set(photoNames(entries.filter((e) => e.isFile() || e.isSymbolicLink()).map((e) => e.name)));
    const sub: Promise<void>[] = [];
    for (const e of entries) {
      const name = e.name;
      const path = rel(dir, name);
      if (e.isDirectory()) {
        if (name.startsWith('.') || SKIP_DIRS.has(name)) continue;
        if (mode === 'xml-only') sub.push(list(path, 'xml-only'));
        else if (path === annDir) continue; // listed separately
        else if (options.recursive || (isRoot && IMAGE_FOLDERS.includes(name))) sub.push(list(path, 'images'));
      } else if (e.isFile() || e.isSymbolicLink()) {
        if (isXmlName(name)) xml.add(path);
        else if (isTempName(name) || OLD_TEMP_NAME.test(name)) leftovers.push(path);
        else if (mode === 'images' && photos.has(name)) images.push(path);
      }
    }
    await Promise.all(sub);
  }

  await list('', 'images', true);
  if (annDir) {
    try {
      if ((await stat(join(root, annDir))).isDirectory()) await list(annDir, 'xml-only');
    } catch (err) {
      if (errnoOf(err) !== 'ENOENT') problems.push({ file: annDir, reason: fsApiError(err, annDir, 'cannot list annotation folder').message });
    }
  }
  naturalSort(images);
  return { images, xml, dirs, problems, leftovers };
}
