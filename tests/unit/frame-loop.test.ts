// The live detection loop (renderer/detect/frame-loop.ts) on a stand-in video whose frames the
// test presents one by one, and a model whose runs the test finishes: frames presented while the
// model is busy are skipped (never queued), the newest one is taken as soon as the model is free,
// a paused loop runs nothing, and a stopped loop neither runs nor reports.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startFrameLoop } from '../../renderer/detect/frame-loop';
import type { LoadedModel } from '../../renderer/detect/load-model';
import type { FrameResult } from '../../renderer/detect/predict-frame';

class FakeVideo {
  videoWidth = 640;
  videoHeight = 480;
  /** The frame on screen. */
  frame = 0;
  private callbacks = new Map<number, () => void>();
  private next = 1;
  requestVideoFrameCallback(cb: () => void): number {
    const id = this.next++;
    this.callbacks.set(id, cb);
    return id;
  }
  cancelVideoFrameCallback(id: number): void {
    this.callbacks.delete(id);
  }
  /** Presents a new frame: every pending callback runs once. */
  present(): void {
    this.frame++;
    const cbs = [...this.callbacks.values()];
    this.callbacks.clear();
    for (const cb of cbs) cb();
  }
}

const model = { task: 'detect' } as unknown as LoadedModel;
const result = (frame: number): FrameResult => ({ task: 'detect', frame } as unknown as FrameResult);
const settle = () => new Promise<void>((r) => setImmediate(r));

function harness(opts: { paused?: () => boolean } = {}) {
  const video = new FakeVideo();
  const started: number[] = [];
  const finish: Array<() => void> = [];
  const done: number[] = [];
  const stop = startFrameLoop({
    video: video as unknown as HTMLVideoElement,
    model: () => model,
    paused: opts.paused ?? (() => false),
    interpret: () => ({ task: 'detect', dets: [] }),
    onFrame: (_p, r) => done.push((r as unknown as { frame: number }).frame),
    onStats: () => {},
    onError: (err) => { throw err; },
    predict: () => {
      const frame = video.frame;
      started.push(frame);
      return new Promise<FrameResult>((resolve) => finish.push(() => resolve(result(frame))));
    },
  });
  return { video, started, finish, done, stop };
}

test('frames presented while the model is busy are skipped; the newest is taken as soon as it is free', async () => {
  const h = harness();
  h.video.present(); // frame 1: the model starts
  assert.deepEqual(h.started, [1]);
  h.video.present(); // frames 2 and 3 arrive while it is busy
  h.video.present();
  assert.deepEqual(h.started, [1], 'no second run while the first is going');
  h.finish.shift()!();
  await settle();
  assert.deepEqual(h.done, [1]);
  assert.deepEqual(h.started, [1, 3], 'frame 3 (the one on screen) runs at once, without waiting for a new frame; frame 2 is skipped');
  h.finish.shift()!();
  await settle();
  assert.deepEqual(h.started, [1, 3], 'nothing new was presented: the loop waits');
  h.video.present();
  assert.deepEqual(h.started, [1, 3, 4]);
  h.stop();
});

test('a paused loop runs nothing, also for a frame missed while busy; a stopped loop neither runs nor reports', async () => {
  let paused = false;
  const h = harness({ paused: () => paused });
  h.video.present();
  h.video.present(); // missed while busy
  paused = true;
  h.finish.shift()!();
  await settle();
  assert.deepEqual(h.started, [1], 'paused: the missed frame is not taken');
  h.video.present();
  assert.deepEqual(h.started, [1]);
  paused = false;
  h.video.present();
  assert.deepEqual(h.started, [1, 4]);
  h.stop();
  h.finish.shift()!();
  await settle();
  assert.deepEqual(h.done, [1], 'the run finishing after stop is not reported');
  h.video.present();
  assert.deepEqual(h.started, [1, 4], 'no run after stop');
});
