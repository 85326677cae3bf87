/**
 * Builds a folder-per-class image dataset for classifier tests: colour shapes on a noisy grey
 * background (class "red": red squares, "green": green discs, "blue": blue horizontal bars), at
 * random positions and sizes, written as PNG with sharp. Extras on request: a non-image file,
 * a corrupt PNG, a grayscale PNG, a one-image class, a file outside any class folder.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { createRng } from '../../shared/ml/random';

export const SHAPE_CLASSES = ['red', 'green', 'blue'] as const;

export function shapeImage(cls: (typeof SHAPE_CLASSES)[number] | 'gray', size: number, seed: number): Uint8Array {
  const rng = createRng(seed);
  const px = new Uint8Array(size * size * 3);
  for (let i = 0; i < size * size; i++) {
    const g = 90 + Math.floor(rng.next() * 60);
    px[i * 3] = g; px[i * 3 + 1] = g; px[i * 3 + 2] = g;
  }
  const colour = cls === 'red' ? [220, 40, 40] : cls === 'green' ? [40, 200, 60] : cls === 'blue' ? [40, 60, 220] : [240, 240, 240];
  const s = Math.floor(size * (0.35 + 0.25 * rng.next()));
  const cx = Math.floor(s / 2 + rng.next() * (size - s));
  const cy = Math.floor(s / 2 + rng.next() * (size - s));
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const dx = x - cx;
      const dy = y - cy;
      const inside = cls === 'green' ? dx * dx + dy * dy <= (s / 2) ** 2
        : cls === 'blue' ? Math.abs(dx) <= s / 2 && Math.abs(dy) <= s / 6
          : Math.abs(dx) <= s / 2 && Math.abs(dy) <= s / 2;
      if (inside) px.set(colour, (y * size + x) * 3);
    }
  }
  return px;
}

export async function writePng(file: string, rgb: Uint8Array, size: number, grayscale = false): Promise<void> {
  const img = sharp(Buffer.from(rgb), { raw: { width: size, height: size, channels: 3 } });
  await writeFile(file, await (grayscale ? img.toColourspace('b-w') : img).png().toBuffer());
}

export interface ClassFolderOptions {
  perClass: number;
  size: number;
  seed?: number;
  /** Add notes.txt, a Detect result image, broken.png, a grayscale image, a one-image class "lonely" and a stray top-level file. */
  extras?: boolean;
}

export async function writeClassFolders(dir: string, options: ClassFolderOptions): Promise<void> {
  const seed = options.seed ?? 1;
  for (const [k, cls] of SHAPE_CLASSES.entries()) {
    await mkdir(join(dir, cls), { recursive: true });
    for (let i = 0; i < options.perClass; i++) await writePng(join(dir, cls, `${cls}_${String(i).padStart(3, '0')}.png`), shapeImage(cls, options.size, seed * 1000 + k * 100 + i), options.size);
  }
  if (options.extras) {
    await writeFile(join(dir, 'red', 'notes.txt'), 'not an image\n');
    await writePng(join(dir, 'red', 'red_000_classified.png'), shapeImage('red', options.size, 5), options.size); // a Detect result beside red_000.png
    const good = await sharp(Buffer.from(shapeImage('red', options.size, 999)), { raw: { width: options.size, height: options.size, channels: 3 } }).png().toBuffer();
    await writeFile(join(dir, 'green', 'broken.png'), Buffer.concat([good.subarray(0, 40), Buffer.alloc(64, 7)]));
    await writePng(join(dir, 'blue', 'blue_gray.png'), shapeImage('blue', options.size, 4242), options.size, true);
    await mkdir(join(dir, 'lonely'), { recursive: true });
    await writePng(join(dir, 'lonely', 'only.png'), shapeImage('gray', options.size, 77), options.size);
    await writeFile(join(dir, 'README.md'), '# my photos\n');
  }
}
