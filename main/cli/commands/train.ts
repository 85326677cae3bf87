/**
 * `detecta train --project DIR [--preset tiny|darknet19|mobilenet] [--input 416] [--epochs N]
 * [--batch N] [--lr X] [--seed S] [--backend auto|tensorflow-gpu|tensorflow|wasm|cpu]
 * [--name NAME] [--resume RUN]`: trains a detector in a trainer process, prints progress lines
 * and the final metrics. Ctrl-C stops at the next batch boundary (resumable with --resume).
 */
import { parseArgs } from 'node:util';
import { TrainerSupervisor } from '../../training/supervisor';
import { backendChoiceSchema, presetSchema, trainConfigSchema, type EpochMetrics, type TrainConfigInput } from '../../../shared/training/types';

const USAGE = `usage: detecta train --project DIR [--preset tiny|darknet19|mobilenet] [--input 416] [--epochs 50]
                     [--batch 8] [--lr 0.001] [--seed 1] [--train-times 1] [--no-augment]
                     [--backend auto|tensorflow-gpu|tensorflow|wasm|cpu] [--name NAME] [--resume RUN]

Trains a YOLOv2-style detector on the project's labeled images (its train/val split) and writes
the run to DIR/.detecta/runs/<name>/ (config, env, metrics.csv, events, weights, eval.json).
--resume RUN continues a cancelled or interrupted run from its last saved epoch
(--epochs then sets a new total). Ctrl-C stops at the next batch boundary.`;

const fmt = (v: number | null | undefined, d = 4): string => (v === null || v === undefined ? '-' : v.toFixed(d));

export function metricsLine(m: EpochMetrics): string {
  return `mAP50 ${fmt(m.mAP50)}  mAP50-95 ${fmt(m['mAP50-95'])}  precision ${fmt(m.precision, 3)}  recall ${fmt(m.recall, 3)}  F1 ${fmt(m.F1, 3)}`;
}

function num(v: string | undefined, name: string): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n)) throw new Error(`--${name} must be a number, got "${v}"`);
  return n;
}

export async function run(argv: string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        project: { type: 'string' }, preset: { type: 'string' }, input: { type: 'string' }, epochs: { type: 'string' },
        batch: { type: 'string' }, lr: { type: 'string' }, seed: { type: 'string' }, 'train-times': { type: 'string' },
        'no-augment': { type: 'boolean' }, backend: { type: 'string' }, name: { type: 'string' }, resume: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (err) {
    console.error(`detecta train: ${(err as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (values.help) { console.log(USAGE); return 0; }
  if (!values.project) { console.error(`detecta train: --project is required\n\n${USAGE}`); return 2; }
  let config: TrainConfigInput;
  let epochs: number | undefined;
  try {
    epochs = num(values.epochs, 'epochs');
    config = {
      ...(values.preset !== undefined ? { preset: presetSchema.parse(values.preset) } : {}),
      ...(values.input !== undefined ? { inputSize: num(values.input, 'input') } : {}),
      ...(epochs !== undefined ? { epochs } : {}),
      ...(values.batch !== undefined ? { batchSize: num(values.batch, 'batch') } : {}),
      ...(values.lr !== undefined ? { learningRate: num(values.lr, 'lr') } : {}),
      ...(values.seed !== undefined ? { seed: num(values.seed, 'seed') } : {}),
      ...(values['train-times'] !== undefined ? { trainTimes: num(values['train-times'], 'train-times') } : {}),
      ...(values['no-augment'] ? { augment: false } : {}),
      ...(values.backend !== undefined ? { backend: backendChoiceSchema.parse(values.backend) } : {}),
    };
    const parsed = trainConfigSchema.safeParse(config);
    if (!parsed.success) throw new Error(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
  } catch (err) {
    const msg = err instanceof Error && 'issues' in err ? (err as { issues: { message: string }[] }).issues.map((i) => i.message).join('; ') : (err as Error).message;
    console.error(`detecta train: ${msg}\n\n${USAGE}`);
    return 2;
  }
  const sup = new TrainerSupervisor(values.resume
    ? { project: values.project, resume: values.resume, ...(epochs !== undefined ? { epochs } : {}), progressIntervalMs: 1000 }
    : { project: values.project, config, ...(values.name ? { name: values.name } : {}), progressIntervalMs: 1000 });
  const onSigint = (): void => {
    console.error('\nstopping at the next batch boundary (Ctrl-C again to kill)…');
    sup.cancel();
    process.once('SIGINT', () => sup.kill());
  };
  process.once('SIGINT', onSigint);
  sup.onEvent((ev) => {
    switch (ev.type) {
      case 'env': console.log(`backend ${ev.payload.backend}: ${ev.payload.device}`); break;
      case 'log': (ev.payload.level === 'info' ? console.log : console.error)(ev.payload.message); break;
      case 'progress': {
        const p = ev.payload;
        console.log(`epoch ${p.epoch}/${p.epochs} batch ${p.batch}/${p.batches}  loss ${p.loss.total.toFixed(4)} (box ${p.loss.box.toFixed(3)} obj ${p.loss.obj.toFixed(3)} noobj ${p.loss.noobj.toFixed(3)} cls ${p.loss.cls.toFixed(3)})  ${p.imagesPerSecond.toFixed(1)} img/s  ETA ${Math.round(p.etaSeconds)} s`);
        break;
      }
      case 'epoch': console.log(`epoch ${ev.payload.epoch}/${ev.payload.epochs} done  train loss ${ev.payload.train.total.toFixed(4)}  val loss ${fmt(ev.payload.val?.total)}  ${metricsLine(ev.payload)}${ev.payload.best ? '  (best)' : ''}`); break;
      default: break;
    }
  });
  const end = await sup.done;
  process.removeListener('SIGINT', onSigint);
  if (end.type === 'failed') {
    console.error(`detecta train: ${end.payload.error}`);
    return 1;
  }
  const f = end.payload;
  console.log(`${f.status === 'cancelled' ? 'cancelled' : 'finished'} run ${f.run} after ${f.epochsDone} epoch(s): ${f.runDir}`);
  if (f.final) console.log(`final: ${metricsLine(f.final)}`);
  if (f.best) console.log(`best (epoch ${f.best.epoch}): ${metricsLine(f.best)}`);
  return 0;
}
