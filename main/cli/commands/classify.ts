/**
 * `detecta classify train|predict|eval`: CNN image classifiers.
 * - train: a folder with one sub-folder per class (--source), a detection project's box crops
 *   (--project DIR --crops) or IDX files (--idx); trains in a trainer process, prints progress
 *   and the test metrics (--json: one JSON object at the end).
 * - predict: top-k classes of an image or of every image in a folder.
 * - eval: re-evaluates a run's weights/best on its test split (rewrites eval.json).
 */
import { promises as fs } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import { TrainerSupervisor } from '../../training/supervisor';
import { selectBackend } from '../../training/backend';
import { loadModelFromFolder } from '../../training/weights-io';
import { runPaths } from '../../training/run-folder';
import { readEvalJson, readRunConfig } from '../../training/run-files';
import { decodeImageFile } from '../../training/classifier/dataset';
import { evaluateClassifierRun } from '../../training/classifier/evaluate-run';
import { photoNames } from '../../dataset/folder-scan';
import { naturalCompare } from '../../../shared/dataset/natural-sort';
import { readClassifierMetadata } from '../../../shared/ml/classifier/metadata';
import { classifyImages, type ClassScore } from '../../../shared/ml/classifier/predict';
import {
  classifierConfigSchema, type ClassifierConfigInput, type ClassifierEvalReport, type ClassifierRunConfigFile, type ClassifierSource, type ClassifierTrainerEvent,
} from '../../../shared/training/classifier';
import { backendChoiceSchema } from '../../../shared/training/types';
import { numberOption } from '../options';


const USAGE = `usage:
  detecta classify train (--source DIR | --idx DIR | --project DIR --crops) [options]
  detecta classify predict --model DIR --source IMAGE|FOLDER [--top 3] [--json]
  detecta classify eval --run DIR [--json]

train options:
  --source DIR        a folder with one sub-folder per class (the folder name is the class)
  --idx DIR           MNIST-format IDX files (train-* and t10k-*, .gz or not); t10k is the test set
  --project DIR --crops [--padding 0.1]   crops of a detection project's labeled boxes
  --out DIR           where the run goes (DIR/.detecta/runs/<name>); default: the source folder or
                      project (required with --idx)
  --preset fashion-mnist-cnn|sports-cnn|deep-cnn|mobilenet-embeddings   (default fashion-mnist-cnn)
  --input H,W[,C] | N  model input (default: chosen from the data);  --color auto|grayscale|rgb
  --epochs 10  --batch 32  --lr X  --optimizer adam|adagrad  --seed 1  --patience 0 (early stop)
  --val 0.15  --test 0.15  --balance none|weights|oversample  --flip  --no-dropout
  --backbone URL|PATH (mobilenet-embeddings; URLs are downloaded once into --model-cache DIR)
  --train-limit N  --test-limit N (IDX subsets)   --backend auto|tensorflow-gpu|webgpu|tensorflow|wasm|cpu
  --name NAME   --resume RUN (continue a run; --epochs sets a new total)   --json
predict: --model is a run folder (uses weights/best) or a weights folder with model.json.`;

const fmt = (v: number | null | undefined, d = 4): string => (v === null || v === undefined || !Number.isFinite(v) ? '-' : v.toFixed(d));

function parseInput(v: string | undefined): [number, number, number] | undefined {
  if (v === undefined) return undefined;
  const parts = v.split(/[,x×]/).map((p) => Number(p.trim()));
  if (parts.some((p) => !Number.isInteger(p) || p < 1)) throw new Error(`--input must be N, H,W or H,W,C, got "${v}"`);
  if (parts.length === 1) return [parts[0]!, parts[0]!, 3];
  if (parts.length === 2) return [parts[0]!, parts[1]!, 3];
  if (parts.length === 3) return [parts[0]!, parts[1]!, parts[2]!];
  throw new Error(`--input must be N, H,W or H,W,C, got "${v}"`);
}

export function formatEval(r: ClassifierEvalReport): string {
  const lines = [`${r.split} accuracy ${fmt(r.accuracy)} on ${r.images} image(s) (weights/best, epoch ${r.epoch})`];
  const w = Math.max(8, ...r.perClass.map((c) => c.className.length));
  lines.push(`${'class'.padEnd(w)}  precision  recall  F1      support`);
  for (const c of r.perClass) lines.push(`${c.className.padEnd(w)}  ${fmt(c.precision).padEnd(9)}  ${fmt(c.recall).padEnd(6)}  ${fmt(c.F1).padEnd(6)}  ${c.support}`);
  lines.push(`${'macro'.padEnd(w)}  ${fmt(r.macro.precision).padEnd(9)}  ${fmt(r.macro.recall).padEnd(6)}  ${fmt(r.macro.F1)}`);
  lines.push(`${'weighted'.padEnd(w)}  ${fmt(r.weighted.precision).padEnd(9)}  ${fmt(r.weighted.recall).padEnd(6)}  ${fmt(r.weighted.F1)}`);
  lines.push('confusion matrix (rows: true, columns: predicted):');
  const cw = Math.max(4, ...r.confusion.matrix.flat().map((v) => String(v).length));
  const rw = w + String(r.confusion.labels.length).length + 1;
  lines.push(`${''.padEnd(rw)}  ${r.confusion.labels.map((_, i) => String(i).padStart(cw)).join(' ')}`);
  r.confusion.matrix.forEach((row, i) => lines.push(`${`${i} ${r.confusion.labels[i]}`.padEnd(rw)}  ${row.map((v) => String(v).padStart(cw)).join(' ')}`));
  if (r.mostConfused.length > 0) {
    lines.push('most confused:');
    for (const p of r.mostConfused.slice(0, 5)) lines.push(`  ${p.trueClass} → ${p.predictedClass}: ${p.count} (e.g. ${p.examples.slice(0, 3).map((e) => e.path ?? e.id).join(', ')})`);
  }
  return lines.join('\n');
}

async function train(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      source: { type: 'string' }, idx: { type: 'string' }, project: { type: 'string' }, crops: { type: 'boolean' }, padding: { type: 'string' },
      out: { type: 'string' }, preset: { type: 'string' }, input: { type: 'string' }, color: { type: 'string' }, epochs: { type: 'string' },
      batch: { type: 'string' }, lr: { type: 'string' }, optimizer: { type: 'string' }, seed: { type: 'string' }, patience: { type: 'string' },
      val: { type: 'string' }, test: { type: 'string' }, balance: { type: 'string' }, flip: { type: 'boolean' }, 'no-dropout': { type: 'boolean' },
      backbone: { type: 'string' }, 'model-cache': { type: 'string' }, 'train-limit': { type: 'string' }, 'test-limit': { type: 'string' },
      backend: { type: 'string' }, name: { type: 'string' }, resume: { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) { console.log(USAGE); return 0; }
  const given = [values.source, values.idx, values.crops ? values.project : undefined].filter((v) => v !== undefined).length;
  if (values.project && !values.crops) throw new Error('--project needs --crops (train on the crops of its labeled boxes)');
  let source: ClassifierSource | null = null;
  if (given > 1) throw new Error('give one of --source, --idx, --project --crops');
  if (values.source) source = { kind: 'folder', dir: resolve(values.source) };
  else if (values.idx) {
    source = { kind: 'idx', dir: resolve(values.idx), ...(values['train-limit'] ? { trainLimit: numberOption(values['train-limit'], 'train-limit') } : {}), ...(values['test-limit'] ? { testLimit: numberOption(values['test-limit'], 'test-limit') } : {}) };
  } else if (values.project) source = { kind: 'crops', project: resolve(values.project), padding: numberOption(values.padding, 'padding') ?? 0.1, minSize: 4, difficult: false };
  const home = values.out ? resolve(values.out) : source?.kind === 'folder' ? source.dir : source?.kind === 'crops' ? source.project : null;
  if (!home) throw new Error(values.resume ? '--resume needs --out DIR (or the --source / --project the run lives in)' : '--idx needs --out DIR (where the run folder goes)');
  const epochs = numberOption(values.epochs, 'epochs');
  let options;
  if (values.resume) {
    options = { task: 'classify' as const, project: home, resume: values.resume, ...(epochs !== undefined ? { epochs } : {}), progressIntervalMs: 1000 };
  } else {
    if (!source) throw new Error('give --source DIR, --idx DIR or --project DIR --crops');
    const inputShape = parseInput(values.input);
    const config: ClassifierConfigInput = {
      source,
      ...(values.preset !== undefined ? { preset: values.preset as ClassifierConfigInput['preset'] } : {}),
      ...(inputShape ? { inputShape: inputShape as ClassifierConfigInput['inputShape'] } : {}),
      ...(values.color !== undefined ? { colorMode: values.color as ClassifierConfigInput['colorMode'] } : {}),
      ...(epochs !== undefined ? { epochs } : {}),
      ...(values.batch !== undefined ? { batchSize: numberOption(values.batch, 'batch') } : {}),
      ...(values.lr !== undefined ? { learningRate: numberOption(values.lr, 'lr') } : {}),
      ...(values.optimizer !== undefined ? { optimizer: values.optimizer as 'adam' | 'adagrad' } : {}),
      ...(values.seed !== undefined ? { seed: numberOption(values.seed, 'seed') } : {}),
      ...(values.patience !== undefined ? { patience: numberOption(values.patience, 'patience') } : {}),
      ...(values.val !== undefined ? { valFraction: numberOption(values.val, 'val') } : {}),
      ...(values.test !== undefined ? { testFraction: numberOption(values.test, 'test') } : {}),
      ...(values.balance !== undefined ? { balance: values.balance as 'none' } : {}),
      ...(values.flip ? { flip: true } : {}),
      ...(values['no-dropout'] ? { dropout: false } : {}),
      ...(values.backbone !== undefined ? { backbone: /^https?:/i.test(values.backbone) ? values.backbone : resolve(values.backbone) } : {}),
      ...(values['model-cache'] !== undefined ? { modelCacheDir: resolve(values['model-cache']) } : {}),
      ...(values.backend !== undefined ? { backend: backendChoiceSchema.parse(values.backend) } : {}),
    };
    const parsed = classifierConfigSchema.safeParse(config);
    if (!parsed.success) throw new Error(parsed.error.issues.map((i) => `${i.path.join('.') || 'config'}: ${i.message}`).join('; '));
    options = { task: 'classify' as const, project: home, config, ...(values.name ? { name: values.name } : {}), progressIntervalMs: 1000 };
  }
  const sup = new TrainerSupervisor<ClassifierTrainerEvent>(options);
  const onSigint = (): void => {
    console.error('\nstopping at the next batch boundary (Ctrl-C again to kill)…');
    sup.cancel();
    process.once('SIGINT', () => sup.kill());
  };
  process.once('SIGINT', onSigint);
  const out = values.json ? console.error : console.log;
  sup.onEvent((ev) => {
    switch (ev.type) {
      case 'env': out(`backend ${ev.payload.backend}: ${ev.payload.device}`); break;
      case 'log': (ev.payload.level === 'info' ? out : console.error)(ev.payload.message); break;
      case 'progress': {
        const p = ev.payload;
        out(`epoch ${p.epoch}/${p.epochs} batch ${p.batch}/${p.batches}  loss ${p.loss.toFixed(4)}  accuracy ${p.accuracy.toFixed(4)}  ${p.imagesPerSecond.toFixed(1)} img/s  ETA ${Math.round(p.etaSeconds)} s`);
        break;
      }
      case 'epoch': {
        const e = ev.payload;
        out(`epoch ${e.epoch}/${e.epochs} done  train loss ${fmt(e.train.loss)} accuracy ${fmt(e.train.accuracy)}  val loss ${fmt(e.val?.loss)} accuracy ${fmt(e.val?.accuracy)}${e.best ? '  (best)' : ''}`);
        break;
      }
      default: break;
    }
  });
  const end = await sup.done;
  process.removeListener('SIGINT', onSigint);
  if (end.type === 'failed') {
    if (values.json) console.log(JSON.stringify({ status: 'failed', error: end.payload.error }));
    console.error(`detecta classify: ${end.payload.error}`);
    return 1;
  }
  const f = end.payload;
  const stored = await readEvalJson(f.runDir);
  const report = stored && 'task' in stored && stored.task === 'classify' ? stored : null;
  if (values.json) {
    console.log(JSON.stringify({ ...f, eval: report }));
    return 0;
  }
  console.log(`${f.status === 'cancelled' ? 'cancelled' : 'finished'} run ${f.run} after ${f.epochsDone} epoch(s)${f.stoppedEarly ? ' (early stop)' : ''}: ${f.runDir}`);
  if (report && f.status === 'completed') console.log(formatEval(report));
  return 0;
}

async function listImages(source: string): Promise<string[]> {
  const st = await fs.stat(source);
  if (!st.isDirectory()) return [source];
  const out: string[] = [];
  const walk = async (dir: string): Promise<void> => {
    const entries = (await fs.readdir(dir, { withFileTypes: true })).sort((a, b) => naturalCompare(a.name, b.name));
    const photos = new Set(photoNames(entries.filter((e) => e.isFile()).map((e) => e.name)));
    for (const e of entries) {
      if (e.name.startsWith('.')) continue;
      if (e.isDirectory()) await walk(join(dir, e.name));
      else if (photos.has(e.name)) out.push(join(dir, e.name));
    }
  };
  await walk(source);
  return out;
}

async function modelFolder(dir: string): Promise<string> {
  const candidates = [dir, runPaths(dir).best, runPaths(dir).last];
  for (const c of candidates) if (await fs.access(join(c, 'model.json')).then(() => true, () => false)) return c;
  throw new Error(`${dir} has no model.json (nor weights/best or weights/last)`);
}

async function predict(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { model: { type: 'string' }, source: { type: 'string' }, top: { type: 'string' }, json: { type: 'boolean' }, backend: { type: 'string' }, help: { type: 'boolean', short: 'h' } } });
  if (values.help) { console.log(USAGE); return 0; }
  if (!values.model || !values.source) throw new Error('predict needs --model DIR and --source IMAGE|FOLDER');
  const top = numberOption(values.top, 'top') ?? 3;
  await selectBackend(backendChoiceSchema.parse(values.backend ?? 'auto'));
  const model = await loadModelFromFolder(await modelFolder(resolve(values.model)));
  const meta = readClassifierMetadata(model);
  const source = resolve(values.source);
  const files = await listImages(source);
  if (files.length === 0) throw new Error(`${values.source} has no images`);
  const results: { file: string; top: ClassScore[] | null; error?: string }[] = [];
  for (let i = 0; i < files.length; i += 32) {
    const chunk = files.slice(i, i + 32);
    const tensors: tf.Tensor3D[] = [];
    const ok: string[] = [];
    for (const file of chunk) {
      try {
        tensors.push(tf.tensor3d(await decodeImageFile(file, meta.inputShape), meta.inputShape, 'int32'));
        ok.push(file);
      } catch (err) {
        results.push({ file, top: null, error: (err as Error).message.split('\n')[0]! });
      }
    }
    const scores = await classifyImages(model, meta, tensors, { topK: top });
    tf.dispose(tensors);
    ok.forEach((file, k) => results.push({ file, top: scores[k]! }));
  }
  model.dispose();
  results.sort((a, b) => naturalCompare(a.file, b.file));
  const name = (f: string) => (source === f ? f : relative(source, f));
  if (values.json) {
    console.log(JSON.stringify({ classes: meta.classes, results: results.map((r) => ({ ...r, file: r.file })) }));
  } else {
    for (const r of results) {
      if (!r.top) console.error(`${name(r.file)}: cannot classify: ${r.error}`);
      else console.log(`${name(r.file)}: ${r.top.map((s) => `${s.className} ${s.score.toFixed(3)}`).join(', ')}`);
    }
  }
  return results.some((r) => !r.top) ? 1 : 0;
}

async function evaluate(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { run: { type: 'string' }, json: { type: 'boolean' }, backend: { type: 'string' }, help: { type: 'boolean', short: 'h' } } });
  if (values.help) { console.log(USAGE); return 0; }
  if (!values.run) throw new Error('eval needs --run DIR (a classifier run folder)');
  const dir = resolve(values.run);
  const config = await readRunConfig(dir);
  if (!config) throw new Error(`${dir} is not a run folder (no config.json)`);
  await selectBackend(backendChoiceSchema.parse(values.backend ?? config.train.backend));
  const report = await evaluateClassifierRun(dir, { log: (m) => console.error(m) });
  console.log(values.json ? JSON.stringify(report) : `${formatEval(report)}\nwritten ${runPaths(dir).evalJson}`);
  return 0;
}

export async function run(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  try {
    switch (sub) {
      case 'train': return await train(rest);
      case 'predict': return await predict(rest);
      case 'eval': return await evaluate(rest);
      case undefined: case '--help': case '-h': case 'help':
        console.log(USAGE);
        return sub ? 0 : 2;
      default:
        console.error(`detecta classify: unknown sub-command "${sub}"\n\n${USAGE}`);
        return 2;
    }
  } catch (err) {
    console.error(`detecta classify: ${(err as Error).message}`);
    return 2;
  }
}
