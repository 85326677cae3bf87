/** Image sizes read from the image files of a folder (header only, via sharp). */
import { FormatError } from './errors';
import { listFiles, stem, type ImageSize } from './files';
import { IMAGE_EXTENSIONS } from '../../shared/dataset/types';

/** Image key (file stem) → size, for every image file of `dir`. */
export async function readImageSizes(dir: string): Promise<Map<string, ImageSize>> {
  const files = IMAGE_EXTENSIONS.flatMap((ext) => listFiles(dir, ext));
  const sizes = new Map<string, ImageSize>();
  if (files.length === 0) return sizes;
  const { default: sharp } = await import('sharp'); // native module: loaded only when needed
  for (const file of files) {
    let meta;
    try {
      meta = await sharp(file).metadata();
    } catch (err) {
      throw new FormatError(file, `cannot read the image size: ${(err as Error).message}`);
    }
    if (!meta.width || !meta.height) throw new FormatError(file, 'image has no width/height');
    sizes.set(stem(file), { width: meta.width, height: meta.height });
  }
  return sizes;
}
