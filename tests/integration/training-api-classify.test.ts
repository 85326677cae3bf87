/**
 * A classifier run through the train.* handlers: start on a class-folder dataset inside the
 * opened project → classifier events (task 'classify') → list / get (classifierMetrics) → report
 * (classifier eval.json with thumbnails for images inside the project); bad params are refused.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeSampleProject } from '../../main/sample/write-sample-project';
import { createServices } from '../../main/api/create-services';
import { trainHandlers } from '../../main/api/train';
import { trainMethods, type TrainEvents } from '../../shared/api/train';
import type { ApiContext } from '../../main/api/handler';
import { ApiError } from '../../shared/api/contract';
import { writeClassFolders } from '../helpers/class-folders';

test('train.start with a classifier config trains a class-folder run that train.get / train.report read back', { timeout: 180_000 }, async () => {
  const root = await mkdtemp(join(tmpdir(), 'detecta-api-classify-'));
  const services = createServices({ transport: 'web', dataDir: join(root, 'data'), modelCacheDir: join(root, 'data', 'models') });
  try {
    const dir = join(root, 'project');
    await writeSampleProject(dir, { images: 4, seed: 3, width: 64, height: 64, classes: ['ball'], minObjects: 1, maxObjects: 1 });
    const shapes = join(dir, 'shapes');
    await writeClassFolders(shapes, { perClass: 16, size: 24, seed: 5 });
    const { project } = await services.projects.openProject(dir);
    const events: { event: string; payload: unknown }[] = [];
    let onEnd: (() => void) | null = null;
    const ended = new Promise<void>((r) => { onEnd = r; });
    const ctx = {
      services,
      emit: (event: string, payload: unknown) => {
        events.push({ event, payload });
        if (event === 'train.finished' || event === 'train.failed') onEnd?.();
      },
    } as unknown as ApiContext;

    const bad = trainMethods['train.start'].params.safeParse({ project: project.root, config: {}, classifier: { source: { kind: 'folder', dir: shapes } } });
    assert.equal(bad.success, false, 'config and classifier together are refused');
    assert.equal(trainMethods['train.start'].params.safeParse({ project: project.root, classifier: { source: { kind: 'web', dir: shapes } } }).success, false);

    const params = trainMethods['train.start'].params.parse({
      project: project.root,
      classifier: { source: { kind: 'folder', dir: shapes }, preset: 'fashion-mnist-cnn', inputShape: [24, 24, 3], epochs: 6, batchSize: 8, learningRate: 0.003, backend: 'wasm', valFraction: 0.25, testFraction: 0.25 },
    });
    assert.deepEqual(await trainHandlers['train.start'](params, ctx), { run: 'classify', started: true });
    await assert.rejects(trainHandlers['train.start'](params, ctx), (e: ApiError) => e.code === 'conflict');
    await ended;

    const failed = events.find((e) => e.event === 'train.failed');
    assert.equal(failed, undefined, `run failed: ${JSON.stringify(failed?.payload)}`);
    const epochs = events.filter((e) => e.event === 'train.epoch').map((e) => e.payload as TrainEvents['train.epoch']);
    assert.equal(epochs.length, 6);
    for (const e of epochs) {
      assert.equal(e.task, 'classify');
      assert.equal(e.project, project.root);
    }
    const progress = events.find((e) => e.event === 'train.progress')!.payload as TrainEvents['train.progress'];
    assert.equal(progress.task, 'classify');
    assert.equal(typeof progress.loss, 'number');
    const fin = events.find((e) => e.event === 'train.finished')!.payload as TrainEvents['train.finished'];
    assert.equal(fin.task, 'classify');
    assert.equal(fin.status, 'completed');

    const list = await trainHandlers['train.list']({ project: project.root }, ctx);
    assert.equal(list.length, 1);
    assert.equal(list[0].task, 'classify');
    assert.equal(list[0].status, 'completed');
    assert.equal(list[0].epochsDone, 6);
    assert.equal(list[0].mAP50, null);
    assert.ok(list[0].accuracy !== null && list[0].accuracy > 0.5, `best val accuracy ${list[0].accuracy} beats chance (1/3)`);

    const detail = await trainHandlers['train.get']({ project: project.root, run: 'classify' }, ctx);
    assert.equal(detail.config?.task, 'classify');
    assert.deepEqual(detail.classifierMetrics?.map((m) => m.epoch), [1, 2, 3, 4, 5, 6]);
    assert.deepEqual(detail.metrics, []);
    const m = detail.classifierMetrics!;
    assert.ok(m.at(-1)!.train.loss < m[0]!.train.loss, `train loss falls: ${m[0]!.train.loss} → ${m.at(-1)!.train.loss}`);

    const report = await trainHandlers['train.report']({ project: project.root, run: 'classify' }, ctx);
    if (report.task !== 'classify') throw new Error('expected a classifier report');
    assert.equal(report.run, 'classify');
    assert.deepEqual(report.confusion.labels, ['blue', 'green', 'red']);
    const total = report.confusion.matrix.flat().reduce((a, b) => a + b, 0);
    assert.equal(total, report.images);
    assert.equal(report.perClass.reduce((n, c) => n + c.support, 0), report.images);
    assert.ok(report.accuracy > 1 / 3, `test accuracy ${report.accuracy} beats chance`);
    for (const pair of report.mostConfused) {
      for (const ex of pair.examples) {
        assert.match(ex.thumbnail ?? '', /[\\/]runs[\\/]classify[\\/]examples[\\/]\d{3}\.png$/);
        assert.equal(report.imagePaths[ex.id], ex.thumbnail, 'the Train view shows the pixels the model saw');
      }
    }

    // export: the classifier's input size (top of config.json) travels with the model
    const exportDir = join(root, 'exported');
    await services.grants.grantOutputFolder(root); // the folder the user chose
    await trainHandlers['train.export']({ project: project.root, run: 'classify', weights: 'best', format: 'tfjs', dir: exportDir }, ctx);
    const exported = JSON.parse(await readFile(join(exportDir, 'detecta-model.json'), 'utf8')) as { task: string; inputSize: unknown; classes: string[] };
    assert.equal(exported.task, 'classify');
    assert.equal(exported.inputSize, 24, 'the class-folder images are 24 px');
    assert.deepEqual(exported.classes, ['blue', 'green', 'red']);

    // a crops source names no project: the handler takes the opened one
    const crops = trainMethods['train.start'].params.parse({ project: project.root, classifier: { source: { kind: 'crops', padding: 0.2 } } });
    assert.equal(crops.classifier?.source.kind, 'crops');
  } finally {
    for (const p of services.projects.list()) await p.close();
    await rm(root, { recursive: true, force: true });
  }
});
