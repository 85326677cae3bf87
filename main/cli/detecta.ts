/**
 * `detecta` command-line entry: dispatches to one module per command, loaded only when run (the
 * training commands pull in TensorFlow.js). Each command module exports
 * `run(argv: string[]): Promise<number>` (the exit code); its one-line summary for the help text
 * is here, beside its name.
 */
import type { CliCommand } from './command';
import { errorMessage } from '../../shared/error-message';

const COMMANDS: Record<string, { summary: string; load: () => Promise<CliCommand> }> = {
  anchors: { summary: 'k-means anchors of a project (grid cells and pixels, with their mean IoU)', load: () => import('./commands/anchors') },
  classify: { summary: 'train, evaluate and run CNN image classifiers', load: () => import('./commands/classify') },
  dataset: { summary: 'dataset statistics, validation and conversion (YOLO, COCO, VOC, LabelMe, CVAT, Label Studio, Open Images)', load: () => import('./commands/dataset') },
  eval: { summary: "validation metrics and per-class AP of a run's best or last weights", load: () => import('./commands/eval') },
  export: { summary: "export a run's model as a package: TF.js, or ONNX checked against TF.js (+ runnable example)", load: () => import('./commands/export') },
  map: { summary: 'evaluate detections against ground truth: per-class AP and mAP (VOC, VOC2007, COCO)', load: () => import('./commands/map') },
  predict: { summary: 'run a trained detector on images, folders or videos (boxes drawn + detections JSON)', load: () => import('./commands/predict') },
  sample: { summary: 'write a sample project: generated photos of toy bricks, balls and cones with VOC boxes', load: () => import('./commands/sample') },
  train: { summary: 'train a detector on a project (progress bar, --json events, resume / continue)', load: () => import('./commands/train') },
};

function usage(): string {
  return [
    'usage: detecta <command> [options]',
    '',
    'commands:',
    ...Object.entries(COMMANDS).map(([n, c]) => `  ${n.padEnd(10)}${c.summary}`),
    '',
    'Run `detecta <command> --help` for the options of a command.',
  ].join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    console.log(usage());
    return name ? 0 : 2;
  }
  const command = COMMANDS[name];
  if (!command) {
    console.error(`detecta: unknown command "${name}"\n\n${usage()}`);
    return 2;
  }
  return (await command.load()).run(rest);
}

main(process.argv.slice(2)).then(
  (code) => { process.exitCode = code; },
  (err: unknown) => {
    console.error(`detecta: ${errorMessage(err)}`);
    process.exitCode = 1;
  },
);
