/**
 * `detecta anchors --project DIR [-k 5] [--imgsz 416] [--seed 1] [--json]`: k-means anchors
 * (1 − IoU distance) over the project's train boxes as the letterboxed model sees them, printed
 * in grid cells and input pixels with the mean IoU of each box with its best anchor.
 */
import { parseArgs } from 'node:util';
import { openDatasetProject } from '../../dataset/project';
import { computeProjectAnchors } from '../../training/project-anchors';


const USAGE = `usage: detecta anchors --project DIR [-k 5] [--imgsz 416] [--seed 1] [--json]

Clusters the project's train boxes (all boxes when the train split has too few) into k anchors
with the 1 − IoU distance, as the letterboxed model at --imgsz sees them (grid = imgsz / 32).`;

function positiveInt(v: string | undefined, name: string, fallback: number): number {
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`--${name} must be a positive integer, got "${v}"`);
  return n;
}

export async function run(argv: string[]): Promise<number> {
  let values;
  let k: number;
  let imgsz: number;
  let seed: number;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: { project: { type: 'string' }, k: { type: 'string', short: 'k' }, imgsz: { type: 'string' }, seed: { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
    }));
    if (values.help) { console.log(USAGE); return 0; }
    if (!values.project) throw new Error('--project is required');
    k = positiveInt(values.k, 'k', 5);
    imgsz = positiveInt(values.imgsz, 'imgsz', 416);
    seed = positiveInt(values.seed, 'seed', 1);
    if (imgsz % 32 !== 0) throw new Error(`--imgsz must be a multiple of 32, got ${imgsz}`);
  } catch (err) {
    console.error(`detecta anchors: ${(err as Error).message}\n\n${USAGE}`);
    return 2;
  }
  const project = await openDatasetProject(values.project, { watch: false });
  try {
    await project.ready();
    const r = await computeProjectAnchors(project, { k, grid: imgsz / 32, seed });
    if (values.json) {
      console.log(JSON.stringify({ k, imgsz, grid: r.grid, boxes: r.boxes, split: r.split, meanIoU: r.meanIoU, anchors: r.anchors, anchorsPx: r.anchorsPx }));
      return 0;
    }
    console.log(`${k} anchors from ${r.boxes} ${r.split === 'train' ? 'train' : 'project (all splits)'} boxes, grid ${r.grid}×${r.grid} at ${imgsz} px`);
    console.log('  #   w (cells)  h (cells)   w (px)   h (px)');
    r.anchors.forEach(([w, h], i) => {
      const [pw, ph] = r.anchorsPx[i];
      console.log(`  ${String(i + 1).padStart(1)}  ${w.toFixed(3).padStart(9)}  ${h.toFixed(3).padStart(9)}  ${pw.toFixed(1).padStart(7)}  ${ph.toFixed(1).padStart(7)}`);
    });
    console.log(`mean IoU ${r.meanIoU.toFixed(4)}`);
    return 0;
  } catch (err) {
    console.error(`detecta anchors: ${(err as Error).message}`);
    return 1;
  } finally {
    await project.close();
  }
}
