/**
 * `detecta export --run RUN --format tfjs|onnx --out DIR [--project DIR] [--weights best|last]
 * [--backend auto|...] [--json]`: writes a run's deployable package (main/export/export-run.ts).
 * ONNX exports are checked against tfjs on the run's validation images first; when the check
 * fails the command exits 1 and writes nothing.
 */
import { parseArgs } from 'node:util';
import path from 'node:path';
import { backendChoiceSchema, type BackendChoice } from '../../../shared/training/types';
import { MODEL_EXPORT_FORMATS, type ModelExportFormat } from '../../../shared/api/train';
import { exportRun } from '../../export/export-run';
import { ExportVerificationError } from '../../export/verify-export';


const USAGE = `usage: detecta export --run RUN --format tfjs|onnx --out DIR [--project DIR] [--weights best|last]
                      [--backend auto|tensorflow-gpu|webgpu|tensorflow|wasm|cpu] [--json]

Writes the run's weights (default best) into --out (created when missing; its parent must exist):
  tfjs: model.json + weights (TF.js LayersModel), detecta-model.json, README.md
  onnx: the same plus model.onnx (opset 17) and example/ (detect.mjs for Node with
        onnxruntime-web, detect.py for Python onnxruntime).
An ONNX export is checked first: the ONNX model (onnxruntime-web, wasm) and the TF.js model run on
the run's validation images; it fails, writing nothing, when any output differs by more than 1e-4
or the validation mAP50 (classifiers: accuracy) by more than 0.005.
--project is the project folder (default: the current folder). --json prints the result as JSON.`;

export async function run(argv: string[]): Promise<number> {
  let values;
  let format: ModelExportFormat;
  let backend: BackendChoice = 'auto';
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        project: { type: 'string' }, run: { type: 'string' }, format: { type: 'string' }, out: { type: 'string' }, weights: { type: 'string' },
        backend: { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' },
      },
    }));
    if (values.help) { console.log(USAGE); return 0; }
    if (!values.run || !values.out || !values.format) throw new Error('--run, --format and --out are required');
    if (!(MODEL_EXPORT_FORMATS as readonly string[]).includes(values.format)) throw new Error(`--format must be ${MODEL_EXPORT_FORMATS.join(' or ')}, got "${values.format}"`);
    format = values.format as ModelExportFormat;
    if (values.weights !== undefined && values.weights !== 'best' && values.weights !== 'last') throw new Error(`--weights must be best or last, got "${values.weights}"`);
    if (values.backend !== undefined) {
      const b = backendChoiceSchema.safeParse(values.backend);
      if (!b.success) throw new Error(`--backend must be one of ${backendChoiceSchema.options.join(', ')}`);
      backend = b.data;
    }
  } catch (err) {
    console.error(`detecta export: ${(err as Error).message}\n\n${USAGE}`);
    return 2;
  }
  const json = values.json === true;
  try {
    const r = await exportRun({
      projectDir: path.resolve(values.project ?? '.'), run: values.run, weights: (values.weights as 'best' | 'last' | undefined) ?? 'best',
      format, dir: path.resolve(values.out), backend,
      log: (m) => { if (!json) console.error(m); },
    });
    if (json) {
      console.log(JSON.stringify(r));
      return 0;
    }
    const v = r.verification;
    if (v) {
      console.log(`checked on ${v.images} ${v.split} images (${v.runtime} vs tfjs ${v.tfjsBackend}): max |onnx − tfjs| ${v.maxAbsDiff.toExponential(2)} (allowed ${v.tolerance}); ` +
        `${v.metric} onnx ${v.onnx?.toFixed(4) ?? '–'}, tfjs ${v.tfjs?.toFixed(4) ?? '–'}`);
    }
    console.log(`exported ${values.run} (${format}) to ${r.dir}: ${r.files.join(', ')}`);
    return 0;
  } catch (err) {
    if (json && err instanceof ExportVerificationError) console.log(JSON.stringify({ error: err.message, verification: err.verification }));
    console.error(`detecta export: ${(err as Error).message}`);
    return 1;
  }
}
