/**
 * The most-confused examples of a classifier report as PNGs in the run folder (examples/NNN.png):
 * exactly the pixels the model saw (a box crop, an IDX digit, a resized photo). They live inside
 * the project whatever the dataset source was, so the Train view can always show them. The folder
 * is rewritten on every evaluation; each file is written atomically.
 */
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { writeFileAtomic } from '../../dataset/atomic-write';
import type { ClassifierEvalReport } from '../../../shared/training/classifier';

export async function withExampleThumbnails(runDir: string, report: ClassifierEvalReport, pixelsOf: (id: string) => Uint8Array | undefined, inputShape: readonly [number, number, number]): Promise<ClassifierEvalReport> {
  const dir = join(runDir, 'examples');
  await fs.rm(dir, { recursive: true, force: true });
  await fs.mkdir(dir, { recursive: true });
  const [height, width, channels] = inputShape;
  let n = 0;
  const mostConfused = [];
  for (const pair of report.mostConfused) {
    const examples = [];
    for (const ex of pair.examples) {
      const pixels = pixelsOf(ex.id);
      if (!pixels) {
        examples.push(ex);
        continue;
      }
      const file = join(dir, `${String(++n).padStart(3, '0')}.png`);
      const image = sharp(Buffer.from(pixels.buffer, pixels.byteOffset, pixels.byteLength), { raw: { width, height, channels: channels as 1 | 3 } });
      await writeFileAtomic(file, await (channels === 1 ? image.toColourspace('b-w') : image).png().toBuffer());
      examples.push({ ...ex, thumbnail: file });
    }
    mostConfused.push({ ...pair, examples });
  }
  return { ...report, mostConfused };
}
