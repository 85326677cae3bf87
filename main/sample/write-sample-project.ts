/**
 * Writes the sample project: procedurally drawn photos (shared/synthetic) as JPEG files with a
 * LabelImg-style VOC XML next to each. Used by "Open sample project", `detecta sample`, and by
 * tests and benchmarks that need a detection dataset with known boxes. Refuses to write into a
 * folder that already holds files, so nothing of the user's is ever overwritten.
 */
import { promises as fs } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import sharp from 'sharp';
import { ApiError } from '../../shared/api/contract';
import { drawScene, type SceneOptions } from '../../shared/synthetic/scene';
import { serializeVocXml, type VocAnnotation } from '../../shared/voc';
import { writeFileAtomic } from '../dataset/atomic-write';
import { makeDirs } from '../dataset/make-dirs';

export interface SampleOptions extends SceneOptions {
  images: number;
  seed: number;
  /** JPEG quality 1-100 (default 90). */
  quality?: number;
  /** File name prefix (default "bricks"). */
  prefix?: string;
}

export interface SampleResult {
  dir: string;
  images: number;
  boxes: number;
  files: string[];
}

export async function writeSampleProject(dir: string, options: SampleOptions): Promise<SampleResult> {
  const target = resolve(dir);
  const existing = await fs.readdir(target).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return [] as string[];
    throw err;
  });
  if (existing.length > 0) {
    throw new ApiError('conflict', `refused to write the sample project into ${target}: the folder is not empty`);
  }
  await makeDirs(target);
  const prefix = options.prefix ?? 'bricks';
  const digits = Math.max(4, String(options.images).length);
  const files: string[] = [];
  let boxes = 0;
  for (let i = 0; i < options.images; i++) {
    const scene = drawScene(options.seed * 100_003 + i, options);
    const stem = `${prefix}_${String(i + 1).padStart(digits, '0')}`;
    const imageFile = join(target, `${stem}.jpg`);
    const jpeg = await sharp(Buffer.from(scene.rgb), { raw: { width: scene.width, height: scene.height, channels: 3 } })
      .jpeg({ quality: options.quality ?? 90 })
      .toBuffer();
    await writeFileAtomic(imageFile, jpeg);
    const annotation: VocAnnotation = {
      verified: false,
      folder: basename(target),
      filename: `${stem}.jpg`,
      path: imageFile,
      source: [{ database: [{ '#text': 'Detecta Studio sample' }] }],
      size: { width: scene.width, height: scene.height, depth: 3 },
      segmented: '0',
      objects: scene.boxes.map((b) => ({
        name: b.className,
        pose: 'Unspecified',
        truncated: b.x1 <= 0 || b.y1 <= 0 || b.x2 >= scene.width || b.y2 >= scene.height,
        difficult: false,
        bndbox: { xmin: b.x1, ymin: b.y1, xmax: b.x2, ymax: b.y2 },
        extras: [],
      })),
      extras: [],
    };
    await writeFileAtomic(join(target, `${stem}.xml`), serializeVocXml(annotation));
    files.push(imageFile);
    boxes += scene.boxes.length;
  }
  return { dir: target, images: files.length, boxes, files };
}
