/**
 * Reads one VOC annotation file of a project (relative path) and parses it; the error names the
 * file and the reason. The encoding of a non-UTF-8 file is kept on the annotation, so a save
 * writes it back the same way (xml-file.ts).
 */
import { join } from 'node:path';
import { parseVocXml, type VocAnnotation } from '../../shared/voc';
import { readXmlFile, readXmlFileSync } from './xml-file';

export interface ParsedAnnotationFile {
  text: string;
  ann: VocAnnotation;
}

export async function readAnnotationFile(root: string, relPath: string): Promise<ParsedAnnotationFile> {
  return parsed(await readXmlFile(join(root, relPath), relPath), relPath);
}

/**
 * Synchronous variant for the index pass: VOC files are small, and a blocking read is several
 * times cheaper than an async one; callers work in batches and yield between them.
 */
export function readAnnotationFileSync(root: string, relPath: string): ParsedAnnotationFile {
  return parsed(readXmlFileSync(join(root, relPath), relPath), relPath);
}

function parsed(file: { text: string; encoding: string }, relPath: string): ParsedAnnotationFile {
  const ann = parseVocXml(file.text, relPath);
  if (file.encoding !== 'UTF-8') ann.encoding = file.encoding;
  return { text: file.text, ann };
}
