/** `detecta sample --out DIR [--images N] [--seed S] [--width W --height H]`: writes the sample project. */
import { parseArgs } from 'node:util';
import { writeSampleProject } from '../../sample/write-sample-project';

const USAGE = `usage: detecta sample --out DIR [--images 60] [--seed 1] [--width 320] [--height 240]

Writes a sample project: generated photos of toy bricks, balls and cones (JPEG) with a
LabelImg-style Pascal VOC XML next to each. DIR must be empty or not exist yet.`;

function intOption(value: string | undefined, name: string, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) throw new Error(`--${name} must be an integer from ${min} to ${max}, got "${value}"`);
  return n;
}

export async function run(argv: string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        out: { type: 'string' },
        images: { type: 'string' },
        seed: { type: 'string' },
        width: { type: 'string' },
        height: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (err) {
    console.error(`detecta sample: ${(err as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  if (!values.out) {
    console.error(`detecta sample: --out is required\n\n${USAGE}`);
    return 2;
  }
  let opts;
  try {
    opts = {
      images: intOption(values.images, 'images', 60, 1, 100_000),
      seed: intOption(values.seed, 'seed', 1, 0, 2 ** 31 - 1),
      width: intOption(values.width, 'width', 320, 32, 4096),
      height: intOption(values.height, 'height', 240, 32, 4096),
    };
  } catch (err) {
    console.error(`detecta sample: ${(err as Error).message}`);
    return 2;
  }
  const result = await writeSampleProject(values.out, opts);
  console.log(`wrote ${result.images} images with ${result.boxes} boxes to ${result.dir}`);
  return 0;
}
