/**
 * In the desktop app the trainer runs in an Electron utilityProcess (a Node process managed by
 * Electron, never the main thread); under plain Node the supervisor forks a child process instead.
 * This adapter gives the supervisor the same small TrainerProcess interface over utilityProcess.
 */
import { utilityProcess } from 'electron';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import type { TrainerProcess } from '../training/supervisor';
import type { FromTrainer, ToTrainer } from '../training/protocol';

const trainerEntry = join(fileURLToPath(new URL('.', import.meta.url)), 'trainer.js');

export function spawnUtilityTrainer(): TrainerProcess {
  const child = utilityProcess.fork(trainerEntry, [], { serviceName: 'Detecta trainer', stdio: 'pipe' });
  return {
    send: (message: ToTrainer) => child.postMessage(message),
    onMessage: (listener) => child.on('message', (message: FromTrainer) => listener(message)),
    onExit: (listener) => child.on('exit', (code) => listener(code, null)),
    onStderr: (listener) => child.stderr?.on('data', (d: Buffer) => listener(d.toString())),
    kill: () => { child.kill(); },
  };
}
