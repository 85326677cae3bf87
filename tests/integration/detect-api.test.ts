/**
 * Detect API handlers: a zoo model downloads from a local HTTP mirror (sha256-checked) into the
 * cache and is reused; a tampered mirror is refused and leaves no cache entry; files are written
 * only inside projects or chosen output folders; a webcam snapshot lands in the project with its
 * boxes as <draft>1</draft> objects that survive a save with the draft flag cleared (accept).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { writeSampleProject } from '../../main/sample/write-sample-project';
import { createServices } from '../../main/api/create-services';
import { detectHandlers } from '../../main/api/detect';
import { datasetHandlers } from '../../main/api/dataset';
import { detectMethods } from '../../shared/api/detect';
import { datasetMethods } from '../../shared/api/dataset';
import type { ApiContext } from '../../main/api/handler';
import { ApiError } from '../../shared/api/contract';
import { serveFolder } from '../helpers/static-server';

const models = fileURLToPath(new URL('../../../shared/models/', import.meta.url));

test('detect.* handlers: zoo cache, guarded writes, snapshot with draft boxes', { timeout: 60_000 }, async () => {
  const root = await mkdtemp(join(tmpdir(), 'detecta-api-detect-'));
  const services = createServices({ transport: 'web', dataDir: join(root, 'data'), modelCacheDir: join(root, 'data', 'models') });
  const ctx = { services, emit: () => {} } as unknown as ApiContext;
  const bad = await serveFolder(models, { tamper: (path, bytes) => { if (path.endsWith('.bin')) bytes[100] ^= 0xff; } });
  const good = await serveFolder(models);
  try {
    // tampered mirror: refused, nothing cached
    process.env.DETECTA_MODEL_MIRROR = bad.url;
    await assert.rejects(detectHandlers['detect.zooEnsure']({ id: 'nanodet-m-416-coco' }, ctx), (e: ApiError) => e.code === 'unreadable' && /Checksum mismatch/.test(e.message));
    assert.equal((await detectHandlers['detect.zooList']({}, ctx)).entries.find((e) => e.id === 'nanodet-m-416-coco')?.cached, false);
    // good mirror: downloaded once, then reused from the cache
    process.env.DETECTA_MODEL_MIRROR = good.url;
    const first = await detectHandlers['detect.zooEnsure']({ id: 'nanodet-m-416-coco' }, ctx);
    assert.equal(first.downloaded, true);
    assert.equal(first.format, 'graph');
    assert.equal(first.adapter?.decoder.kind, 'gfl-grid');
    assert.ok(first.dir.startsWith(join(root, 'data', 'models')));
    const hits = good.hits.length;
    const again = await detectHandlers['detect.zooEnsure']({ id: 'nanodet-m-416-coco' }, ctx);
    assert.equal(again.downloaded, false);
    assert.equal(good.hits.length, hits, 'no second download');
    // the cache folder is served, its neighbours are not
    assert.equal(await services.grants.resolveModelFile(first.modelJson), first.modelJson);
    await assert.rejects(services.grants.resolveModelFile(join(root, 'data', 'recent.json')), (e: ApiError) => e.code === 'forbidden');

    // a picked GraphModel folder without adapter is refused with a clear reason
    await assert.rejects(detectHandlers['detect.openModelFolder']({ path: join(models, 'nanodet-m-416-coco') }, ctx), /detecta-adapter\.json/);

    // writes: inside a project or a chosen folder only
    const dir = join(root, 'project');
    await writeSampleProject(dir, { images: 3, seed: 3, width: 96, height: 64, classes: ['ball'], minObjects: 1, maxObjects: 1, minSize: 0.3, maxSize: 0.5 });
    const { project } = await services.projects.openProject(dir);
    const outside = join(root, 'out');
    mkdirSync(outside);
    const write = (path: string) => detectHandlers['detect.writeFile'](detectMethods['detect.writeFile'].params.parse({ path, data: Buffer.from('hello') }), ctx);
    await assert.rejects(write(join(outside, 'a.json')), (e: ApiError) => e.code === 'forbidden');
    await detectHandlers['detect.chooseOutputFolder']({ path: outside }, ctx);
    assert.equal((await write(join(outside, 'a.json'))).bytes, 5);
    assert.equal(readFileSync(join(outside, 'a.json'), 'utf8'), 'hello');
    await write(join(project.root, 'b.csv'));
    assert.equal(readFileSync(join(project.root, 'b.csv'), 'utf8'), 'hello');
    // a chosen folder takes result files only: no scripts, no hidden files, no names without a type
    for (const name of ['run.sh', '.bashrc', 'authorized_keys', 'page.html']) {
      await assert.rejects(write(join(outside, name)), (e: ApiError) => e.code === 'forbidden' && /not a result file/.test(e.message), name);
    }

    // snapshot → new image + draft boxes in VOC
    const jpeg = await sharp({ create: { width: 64, height: 48, channels: 3, background: '#808080' } }).jpeg().toBuffer();
    await assert.rejects(detectHandlers['detect.addSnapshot'](detectMethods['detect.addSnapshot'].params.parse({ project: project.root, jpeg: new Uint8Array(Buffer.from('nope')), boxes: [] }), ctx), /not a JPEG/);
    const snap = await detectHandlers['detect.addSnapshot'](detectMethods['detect.addSnapshot'].params.parse({
      project: project.root, jpeg: new Uint8Array(jpeg),
      boxes: [{ label: 'person', xmin: 4, ymin: 5, xmax: 30, ymax: 40 }, { label: 'ball', xmin: 40, ymin: 10, xmax: 60, ymax: 30 }],
    }), ctx);
    assert.equal(snap.boxes, 2);
    assert.ok(existsSync(snap.imagePath));
    const xml = readFileSync(snap.annotationPath, 'utf8');
    assert.equal(xml.match(/<draft>1<\/draft>/g)?.length, 2, xml);
    const ann = await datasetHandlers['dataset.getAnnotation']({ project: project.root, imageId: snap.imageId }, ctx);
    assert.deepEqual(ann.boxes.map((b) => [b.label, b.draft]), [['person', true], ['ball', true]]);
    // accept the first box: its <draft> goes, the other stays
    const accepted = ann.boxes.map((b, i) => (i === 0 ? { ...b, draft: false } : b));
    await datasetHandlers['dataset.saveAnnotation'](datasetMethods['dataset.saveAnnotation'].params.parse({ project: project.root, imageId: snap.imageId, boxes: accepted }), ctx);
    assert.equal(readFileSync(snap.annotationPath, 'utf8').match(/<draft>1<\/draft>/g)?.length, 1);
    const after = await datasetHandlers['dataset.getAnnotation']({ project: project.root, imageId: snap.imageId }, ctx);
    assert.deepEqual(after.boxes.map((b) => b.draft ?? false), [false, true]);
    assert.ok(project.getConfig().classes.includes('person'));
  } finally {
    delete process.env.DETECTA_MODEL_MIRROR;
    await bad.close();
    await good.close();
    await services.projects.closeAll();
    await rm(root, { recursive: true, force: true });
  }
});
