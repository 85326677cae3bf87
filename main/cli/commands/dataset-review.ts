/**
 * `detecta dataset review --project DIR [--model RUN|DIR] [--top N] [--json FILE] [--conf auto]
 * [--tile [SIZE]] [--tile-overlap F] [--backend ...]`: the review queue ("find label errors") on the command line. The model (the
 * project's active model unless --model names a run of the project or a weights/run folder) runs
 * on every labeled image; the likely label errors (missing, spurious, wrong-class, loose,
 * duplicate boxes: shared/dataset/review.ts) are printed most likely first, the ones dismissed in
 * the app (.detecta/review.json) left out. --json FILE writes every finding, the images ranked and
 * the "label next" order of the unlabeled images. Exit codes: 0 done, 1 failed, 2 bad arguments.
 */
import { parseArgs } from 'node:util';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { openDatasetProject, type DatasetProject } from '../../dataset/project';
import { readDismissed } from '../../dataset/review-dismissals';
import { writeFileAtomic } from '../../dataset/atomic-write';
import { runDir, runPaths } from '../../training/run-folder';
import { selectBackend } from '../../training/backend';
import { loadDetectorFolder, type LoadedDetector } from '../../training/predict-files';
import { reviewProject } from '../../training/review-project';
import { backendChoiceSchema, type BackendChoice } from '../../../shared/training/types';
import type { ReviewFinding } from '../../../shared/dataset/review';
import { errorMessage } from '../../../shared/error-message';
import { DEFAULT_TILE_OVERLAP } from '../../../shared/ml/detector/tiles';
import { parseTileArgs, TILE_ARG_OPTIONS, TILE_ARG_USAGE, tileOptionsFor, withTileValue, type TileRequest } from '../tile-args';

export const REVIEW_HELP = `usage: detecta dataset review --project DIR [--model RUN|DIR] [--top 20] [--json FILE]
                              [--conf auto|X] [--tile [SIZE]] [--tile-overlap ${DEFAULT_TILE_OVERLAP}]
                              [--backend auto|tensorflow-gpu|webgpu|tensorflow|wasm|cpu]

Runs a detector on every labeled image and lists the likely label errors, most likely first:
missing boxes (a confident detection without a label), spurious boxes (a label the model does not
see), wrong classes, loose boxes (IoU 0.5-0.75 with a confident detection) and duplicates.
--model  a run of the project (its best weights), or a weights or run folder; default: the
         project's active model (chosen in the Train view)
--top    how many findings to print (default 20; 0 prints all)
--json   also write every finding, the images ranked and the "label next" order of the unlabeled
         images (most uncertain first) to FILE
--conf   the score from which a detection counts as confident; default auto: the score where
         the model agrees best with the project's labels (F1-optimal)
${TILE_ARG_USAGE}
         (small objects: without tiles the model may miss them and call their labels spurious)
Findings dismissed in the app ("keep the label") are left out.`;

function bad(msg: string): number {
  console.error(`detecta dataset review: ${msg}\n\n${REVIEW_HELP}`);
  return 2;
}

async function modelFolder(project: DatasetProject, model: string | undefined): Promise<string> {
  if (model !== undefined) {
    if (existsSync(path.join(model, 'model.json')) || existsSync(path.join(model, 'weights'))) return model;
    const dir = runDir(project.root, model);
    if (!existsSync(dir)) throw new Error(`--model ${model}: no run of that name in ${project.root} and no model folder there`);
    return dir;
  }
  const active = project.activeModel();
  if (!active) throw new Error('the project has no active model: choose one in the Train view, or give --model RUN');
  return runPaths(runDir(project.root, active.run))[active.weights];
}

const fmt = (n: number): string => String(Math.round(n));
function describe(f: ReviewFinding): string {
  const b = f.box ? `[${fmt(f.box.xmin)},${fmt(f.box.ymin)},${fmt(f.box.xmax)},${fmt(f.box.ymax)}]` : '';
  const s = f.suggestion;
  const sb = s ? `[${fmt(s.xmin)},${fmt(s.ymin)},${fmt(s.xmax)},${fmt(s.ymax)}]` : '';
  switch (f.kind) {
    case 'missing': return `no label where the model sees ${s!.label} ${s!.score.toFixed(2)} ${sb}`;
    case 'spurious': return `${f.label} ${b} (box ${f.boxId}): the model sees nothing there`;
    case 'wrong-class': return `${f.label} ${b} (box ${f.boxId}): the model sees ${s!.label} ${s!.score.toFixed(2)}`;
    case 'loose': return `${f.label} ${b} (box ${f.boxId}): IoU ${f.iou!.toFixed(2)} with the model's ${sb}`;
    case 'duplicate': return `${f.label} ${b} (box ${f.boxId}) repeats box ${f.twinId} (IoU ${f.iou!.toFixed(2)})`;
  }
}

export async function runReview(argv: string[]): Promise<number> {
  let v;
  let top = 20;
  let conf: number | undefined;
  let backend: BackendChoice = 'auto';
  let tileRequest: TileRequest | null;
  try {
    ({ values: v } = parseArgs({
      args: withTileValue(argv),
      options: {
        project: { type: 'string' }, model: { type: 'string' }, top: { type: 'string' }, json: { type: 'string' },
        conf: { type: 'string' }, ...TILE_ARG_OPTIONS, backend: { type: 'string' }, help: { type: 'boolean', short: 'h' },
      },
    }));
    if (v.help) { console.log(REVIEW_HELP); return 0; }
    if (!v.project) throw new Error('--project DIR is required');
    if (v.top !== undefined) {
      top = Number(v.top);
      if (!(Number.isInteger(top) && top >= 0)) throw new Error(`--top must be a whole number ≥ 0, got "${v.top}"`);
    }
    if (v.conf !== undefined && v.conf !== 'auto') {
      conf = Number(v.conf);
      if (!(conf > 0 && conf < 1)) throw new Error(`--conf must be a number in (0, 1), got "${v.conf}"`);
    }
    tileRequest = parseTileArgs(v);
    if (v.backend !== undefined) {
      const b = backendChoiceSchema.safeParse(v.backend);
      if (!b.success) throw new Error(`--backend must be one of ${backendChoiceSchema.options.join(', ')}`);
      backend = b.data;
    }
  } catch (err) {
    return bad(errorMessage(err));
  }
  let project: DatasetProject | undefined;
  let det: LoadedDetector | undefined;
  try {
    project = await openDatasetProject(v.project, { watch: false });
    await project.ready();
    const folder = await modelFolder(project, v.model);
    await selectBackend(backend);
    det = await loadDetectorFolder(folder);
    const dismissed = new Set(await readDismissed(project.root));
    const tty = process.stderr.isTTY;
    const tile = tileOptionsFor(tileRequest, det.config.inputSize);
    const review = await reviewProject(project, det, {
      options: conf === undefined ? {} : { confidence: conf }, dismissed, tile,
      onImage: tty ? (done, total) => process.stderr.write(`\rdetecting ${done}/${total}`) : undefined,
    });
    if (tty) process.stderr.write('\n');
    const shown = top === 0 ? review.findings : review.findings.slice(0, top);
    console.log(`${review.reviewed} labeled image(s) reviewed with ${det.dir}${tile ? ` (tiles of ${tile.tileSize} px, overlap ${tile.overlap})` : ''}: ${review.findings.length} finding(s) in ${review.images.length} image(s)${dismissed.size ? ` (${dismissed.size} dismissed left out)` : ''}; confident from score ${review.confidence}${conf === undefined ? ' (calibrated on the labels)' : ''}`);
    shown.forEach((f, i) => console.log(`${String(i + 1).padStart(4)}. ${f.score.toFixed(2)} ${f.kind.padEnd(11)} ${f.imageId}: ${describe(f)}`));
    if (review.labelNext.length) console.log(`label next (most uncertain of ${review.labelNext.length} unlabeled): ${review.labelNext.slice(0, 5).map((e) => e.imageId).join(', ')}`);
    for (const f of review.failed) console.error(`detecta dataset review: ${f.imageId}: ${f.reason}`);
    if (v.json) {
      const out = { format: 'detecta-review', version: 1, project: project.root, model: det.dir, classes: det.classes, ...review };
      await writeFileAtomic(path.resolve(v.json), `${JSON.stringify(out, null, 1)}\n`);
      console.log(`written ${path.resolve(v.json)}`);
    }
    return review.failed.length ? 1 : 0;
  } catch (err) {
    console.error(`detecta dataset review: ${errorMessage(err)}`);
    return 1;
  } finally {
    det?.model.dispose();
    await project?.close();
  }
}
