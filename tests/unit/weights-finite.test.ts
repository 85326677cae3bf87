/** Damaged weights (NaN written into weights.bin) are refused by name when loaded, not mistaken for a diverged run. */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { fileModelHandler } from '../../main/training/model-cache';
import { loadModelFromFolder } from '../../main/training/weights-io';

const work = mkdtempSync(join(tmpdir(), 'detecta-weights-'));
after(() => rmSync(work, { recursive: true, force: true }));

test('a weights file holding NaN is refused with the weight named; intact weights load', async () => {
  await tf.setBackend('cpu');
  const model = tf.sequential({ layers: [tf.layers.dense({ units: 3, inputShape: [4], name: 'scores' })] });
  await model.save(fileModelHandler(join(work, 'model.json')));
  const loaded = await loadModelFromFolder(work);
  assert.equal(loaded.layers.length, 1);
  const bin = readFileSync(join(work, 'weights.bin'));
  bin.writeFloatLE(Number.NaN, 8); // inside the kernel (4×3 float32 first)
  writeFileSync(join(work, 'weights.bin'), bin);
  await assert.rejects(loadModelFromFolder(work), /scores\/kernel holds 1 values that are not finite numbers.*damaged/);
});
