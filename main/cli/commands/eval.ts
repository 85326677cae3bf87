/**
 * `detecta eval --project DIR --run RUN [--weights best|last] [--json] [--save]`: validation
 * metrics of a run's saved weights on the run's validation images, with a per-class AP table and
 * AP50-95 per object size.
 * Writes nothing into the run unless --save (then eval.json, atomically).
 */
import { parseArgs } from 'node:util';
import { join } from 'node:path';
import { evaluateRun } from '../../training/evaluate-run';
import { runDir, runPaths, writeJson } from '../../training/run-folder';
import { backendChoiceSchema } from '../../../shared/training/types';
import { fixed } from '../options';
import { OBJECT_SIZES } from '../../../shared/training/eval-report';


const USAGE = `usage: detecta eval --project DIR --run RUN [--weights best|last] [--backend auto|wasm|cpu|...] [--json] [--save]

Runs the run's weights on its validation images and prints mAP50, mAP50-95, precision, recall,
F1 (at the run's evalConfidence), the AP of each class and AP50-95 per object size (COCO small /
medium / large). --save also writes the report to the run's eval.json (atomically); otherwise
nothing is written.`;

export async function run(argv: string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        project: { type: 'string' }, run: { type: 'string' }, weights: { type: 'string' }, backend: { type: 'string' },
        json: { type: 'boolean' }, save: { type: 'boolean' }, help: { type: 'boolean', short: 'h' },
      },
    }));
    if (values.help) { console.log(USAGE); return 0; }
    if (!values.project || !values.run) throw new Error('--project and --run are required');
    if (values.weights !== undefined && values.weights !== 'best' && values.weights !== 'last') throw new Error(`--weights must be best or last, got "${values.weights}"`);
    if (values.backend !== undefined) backendChoiceSchema.parse(values.backend);
  } catch (err) {
    const msg = err instanceof Error && 'issues' in err ? '--backend must be auto, tensorflow-gpu, webgpu, tensorflow, wasm or cpu' : (err as Error).message;
    console.error(`detecta eval: ${msg}\n\n${USAGE}`);
    return 2;
  }
  try {
    const r = await evaluateRun(values.project, values.run, {
      weights: (values.weights as 'best' | 'last' | undefined) ?? 'best',
      ...(values.backend ? { backend: backendChoiceSchema.parse(values.backend) } : {}),
    });
    for (const s of r.skipped) console.error(`skipped ${s.imageId}: ${s.reason}`);
    if (values.save && r.report) await writeJson(runPaths(runDir(values.project, values.run)).evalJson, r.report);
    if (values.json) {
      const { report, ...rest } = r;
      console.log(JSON.stringify({ ...rest, classes: report?.classes.map(({ pr: _pr, ...c }) => c) ?? [], perSize: report?.perSize ?? null, confusion: report?.confusion ?? null }));
      return 0;
    }
    console.log(`run ${r.run}, weights/${r.weights}${r.epoch !== null ? ` (epoch ${r.epoch})` : ''}, ${r.images} validation images, backend ${r.backend}`);
    console.log(`mAP50 ${fixed(r.mAP50)}  mAP50-95 ${fixed(r['mAP50-95'])}  precision ${fixed(r.precision, 3)}  recall ${fixed(r.recall, 3)}  F1 ${fixed(r.F1, 3)}  val loss ${fixed(r.loss.total)}`);
    if (r.report) {
      const w = Math.max(5, ...r.report.classes.map((c) => c.className.length));
      console.log(`${'class'.padEnd(w)}  boxes    AP50  AP50-95  precision  recall`);
      for (const c of r.report.classes) {
        console.log(`${c.className.padEnd(w)}  ${String(c.numGroundTruth).padStart(5)}  ${fixed(c.ap50).padStart(6)}  ${fixed(c['ap50-95']).padStart(7)}  ${fixed(c.precision, 3).padStart(9)}  ${fixed(c.recall, 3).padStart(6)}`);
      }
      const ps = r.report.perSize;
      if (ps) console.log(`AP50-95 by object size (COCO areas):  ${OBJECT_SIZES.map((s) => `${s} ${fixed(ps[s])} (${ps.counts[s]} boxes)`).join('  ')}`);
    }
    if (values.save) console.log(`wrote ${runPaths(runDir(values.project, values.run)).evalJson}`);
    return 0;
  } catch (err) {
    console.error(`detecta eval: ${(err as Error).message}`);
    return 1;
  }
}
