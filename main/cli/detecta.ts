/**
 * `detecta` command-line entry: dispatches to one module per command.
 * Each command module exports `run(argv: string[]): Promise<number>` (the exit code)
 * and `summary` (one line for the help text).
 */
import type { CliCommand } from './command';
import { errorMessage } from '../../shared/error-message';

const COMMANDS: Record<string, () => Promise<CliCommand>> = {
  // one line per command: name: () => import('./commands/name'),
  dataset: () => import('./commands/dataset'),
  map: () => import('./commands/map'),
  train: () => import('./commands/train'),
  sample: () => import('./commands/sample'),
  eval: () => import('./commands/eval'),
  export: () => import('./commands/export'),
  predict: () => import('./commands/predict'),
  anchors: () => import('./commands/anchors'),
  classify: () => import('./commands/classify'),
};

function usage(): string {
  return [
    'usage: detecta <command> [options]',
    '',
    'commands:',
    ...Object.keys(COMMANDS).sort().map((n) => `  ${n}`),
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
  const load = COMMANDS[name];
  if (!load) {
    console.error(`detecta: unknown command "${name}"\n\n${usage()}`);
    return 2;
  }
  const command = await load();
  return command.run(rest);
}

main(process.argv.slice(2)).then(
  (code) => { process.exitCode = code; },
  (err: unknown) => {
    console.error(`detecta: ${errorMessage(err)}`);
    process.exitCode = 1;
  },
);
