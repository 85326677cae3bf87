/** Training API handlers: start → events → list/get → cancel + resume through the API → delete. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeSampleProject } from '../../main/sample/write-sample-project';
import { createServices } from '../../main/api/create-services';
import { trainHandlers } from '../../main/api/train';
import { trainMethods, type TrainEvents } from '../../shared/api/train';
import type { ApiContext } from '../../main/api/handler';
import { ApiError } from '../../shared/api/contract';

test('train.* handlers drive a run and read the run folder', { timeout: 120_000 }, async () => {
  const root = await mkdtemp(join(tmpdir(), 'detecta-api-train-'));
  const services = createServices({ transport: 'web', dataDir: join(root, 'data'), modelCacheDir: join(root, 'data', 'models') });
  try {
    const dir = join(root, 'project');
    await writeSampleProject(dir, { images: 12, seed: 9, width: 64, height: 64, classes: ['ball'], minObjects: 1, maxObjects: 1, minSize: 0.35, maxSize: 0.6 });
    const { project } = await services.projects.openProject(dir);
    const events: { event: keyof TrainEvents; payload: TrainEvents[keyof TrainEvents] }[] = [];
    let onEnd: (() => void) | null = null;
    const ctx = {
      services,
      emit: (event: string, payload: unknown) => {
        events.push({ event: event as keyof TrainEvents, payload: payload as TrainEvents[keyof TrainEvents] });
        if (event === 'train.epoch' && (payload as { epoch: number }).epoch === 1) void trainHandlers['train.cancel']({ project: project.root }, ctx);
        if (event === 'train.finished' || event === 'train.failed') onEnd?.();
      },
    } as unknown as ApiContext;
    const ended = () => new Promise<void>((r) => { onEnd = r; });
    const params = trainMethods['train.start'].params.parse({ project: project.root, config: { preset: 'tiny', inputSize: 64, epochs: 3, batchSize: 4, backend: 'wasm', tinyWidths: [8, 16, 16, 32, 32, 32] } });
    let end = ended();
    assert.deepEqual(await trainHandlers['train.start'](params, ctx), { run: 'train', started: true });
    await assert.rejects(trainHandlers['train.start'](params, ctx), (e: ApiError) => e.code === 'conflict');
    await end;
    const fin = events.find((e) => e.event === 'train.finished')!.payload as TrainEvents['train.finished'];
    assert.equal(fin.status, 'cancelled');
    assert.equal(fin.project, project.root);
    assert.ok(events.some((e) => e.event === 'train.progress'));

    let list = await trainHandlers['train.list']({ project: project.root }, ctx);
    assert.equal(list.length, 1);
    assert.equal(list[0].status, 'cancelled');
    assert.equal(list[0].epochsDone, 1);
    assert.equal(list[0].resumable, true);

    end = ended();
    await trainHandlers['train.start']({ project: project.root, resume: 'train' }, ctx);
    await end;
    const detail = await trainHandlers['train.get']({ project: project.root, run: 'train' }, ctx);
    assert.equal(detail.status, 'completed');
    assert.deepEqual(detail.metrics.map((m) => m.epoch), [1, 2, 3]);
    assert.equal(detail.env?.backend, 'wasm');
    assert.equal(detail.config?.train.epochs, 3);

    await assert.rejects(trainHandlers['train.pause']({ project: project.root }, ctx), (e: ApiError) => e.code === 'not_found');
    await assert.rejects(trainHandlers['train.get']({ project: project.root, run: 'nope' }, ctx), (e: ApiError) => e.code === 'not_found');
    assert.deepEqual(await trainHandlers['train.delete']({ project: project.root, run: 'train' }, ctx), { deleted: true });
    list = await trainHandlers['train.list']({ project: project.root }, ctx);
    assert.equal(list.length, 0);
  } finally {
    for (const p of services.projects.list()) await p.close();
    await rm(root, { recursive: true, force: true });
  }
});
