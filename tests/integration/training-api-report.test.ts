/**
 * train.anchors / train.report / train.events / train.export on a real (tiny) run: the report has
 * PR and F1 curves, a confusion matrix and a gallery of val images; the export is a loadable tfjs
 * LayersModel folder with detecta-model.json; bad input (unknown run, relative or unwritable
 * folder, too few boxes for k anchors) gets clear errors and writes nothing.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, readFile, readdir, mkdir, chmod, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { writeSampleProject } from '../../main/sample/write-sample-project';
import { createServices } from '../../main/api/create-services';
import { trainHandlers } from '../../main/api/train';
import { trainMethods } from '../../shared/api/train';
import type { ApiContext } from '../../main/api/handler';
import { ApiError } from '../../shared/api/contract';

const isCode = (code: string) => (e: unknown) => e instanceof ApiError && e.code === code;

test('anchors, report, events and export of a finished run', { timeout: 240_000 }, async () => {
  const root = await mkdtemp(join(tmpdir(), 'detecta-api-report-'));
  const services = createServices({ transport: 'web', dataDir: join(root, 'data'), modelCacheDir: join(root, 'data', 'models') });
  try {
    const dir = join(root, 'project');
    await writeSampleProject(dir, { images: 12, seed: 4, width: 64, height: 64, classes: ['ball', 'cone'], minObjects: 1, maxObjects: 2, minSize: 0.3, maxSize: 0.6 });
    const { project } = await services.projects.openProject(dir);
    const P = project.root;
    let onEnd: (() => void) | null = null;
    const ctx = { services, emit: (event: string) => { if (event === 'train.finished' || event === 'train.failed') onEnd?.(); } } as unknown as ApiContext;
    const call = <M extends keyof typeof trainHandlers>(m: M, params: unknown) =>
      trainHandlers[m](trainMethods[m].params.parse(params) as never, ctx) as ReturnType<(typeof trainHandlers)[M]>;

    // anchors before any run
    const anchors = await call('train.anchors', { project: P, k: 3, inputSize: 96 });
    assert.equal(anchors.anchors.length, 3);
    assert.equal(anchors.grid, 3);
    assert.ok(anchors.meanIoU > 0.3 && anchors.meanIoU <= 1, `mean IoU ${anchors.meanIoU}`);
    assert.deepEqual(anchors.anchorsPx[0], [anchors.anchors[0][0] * 32, anchors.anchors[0][1] * 32]);
    await assert.rejects(call('train.anchors', { project: P, k: 9, inputSize: 96 }).then(() => call('train.anchors', { project: P, k: 9, inputSize: 100 })), (e: unknown) => e instanceof Error);
    assert.throws(() => trainMethods['train.anchors'].params.parse({ project: P, k: 3, inputSize: 100 }), /multiple of 32/);

    // unknown run
    await assert.rejects(call('train.report', { project: P, run: 'nope' }), isCode('not_found'));
    await assert.rejects(call('train.export', { project: P, run: 'nope', dir: join(root, 'x') }), isCode('not_found'));
    await assert.rejects(call('train.events', { project: P, run: 'nope' }), isCode('not_found'));

    const ended = new Promise<void>((r) => { onEnd = r; });
    await call('train.start', { project: P, config: { preset: 'tiny', inputSize: 64, epochs: 2, batchSize: 4, backend: 'wasm', tinyWidths: [8, 16, 16, 32, 32, 32], numAnchors: 3 } });
    await ended;

    const report = await call('train.report', { project: P, run: 'train' });
    if (report.task !== 'detect') throw new Error('expected a detector report');
    assert.deepEqual(report.classes.map((c) => c.className), ['ball', 'cone']);
    assert.ok(report.classes.some((c) => c.pr.recall.length > 0), 'a PR curve has points');
    assert.deepEqual(report.confusion.labels, ['ball', 'cone', 'background']);
    const gtTotal = report.gallery.reduce((n, g) => n + g.groundTruth.length, 0);
    const rowsTotal = report.confusion.matrix.slice(0, 2).flat().reduce((a, b) => a + b, 0);
    assert.equal(rowsTotal, gtTotal, 'every val ground-truth box lands in one confusion row');
    assert.ok(report.f1, 'a new run writes the F1 curve');
    assert.ok(report.perSize, 'a new run writes AP per object size');
    const { counts } = report.perSize;
    assert.ok(counts.small + counts.medium + counts.large >= report.classes.reduce((n, c) => n + c.numGroundTruth, 0), 'every counted box has a size');
    for (const size of ['small', 'medium', 'large'] as const) assert.equal(report.perSize[size] === null, counts[size] === 0, size);
    assert.equal(report.f1.thresholds.length, 101);
    assert.equal(report.f1.f1.length, 101);
    assert.deepEqual(report.f1.perClass.map((c) => c.className).sort(), report.classes.filter((c) => c.numGroundTruth > 0).map((c) => c.className).sort());
    assert.ok(report.f1.best && report.f1.best.threshold >= 0 && report.f1.best.threshold <= 1);
    const bestIdx = report.f1.thresholds.indexOf(report.f1.best.threshold);
    assert.equal(report.f1.best.f1, Math.max(...report.f1.f1), 'best threshold is where the averaged F1 peaks');
    assert.equal(report.f1.f1[bestIdx], report.f1.best.f1);
    assert.ok(report.gallery.length > 0 && report.gallery.length <= 60);
    for (const g of report.gallery) {
      assert.ok(report.imagePaths[g.imageId].startsWith(P), 'gallery images resolve inside the project');
      assert.ok(g.detections.length <= 50);
      assert.equal(g.misses, g.groundTruth.filter((b) => !b.matched && !b.difficult).length);
      for (const d of g.detections) assert.equal(d.outcome === 'low', d.score < report.confidence);
    }

    const evs = await call('train.events', { project: P, run: 'train', types: ['epoch', 'finished'] });
    assert.deepEqual(evs.events.filter((e) => e.type === 'epoch').map((e) => (e.payload as { epoch: number }).epoch), [1, 2]);
    assert.equal(evs.events.at(-1)?.type, 'finished');
    const later = await call('train.events', { project: P, run: 'train', since: evs.next });
    assert.equal(later.events.length, 0);
    const progress = await call('train.events', { project: P, run: 'train', types: ['progress'] });
    assert.ok(progress.events.length > 0);

    // export only inside the project or a folder the user chose: elsewhere it is refused and writes nothing
    const out = join(root, 'exported', 'ball-model');
    await mkdir(join(root, 'exported'));
    await assert.rejects(call('train.export', { project: P, run: 'train', weights: 'best', dir: out }), (e: unknown) => e instanceof ApiError && e.code === 'forbidden' && /neither inside an opened project nor an output folder you chose/.test(e.message));
    await assert.rejects(stat(out), /ENOENT/);
    const inside = await call('train.export', { project: P, run: 'train', weights: 'best', dir: join(P, 'models', 'ball') }).catch((e: unknown) => e);
    assert.ok(inside instanceof ApiError && inside.code === 'not_found', 'inside the project, the parent folder must exist');
    await mkdir(join(P, 'models'));
    assert.ok((await call('train.export', { project: P, run: 'train', weights: 'best', dir: join(P, 'models', 'ball') })).files.includes('model.json'));
    // export: a loadable LayersModel plus detecta-model.json, into the folder the user chose
    await services.grants.grantOutputFolder(join(root, 'exported'));
    const exp = await call('train.export', { project: P, run: 'train', weights: 'best', dir: out });
    assert.ok(exp.files.includes('model.json') && exp.files.includes('detecta-model.json'));
    const meta = JSON.parse(await readFile(join(out, 'detecta-model.json'), 'utf8'));
    assert.deepEqual(meta.classes, ['ball', 'cone']);
    assert.equal(meta.inputSize, 64);
    assert.equal(meta.anchors.length, 3);
    assert.equal(meta.task, 'detect');
    assert.equal(meta.thresholds.bestF1Confidence, report.f1?.best?.threshold);
    const modelJson = JSON.parse(await readFile(join(out, 'model.json'), 'utf8'));
    const model = await tf.loadLayersModel({
      load: async () => {
        const weightsManifest = modelJson.weightsManifest as { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[];
        const buffers = await Promise.all(weightsManifest.flatMap((g) => g.paths).map((f) => readFile(join(out, f))));
        const data = Buffer.concat(buffers);
        return { modelTopology: modelJson.modelTopology, weightSpecs: weightsManifest.flatMap((g) => g.weights), weightData: data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength) };
      },
    });
    assert.deepEqual(model.inputs[0].shape, [null, 64, 64, 3]);
    model.dispose();
    assert.deepEqual((await readdir(out)).filter((f) => f.endsWith('.tmp')), [], 'no temp files left');

    // an eval.json from before F1 curves, galleries and AP per size still reads; a broken one is named as such
    const evalJson = join(P, '.detecta', 'runs', 'train', 'eval.json');
    const original = await readFile(evalJson, 'utf8');
    const { f1: _f1, gallery: _gallery, perSize: _perSize, ...older } = JSON.parse(original);
    await writeFile(evalJson, JSON.stringify(older));
    const old = await call('train.report', { project: P, run: 'train' });
    if (old.task !== 'detect') throw new Error('expected a detector report');
    assert.equal(old.f1, null);
    assert.equal(old.perSize, null);
    assert.deepEqual(old.gallery, []);
    await writeFile(evalJson, original.slice(0, 40));
    await assert.rejects(call('train.report', { project: P, run: 'train' }), (e: unknown) => e instanceof ApiError && e.code === 'unreadable' && /eval\.json/.test(e.message));
    await writeFile(evalJson, original);

    // open folder: through the app's opener (Electron's shell.openPath here stands in as a recorder)
    const openedPaths: string[] = [];
    services.openPath = async (path) => { openedPaths.push(path); return ''; };
    const opened = await call('train.openFolder', { project: P, run: 'train' });
    assert.deepEqual(opened, { opened: true, path: join(P, '.detecta', 'runs', 'train') });
    assert.deepEqual(openedPaths, [opened.path]);
    services.openPath = async () => 'no application is registered for folders';
    assert.deepEqual(await call('train.openFolder', { project: P, run: 'train' }), { opened: false, path: opened.path, reason: 'no application is registered for folders' });
    await assert.rejects(call('train.openFolder', { project: P, run: 'nope' }), isCode('not_found'));
    delete services.openPath;

    // bad export targets
    await assert.rejects(call('train.export', { project: P, run: 'train', dir: 'relative/folder' }), isCode('bad_request'));
    await services.grants.grantOutputFolder(root);
    const aFile = join(root, 'not-a-folder');
    await writeFile(aFile, 'x');
    await assert.rejects(call('train.export', { project: P, run: 'train', dir: join(aFile, 'model') }), (e: unknown) => e instanceof ApiError && /not-a-folder/.test(e.message));
    if (process.getuid?.() !== 0) { // root ignores folder permissions
      const locked = join(root, 'locked');
      await mkdir(locked);
      await chmod(locked, 0o555);
      await assert.rejects(call('train.export', { project: P, run: 'train', dir: join(locked, 'model') }), (e: unknown) => e instanceof ApiError && e.code === 'forbidden' && /permission denied/.test(e.message));
      await assert.rejects(stat(join(locked, 'model')), /ENOENT/);
      await chmod(locked, 0o755);
    }
  } finally {
    for (const p of services.projects.list()) await p.close();
    await rm(root, { recursive: true, force: true });
  }
});
