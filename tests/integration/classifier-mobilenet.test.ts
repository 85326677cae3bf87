/**
 * The transfer-learning preset (mobilenet-embeddings): MobileNet v1 0.25 of the model zoo, with only
 * the mirror configured (DETECTA_MODEL_MIRROR = a local HTTP server over ../shared/models), downloaded
 * once into the model cache with the zoo's checksums (the same entry a detector's mobilenet preset
 * uses); the frozen backbone embeds each image once, a small head learns a folder dataset; the saved
 * full model classifies raw pixels; a second run reuses the cache. A backbone URL outside the zoo
 * and a local file that is not a tfjs model are refused without fetching or echoing anything.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { runClassifierTraining } from '../../main/training/classifier/classify-task';
import { runPaths } from '../../main/training/run-folder';
import { loadModelFromFolder } from '../../main/training/weights-io';
import { decodeImageFile } from '../../main/training/classifier/dataset';
import { readClassifierMetadata } from '../../shared/ml/classifier/metadata';
import { classifyImages } from '../../shared/ml/classifier/predict';
import type { ClassifierEvalReport, ClassifierTrainerEvent } from '../../shared/training/classifier';
import { writeClassFolders } from '../helpers/class-folders';
import { serveFolder, type ServedFolder } from '../helpers/static-server';

const MODELS = resolve(import.meta.dirname, '../../../shared/models');
let server: ServedFolder;

before(async () => {
  server = await serveFolder(MODELS);
  process.env.DETECTA_MODEL_MIRROR = server.url;
});

after(async () => {
  delete process.env.DETECTA_MODEL_MIRROR;
  await server.close();
});

test('mobilenet-embeddings: downloads the backbone once, embeds once, the head learns a small folder dataset', { timeout: 240_000 }, async () => {
  const root = await mkdtemp(join(tmpdir(), 'detecta-cls-mobilenet-'));
  try {
    const data = join(root, 'photos');
    const cache = join(root, 'models');
    await writeClassFolders(data, { perClass: 16, size: 48, seed: 9 });
    const config = { source: { kind: 'folder' as const, dir: data }, preset: 'mobilenet-embeddings' as const, inputShape: [96, 96, 3] as [number, number, 3], epochs: 30, batchSize: 8, backend: 'wasm' as const, seed: 3, modelCacheDir: cache, valFraction: 0.2, testFraction: 0.2 };
    const events: ClassifierTrainerEvent[] = [];
    const finished = await runClassifierTraining({ task: 'classify', project: data, name: 'tm', config }, { emit: (e) => events.push(e) });
    assert.equal(finished.status, 'completed');
    const logs = events.filter((e) => e.type === 'log').map((e) => e.payload.message).join('\n');
    assert.match(logs, /pretrained backbone: mobilenet_v1_0\.25_224 from http:\/\/127\.0\.0\.1:\d+\/mobilenet_v1_0\.25_224\/model\.json/);
    assert.match(logs, /pretrained backbone downloaded into /);
    assert.match(logs, /embedded 48 image\(s\) with the frozen backbone .* \(256 values each\)/);
    const entries = await readdir(cache);
    assert.deepEqual(entries, ['mobilenet_v1_0.25_224'], 'one cache entry, named for the zoo entry the detector preset uses too; no temp folders');
    assert.ok((await readdir(join(cache, entries[0]!))).includes('cache-manifest.json'));
    const report = JSON.parse(await readFile(runPaths(finished.runDir).evalJson, 'utf8')) as ClassifierEvalReport;
    assert.ok(report.accuracy >= 0.75, `test accuracy ${report.accuracy} on ${report.images} images (chance ≈ 0.33)`);
    const epochs = events.flatMap((e) => (e.type === 'epoch' ? [e.payload] : []));
    assert.ok(epochs.at(-1)!.train.loss < epochs[0]!.train.loss);

    // The saved model is the whole classifier: raw pixels in, scores out.
    const model = await loadModelFromFolder(runPaths(finished.runDir).best);
    const meta = readClassifierMetadata(model);
    assert.deepEqual(meta.inputShape, [96, 96, 3]);
    assert.equal(model.trainableWeights.length, 4, 'only the head (2 dense layers) is trainable');
    const files = ['red', 'green', 'blue'].flatMap((c) => Array.from({ length: 16 }, (_, i) => `${c}/${c}_${String(i).padStart(3, '0')}.png`));
    const images = await Promise.all(files.map(async (f) => tf.tensor3d(await decodeImageFile(join(data, f), meta.inputShape), meta.inputShape, 'int32')));
    const scores = await classifyImages(model, meta, images, { topK: 1 });
    const right = scores.filter((s, i) => s[0]!.className === files[i]!.split('/')[0]).length;
    assert.ok(right >= 0.9 * files.length, `the saved model classifies ${right} of ${files.length} images right from raw pixels`);
    tf.dispose(images);
    model.dispose();

    // A second run finds the backbone in the cache: no request.
    const before = server.hits.length;
    const again: ClassifierTrainerEvent[] = [];
    await runClassifierTraining({ task: 'classify', project: data, name: 'tm2', config: { ...config, epochs: 1 } }, { emit: (e) => again.push(e) });
    assert.equal(server.hits.length, before);
    assert.match(again.filter((e) => e.type === 'log').map((e) => e.payload.message).join('\n'), /pretrained backbone loaded from the cache /);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});

test('mobilenet-embeddings: a backbone URL outside the model zoo and a local file that is not a tfjs model are refused', { timeout: 60_000 }, async () => {
  const root = await mkdtemp(join(tmpdir(), 'detecta-cls-backbone-'));
  try {
    const data = join(root, 'photos');
    await writeClassFolders(data, { perClass: 3, size: 16, seed: 2 });
    const secret = join(root, 'secret.txt');
    await writeFile(secret, 'TOP-SECRET-CONTENT');
    const base = { source: { kind: 'folder' as const, dir: data }, preset: 'mobilenet-embeddings' as const, epochs: 1, backend: 'wasm' as const, modelCacheDir: join(root, 'models') };
    const hits = server.hits.length;
    await assert.rejects(
      runClassifierTraining({ task: 'classify', project: data, name: 'url', config: { ...base, backbone: `${server.url}nanodet-m-416-coco/model.json` } }, { emit: () => {} }),
      /backbone URL http:\/\/127\.0\.0\.1:\d+\/nanodet-m-416-coco\/model\.json is not in the model zoo/,
    );
    assert.equal(server.hits.length, hits, 'nothing was fetched');
    const err = await runClassifierTraining({ task: 'classify', project: data, name: 'file', config: { ...base, backbone: secret } }, { emit: () => {} }).then(() => null, (e: Error) => e);
    assert.ok(err, 'a text file is not a backbone');
    assert.match(err.message, /secret\.txt is not a tfjs model: give its folder or its model\.json/);
    assert.doesNotMatch(err.message, /TOP-SECRET/);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});
