/**
 * The transfer-learning preset (mobilenet-embeddings): MobileNet v1 0.25 (../shared/models) served
 * by a local HTTP server and downloaded through ensureCachedModel (the path a user's download
 * takes), the frozen backbone embeds each image once, a small head learns a folder dataset; the
 * saved full model classifies raw pixels; a second run reuses the cache.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { runClassifierTraining } from '../../main/training/classifier/train-classifier';
import { runPaths } from '../../main/training/run-folder';
import { loadModelFromFolder } from '../../main/training/weights-io';
import { decodeImageFile } from '../../main/training/classifier/dataset';
import { readClassifierMetadata } from '../../shared/ml/classifier/metadata';
import { classifyImages } from '../../shared/ml/classifier/predict';
import type { ClassifierEvalReport, ClassifierTrainerEvent } from '../../shared/training/classifier';
import { writeClassFolders } from '../helpers/class-folders';
import { serveFolder, type ServedFolder } from '../helpers/static-server';

const MODEL_DIR = resolve(import.meta.dirname, '../../../shared/models/mobilenet_v1_0.25_224');
let server: ServedFolder;
let url = '';

before(async () => {
  server = await serveFolder(MODEL_DIR);
  url = `${server.url}model.json`;
});

after(() => server.close());

test('mobilenet-embeddings: downloads the backbone once, embeds once, the head learns a small folder dataset', { timeout: 240_000 }, async () => {
  const root = await mkdtemp(join(tmpdir(), 'detecta-cls-mobilenet-'));
  try {
    const data = join(root, 'photos');
    const cache = join(root, 'models');
    await writeClassFolders(data, { perClass: 16, size: 48, seed: 9 });
    const config = { source: { kind: 'folder' as const, dir: data }, preset: 'mobilenet-embeddings' as const, inputShape: [96, 96, 3] as [number, number, 3], epochs: 30, batchSize: 8, backend: 'wasm' as const, seed: 3, backbone: url, modelCacheDir: cache, valFraction: 0.2, testFraction: 0.2 };
    const events: ClassifierTrainerEvent[] = [];
    const finished = await runClassifierTraining({ task: 'classify', project: data, name: 'tm', config }, { emit: (e) => events.push(e) });
    assert.equal(finished.status, 'completed');
    const logs = events.filter((e) => e.type === 'log').map((e) => e.payload.message).join('\n');
    assert.match(logs, /downloaded backbone http:\/\/127\.0\.0\.1/);
    assert.match(logs, /embedded 48 image\(s\) with the frozen backbone .* \(256 values each\)/);
    const entries = await readdir(cache);
    assert.equal(entries.length, 1, 'one cache entry, no temp folders');
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
    assert.match(again.filter((e) => e.type === 'log').map((e) => e.payload.message).join('\n'), /using the cached backbone/);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});
