/**
 * `detecta train --project DIR [options]`: trains a detector in a trainer process. Text mode
 * prints log lines, a progress bar (redrawn in place when stdout is a terminal, one line per
 * progress event otherwise) and the metrics of every epoch; --json prints every event as one
 * JSON object per line. Exit code 0 when the run completed or was cancelled, 1 when it failed,
 * 2 on bad options. Ctrl-C stops at the next batch boundary (resumable with --resume).
 * --minutes N trains to a time budget: the trainer's plan (input size, batch, epochs, frozen
 * epochs and why) and its re-plans after timing the first batches are log lines, printed as they come.
 */
import { parseArgs } from 'node:util';
import { TrainerSupervisor } from '../../training/supervisor';
import type { TrainRunOptions } from '../../training/detect-task';
import {
  backendChoiceSchema, presetSchema, trainConfigSchema, type EpochMetrics, type ProgressEvent, type TrainConfigInput,
} from '../../../shared/training/types';
import { fixed, numberOption } from '../options';


const USAGE = `usage: detecta train --project DIR [--preset nanodet-m|mobilenet-fpn|mobilenet|tiny|darknet19] [--imgsz 416]
                     [--epochs 50 | --minutes N] [--batch 8] [--lr 0.001]
                     [--lr-schedule cosine|linear|constant] [--warmup 1]
                     [--clip-norm 10] [--patience 0] [--seed 1] [--train-times 1] [--no-augment]
                     [--augment-ops JSON] [--freeze-epochs 3] [--backbone PATH|URL] [--backbone-cut LAYER]
                     [--backend auto|tensorflow-gpu|webgpu|tensorflow|wasm|cpu] [--name NAME] [--json]
       detecta train --project DIR --resume RUN [--epochs TOTAL | --more N] [--backend ...] [--json]

Trains a detector on the project's labeled images (its train/val split) and writes the run to
DIR/.detecta/runs/<name>/ (config, env, metrics.csv, events, weights, eval.json). The default
preset, nanodet-m, is anchor-free and multi-scale (strides 8/16/32) on NanoDet-m trained on COCO:
backbone, neck and box head start from the model zoo's nanodet-m-416-coco (downloaded once into
the model cache, or --backbone naming the folder of nanodet-m.json); mobilenet-fpn is the same
head on the ImageNet MobileNet v1 0.25 backbone (lighter, less accurate); mobilenet, tiny and
darknet19 are the YOLOv2 presets.
--resume RUN continues a cancelled, interrupted or finished run from its last saved epoch with
its optimizer state; --epochs then sets a new total, --more N trains N epochs past the last one,
--backend trains this part on another backend (e.g. wasm after a GPU failure).
--minutes N trains to a time budget of N minutes (fractions allowed): the input size (from the
box sizes), batch (from the image count), frozen epochs and epochs are planned so that training
and validation end on the budget, and the epochs are re-planned from the speed measured in the
first batches; --imgsz, --batch and --freeze-epochs given with it win over the plan. A resumed
budget run continues with the time it has left (--epochs or --more instead ends its budget).
--json prints every trainer event as one JSON object per line. Ctrl-C stops at the next batch
boundary. (--input is accepted as another name for --imgsz.)`;

export function metricsLine(m: EpochMetrics): string {
  return `mAP50 ${fixed(m.mAP50)}  mAP50-95 ${fixed(m['mAP50-95'])}  precision ${fixed(m.precision, 3)}  recall ${fixed(m.recall, 3)}  F1 ${fixed(m.F1, 3)}`;
}

function progressText(p: ProgressEvent): string {
  return `epoch ${p.epoch}/${p.epochs} batch ${p.batch}/${p.batches}  loss ${p.loss.total.toFixed(4)} (box ${p.loss.box.toFixed(3)} obj ${p.loss.obj.toFixed(3)} noobj ${p.loss.noobj.toFixed(3)} cls ${p.loss.cls.toFixed(3)} dfl ${p.loss.dfl.toFixed(3)})  ${p.imagesPerSecond.toFixed(1)} img/s  ETA ${Math.round(p.etaSeconds)} s`;
}

function progressBar(p: ProgressEvent, columns: number): string {
  const eta = p.etaSeconds >= 3600 ? `${Math.floor(p.etaSeconds / 3600)}h${String(Math.floor((p.etaSeconds % 3600) / 60)).padStart(2, '0')}m` : `${Math.floor(p.etaSeconds / 60)}m${String(Math.round(p.etaSeconds % 60)).padStart(2, '0')}s`;
  const tail = ` ${p.batch}/${p.batches}  loss ${p.loss.total.toFixed(3)}  ${p.imagesPerSecond.toFixed(1)} img/s  ETA ${eta}`;
  const head = `epoch ${p.epoch}/${p.epochs} `;
  const width = Math.max(10, Math.min(40, columns - head.length - tail.length - 3));
  const filled = Math.round((p.batch / p.batches) * width);
  return `${head}[${'#'.repeat(filled)}${'.'.repeat(width - filled)}]${tail}`;
}

export async function run(argv: string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        project: { type: 'string' }, preset: { type: 'string' }, input: { type: 'string' }, imgsz: { type: 'string' }, epochs: { type: 'string' }, minutes: { type: 'string' },
        more: { type: 'string' }, batch: { type: 'string' }, lr: { type: 'string' }, 'lr-schedule': { type: 'string' }, warmup: { type: 'string' },
        'clip-norm': { type: 'string' }, patience: { type: 'string' }, seed: { type: 'string' }, 'train-times': { type: 'string' },
        'no-augment': { type: 'boolean' }, 'augment-ops': { type: 'string' }, 'freeze-epochs': { type: 'string' }, backbone: { type: 'string' },
        'backbone-cut': { type: 'string' }, backend: { type: 'string' }, name: { type: 'string' }, resume: { type: 'string' },
        json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (err) {
    console.error(`detecta train: ${(err as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (values.help) { console.log(USAGE); return 0; }
  if (!values.project) { console.error(`detecta train: --project is required\n\n${USAGE}`); return 2; }
  let options: TrainRunOptions;
  try {
    const epochs = numberOption(values.epochs, 'epochs');
    const more = numberOption(values.more, 'more');
    if (more !== undefined && (!values.resume || !Number.isInteger(more) || more < 1)) throw new Error('--more N needs --resume RUN and a positive integer N');
    if (more !== undefined && epochs !== undefined) throw new Error('give --epochs (the new total) or --more (epochs to add), not both');
    const minutes = numberOption(values.minutes, 'minutes');
    if (minutes !== undefined && values.resume) throw new Error('--minutes starts a new run with a time budget; a resumed budget run continues with the time it has left');
    if (minutes !== undefined && epochs !== undefined) throw new Error('give --epochs or --minutes (a time budget that plans the epochs), not both');
    if (values.resume) {
      options = { project: values.project, resume: values.resume, ...(epochs !== undefined ? { epochs } : {}), ...(more !== undefined ? { moreEpochs: more } : {}), ...(values.backend !== undefined ? { backend: backendChoiceSchema.parse(values.backend) } : {}), progressIntervalMs: 1000 };
    } else {
      const imgsz = values.imgsz ?? values.input;
      let augmentOps: unknown;
      if (values['augment-ops'] !== undefined) {
        try {
          augmentOps = JSON.parse(values['augment-ops']);
        } catch (err) {
          throw new Error(`--augment-ops must be JSON such as '{"horizontalFlip":{"p":0}}': ${(err as Error).message}`);
        }
      }
      const config: TrainConfigInput = {
        ...(values.preset !== undefined ? { preset: presetSchema.parse(values.preset) } : {}),
        ...(imgsz !== undefined ? { inputSize: numberOption(imgsz, 'imgsz') } : {}),
        ...(epochs !== undefined ? { epochs } : {}),
        ...(minutes !== undefined ? { minutes } : {}),
        ...(values.batch !== undefined ? { batchSize: numberOption(values.batch, 'batch') } : {}),
        ...(values.lr !== undefined ? { learningRate: numberOption(values.lr, 'lr') } : {}),
        ...(values['lr-schedule'] !== undefined ? { lrSchedule: values['lr-schedule'] as TrainConfigInput['lrSchedule'] } : {}),
        ...(values.warmup !== undefined ? { warmupEpochs: numberOption(values.warmup, 'warmup') } : {}),
        ...(values['clip-norm'] !== undefined ? { clipNorm: values['clip-norm'] === 'off' ? null : numberOption(values['clip-norm'], 'clip-norm') } : {}),
        ...(values.patience !== undefined ? { patience: numberOption(values.patience, 'patience') } : {}),
        ...(values.seed !== undefined ? { seed: numberOption(values.seed, 'seed') } : {}),
        ...(values['train-times'] !== undefined ? { trainTimes: numberOption(values['train-times'], 'train-times') } : {}),
        ...(values['no-augment'] ? { augment: false } : {}),
        ...(augmentOps !== undefined ? { augmentOps: augmentOps as TrainConfigInput['augmentOps'] } : {}),
        ...(values['freeze-epochs'] !== undefined ? { freezeEpochs: numberOption(values['freeze-epochs'], 'freeze-epochs') } : {}),
        ...(values.backbone !== undefined ? { backbone: values.backbone } : {}),
        ...(values['backbone-cut'] !== undefined ? { backboneCut: values['backbone-cut'] } : {}),
        ...(values.backend !== undefined ? { backend: backendChoiceSchema.parse(values.backend) } : {}),
      };
      const parsed = trainConfigSchema.safeParse(config);
      if (!parsed.success) throw new Error(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
      options = { project: values.project, config, ...(values.name ? { name: values.name } : {}), progressIntervalMs: values.json ? 500 : 1000 };
    }
  } catch (err) {
    const msg = err instanceof Error && 'issues' in err ? (err as { issues: { message: string }[] }).issues.map((i) => i.message).join('; ') : (err as Error).message;
    console.error(`detecta train: ${msg}\n\n${USAGE}`);
    return 2;
  }
  const json = values.json === true;
  const tty = !json && process.stdout.isTTY === true;
  let barShown = false;
  const clearBar = (): void => {
    if (barShown) { process.stdout.write('\r\x1b[2K'); barShown = false; }
  };
  const say = (line: string, err = false): void => {
    clearBar();
    (err ? console.error : console.log)(line);
  };
  const sup = new TrainerSupervisor(options);
  const onSigint = (): void => {
    if (!json) say('\nstopping at the next batch boundary (Ctrl-C again to kill)…', true);
    sup.cancel();
    process.once('SIGINT', () => sup.kill());
  };
  process.once('SIGINT', onSigint);
  sup.onEvent((ev) => {
    if (json) {
      process.stdout.write(JSON.stringify(ev) + '\n');
      return;
    }
    switch (ev.type) {
      case 'env': say(`backend ${ev.payload.backend}: ${ev.payload.device}`); break;
      case 'log': say(ev.payload.message, ev.payload.level !== 'info'); break;
      case 'progress':
        if (tty) {
          process.stdout.write(`\r\x1b[2K${progressBar(ev.payload, process.stdout.columns ?? 100)}`);
          barShown = true;
        } else {
          say(progressText(ev.payload));
        }
        break;
      case 'epoch': say(`epoch ${ev.payload.epoch}/${ev.payload.epochs} done  train loss ${ev.payload.train.total.toFixed(4)}  val loss ${fixed(ev.payload.val?.total)}  ${metricsLine(ev.payload)}  lr ${ev.payload.lr.toExponential(2)}${ev.payload.best ? '  (best)' : ''}`); break;
      default: break;
    }
  });
  const end = await sup.done;
  process.removeListener('SIGINT', onSigint);
  clearBar();
  if (end.type === 'failed') {
    // In --json mode the failed event is already on stdout; stderr still says why for a person.
    console.error(`detecta train: ${end.payload.error}`);
    return 1;
  }
  if (json) return 0;
  const f = end.payload;
  console.log(`${f.status === 'cancelled' ? 'cancelled' : 'finished'} run ${f.run} after ${f.epochsDone} epoch(s): ${f.runDir}`);
  if (f.budget) console.log(`time budget: ${f.budget.secondsUsed.toFixed(1)} s used of ${(f.budget.minutes * 60).toFixed(0)} s${f.budget.endedRun ? ' (the budget ended the last epoch early)' : ''}`);
  if (f.final) console.log(`final: ${metricsLine(f.final)}`);
  if (f.best) console.log(`best (epoch ${f.best.epoch}): ${metricsLine(f.best)}`);
  return 0;
}
