/**
 * The trainer process's entry (bundled to dist/main/trainer.js): waits for one 'start' message,
 * runs `runTraining` (or `runClassifierTraining` when the options say `task: 'classify'`) and streams its events to the parent; 'pause', 'resume' and 'cancel' act at
 * the next batch boundary. Works under child_process.fork (process.send / process.on('message'))
 * and Electron's utilityProcess (process.parentPort). Exits when the run ends.
 */
import type { FromTrainer, ToTrainer } from './protocol';
import { runTraining } from './detect-task';
import { runClassifierTraining } from './classifier/classify-task';

interface ParentPort {
  postMessage(message: unknown): void;
  on(event: 'message', listener: (e: { data: unknown }) => void): void;
}

const parentPort = (process as unknown as { parentPort?: ParentPort }).parentPort;

function send(message: FromTrainer): void {
  if (parentPort) parentPort.postMessage(message);
  else if (process.send) process.send(message);
  else throw new Error('trainer-entry: no parent to talk to (start it with fork or utilityProcess)');
}

let cancelled = false;
let paused = false;
let wake: (() => void) | null = null;
let started = false;

const control = {
  shouldCancel: () => cancelled,
  waitIfPaused: () => (paused && !cancelled ? new Promise<void>((r) => { wake = r; }) : Promise.resolve()),
  isPaused: () => paused && !cancelled,
};

function release(): void {
  const w = wake;
  wake = null;
  w?.();
}

function onMessage(raw: unknown): void {
  const msg = raw as ToTrainer;
  switch (msg?.kind) {
    case 'start':
      if (started) return;
      started = true;
      void (msg.options.task === 'classify'
        ? runClassifierTraining(msg.options, { emit: (event) => send({ kind: 'event', event }), control })
        : runTraining(msg.options, { emit: (event) => send({ kind: 'event', event }), control })
      ).then(
        () => finish(true),
        () => finish(false), // the error went out as a 'failed' event
      );
      break;
    case 'pause':
      paused = true;
      send({ kind: 'paused', paused: true });
      break;
    case 'resume':
      paused = false;
      release();
      send({ kind: 'paused', paused: false });
      break;
    case 'cancel':
      cancelled = true;
      release();
      break;
    default:
      process.emitWarning(`trainer-entry: unknown message ${JSON.stringify(raw)}`);
  }
}

/** Leaves once the run is over; its outcome went out as the last event ('finished' or 'failed'). */
function finish(ok: boolean): void {
  // Let the IPC channel drain the last events, then leave (tfjs may keep handles open).
  setTimeout(() => process.exit(ok ? 0 : 1), 100);
}

if (parentPort) parentPort.on('message', (e) => onMessage(e.data));
else process.on('message', onMessage);
process.on('disconnect', () => process.exit(2)); // the parent went away: stop training
send({ kind: 'ready' });
