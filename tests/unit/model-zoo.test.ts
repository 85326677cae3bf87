/**
 * The one model zoo: backbones and ready-made detectors in one list, one mirror setting, and every
 * entry's checksums matching the files the test mirror (../shared/models) serves at its path.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MODEL_ZOO, detectorZooEntry, zooEntry, zooEntryUrl } from '../../shared/ml/model-zoo';
import { zooMirror } from '../../main/training/model-cache';

const mirrorDir = fileURLToPath(new URL('../../../shared/models/', import.meta.url));
const saved = { mirror: process.env.DETECTA_MODEL_MIRROR, old: process.env.DETECTA_MODEL_ZOO_URL };
after(() => {
  for (const [k, v] of [['DETECTA_MODEL_MIRROR', saved.mirror], ['DETECTA_MODEL_ZOO_URL', saved.old]] as const) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
});

test('one list: unique ids, backbones and detectors, each with its checksums', () => {
  assert.equal(new Set(MODEL_ZOO.map((e) => e.id)).size, MODEL_ZOO.length);
  assert.deepEqual(MODEL_ZOO.map((e) => `${e.kind}:${e.id}`).sort(), ['backbone:mobilenet_v1_0.25_224', 'detector:centernet-mobilenetv3-coco', 'detector:nanodet-m-416-coco']);
  assert.equal(detectorZooEntry('nanodet-m-416-coco').adapter.inputSize, 416);
  assert.throws(() => detectorZooEntry('mobilenet_v1_0.25_224'), /is a backbone, not a detector/);
  assert.throws(() => zooEntry('yolo-v99'), /no model "yolo-v99" in the model zoo \(known: .*nanodet/);
});

test('every entry under the test mirror: the files at its path match its sha256 and size', () => {
  for (const entry of MODEL_ZOO) {
    const folder = dirname(join(mirrorDir, entry.modelPath));
    let bytes = 0;
    for (const [name, sha] of Object.entries(entry.sha256)) {
      const file = name === 'model.json' ? join(mirrorDir, entry.modelPath) : join(folder, name);
      const data = readFileSync(file);
      bytes += data.length;
      assert.equal(createHash('sha256').update(data).digest('hex'), sha, `${entry.id}: ${name}`);
    }
    assert.equal(bytes, entry.bytes, `${entry.id}: download size`);
  }
});

test('one mirror setting: DETECTA_MODEL_MIRROR, the old DETECTA_MODEL_ZOO_URL still read; upstream without one', () => {
  const nanodet = zooEntry('nanodet-m-416-coco');
  assert.equal(zooEntryUrl(nanodet, ''), nanodet.upstreamUrl);
  assert.equal(zooEntryUrl(nanodet, 'http://mirror.local/models'), 'http://mirror.local/models/nanodet-m-416-coco/nanodet-m.json');
  assert.equal(zooEntryUrl(zooEntry('mobilenet_v1_0.25_224'), 'http://mirror.local/m/'), 'http://mirror.local/m/mobilenet_v1_0.25_224/model.json');
  delete process.env.DETECTA_MODEL_MIRROR;
  process.env.DETECTA_MODEL_ZOO_URL = 'http://old.local/';
  assert.equal(zooMirror(), 'http://old.local/');
  process.env.DETECTA_MODEL_MIRROR = 'http://new.local/';
  assert.equal(zooMirror(), 'http://new.local/');
  delete process.env.DETECTA_MODEL_MIRROR;
  delete process.env.DETECTA_MODEL_ZOO_URL;
  assert.equal(zooMirror(), '');
});
