/** Where Detect results go: NAME_detected.EXT (or NAME_classified.EXT) next to the source, or into a chosen folder. */
import { RESULT_SUFFIX } from '../../../shared/dataset/result-files';

export function splitPath(path: string): { dir: string; stem: string; ext: string; sep: string } {
  const sep = path.includes('\\') && !path.includes('/') ? '\\' : '/';
  const cut = path.lastIndexOf(sep);
  const dir = cut >= 0 ? path.slice(0, cut) : '';
  const base = cut >= 0 ? path.slice(cut + 1) : path;
  const dot = base.lastIndexOf('.');
  return { dir, sep, stem: dot > 0 ? base.slice(0, dot) : base, ext: dot > 0 ? base.slice(dot) : '' };
}

/** What result files are called: NAME_detected.EXT for a detector, NAME_classified.EXT for a classifier. */
export const resultSuffix = (task: 'detect' | 'classify'): string => RESULT_SUFFIX[task];

/** Image formats the canvas can write back: PNG and JPEG; anything else is saved as PNG. */
export function imageOutputType(name: string): { type: 'image/png' | 'image/jpeg'; ext: string } {
  const ext = splitPath(name).ext.toLowerCase();
  return ext === '.jpg' || ext === '.jpeg' ? { type: 'image/jpeg', ext: splitPath(name).ext } : { type: 'image/png', ext: ext === '.png' ? splitPath(name).ext : '.png' };
}

/**
 * Output path for a result of `sourceName`: `<folder or source dir>/<stem><suffix><ext>`.
 * `sourcePath` is null for files that came from the file picker (no folder known): then
 * `folder` is required.
 */
export function outputPath(sourceName: string, sourcePath: string | null, folder: string, suffix: string, ext: string): string {
  const f = folder.trim().replace(/[\\/]+$/, '');
  const src = splitPath(sourcePath ?? sourceName);
  const dir = f || (sourcePath ? src.dir : '');
  if (!dir) throw new Error(`choose an output folder for ${sourceName} (it was opened from the file picker, so its folder is unknown)`);
  return `${dir}${f ? (f.includes('\\') && !f.includes('/') ? '\\' : '/') : src.sep}${src.stem}${suffix}${ext}`;
}
