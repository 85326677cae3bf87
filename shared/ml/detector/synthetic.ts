/**
 * Procedural detection scenes with exactly known boxes: filled coloured rectangles on a noisy
 * background. Used by tests, benchmarks and backend self-checks (does training learn at all?).
 * Class c is drawn in SYNTHETIC_COLOURS[c].
 */
import type { LabeledBox } from './box';
import type { FloatRgbImage } from '../preprocess';
import { createRng } from '../random';

export const SYNTHETIC_COLOURS: [number, number, number][] = [
  [230, 40, 40],
  [40, 80, 230],
  [40, 200, 60],
  [240, 220, 40],
];

export interface SyntheticScene {
  image: FloatRgbImage;
  boxes: LabeledBox[];
}

export interface SyntheticOptions {
  size: number;
  numClasses: number;
  /** Objects per image (default 1). */
  objects?: number;
  /** Box side range as a fraction of the image side (default 0.25..0.6). */
  minSide?: number;
  maxSide?: number;
  /** Background noise standard deviation in 0..255 units (default 20). */
  noise?: number;
}

export function syntheticScene(seed: number, options: SyntheticOptions): SyntheticScene {
  const { size, numClasses } = options;
  if (numClasses > SYNTHETIC_COLOURS.length) throw new Error(`syntheticScene: at most ${SYNTHETIC_COLOURS.length} classes`);
  const rng = createRng(seed);
  const data = new Float32Array(size * size * 3);
  const noise = options.noise ?? 20;
  for (let i = 0; i < data.length; i++) data[i] = Math.min(255, Math.max(0, 110 + noise * rng.normal()));
  const boxes: LabeledBox[] = [];
  const minSide = options.minSide ?? 0.25;
  const maxSide = options.maxSide ?? 0.6;
  for (let k = 0; k < (options.objects ?? 1); k++) {
    const w = Math.round(size * rng.uniform(minSide, maxSide));
    const h = Math.round(size * rng.uniform(minSide, maxSide));
    const x1 = rng.int(size - w + 1);
    const y1 = rng.int(size - h + 1);
    const classId = rng.int(numClasses);
    const colour = SYNTHETIC_COLOURS[classId];
    for (let y = y1; y < y1 + h; y++) {
      for (let x = x1; x < x1 + w; x++) {
        for (let c = 0; c < 3; c++) data[(y * size + x) * 3 + c] = colour[c] + 0.3 * noise * rng.normal();
      }
    }
    boxes.push({ x1, y1, x2: x1 + w, y2: y1 + h, classId });
  }
  return { image: { width: size, height: size, data }, boxes };
}
